#!/usr/bin/env bash
# Alternating A/B of two API builds with bench/api-load.sh: on a shared VM requests/s swing by
# ±15 % between runs of the same jar (docs/benchmarks.md, "Session 3"), so one run per build says
# little; rounds of A then B, each a fresh JVM and a fresh throwaway PostgreSQL, say more.
#
# Usage: bench/api-ab.sh <rounds> <jar A> <jar B> [seconds] [clients]
#   e.g. git worktree add /tmp/base <commit> && (cd /tmp/base && ./mvnw -q -DskipTests package -pl api-service -am)
#        bench/api-ab.sh 3 /tmp/base/api-service/target/api-service-0.1.0-SNAPSHOT-exec.jar \
#          api-service/target/api-service-0.1.0-SNAPSHOT-exec.jar
# Environment: as bench/api-load.sh (WARMUP, JAVA_OPTS, ...); READS=1 adds status reads.
# Prints one line per run (accepted/s, p99, CPU ms per report, reads/s) and each build's mean.
set -euo pipefail

ROUNDS=${1:?usage: api-ab.sh <rounds> <jar A> <jar B> [seconds] [clients]}
JAR_A=${2:?jar A}
JAR_B=${3:?jar B}
SECONDS_RUN=${4:-30}
CLIENTS=${5:-32}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT_ROOT=$(mktemp -d)
trap 'rm -rf "$OUT_ROOT"' EXIT

printf '| round | build | accepted/s | p99 | CPU ms per report (API, PostgreSQL) | reads/s |\n'
printf '|---|---|---|---|---|---|\n'
for round in $(seq "$ROUNDS"); do
  for build in A B; do
    jar=$JAR_A
    [[ $build == B ]] && jar=$JAR_B
    mkdir -p "$OUT_ROOT/$round$build"
    out=$(OUT="$OUT_ROOT/$round$build" "$HERE/api-load.sh" "$jar" "$SECONDS_RUN" "$CLIENTS" 2>&1)
    rate=$(awk '/^accepted reports/ {sub("/s", "", $NF); print $NF}' <<<"$out")
    p99=$(awk '/ 99%/ {print $2; exit}' <<<"$out")
    cpu=$(awk '/^CPU ms per report/ {print $6 ", " $8}' <<<"$out")
    reads=$(awk '/^Requests\/sec/ {r = $2} END {print r}' <<<"$out")
    [[ -n "${READS:-}" ]] || reads=-
    printf '| %s | %s | %s | %s | %s | %s |\n' "$round" "$build" "$rate" "$p99" "$cpu" "$reads"
    echo "$build $rate" >>"$OUT_ROOT/rates"
  done
done
awk '{n[$1]++; s[$1] += $2} END {for (b in n) printf "mean accepted/s, build %s: %.0f over %d runs\n", b, s[b] / n[b], n[b]}' \
  "$OUT_ROOT/rates" | sort
