// Pickup latency: a Graphile Worker runner (config, slots) on an empty queue and producer.js in
// another Node process; a job's latency is from just before the producer's addJob call to its
// handler's start (epoch microseconds, same machine).
"use strict";
const { run } = require("graphile-worker");
const { spawn } = require("child_process");
const path = require("path");
const { args, quietLogger, workerPreset, epochMicros, result } = require("./common");

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const a = args(process.argv, {
    config: "batched", slots: 4, jobs: 200, warmup: 50, "interval-ms": 20, "producer-warmup": 2000,
  });
  const seen = new Map();
  let done;
  const allSeen = new Promise((r) => (done = r));
  const taskList = {
    latency: async (payload, helpers) => {
      const started = epochMicros();
      if (payload.w) return;
      seen.set(String(helpers.job.id), [payload.t, started]);
      if (seen.size === a.jobs) done();
    },
  };
  const runner = await run({
    preset: workerPreset(a.config, a.slots),
    taskList,
    noHandleSignals: true,
    logger: quietLogger,
  });
  const producer = spawn(process.execPath, [
    path.join(__dirname, "producer.js"),
    `jobs=${a.jobs}`, `warmup=${a.warmup}`, `interval-ms=${a["interval-ms"]}`,
    `producer-warmup=${a["producer-warmup"]}`,
  ], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let out = "";
  producer.stdout.on("data", (d) => (out += d));
  const code = await new Promise((r) => producer.on("close", r));
  if (code !== 0) throw new Error(`the producer failed with exit code ${code}`);
  const timeout = setTimeout(() => {
    console.error(`the worker saw ${seen.size} of ${a.jobs} timed jobs`);
    process.exit(1);
  }, 60000);
  await allSeen;
  clearTimeout(timeout);
  await runner.stop();
  const pickup = [];
  const call = [];
  const after = [];
  for (const line of out.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || f[0] !== "job") continue;
    const s = seen.get(f[1]);
    call.push(Number(f[3]) - Number(f[2]));
    if (s) {
      pickup.push(Math.max(0, s[1] - s[0]));
      after.push(Math.max(0, s[1] - Number(f[3])));
    }
  }
  pickup.sort((x, y) => x - y);
  call.sort((x, y) => x - y);
  after.sort((x, y) => x - y);
  const ms = (us) => (us / 1000).toFixed(2);
  result(`latency slots=${a.slots} jobs=${pickup.length} p50_ms=${ms(percentile(pickup, 50))} p99_ms=${ms(percentile(pickup, 99))} max_ms=${ms(pickup[pickup.length - 1])} enqueue_p50_ms=${ms(percentile(call, 50))} enqueue_p99_ms=${ms(percentile(call, 99))} after_p50_ms=${ms(percentile(after, 50))} after_p99_ms=${ms(percentile(after, 99))}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
