// The producer process of the pickup-latency measurement (as Conveyor's LatencyProducer): first
// producer-warmup back-to-back untimed jobs (an ANALYZE of the job table halfway), then warmup
// untimed jobs interval-ms apart, a pause, then jobs timed jobs interval-ms apart, each with addJob
// awaited and its payload carrying the epoch microseconds taken just before the call. Prints
// "job ID SENT RETURNED" per timed job.
"use strict";
const { makeWorkerUtils } = require("graphile-worker");
const { args, connectionString, quietLogger, epochMicros } = require("./common");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const a = args(process.argv, { jobs: 200, warmup: 50, "interval-ms": 20, "producer-warmup": 2000 });
  const utils = await makeWorkerUtils({ connectionString: connectionString(), logger: quietLogger });
  const lines = [];
  try {
    // Statistics as autovacuum keeps them on a running system (as LatencyProducer does for
    // Conveyor): analyzed halfway through the back-to-back warm-up, so that whatever the ANALYZE
    // perturbs in this process (a statement of another shape) settles before the timed jobs.
    const filled = Math.floor(a["producer-warmup"] / 2);
    for (let i = 0; i < a["producer-warmup"]; i++) {
      if (i === filled) {
        await utils.withPgClient((c) => c.query("ANALYZE graphile_worker._private_jobs"));
      }
      await utils.addJob("latency", { t: 0, w: 1 });
    }
    const send = async (count, warm) => {
      let next = performance.now();
      for (let i = 0; i < count; i++) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        next += a["interval-ms"];
        const sent = epochMicros();
        const job = await utils.addJob("latency", { t: sent, w: warm ? 1 : 0 });
        const returned = epochMicros();
        if (!warm) lines.push(`job ${job.id} ${sent} ${returned}`);
      }
    };
    await send(a.warmup, true);
    await sleep(500);
    await send(a.jobs, false);
  } finally {
    await utils.release();
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
