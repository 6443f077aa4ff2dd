# Sourced by the bench scripts: CPU used, in clock ticks (HZ per second), read from /proc.

HZ=$(getconf CLK_TCK)

# utime+stime of one pid
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# utime+stime of every process whose command is postgres. Exited backends count too: the
# postmaster reaps them, so their CPU is in its cutime/cstime.
pg_ticks() {
  local sum=0 p
  for p in $(pgrep -x postgres); do
    sum=$((sum + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
