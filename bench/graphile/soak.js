// Minutes of churn (issue 17, "Sustained"), Graphile Worker's side of SideBySide soak: a producer
// thread (a worker_threads thread with its own pool, as Conveyor's soak has a producer thread in
// the worker's JVM) adds rate jobs a second with addJobs, a batch every 20 ms, each job carrying
// the wall-clock time taken just before the call; one runner (config, slots) in this process works
// them off. Every window-s a line on stderr: enqueued and handled jobs/s, backlog, pickup latency
// p50 / p99 / max (send time to handler start) and the jobs table's live and dead rows (Graphile
// Worker deletes a job when it completes, so it keeps no finished rows). At the end, the RESULT
// line in SideBySide soak's format; it fails unless every job was handled exactly once. With
// quiet-s, the producer first sends one job a tick for that many seconds (a burst into a quiet
// queue, as SideBySide soak quiet-s).
// Ten seconds in, one ANALYZE of the jobs table, as in SideBySide soak: the run starts from a
// truncated table whose statistics say it is empty, and a steady state has current ones (without
// it, Graphile Worker's claims slowed to a few thousand a second at 15,000-25,000 jobs/s offered
// until autovacuum's first pass, about a minute in; docs/benchmarks.md, session 16).
"use strict";
const { Worker, isMainThread, parentPort, workerData } = require("worker_threads");
const { run, makeWorkerUtils } = require("graphile-worker");
const { Client } = require("pg");
const { args, connectionString, quietLogger, workerPreset, epochMicros, result, progress } = require("./common");

const TICK_MS = 20;
const ANALYZE_AFTER_MS = 10000;

async function produce({ rate, minutes, quietSeconds, counter }) {
  const enqueued = new Int32Array(counter);
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const utils = await makeWorkerUtils({ connectionString: connectionString(), logger: quietLogger });
  try {
    const end = performance.now() + minutes * 60000;
    let next = performance.now();
    const quietUntil = next + quietSeconds * 1000;
    let seq = 0;
    while (next < end) {
      const jobs = next < quietUntil ? 1 : perTick; // a quiet queue first, if asked: then the burst
      const sent = epochMicros();
      const specs = new Array(jobs);
      for (let i = 0; i < jobs; i++) specs[i] = { identifier: "soak", payload: { t: sent, i: seq++ } };
      await utils.addJobs(specs);
      Atomics.add(enqueued, 0, jobs);
      next += TICK_MS;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await utils.release();
  }
}

function sortedPercentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const a = args(process.argv, { config: "batched", slots: 16, rate: 25000, minutes: 2, "window-s": 15, "quiet-s": 0 });
  const perTick = Math.max(1, Math.round((a.rate * TICK_MS) / 1000));
  const capacity = perTick * (Math.ceil((a.minutes * 60000) / TICK_MS) + 2);
  const latencies = new Float64Array(capacity); // pickup, microseconds, in handler order
  const seen = new Uint8Array(capacity);
  let handled = 0;
  let duplicates = 0;
  let lastHandler = 0n;
  const taskList = {
    soak: async (payload) => {
      const now = epochMicros();
      if (seen[payload.i]++ > 0) duplicates++;
      latencies[handled++] = Math.max(0, now - payload.t);
      lastHandler = process.hrtime.bigint();
    },
  };
  const stats = new Client({ connectionString: connectionString() });
  await stats.connect();
  const tableRows = async () => {
    const res = await stats.query(
      "SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE schemaname = 'graphile_worker' AND relname = '_private_jobs'",
    );
    return [Number(res.rows[0].n_live_tup), Number(res.rows[0].n_dead_tup)];
  };
  const runner = await run({
    preset: workerPreset(a.config, a.slots),
    taskList,
    noHandleSignals: true,
    logger: quietLogger,
  });
  const analyze = new Promise((resolve, reject) =>
    setTimeout(() => stats.query("ANALYZE graphile_worker._private_jobs").then(resolve, reject), ANALYZE_AFTER_MS),
  );
  analyze.catch(() => {}); // awaited below
  const counter = new SharedArrayBuffer(4);
  const enqueued = new Int32Array(counter);
  const started = process.hrtime.bigint();
  const producer = new Worker(__filename, {
    workerData: { rate: a.rate, minutes: a.minutes, quietSeconds: a["quiet-s"], counter },
  });
  let producing = true;
  const produced = new Promise((resolve, reject) => {
    producer.on("error", reject);
    producer.on("exit", (code) => {
      producing = false;
      if (code === 0) resolve();
      else reject(new Error(`the producer thread exited with ${code}`));
    });
  });
  produced.catch(() => {}); // awaited below; a failure ends the windows loop first
  progress(`soak: ${a.minutes} min, ${a.rate} jobs/s offered (after ${a["quiet-s"]} s of 50), ${a.config}, ${a.slots} slots`);
  progress("| s | enqueued/s | handled/s | backlog | pickup p50 / p99 / max ms | live rows | dead rows |");
  const ms = (us) => (us / 1000).toFixed(2);
  let worstWindowP99 = 0;
  let slowestWindowRate = Infinity;
  let maxBacklog = 0;
  let windowStart = process.hrtime.bigint();
  let lastEnqueued = 0;
  let lastHandled = 0;
  while (producing) {
    await Promise.race([produced, new Promise((r) => setTimeout(r, a["window-s"] * 1000))]).catch(() => {});
    const now = process.hrtime.bigint();
    const seconds = Number(now - windowStart) / 1e9;
    if (seconds < a["window-s"] * 0.5 && producing) continue;
    const e = Atomics.load(enqueued, 0);
    const h = handled;
    const backlog = e - h;
    maxBacklog = Math.max(maxBacklog, backlog);
    const window = latencies.slice(lastHandled, h).sort();
    const handledRate = (h - lastHandled) / seconds;
    const p99 = sortedPercentile(window, 99) / 1000;
    if (producing) {
      worstWindowP99 = Math.max(worstWindowP99, p99);
      slowestWindowRate = Math.min(slowestWindowRate, handledRate);
    }
    const [live, dead] = await tableRows();
    progress(
      `| ${Math.round(Number(now - started) / 1e9)} | ${Math.round((e - lastEnqueued) / seconds)} | ${Math.round(handledRate)} | ${backlog} | ${ms(sortedPercentile(window, 50))} / ${ms(sortedPercentile(window, 99))} / ${ms(window[window.length - 1])} | ${live} | ${dead} |`,
    );
    lastEnqueued = e;
    lastHandled = h;
    windowStart = now;
  }
  await produced;
  await analyze;
  const total = Atomics.load(enqueued, 0);
  const deadline = process.hrtime.bigint() + 5n * 60n * 1000000000n;
  const unfinished = { name: "side-by-side-soak-unfinished", text: "SELECT id FROM graphile_worker._private_jobs ORDER BY id LIMIT 1" };
  for (;;) {
    if (process.hrtime.bigint() > deadline) throw new Error(`${handled} of ${total} jobs handled, or jobs left unfinished`);
    if (handled >= total && (await stats.query(unfinished)).rows.length === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const tailMs = Number(process.hrtime.bigint() - lastHandler) / 1e6;
  await runner.stop();
  await stats.end();
  if (handled !== total || duplicates > 0) {
    throw new Error(`${total} jobs enqueued, ${handled} handler calls, ${duplicates} of them repeats`);
  }
  const all = latencies.slice(0, handled).sort();
  const seconds = Number(lastHandler - started) / 1e9;
  result(
    `soak minutes=${a.minutes} offered=${a.rate} slots=${a.slots} jobs=${total} rate=${Math.round(total / seconds)}` +
      ` p50_ms=${ms(sortedPercentile(all, 50))} p99_ms=${ms(sortedPercentile(all, 99))} max_ms=${ms(all[all.length - 1])}` +
      ` worst_window_p99_ms=${worstWindowP99.toFixed(2)} slowest_window_rate=${Math.round(slowestWindowRate)}` +
      ` max_backlog=${maxBacklog} tail_ms=${Math.round(tailMs)}`,
  );
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  produce(workerData).then(
    () => parentPort.close(),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
