#!/usr/bin/env bash
# CPU cost per accepted report of POST /api/reports: starts the packaged API against an existing
# PostgreSQL, warms it up with wrk, then runs wrk for a fixed time and prints the CPU seconds the
# API JVM, PostgreSQL (all its processes) and wrk used per accepted report, the statements per
# report (pg_stat_statements, if installed) and wrk's own numbers.
#
# CPU per report is what to compare between builds on a shared machine: requests/s and latency
# depend on what else runs, CPU per report much less.
#
# Usage:
#   CONVEYOR_DB_URL=jdbc:postgresql://127.0.0.1:5515/conveyor \
#   PGURL=postgresql://postgres@127.0.0.1:5515/conveyor \
#     bench/api-load.sh api-service/target/api-service-0.1.0-SNAPSHOT-exec.jar [seconds] [clients]
#
# Without CONVEYOR_DB_URL it starts a throwaway PostgreSQL (bench/lib/throwaway-pg.sh:
# shared_buffers=256MB, max_connections=200, durability at the defaults, pg_stat_statements
# loaded) and removes it afterwards; READS=1 then also measures GET /api/reports/{id}
# (bench/api-status.lua) for the same time after the POST run.
# PGURL must reach the database as a user that may read pg_stat_statements and truncate
# reports/queue_job (the bench empties both after the warm-up). Extra JVM options: JAVA_OPTS;
# extra API arguments: API_ARGS (e.g. --conveyor.api.limits.concurrent-requests=16).
# WARMUP (seconds, default 240) is the least warm-up; it goes on until the JIT has caught up.
# The API's own log goes to ${OUT:-/tmp}/api-load-api.log. JFR=<file.jfr> records a profile of the
# measured run (not of start-up and warm-up). ASYNC_PROFILER=<path to libasyncProfiler.so> (from
# Maven Central, tools.profiler:async-profiler:4.2, linux-x64 jar) samples the whole JVM's CPU,
# kernel and GC included, during the measured run into $OUT/api-load-profile.collapsed.
set -euo pipefail

JAR=${1:?usage: api-load.sh <exec jar> [seconds] [clients]}
SECONDS_RUN=${2:-30}
CLIENTS=${3:-32}
WARMUP=${WARMUP:-240}
PORT=${PORT:-18080}
OUT=${OUT:-/tmp}
export CONVEYOR_API_BOOTSTRAP_KEY=${CONVEYOR_API_BOOTSTRAP_KEY:-cvk_bench_bootstrap_key_0123456789}
export CONVEYOR_API_KEY=$CONVEYOR_API_BOOTSTRAP_KEY
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/throwaway-pg.sh
source "$HERE/lib/throwaway-pg.sh"
BENCH_PG_STAT_STATEMENTS=1 api_db_or_throwaway_pg "$HERE/../.bench/pg"

# shellcheck source=lib/cpu.sh
source "$HERE/lib/cpu.sh"
sql() { psql "$PGURL" -XAtqc "$1"; }

: "${PGURL:?PGURL (psql URL of the same database) is required}"
# shellcheck source=lib/warm-up.sh
source "$HERE/lib/warm-up.sh"
trap 'kill ${API:-} 2>/dev/null || true; wait ${API:-} 2>/dev/null || true; stop_throwaway_pg' EXIT
# shellcheck disable=SC2086
start_api "$JAR" "$PORT" "$OUT/api-load-api.log" ${API_ARGS:-}
warm_up_api $API "http://127.0.0.1:$PORT" "$CLIENTS" "$WARMUP" $((2 * WARMUP))
sql "TRUNCATE reports, conveyor.queue_job"
sql "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true

if [ -n "${JFR:-}" ]; then
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" $API JFR.start name=bench settings=profile >/dev/null
fi
if [ -n "${ASYNC_PROFILER:-}" ]; then
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" $API JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=cpu,interval=1ms\"" >/dev/null
fi
# What the API's busy connections wait for, sampled every 0.5 s during the run.
( while sleep 0.5; do
    sql "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity
         WHERE application_name = 'conveyor-api' AND state = 'active'" 2>/dev/null || true
  done ) >"$OUT/api-load-waits.txt" &
SAMPLER=$!
api0=$(ticks $API); pg0=$(pg_ticks); t0=$(date +%s.%N)
wrk_out=$( { /usr/bin/time -f 'wrk_cpu %U %S' wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --latency \
  -s "$HERE/api-submit.lua" "http://127.0.0.1:$PORT"; } 2>&1)
api1=$(ticks $API); pg1=$(pg_ticks); t1=$(date +%s.%N)
kill $SAMPLER 2>/dev/null || true
if [ -n "${JFR:-}" ]; then
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" $API JFR.stop name=bench filename="$JFR" >/dev/null
fi
if [ -n "${ASYNC_PROFILER:-}" ]; then
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" $API JVMTI.agent_load "$ASYNC_PROFILER" \
    "\"stop,collapsed,file=$OUT/api-load-profile.collapsed\"" >/dev/null
fi
reports=$(sql "SELECT count(*) FROM reports")
jobs=$(sql "SELECT count(*) FROM conveyor.queue_job")

echo "$wrk_out" | grep -v '^unexpected status' | grep -v wrk_cpu
errors=$(echo "$wrk_out" | grep -c '^unexpected status' || true)
read -r wu ws < <(echo "$wrk_out" | awk '/^wrk_cpu/ {print $2, $3}')
awk -v a=$((api1 - api0)) -v p=$((pg1 - pg0)) -v wu="$wu" -v ws="$ws" -v hz="$HZ" \
    -v n="$reports" -v j="$jobs" -v e="$errors" -v t0="$t0" -v t1="$t1" 'BEGIN {
  w = wu + ws; el = t1 - t0
  printf "accepted reports %d (jobs %d, non-202 %d) in %.1f s = %.0f/s\n", n, j, e, el, n / el
  printf "CPU s: api %.1f  postgres %.1f  wrk %.1f  total %.1f of %.1f available (2 cores)\n",
    a / hz, p / hz, w, a / hz + p / hz + w, 2 * el
  printf "CPU ms per report: api %.3f  postgres %.3f  wrk %.3f  total %.3f\n",
    1000 * a / hz / n, 1000 * p / hz / n, 1000 * w / n, 1000 * (a / hz + p / hz + w) / n
}'
echo "busy API connections by wait event (samples every 0.5 s):"
sort "$OUT/api-load-waits.txt" | uniq -c | sort -rn | head -8
if sql "SELECT 1 FROM pg_stat_statements LIMIT 1" >/dev/null 2>&1; then
  echo "statements per report (pg_stat_statements, top 12 by total time):"
  psql "$PGURL" -Xq -P pager=off -c "
    SELECT round(calls::numeric / $reports, 2) AS per_report,
           round(total_exec_time::numeric, 0) AS total_ms,
           round(mean_exec_time::numeric, 3) AS mean_ms,
           left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
    FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 12"
fi

if [ -n "${READS:-}" ]; then
  export CONVEYOR_REPORT_ID
  CONVEYOR_REPORT_ID=$(sql "SELECT id FROM reports ORDER BY created_at DESC LIMIT 1")
  echo "status reads of report $CONVEYOR_REPORT_ID for ${SECONDS_RUN}s"
  wrk -t2 -c"$CLIENTS" -d"${SECONDS_RUN}s" --latency -s "$HERE/api-status.lua" \
    "http://127.0.0.1:$PORT"
fi
