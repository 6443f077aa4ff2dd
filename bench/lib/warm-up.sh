# Sourced by bench/api-load.sh and bench/api-windows.sh: starts an API and warms it up until its
# JIT has caught up.
#
#   start_api JAR PORT LOG [API arguments...]
#
# starts the exec jar with -Xmx1g and JAVA_OPTS on PORT, output to LOG, sets API to its pid and
# waits (up to 2 minutes) until it is ready; fails if it is not. Set an EXIT trap that stops
# ${API:-} before calling it.
#
#   warm_up_api PID URL CLIENTS MIN_SECONDS MAX_SECONDS
#
# runs 10 s of submissions (api-submit.lua) and 10 s of status reads of a new report
# (api-status.lua) in turn, for at least MIN_SECONDS and until fewer than 10 methods wait for the
# compiler (at most MAX_SECONDS), then prints how long that took. Under 32 busy request threads on
# 2 cores the C2 compiler thread gets a small share of the CPU: after a minute over a thousand
# methods were still waiting for it, and a JVM measured then spent about three times the CPU per
# request of a settled one (docs/benchmarks.md, "Session 5"). Needs CONVEYOR_API_KEY; exports
# CONVEYOR_REPORT_ID (the report read).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

start_api() {
  local jar=$1 port=$2 log=$3
  shift 3
  # shellcheck disable=SC2086
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx1g ${JAVA_OPTS:-} -jar "$jar" --server.port="$port" "$@" \
    >"$log" 2>&1 &
  API=$!
  for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "the API did not become ready; see $log" >&2
  return 1
}

# methods of JVM $1 waiting for the JIT compiler
compile_queue() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$1" Compiler.queue 2>/dev/null | grep -c '^ *[0-9]' || true
}

# a new PENDING report of the API at $1; prints its id
new_report() {
  curl -fs -X POST -H "Authorization: Bearer $CONVEYOR_API_KEY" -H 'Content-Type: application/json' \
    -d '{"type":"voterList","format":"CSV","parameters":{"county":"Kings"}}' \
    "$1/api/reports" | sed 's/.*"reportId":"\([^"]*\)".*/\1/'
}

warm_up_api() {
  local pid=$1 url=$2 clients=$3 min=$4 max=$5 start waited waiting
  CONVEYOR_REPORT_ID=$(new_report "$url")
  export CONVEYOR_REPORT_ID
  start=$(date +%s)
  while :; do
    wrk -t2 -c"$clients" -d10s -s "$BENCH_DIR/api-submit.lua" "$url" >/dev/null 2>&1
    wrk -t2 -c"$clients" -d10s -s "$BENCH_DIR/api-status.lua" "$url" >/dev/null 2>&1
    waiting=$(compile_queue "$pid")
    waited=$(($(date +%s) - start))
    if { [ "$waited" -ge "$min" ] && [ "$waiting" -lt 10 ]; } || [ "$waited" -ge "$max" ]; then
      break
    fi
  done
  echo "warm-up ${waited}s; methods waiting for the JIT: $waiting"
}
