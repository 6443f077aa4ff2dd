#!/usr/bin/env bash
# Submissions and status reads of one API JVM in alternating windows, after a warm-up that lasts
# until the JIT has caught up: shows how requests/s, p99 and the API's CPU per request settle, and
# compares server settings (one JVM per call; run calls one after the other, never at once).
#
# Usage:
#   bench/api-windows.sh <label> <exec jar> [rounds] [seconds] [API arguments...]
#   e.g. bench/api-windows.sh limit-16 api-service/target/api-service-0.1.0-SNAPSHOT-exec.jar 4 15 \
#          --conveyor.api.limits.concurrent-requests=16
#
# Prints one line per round: POST requests/s, p99, and API and PostgreSQL CPU ms per request
# (PostgreSQL: all its processes, so a database shared with other work inflates it), then the same
# for GET /api/reports/{id} (a PENDING report), then the number of methods waiting for the C2 compiler.
# Warm-up: 10 s of each in turn for at least MINWARM seconds (default 200) and until fewer than
# 10 methods wait for the compiler (at most MAXWARM, default 400). Database: CONVEYOR_DB_URL
# (+ _USER, _PASSWORD) and PGURL as for bench/api-load.sh, else a throwaway PostgreSQL.
set -euo pipefail

LABEL=${1:?usage: api-windows.sh <label> <exec jar> [rounds] [seconds] [API arguments...]}
JAR=${2:?exec jar}
ROUNDS=${3:-4}
SECS=${4:-15}
shift $(($# < 4 ? $# : 4))
PORT=${PORT:-18082}
export CONVEYOR_API_BOOTSTRAP_KEY=${CONVEYOR_API_BOOTSTRAP_KEY:-cvk_bench_bootstrap_key_0123456789}
export CONVEYOR_API_KEY=$CONVEYOR_API_BOOTSTRAP_KEY
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/throwaway-pg.sh
source "$HERE/lib/throwaway-pg.sh"
api_db_or_throwaway_pg "$HERE/../.bench/pg" >&2
: "${PGURL:?PGURL (psql URL of the same database) is required}"

# shellcheck source=lib/warm-up.sh
source "$HERE/lib/warm-up.sh"
trap 'kill ${API:-} 2>/dev/null || true; wait ${API:-} 2>/dev/null || true; stop_throwaway_pg' EXIT
start_api "$JAR" "$PORT" "${OUT:-/tmp}/api-windows-api.log" "$@"
load() { wrk -t2 -c32 -d"$2" --latency -s "$HERE/$1" "http://127.0.0.1:$PORT" 2>&1; }

echo "$LABEL: $(warm_up_api $API "http://127.0.0.1:$PORT" 32 "${MINWARM:-200}" "${MAXWARM:-400}")"
psql "$PGURL" -XAtqc 'TRUNCATE reports, conveyor.queue_job'
CONVEYOR_REPORT_ID=$(new_report "http://127.0.0.1:$PORT")
export CONVEYOR_REPORT_ID

# shellcheck source=lib/cpu.sh
source "$HERE/lib/cpu.sh"
# "<requests/s> <p99> <API and PostgreSQL CPU ms per request>" of one window
window() {
  local a0 a1 p0 p1 out rate p99
  a0=$(ticks $API); p0=$(pg_ticks)
  out=$(load "$1" "${SECS}s")
  a1=$(ticks $API); p1=$(pg_ticks)
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '/ 99%/ {print $2}')
  awk -v a=$((a1 - a0)) -v p=$((p1 - p0)) -v hz="$HZ" -v r="$rate" -v s="$SECS" -v p99="$p99" \
    'BEGIN { printf "%s/s p99 %s API %.3f PG %.3f ms", r, p99, 1000 * a / hz / (r * s), 1000 * p / hz / (r * s) }'
}
for i in $(seq "$ROUNDS"); do
  echo "$LABEL $i | POST $(window api-submit.lua) | GET $(window api-status.lua) | JIT queue $(compile_queue $API)"
done
