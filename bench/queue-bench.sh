#!/usr/bin/env bash
# Builds queue-bench and runs the Conveyor queue benchmark (see docs/benchmarks.md).
#
#   bench/queue-bench.sh [benchmark options, e.g. --parts=process --concurrency=50,200]
#   bench/queue-bench.sh --help
#
# Database: CONVEYOR_BENCH_DB_URL (+ CONVEYOR_BENCH_DB_USER / CONVEYOR_BENCH_DB_PASSWORD) when
# set. Otherwise a throwaway PostgreSQL is created from the locally installed binaries in
# .bench/pg (port 54329, or the next free one), with default durability (fsync on, synchronous_commit on) and only
# shared_buffers=1GB and max_connections=200 changed, and removed again on exit.
# Every run empties conveyor.queue_job: never point it at a database you care about.
#
# Environment:
#   JAVA_HOME                    JDK to build and run with (default: temurin 25 if installed)
#   BENCH_JAVA_OPTS              extra JVM options for the benchmark JVM
#   PG_BIN                       directory with initdb/pg_ctl/postgres (default: from PATH,
#                                else /usr/lib/postgresql/15/bin)
#   BENCH_PG_PORT                port of the throwaway server (default 54329)
#   BENCH_PG_OS_USER             OS user that runs it when this script runs as root
#                                (default postgres, created if missing)
#   BENCH_PG_STAT_STATEMENTS=1   also load pg_stat_statements (diagnostics: the report then
#                                lists the statements of each processing run); not for the
#                                reference numbers
#   BENCH_KEEP_PG=1              leave .bench/pg in place after the run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
    echo "usage: bench/queue-bench.sh [options]; the benchmark's own options:"
    NEED_HELP_ONLY=1
  fi
done

# ------------------------------------------------------------------ build
echo "== Building queue-bench" >&2
mkdir -p .bench
# The usual module build, plus the runtime classpath of each module written to
# <module>/target/bench-classpath.txt (one invocation, so that the reactor resolves queue-core
# and db-migrations to the jars just built; nothing is installed into ~/.m2).
./mvnw -B -q -pl queue-bench -am package dependency:build-classpath \
  -DskipTests -Dspotless.check.skip=true \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
BENCH_JAR="$(ls queue-bench/target/queue-bench-*.jar | head -n1)"
CLASSPATH_RUN="$BENCH_JAR:$(cat queue-bench/target/bench-classpath.txt)"

if [[ -n "${NEED_HELP_ONLY:-}" ]]; then
  exec "$JAVA" -cp "$CLASSPATH_RUN" dev.conveyor.bench.QueueBenchmark --help
fi

# ------------------------------------------------------------------ machine
# shellcheck source=lib/throwaway-pg.sh
source "$ROOT/bench/lib/throwaway-pg.sh"
print_machine

# ------------------------------------------------------------------ database
if [[ -z "${CONVEYOR_BENCH_DB_URL:-}" ]]; then
  trap stop_throwaway_pg EXIT
  start_throwaway_pg "$ROOT/.bench/pg" 1GB
else
  echo "== PostgreSQL"
  echo "- Using CONVEYOR_BENCH_DB_URL=$CONVEYOR_BENCH_DB_URL (version and settings below)"
fi
echo

# ------------------------------------------------------------------ run
RESULT=".bench/result-$(date -u +%Y%m%dT%H%M%SZ).md"
echo "== Running: java -cp <queue-bench classpath> dev.conveyor.bench.QueueBenchmark $*" >&2
# shellcheck disable=SC2086
"$JAVA" ${BENCH_JAVA_OPTS:-} -cp "$CLASSPATH_RUN" dev.conveyor.bench.QueueBenchmark "$@" \
  | tee "$RESULT"
echo >&2
echo "== Report saved to $RESULT" >&2
