// One Graphile Worker runner in this fresh process drains the pre-enqueued no-op jobs. The clock
// runs from the first handler call until a poll (every 10 ms, its own connection) finds no job
// left in graphile_worker._private_jobs (Graphile Worker deletes a job when it completes).
"use strict";
const { run } = require("graphile-worker");
const { Client } = require("pg");
const { args, connectionString, quietLogger, workerPreset, result, progress } = require("./common");

async function main() {
  const a = args(process.argv, { config: "batched", slots: 16, jobs: 100000 });
  let first = 0n;
  let firstJobMs = 0;
  let handled = 0;
  let started;
  const firstCall = new Promise((resolve) => (started = resolve));
  const taskList = {
    noop: async () => {
      if (first === 0n) {
        first = process.hrtime.bigint();
        firstJobMs = Math.round(performance.now()); // since the process started
        started();
      }
      handled++;
    },
  };
  const poller = new Client({ connectionString: connectionString() });
  await poller.connect();
  const runner = await run({
    preset: workerPreset(a.config, a.slots),
    taskList,
    noHandleSignals: true,
    logger: quietLogger,
  });
  await firstCall;
  // ORDER BY id LIMIT 1: an index scan of the primary key, which skips the entries of deleted
  // jobs once marked dead, instead of a sequential scan through the deleted rows on every poll.
  const poll = {
    name: "side-by-side-unfinished",
    text: "SELECT id FROM graphile_worker._private_jobs ORDER BY id LIMIT 1",
  };
  let end;
  let next = process.hrtime.bigint();
  const deadline = next + 15n * 60n * 1000000000n;
  for (;;) {
    next += 10000000n;
    // Ask the database only once every handler has run (until then a job is unfinished anyway):
    // the polls would otherwise take PostgreSQL's CPU from the drain. SideBySide does the same.
    const res = handled >= a.jobs ? await poller.query(poll) : { rows: [1] };
    if (res.rows.length === 0) {
      end = process.hrtime.bigint();
      break;
    }
    if (process.hrtime.bigint() > deadline) throw new Error(`timed out: ${handled} of ${a.jobs} handled`);
    const wait = Number(next - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await runner.stop();
  await poller.end();
  if (handled !== a.jobs) throw new Error(`${a.jobs} jobs but ${handled} handler calls`);
  const seconds = Number(end - first) / 1e9;
  progress(`drained ${a.jobs} jobs (${a.config}, ${a.slots} slots): ${Math.round(a.jobs / seconds)} jobs/s`);
  result(`drain slots=${a.slots} jobs=${a.jobs} seconds=${seconds.toFixed(4)} rate=${Math.round(a.jobs / seconds)} handled=${handled} first_job_ms=${firstJobMs}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
