#!/usr/bin/env bash
# What the claim and the completion cost PostgreSQL per job, without a worker: a loop inside one
# session claims a batch with queue-core's claim_available.sql, completes it with
# complete_many.sql and commits after each statement, until the queue is empty. No JVM, no wire
# format, no JIT: the statements alone, so that a change to their SQL can be measured on a noisy
# machine, interleaved with another version of the file (--claim= / --complete=).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

usage() {
  cat <<'EOF'
Usage: bench/statement-cost.sh [options]

  --jobs=100000        jobs enqueued before each run (batches of 1,000, then VACUUM ANALYZE and
                       CHECKPOINT)
  --batch=800          jobs per claim (about what a 64-slot worker claims at a time)
  --runs=3             runs; one line each
  --claim=FILE         the claim statement (default: queue-core's claim_available.sql)
  --complete=FILE      the completion statement (default: queue-core's complete_many.sql)
  -h, --help           this text

Prints claim and completion microseconds per job (clock_timestamp() around each statement and its
commit, summed). Uses CONVEYOR_BENCH_DB_URL when set, else a throwaway PostgreSQL 15 with the
side-by-side settings (bench/lib/throwaway-pg.sh).
EOF
}

JOBS=100000
BATCH=800
RUNS=3
SQL_DIR=queue-core/src/main/resources/dev/conveyor/queue/jdbc
CLAIM="$SQL_DIR/claim_available.sql"
COMPLETE="$SQL_DIR/complete_many.sql"
for arg in "$@"; do
  case "$arg" in
    --jobs=*) JOBS="${arg#*=}" ;;
    --batch=*) BATCH="${arg#*=}" ;;
    --runs=*) RUNS="${arg#*=}" ;;
    --claim=*) CLAIM="${arg#*=}" ;;
    --complete=*) COMPLETE="${arg#*=}" ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$JOBS" "$BATCH" "$RUNS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "not a positive number: $n" >&2; exit 2; }
done

if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

echo "== Building queue-bench" >&2
./mvnw -B -q -pl queue-bench -am package dependency:build-classpath \
  -DskipTests -Dspotless.check.skip=true \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
CP="$(ls queue-bench/target/queue-bench-*.jar | head -n1):$(cat queue-bench/target/bench-classpath.txt)"

# shellcheck source=lib/throwaway-pg.sh
source "$ROOT/bench/lib/throwaway-pg.sh"
LOOP="$(mktemp)"
trap 'rm -f "$LOOP"; stop_throwaway_pg 2>/dev/null || true' EXIT
if [[ -n "${CONVEYOR_BENCH_DB_URL:-}" ]]; then
  hostport="${CONVEYOR_BENCH_DB_URL#jdbc:postgresql://}"
  hostport="${hostport%%/*}"
  PSQL=(psql -h "${hostport%%:*}" -p "${hostport##*:}" -U "${CONVEYOR_BENCH_DB_USER:-postgres}" -d postgres -X -q -At)
else
  start_throwaway_pg "$ROOT/.bench/pg-statement-cost" 1GB >/dev/null
fi
PSQL+=(-v ON_ERROR_STOP=1)

# A statement file as a plpgsql statement: comments dropped, parameters bound, the data-modifying
# statement turned into a CTE whose rows are aggregated INTO the loop's variables.
as_plpgsql() { # FILE INTO-SELECT
  sed -e '/^--/d' \
    -e "s/:queue/'bench'/g; s/:demand/$BATCH/g; s/:owner/'statement-cost'/g; s/:lease_ms/60000/g" \
    -e 's/CAST(:now AS timestamptz)/NULL::timestamptz/g' \
    -e 's/CAST(:ids AS bigint\[\])/ids/g; s/CAST(:tokens AS uuid\[\])/toks/g' \
    -e 's/^UPDATE conveyor\.queue_job j/, modified AS (UPDATE conveyor.queue_job j/' \
    -e 's/^RETURNING .*/RETURNING j.id, j.lease_token)/' "$1"
  echo "$2"
}
cat >"$LOOP" <<EOF
DO \$loop\$
DECLARE
  ids bigint[]; toks uuid[]; done_ids bigint[]; done_toks uuid[];
  claiming interval := '0'; completing interval := '0'; stamp timestamptz; n bigint := 0;
BEGIN
  LOOP
    stamp := clock_timestamp();
    $(as_plpgsql "$CLAIM" "SELECT array_agg(id ORDER BY id), array_agg(lease_token ORDER BY id) INTO ids, toks FROM modified;")
    COMMIT;
    claiming := claiming + (clock_timestamp() - stamp);
    EXIT WHEN ids IS NULL;
    n := n + cardinality(ids);
    stamp := clock_timestamp();
    $(as_plpgsql "$COMPLETE" "SELECT array_agg(id), array_agg(lease_token) INTO done_ids, done_toks FROM modified;")
    COMMIT;
    completing := completing + (clock_timestamp() - stamp);
    IF cardinality(done_ids) IS DISTINCT FROM cardinality(ids) THEN
      RAISE EXCEPTION 'completed % of % claimed jobs', coalesce(cardinality(done_ids), 0), cardinality(ids);
    END IF;
  END LOOP;
  RAISE NOTICE 'RESULT jobs=% claim_us_per_job=% complete_us_per_job=%', n,
    round((extract(epoch FROM claiming) * 1e6 / n)::numeric, 2),
    round((extract(epoch FROM completing) * 1e6 / n)::numeric, 2);
END
\$loop\$;
EOF

"$JAVA" -cp "$CP" dev.conveyor.bench.SideBySide migrate >/dev/null
echo "| run | jobs | batch | claim µs/job | completion µs/job |"
echo "|--:|--:|--:|--:|--:|"
for run in $(seq 1 "$RUNS"); do
  "$JAVA" -cp "$CP" dev.conveyor.bench.SideBySide load queue=bench "jobs=$JOBS" reset=true >/dev/null
  "${PSQL[@]}" -c "VACUUM ANALYZE conveyor.queue_job" -c "CHECKPOINT"
  # On stdin: psql may run as another OS user (bench/lib/throwaway-pg.sh), who cannot read $LOOP.
  output="$("${PSQL[@]}" <"$LOOP" 2>&1)" || { echo "$output" >&2; exit 1; }
  result="$(grep -o 'RESULT.*' <<<"$output")" || { echo "$output" >&2; exit 1; }
  field() { tr ' ' '\n' <<<"$result" | awk -F= -v k="$1" '$1 == k {print $2}'; }
  echo "| $run | $(field jobs) | $BATCH | $(field claim_us_per_job) | $(field complete_us_per_job) |"
done
