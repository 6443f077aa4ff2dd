// Enqueue throughput: single=N jobs with addJob, one awaited call (one transaction) each, then
// batch=M jobs with addJobs, 1,000 a call; each after a short untimed warm-up, on an empty table.
"use strict";
const { makeWorkerUtils } = require("graphile-worker");
const { args, connectionString, quietLogger, result, progress } = require("./common");

async function main() {
  const a = args(process.argv, { single: 5000, batch: 100000 });
  const utils = await makeWorkerUtils({ connectionString: connectionString(), logger: quietLogger });
  const empty = () => utils.withPgClient((c) => c.query("TRUNCATE graphile_worker._private_jobs"));
  const single = async (n) => {
    for (let i = 0; i < n; i++) await utils.addJob("noop", { i });
  };
  const batched = async (n) => {
    for (let from = 0; from < n; from += 1000) {
      const specs = [];
      for (let i = from; i < Math.min(n, from + 1000); i++) specs.push({ identifier: "noop", payload: { i } });
      await utils.addJobs(specs);
    }
  };
  try {
    await empty();
    await single(Math.min(1000, a.single));
    await empty();
    let t0 = process.hrtime.bigint();
    await single(a.single);
    const singleRate = a.single / (Number(process.hrtime.bigint() - t0) / 1e9);
    progress(`enqueue: ${a.single} single jobs at ${Math.round(singleRate)}/s`);
    await empty();
    await batched(Math.min(10000, a.batch));
    await empty();
    t0 = process.hrtime.bigint();
    await batched(a.batch);
    const batchRate = a.batch / (Number(process.hrtime.bigint() - t0) / 1e9);
    progress(`enqueue: ${a.batch} jobs in batches of 1000 at ${Math.round(batchRate)}/s`);
    const stored = await utils.withPgClient((c) => c.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs"));
    if (stored.rows[0].n !== a.batch) throw new Error(`enqueued ${a.batch} but found ${stored.rows[0].n}`);
    await empty();
    result(`enqueue single=${a.single} single_rate=${Math.round(singleRate)} batch=${a.batch} batch_rate=${Math.round(batchRate)}`);
  } finally {
    await utils.release();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
