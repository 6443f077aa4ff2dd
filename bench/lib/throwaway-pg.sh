# Sourced by the bench scripts: a throwaway PostgreSQL from the locally installed binaries.
#
#   start_throwaway_pg DIR SHARED_BUFFERS
#
# creates a cluster in DIR (port BENCH_PG_PORT, default 54329, or the next free one), with
# default durability (fsync on, synchronous_commit on) and only shared_buffers and
# max_connections=200 changed; stops and removes it on exit (BENCH_KEEP_PG=1 keeps the files).
# Sets CONVEYOR_BENCH_DB_URL / _USER / _PASSWORD, PG_BIN and PSQL (an array: psql as the
# superuser, unaligned, tuples only), and prints the server's settings as a Markdown list.
#
# Environment: PG_BIN (default: initdb's directory from PATH, else /usr/lib/postgresql/15/bin),
# BENCH_PG_PORT, BENCH_PG_OS_USER (the OS user that runs the server when the script runs as root;
# default postgres, created if missing), BENCH_PG_STAT_STATEMENTS=1 (also load
# pg_stat_statements; diagnostics, not for reference numbers), BENCH_KEEP_PG=1.

PG_STARTED=""

as_pg() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

stop_throwaway_pg() {
  if [[ -n "$PG_STARTED" ]]; then
    echo "== Stopping the throwaway PostgreSQL" >&2
    as_pg "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >/dev/null || true
    if [[ -z "${BENCH_KEEP_PG:-}" ]]; then
      rm -rf "$PG_ROOT"
    fi
    PG_STARTED=""
  fi
}

start_throwaway_pg() {
  PG_ROOT="$1"
  local shared_buffers="$2"
  if [[ -z "${PG_BIN:-}" ]]; then
    if command -v initdb >/dev/null 2>&1; then
      PG_BIN="$(dirname "$(readlink -f "$(command -v initdb)")")"
    else
      PG_BIN=/usr/lib/postgresql/15/bin
    fi
  fi
  PG_PORT="${BENCH_PG_PORT:-54329}"
  # Another server may already listen there (another checkout's run): take the next free port.
  for _ in $(seq 1 20); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
      echo "port $PG_PORT is taken; trying $((PG_PORT + 1))" >&2
      PG_PORT=$((PG_PORT + 1))
    else
      break
    fi
  done
  PG_OS_USER="${BENCH_PG_OS_USER:-postgres}"
  if [[ "$(id -u)" == 0 ]] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  fi

  echo "== Starting a throwaway PostgreSQL in $PG_ROOT (port $PG_PORT)" >&2
  if [[ -f "$PG_ROOT/data/postmaster.pid" ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_ROOT"
  mkdir -p "$PG_ROOT"
  if [[ "$(id -u)" == 0 ]]; then
    chown "$PG_OS_USER" "$PG_ROOT"
  fi
  as_pg "$PG_BIN/initdb" -D "$PG_ROOT/data" -U bench --auth=trust -E UTF8 --locale=C \
    >"$PG_ROOT/initdb.log"
  {
    echo "# bench: everything else is initdb's default (fsync, synchronous_commit on)."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$PG_ROOT'"
    echo "shared_buffers = $shared_buffers"
    echo "max_connections = 200"
    if [[ -n "${BENCH_PG_STAT_STATEMENTS:-}" ]]; then
      echo "shared_preload_libraries = 'pg_stat_statements'"
      echo "pg_stat_statements.track = all"
    fi
  } | as_pg tee -a "$PG_ROOT/data/postgresql.conf" >/dev/null
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w start >/dev/null; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$PG_ROOT/server.log" >&2 || true
    exit 1
  fi
  PG_STARTED=1
  export CONVEYOR_BENCH_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
  export CONVEYOR_BENCH_DB_USER=bench
  export CONVEYOR_BENCH_DB_PASSWORD=""
  PSQL=(as_pg "$PG_BIN/psql" -h "$PG_ROOT" -p "$PG_PORT" -U bench -d postgres -X -q -At)
  if [[ -n "${BENCH_PG_STAT_STATEMENTS:-}" ]]; then
    "${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
  fi
  echo "== PostgreSQL"
  echo "- Version: $("$PG_BIN/postgres" --version)"
  echo "- Throwaway cluster from initdb (--locale=C, UTF8), data in $PG_ROOT/data"
  echo "- Set by the script: shared_buffers=$shared_buffers, max_connections=200 (plus listen_addresses,"
  echo "  port and unix_socket_directories$([[ -n "${BENCH_PG_STAT_STATEMENTS:-}" ]] && echo ", and pg_stat_statements"))"
  echo "- All settings not at their built-in default (initdb writes some itself):"
  "${PSQL[@]}" -F ' = ' -c "SELECT name, current_setting(name) FROM pg_settings
      WHERE source NOT IN ('default', 'override', 'client', 'session') ORDER BY name" \
    | sed 's/^/  - /'
  echo "- Durability: fsync=$("${PSQL[@]}" -c 'SHOW fsync'), synchronous_commit=$("${PSQL[@]}" -c 'SHOW synchronous_commit'), wal_sync_method=$("${PSQL[@]}" -c 'SHOW wal_sync_method')"
}

# For the API benchmarks: unless CONVEYOR_DB_URL names a database already, starts a throwaway
# cluster in DIR (shared_buffers=256MB) and points CONVEYOR_DB_URL / _USER / _PASSWORD and PGURL
# (psql) at it.
api_db_or_throwaway_pg() {
  if [[ -n "${CONVEYOR_DB_URL:-}" ]]; then
    return
  fi
  start_throwaway_pg "$1" 256MB
  export CONVEYOR_DB_URL=$CONVEYOR_BENCH_DB_URL CONVEYOR_DB_USER=bench CONVEYOR_DB_PASSWORD=""
  PGURL="postgresql://bench@127.0.0.1:$PG_PORT/postgres"
}

print_machine() {
  echo "== Machine"
  echo "- nproc: $(nproc)"
  echo "- CPU: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- Memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2/1024/1024}' /proc/meminfo)"
  echo "- Kernel: $(uname -sr)"
  echo "- Load average: $(cat /proc/loadavg)"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -n1) ($("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/ {print $2}'))"
}
