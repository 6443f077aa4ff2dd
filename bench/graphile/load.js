// Installs Graphile Worker's schema and enqueues jobs=N no-op jobs with addJobs, 1,000 a call.
"use strict";
const { runMigrations, makeWorkerUtils } = require("graphile-worker");
const { args, connectionString, quietLogger, result } = require("./common");

async function main() {
  const a = args(process.argv, { jobs: 100000, task: "noop" });
  const options = { connectionString: connectionString(), logger: quietLogger };
  await runMigrations(options);
  const utils = await makeWorkerUtils(options);
  try {
    for (let from = 0; from < a.jobs; from += 1000) {
      const specs = [];
      for (let i = from; i < Math.min(a.jobs, from + 1000); i++) {
        specs.push({ identifier: a.task, payload: {} });
      }
      await utils.addJobs(specs);
    }
  } finally {
    await utils.release();
  }
  result(`load jobs=${a.jobs}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
