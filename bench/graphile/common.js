// Shared by the Graphile Worker side of bench/side-by-side.sh (our code, not Graphile's).
// Arguments are name=value pairs; the database is GRAPHILE_BENCH_DB_URL (a postgres:// URL).
"use strict";
const { Logger } = require("graphile-worker");

function args(argv, defaults) {
  const out = { ...defaults };
  for (const arg of argv.slice(2)) {
    const eq = arg.indexOf("=");
    if (eq < 1) throw new Error(`expected name=value, got: ${arg}`);
    const name = arg.slice(0, eq);
    if (!(name in defaults)) throw new Error(`unknown argument: ${name}`);
    const value = arg.slice(eq + 1);
    out[name] = typeof defaults[name] === "number" ? Number(value) : value;
    if (typeof defaults[name] === "number" && !Number.isFinite(out[name])) {
      throw new Error(`${name} must be a number, got: ${value}`);
    }
  }
  return out;
}

function connectionString() {
  const url = process.env.GRAPHILE_BENCH_DB_URL;
  if (!url) throw new Error("set GRAPHILE_BENCH_DB_URL");
  return url;
}

// Only warnings and errors: the default logger writes a line per completed job, which would
// measure the terminal. (Conveyor's side logs at WARN too.)
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[graphile ${level}] ${message}`);
});

// The two configurations compared. "batched" is what Graphile Worker's performance page calls
// its batched configuration (localQueue.size=500, completeJobBatchDelay=0, failJobBatchDelay=0)
// with the pool its docs recommend (10 or concurrentJobs + 2, whichever is larger); "default"
// sets only the concurrency.
function workerPreset(config, slots) {
  const worker = { connectionString: connectionString(), concurrentJobs: slots };
  if (config === "batched") {
    Object.assign(worker, {
      maxPoolSize: Math.max(10, slots + 2),
      localQueue: { size: 500 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    });
  } else if (config !== "default") {
    throw new Error(`config must be batched or default, got: ${config}`);
  }
  return { worker };
}

// Wall-clock epoch microseconds (comparable with the other process on this machine).
function epochMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

function result(line) {
  process.stdout.write(`RESULT ${line}\n`);
}

function progress(message) {
  process.stderr.write(`[side-by-side graphile ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

module.exports = { args, connectionString, quietLogger, workerPreset, epochMicros, result, progress };
