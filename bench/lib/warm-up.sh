# Sourced by bench/api-load.sh and bench/api-windows.sh: warms a running API up until its JIT has
# caught up.
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
