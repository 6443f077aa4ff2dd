#!/usr/bin/env bash
# Report generation speed and worker memory (issue #4; results in docs/benchmarks.md).
#
#   bench/report-bench.sh [--voters N] [--runs R] [--worker-heap 256m]
#
# Builds the jars, starts a throwaway PostgreSQL (bench/lib/throwaway-pg.sh), the API and ONE
# worker as two processes (the worker with -Xmx<worker-heap>), seeds a generated registry
# (sample-data, seed 42) and times each case from submission to COMPLETED, R times:
#   - voterList CSV and XLSX of the county with the most voters (about 200,000 at the default --voters 920000),
#   - voterImport of a 100,000-row file (uploaded first; the upload is not timed),
#   - designatedPetition of the assembly district and party whose ACTIVE enrollment is nearest
#     5,000.
# The time is the report's completed_at - created_at as PostgreSQL recorded them: the API's
# insert at submission, and the API applying the worker's durable report.completed callback.
# Also prints the worker's peak resident memory (VmHWM) and its GC log's largest heap after GC.
#
# Environment: JAVA_HOME, and throwaway-pg.sh's (PG_BIN, BENCH_PG_PORT, BENCH_KEEP_PG, ...).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

VOTERS=920000
RUNS=3
WORKER_HEAP=256m
while [[ $# -gt 0 ]]; do
  case "$1" in
    --voters) VOTERS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --worker-heap) WORKER_HEAP="$2"; shift 2 ;;
    *) echo "usage: bench/report-bench.sh [--voters N] [--runs R] [--worker-heap 256m]" >&2; exit 2 ;;
  esac
done

WORK="$ROOT/.bench/report"
mkdir -p "$WORK"
API_PORT=18480
WORKER_PORT=18481
API="http://127.0.0.1:$API_PORT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  stop_throwaway_pg
}

echo "== Building" >&2
./mvnw -B -q -pl api-service,worker-service,sample-data -am package -DskipTests \
  -Dspotless.check.skip=true
API_JAR="$(ls api-service/target/api-service-*-exec.jar | head -n1)"
WORKER_JAR="$(ls worker-service/target/worker-service-*.jar | grep -v -- '-plain\|sources' | head -n1)"
SAMPLE_JAR="$(ls sample-data/target/sample-data-*-all.jar | head -n1)"

# shellcheck source=lib/throwaway-pg.sh
source "$ROOT/bench/lib/throwaway-pg.sh"
print_machine
trap cleanup EXIT
start_throwaway_pg "$ROOT/.bench/pg" 1GB
echo

export CONVEYOR_DB_URL="$CONVEYOR_BENCH_DB_URL" CONVEYOR_DB_USER=bench CONVEYOR_DB_PASSWORD=""
SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
KEY="cvk_bench_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

wait_healthy() { # URL NAME PID
  for _ in $(seq 1 240); do
    if curl -fsS "$1/actuator/health/readiness" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "$2 died; see $WORK/$2.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "$2 not healthy after 120 s; see $WORK/$2.log" >&2
  exit 1
}

echo "== Starting the API (migrates the database)" >&2
SERVER_PORT=$API_PORT CONVEYOR_API_BOOTSTRAP_KEY="$KEY" CONVEYOR_API_CALLBACKS_SECRETS="$SECRET" \
  CONVEYOR_API_LIMITS_UPLOAD=100MB \
  "$JAVA" -Xmx1g -jar "$API_JAR" >"$WORK/api.log" 2>&1 &
PIDS+=($!)
wait_healthy "$API" api "${PIDS[0]}"

echo "== Seeding $VOTERS voters (seed 42)" >&2
SEED_START=$(date +%s.%N)
"$JAVA" -jar "$SAMPLE_JAR" --voters "$VOTERS" --seed 42 --if-not-empty replace >"$WORK/seed.log"
SEED_END=$(date +%s.%N)
"${PSQL[@]}" -c "VACUUM ANALYZE voters" >/dev/null

echo "== Starting one worker with -Xmx$WORKER_HEAP" >&2
SERVER_PORT=$WORKER_PORT CONVEYOR_WORKER_SERVICE_API_BASE_URL="$API" \
  CONVEYOR_WORKER_SERVICE_CALLBACK_SECRET="$SECRET" \
  "$JAVA" "-Xmx$WORKER_HEAP" "-Xlog:gc:file=$WORK/worker-gc.log" -jar "$WORKER_JAR" \
  >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=("$WORKER_PID")
wait_healthy "http://127.0.0.1:$WORKER_PORT" worker "$WORKER_PID"

COUNTY="$("${PSQL[@]}" -c "SELECT county FROM voters GROUP BY county ORDER BY count(*) DESC LIMIT 1")"
COUNTY_VOTERS="$("${PSQL[@]}" -c "SELECT count(*) FROM voters WHERE county = '$COUNTY'")"
IFS='|' read -r P_COUNTY P_AD P_PARTY P_VOTERS < <("${PSQL[@]}" -c \
  "SELECT county, assembly_district, party, count(*) FROM voters WHERE status = 'ACTIVE'
     AND party <> 'BLK' GROUP BY 1, 2, 3 ORDER BY abs(count(*) - 5000), 1, 2, 3 LIMIT 1")
IMPORT_COUNTY=Albany

submit() { # BODY -> report id
  curl -fsS -X POST "$API/api/reports" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' -d "$1" \
    | sed -n 's/.*"reportId":"\([^"]*\)".*/\1/p'
}

wait_done() { # REPORT_ID -> "status seconds"
  local status
  for _ in $(seq 1 1200); do
    status="$("${PSQL[@]}" -c "SELECT status FROM reports WHERE id = '$1'")"
    case "$status" in
      COMPLETED|FAILED|CANCELLED)
        "${PSQL[@]}" -F ' ' -c "SELECT status, round(extract(epoch FROM completed_at - created_at)::numeric, 2)
                               FROM reports WHERE id = '$1'"
        return ;;
    esac
    sleep 0.2
  done
  echo "TIMEOUT -"
}

artifact_size() {
  "${PSQL[@]}" -c "SELECT a.size_bytes FROM reports r JOIN artifacts a ON a.id = r.artifact_id
                     WHERE r.id = '$1'" 2>/dev/null || echo "?"
}

RESULTS="$WORK/results.md"
{
  echo
  echo "== Results ($RUNS runs each; seconds from submission to COMPLETED)"
  echo
  echo "Seeding $VOTERS voters took $(echo "$SEED_END - $SEED_START" | bc) s. Worker heap: -Xmx$WORKER_HEAP."
  echo
  echo "| case | rows | runs (s) | best (s) | file bytes | target |"
  echo "|---|---|---|---|---|---|"
} >"$RESULTS"

run_case() { # NAME ROWS TARGET BODY
  local times=() best="" status secs
  for _ in $(seq 1 "$RUNS"); do
    id="$(submit "$4")"
    read -r status secs < <(wait_done "$id")
    if [[ "$status" != COMPLETED ]]; then
      echo "$1: report $id ended $status" >&2
      "${PSQL[@]}" -c "SELECT error_code, error_message FROM reports WHERE id = '$id'" >&2 || true
      exit 1
    fi
    times+=("$secs")
    if [[ -z "$best" ]] || (( $(echo "$secs < $best" | bc) )); then best="$secs"; fi
  done
  echo "| $1 | $2 | ${times[*]} | **$best** | $(artifact_size "$id") | $3 |" >>"$RESULTS"
  echo "$1: ${times[*]}" >&2
}

run_case "voterList CSV ($COUNTY)" "$COUNTY_VOTERS" "≤ 5 s" \
  "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"$COUNTY\"}}"
run_case "voterList XLSX ($COUNTY)" "$COUNTY_VOTERS" "≤ 15 s" \
  "{\"type\":\"voterList\",\"format\":\"XLSX\",\"parameters\":{\"county\":\"$COUNTY\"}}"
run_case "designatedPetition PDF ($P_COUNTY AD $P_AD $P_PARTY)" "$P_VOTERS" "≤ 5 s" \
  "{\"type\":\"designatedPetition\",\"format\":\"PDF\",\"parameters\":{\"county\":\"$P_COUNTY\",\"assemblyDistrict\":$P_AD,\"party\":\"$P_PARTY\",\"office\":\"Member of Assembly\",\"candidateName\":\"Jordan Q. Public\",\"electionDate\":\"2026-06-23\"}}"
# A new file per run (another seed: other state voter ids), so that every run inserts 100,000
# new voters rather than finding them unchanged.
for run in $(seq 1 "$RUNS"); do
  IMPORT_FILE="$WORK/import-100k-$run.csv"
  "$JAVA" -jar "$SAMPLE_JAR" --csv "$IMPORT_FILE" --rows 100000 --county "$IMPORT_COUNTY" \
    --seed $((1000 + run)) >/dev/null
  UPLOAD_ID="$(curl -fsS -X POST "$API/api/uploads?filename=import-100k.csv" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: text/csv' --data-binary "@$IMPORT_FILE" \
    | sed -n 's/.*"uploadId":"\([^"]*\)".*/\1/p')"
  RUNS_SAVED=$RUNS; RUNS=1
  run_case "voterImport CSV (100,000 rows, $IMPORT_COUNTY), run $run" 100000 "≤ 10 s" \
    "{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\"$UPLOAD_ID\",\"county\":\"$IMPORT_COUNTY\"}}"
  RUNS=$RUNS_SAVED
  SUMMARY="$(curl -fsS "$API/api/reports/$id/artifact" -H "Authorization: Bearer $KEY" | sed -n 2p)"
  echo "  (import summary of run $run, Rows Read,Inserted,Updated,Unchanged,Rejected: $SUMMARY)" >>"$RESULTS"
done

{
  echo
  echo "Worker process: peak resident memory (VmHWM) $(awk '/VmHWM/ {print $2, $3}' "/proc/$WORKER_PID/status");"
  # Heap in use after each collection that completed normally (an evacuation failure leaves the
  # heap full of garbage that the following full GC frees, so its "after" says nothing of the live set).
  echo "heap in use after GC: at most $(grep 'Pause' "$WORK/worker-gc.log" | grep -v 'Evacuation Failure' \
    | grep -o '[0-9]*M->[0-9]*M' | sed 's/.*->//; s/M//' | sort -n | tail -n1) MB;"
  echo "GC pauses: $(grep -c 'Pause' "$WORK/worker-gc.log") ($(grep -c 'Pause Full' "$WORK/worker-gc.log") full);"
  echo "out-of-memory errors in the worker log: $(grep -c 'OutOfMemoryError' "$WORK/worker.log" || true)."
} >>"$RESULTS"
cat "$RESULTS"
