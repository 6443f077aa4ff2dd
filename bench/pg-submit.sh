#!/usr/bin/env bash
# PostgreSQL's share of a submission, without the API: runs bench/pg-submit.sql with pgbench for
# each variant given, from an empty reports/queue_job each time, and prints transactions/s,
# PostgreSQL CPU per transaction (all postgres processes, from /proc) and the wait events of the
# busy sessions (sampled). A variant is a list of pgbench variables (-D). Usage (a migrated
# database, an api_clients row with id 1):
#   PGURL=postgresql://postgres@127.0.0.1:5515/conveyor bench/pg-submit.sh "notify=1" "notify=0"
# Server settings for one run go through libpq's PGOPTIONS, e.g. PGOPTIONS='-c plan_cache_mode=force_custom_plan'.
set -euo pipefail
: "${PGURL:?PGURL is required}"
SECS=${SECS:-20}
CLIENTS=${CLIENTS:-32}
PGBENCH=${PGBENCH:-$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/cpu.sh
source "$HERE/lib/cpu.sh"
for variant in "$@"; do
  defs=(-D owner=1)
  for kv in $variant; do defs+=(-D "$kv"); done
  psql "$PGURL" -XAtqc "TRUNCATE reports, conveyor.queue_job"
  # warm-up: fill caches and give the jobsAhead count a backlog of a few thousand jobs
  "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -t 100 "${defs[@]}" -f "$HERE/pg-submit.sql" "$PGURL" >/dev/null
  ( while sleep 0.5; do
      psql "$PGURL" -XAtqc "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU')
        FROM pg_stat_activity WHERE application_name = 'pgbench' AND state = 'active'" 2>/dev/null || true
    done ) >/tmp/pg-submit-waits.txt &
  sampler=$!
  # pgbench's backends exit with it, taking their CPU counters along: measure between two points
  # while they run, and count the transactions as committed report rows in between.
  "$PGBENCH" -n -M prepared -c "$CLIENTS" -j 2 -T "$SECS" "${defs[@]}" -f "$HERE/pg-submit.sql" \
    "$PGURL" >/tmp/pg-submit-out.txt &
  bench=$!
  sleep 3
  p0=$(pg_ticks); r0=$(psql "$PGURL" -XAtqc "SELECT count(*) FROM reports")
  sleep $((SECS - 6))
  p1=$(pg_ticks); r1=$(psql "$PGURL" -XAtqc "SELECT count(*) FROM reports")
  wait $bench
  kill $sampler 2>/dev/null || true
  out=$(cat /tmp/pg-submit-out.txt)
  tx=$(echo "$out" | awk '/number of transactions actually processed/ {print $NF}' | cut -d/ -f1)
  tps=$(echo "$out" | awk '/^tps/ {print $3}')
  lat=$(echo "$out" | awk '/latency average/ {print $4}')
  waits=$(sort /tmp/pg-submit-waits.txt | uniq -c | sort -rn | head -4 | awk '{printf "%s %s, ", $2, $1}')
  awk -v v="$variant" -v tx="$tx" -v tps="$tps" -v lat="$lat" -v p=$((p1 - p0)) -v n=$((r1 - r0)) -v hz="$HZ" -v w="$waits" 'BEGIN {
    printf "%-22s tx %7d  tps %7.0f  avg latency %6s ms  postgres CPU %.3f ms/tx  waits: %s\n",
      v, tx, tps, lat, 1000 * p / hz / n, w }'
done
