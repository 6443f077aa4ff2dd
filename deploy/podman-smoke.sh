#!/usr/bin/env bash
# Smoke test of the container setup, end to end: builds the jars, the base images (from Debian
# packages when missing: deploy/base/build.sh) and the two service images, starts
# docker-compose.yml (podman-compose, or `docker compose` when a Docker engine answers) with
# throwaway secrets, seeds three voters, submits a voterList report with the bootstrap key through
# the API's published port, waits for COMPLETED, downloads the file and checks it, and checks
# that a worker logged it as JSON with the job's MDC fields. Everything it
# started (containers, network, volume) is removed at the end, also on failure or Ctrl-C.
#
#   JAVA_HOME=/path/to/jdk-21+ deploy/podman-smoke.sh
#
# SKIP_MAVEN=1 reuses the jars in */target. KEEP=1 leaves the stack running (remove it with
# `podman-compose -p conveyor-smoke down -v` in the printed directory). Needs root for the
# base images (debootstrap) and for podman as set up here.
#
# It runs the compose file with its offline override: the base images built from Debian's packages
# (POSTGRES_IMAGE and CONVEYOR_RUNTIME_IMAGE in the run's .env), since this kind of machine reaches
# no image registry. PUBLIC_IMAGES=1 uses the compose file's defaults instead (postgres:17,
# eclipse-temurin:21-jre), pulled from the registry.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
project=${PROJECT:-conveyor-smoke}
work=$(mktemp -d /tmp/conveyor-smoke.XXXXXX)
started=$SECONDS

log() { printf '[smoke +%3ds] %s\n' $((SECONDS - started)) "$*"; }
fail() {
  log "FAILED: $*"
  exit 1
}

if docker info >/dev/null 2>&1; then
  engine=docker
  compose() { docker compose -p "$project" --env-file "$work/.env" -f "$repo/docker-compose.yml" "$@"; }
else
  engine=podman
  command -v podman-compose >/dev/null ||
    fail "neither a Docker engine nor podman-compose (apt-get install podman runc podman-compose)"
  # runc, cgroupfs and explicit ulimits: crun and podman's default ulimits fail on some hosts
  # (this one among them). An existing CONTAINERS_CONF wins.
  # (Here a process limit above 32768 is refused even below the shell's hard limit.)
  if [ -z "${CONTAINERS_CONF:-}" ]; then
    nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
    [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
    cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    export CONTAINERS_CONF=$work/containers.conf
  fi
  # podman-compose reads .env beside the compose file (and lets it override the environment), so
  # it runs on a copy next to this run's .env, never on a developer's own .env.
  cp "$repo/docker-compose.yml" "$work/"
  compose() { (cd "$work" && podman-compose -p "$project" "$@"); }
fi

container() { # container NAME(S) of a compose service
  "$engine" ps -a --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'
}

healthy() { # healthy CONTAINER: the image's HEALTHCHECK passes
  if [ "$engine" = podman ]; then
    # Without systemd podman does not schedule health checks: run the check itself.
    podman healthcheck run "$1" >/dev/null 2>&1
  else
    [ "$(docker inspect --format '{{.State.Health.Status}}' "$1")" = healthy ]
  fi
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what"
    sleep 2
  done
}

cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    for name in $(container migrate) $(container api) $(container worker); do
      echo "----- last log lines of $name"
      "$engine" logs --tail 40 "$name" 2>&1 || true
    done
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    log "KEEP=1: the stack keeps running; compose files in $work"
  else
    log "tearing down"
    compose down -v >/dev/null 2>&1 || true
    if [ "$engine" = podman ]; then # podman-compose 1.0.3 leaves the network behind
      podman network ls -q --filter "label=io.podman.compose.project=$project" |
        xargs -r podman network rm >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Jars and images.
if [ "${SKIP_MAVEN:-0}" != 1 ]; then
  log "building the jars (./mvnw package -DskipTests)"
  (cd "$repo" && ./mvnw -B -q -pl api-service,worker-service -am package -DskipTests)
fi
images=""
runtime_image=eclipse-temurin:21-jre
if [ "${PUBLIC_IMAGES:-0}" != 1 ]; then
  log "base images (deploy/base/build.sh builds the missing ones from Debian packages)"
  ENGINE=$engine "$repo/deploy/base/build.sh"
  runtime_image=localhost/conveyor-base/jre:21
  images="POSTGRES_IMAGE=localhost/conveyor-base/postgres:17
CONVEYOR_RUNTIME_IMAGE=$runtime_image"
fi
format=()
[ "$engine" = podman ] && format=(--format docker) # OCI images would drop the HEALTHCHECK
for service in api-service worker-service; do
  log "building localhost/conveyor/$service:dev on $runtime_image"
  "$engine" build "${format[@]}" -q --build-arg RUNTIME_IMAGE="$runtime_image" \
    -t "localhost/conveyor/$service:dev" "$repo/$service" >/dev/null
done

# 2. Throwaway settings, and the stack.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=$(openssl rand -hex 24)
cat >"$work/.env" <<EOF
POSTGRES_PASSWORD=$(openssl rand -hex 16)
CONVEYOR_CALLBACK_SECRET=whsec_$(openssl rand -base64 32)
CONVEYOR_API_BOOTSTRAP_KEY=$key
CONVEYOR_API_PORT=$port
$images
EOF
log "starting the stack with $engine (project $project, API on port $port)"
compose up -d >"$work/compose-up.log" 2>&1 || { cat "$work/compose-up.log"; fail "compose up"; }

migrate=$(container migrate)
[ -n "$migrate" ] || fail "no migrate container"
migrate_status=$("$engine" wait "$migrate" | tail -1)
[ "$migrate_status" = 0 ] || fail "the migration exited with $migrate_status"
log "migration: $("$engine" logs "$migrate" 2>&1 | grep 'Conveyor schema' || echo done)"

postgres=$(container postgres)
log "seeding three voters in Albany"
"$engine" exec -i "$postgres" psql -q -U conveyor -d conveyor -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth, street_address, city,
                    zip_code, county, assembly_district, election_district, party, status,
                    registration_date)
VALUES ('SMOKE0001', 'Ada', 'Lovelace', '1980-12-10', '1 State St', 'Albany', '12207', 'Albany', 109, 1, 'DEM', 'ACTIVE', '2001-01-01'),
       ('SMOKE0002', 'Alan', 'Turing', '1982-06-23', '2 Lark St', 'Albany', '12210', 'Albany', 109, 2, 'REP', 'ACTIVE', '2002-02-02'),
       ('SMOKE0003', 'Grace', 'Hopper', '1976-12-09', '3 Pearl St', 'Albany', '12207', 'Albany', 110, 1, 'OTH', 'INACTIVE', '2003-03-03')
ON CONFLICT (state_voter_id) DO NOTHING;
SQL

api=$(container api)
workers=$(container worker)
[ "$(echo "$workers" | wc -w)" -eq 2 ] || fail "expected 2 worker containers, got: $workers"
wait_until 300 "the API's health check ($api)" healthy "$api"
log "api healthy: $api"
for w in $workers; do
  wait_until 300 "the worker's health check ($w)" healthy "$w"
  log "worker healthy: $w"
done

# 3. A report through the API.
base=http://127.0.0.1:$port
submitted=$(curl -fsS -X POST "$base/api/reports" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d '{"type": "voterList", "format": "CSV", "parameters": {"county": "Albany"}}')
report=$(jq -r .reportId <<<"$submitted")
log "submitted report $report: $submitted"

status_of() { curl -fsS "$base/api/reports/$report" -H "Authorization: Bearer $key" | jq -r .status; }
report_done() {
  local s
  s=$(status_of)
  [ "$s" = FAILED ] || [ "$s" = CANCELLED ] && fail "report ended $s"
  [ "$s" = COMPLETED ]
}
wait_until 120 "report $report to complete" report_done
log "report COMPLETED: $(curl -fsS "$base/api/reports/$report" -H "Authorization: Bearer $key" |
  jq -c '{status, attempts, artifact: (.artifact | {filename, sizeBytes, sha256})}')"

curl -fsS -o "$work/report.csv" "$base/api/reports/$report/artifact" -H "Authorization: Bearer $key"
rows=$(($(wc -l <"$work/report.csv") - 1))
log "downloaded $(wc -c <"$work/report.csv") bytes, $rows data rows:"
sed 's/^/    /' "$work/report.csv"
[ "$rows" -eq 3 ] || fail "expected 3 data rows"
# The images log JSON (ECS); the line that says the report was stored carries the job's MDC.
stored=""
for w in $workers; do
  line=$("$engine" logs "$w" 2>&1 | jq -Rc --arg r "$report" \
    'fromjson? | select(.message | contains("Report " + $r + " ") and contains("stored"))' | head -1)
  if [ -n "$line" ]; then
    log "ran on $w: $line"
    stored=$line
  fi
done
[ -n "$stored" ] || fail "no JSON log line of a worker says that report $report was stored"
jq -e '.job_id and .job_kind == "report.generate" and .queue == "reports" and .attempt == "1"
  and .log.level == "INFO"' <<<"$stored" >/dev/null ||
  fail "the worker's log line lacks the job's MDC fields: $stored"
log "PASSED"
