#!/usr/bin/env bash
# Deployment checks (`npm run test:deploy`, called by .ci/run after the unit tests).
#
#  1. docker-compose config -q (plain, with the CI override, the TLS example, the Motor example's
#     compose.yaml alone and with its CI override); promtool check config of
#     deploy/prometheus.yml; helm lint --strict (scripts/deploy/check-helm.mjs)
#  2. helm template + Kubernetes schema validation (scripts/deploy/check-helm.mjs)
#  3. a private dockerd (state under a temp dir, --bridge=none --iptables=false); the base image
#     pulled or, offline, a stand-in node:24-bookworm-slim built with debootstrap + the host's node;
#     the image built with --network host; one container on host networking and free ports, checked
#     from the host: Docker health, /readyz, `buf curl` (reflection, health, a command), promtool on
#     /metrics, a real Prometheus scraping it (up == 1), `docker stop` clean within 10 s.
#  4. the compose services with deploy/compose.ci.yml (host networking, ports from env): the Tango
#     database and both device servers registered in it, the same checks for each; the database
#     (scripts/deploy/database-checks.sh): DbInfo, the exported devices and their advertised
#     addresses, a client container finding sys/tg_test/1 by name, a run-time property kept across
#     `docker-compose restart tangotest`; Prometheus up == 1 for all of them; docker-compose down -v;
#     then the postgres profile: the database on PostgreSQL, the servers registered in it, the
#     same DbInfo and export checks, down -v.
#  5. the Motor example (examples/motor, scripts/deploy/motor-example.sh): its image built on
#     tango-grpc:ci, one container and its compose file, each checked as above plus a move.
#  5. a trap stops everything this script started and removes its temp dir, whatever happens.
#
# Environment knobs (all optional):
#   TEST_DEPLOY_TMPDIR       parent of the temp dir (default: $TMPDIR or /tmp)
#   TEST_DEPLOY_SKIP_DOCKER  1: run steps 1-2 only
#   TEST_DEPLOY_NO_DOCKER_OK 1: if dockerd cannot run on this machine, explain and exit 0 after 1-2
#   TEST_DEPLOY_KEEP         1: keep the temp dir (logs, rootfs) for inspection
#   TEST_DEPLOY_CACHE        a directory where the stand-in base image tarball is kept between runs
#   TEST_DEPLOY_IMAGES       image tarballs (`docker save` output) to `docker load` first, ':'-separated,
#                            e.g. a saved node:24-bookworm-slim and prom/prometheus for offline machines
#   NODE_IMAGE               base image (default node:24-bookworm-slim)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# the Motor example's steps (examples/motor: its image and compose file)
. scripts/deploy/motor-example.sh

NODE_IMAGE=${NODE_IMAGE:-node:24-bookworm-slim}
IMAGE=tango-grpc:ci
BUF_VERSION=1.75.0
PROJECT=tangogrpcci
DEVICE_SERVICES=(tangotest powersupply)   # compose services that are device servers
SERVER_SERVICES=(database "${DEVICE_SERVICES[@]}")   # and the Tango database they register in
# the Tango database's steps (the database service, registration, the postgres profile)
. scripts/deploy/database-checks.sh

# ---------------------------------------------------------------------------------------------
# logging, timing, failure

T0=$(date +%s)
STEP=""
STEP_T0=$T0
TIMINGS=()

log() { printf '%s\n' "$*"; }
step() {
  step_end
  STEP=$1
  STEP_T0=$(date +%s)
  printf '\n==> %s\n' "$STEP"
}
step_end() {
  if [ -n "$STEP" ]; then
    local d=$(( $(date +%s) - STEP_T0 ))
    TIMINGS+=("$(printf '%4ds  %s' "$d" "$STEP")")
    printf '    (%ds)\n' "$d"
    STEP=""
  fi
}
fail() {
  printf '\ntest-deploy: FAILED%s: %s\n' "${STEP:+ in step \"$STEP\"}" "$*" >&2
  exit 1
}
# run a command with a time limit, failing the step with its name if it fails or times out
bounded() {
  local secs=$1; shift
  local rc=0
  timeout --kill-after=10 "$secs" "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then fail "timed out after ${secs}s: $*"; fi
  if [ "$rc" -ne 0 ]; then fail "exit code $rc: $*"; fi
}

# ---------------------------------------------------------------------------------------------
# temp dir and cleanup

TMP_PARENT=${TEST_DEPLOY_TMPDIR:-${TMPDIR:-/tmp}}
mkdir -p "$TMP_PARENT"
TMP=$(mktemp -d "$TMP_PARENT/tango-deploy.XXXXXX")
DOCKER_STARTED=0
COMPOSE_STARTED=0
CONTAINERS=()
PROM_PIDS=()
RESULT_NOTE=""

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  step_end
  if [ "$rc" -ne 0 ]; then
    printf '\n==> cleanup after failure (exit code %d)\n' "$rc"
  else
    printf '\n==> cleanup\n'
  fi
  if [ "$COMPOSE_STARTED" = 1 ]; then
    timeout --foreground 90 "${COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/compose-down.log" 2>&1 ||
      { log "    docker-compose down failed:"; tail -20 "$TMP/compose-down.log" | sed 's/^/    | /'; }
  fi
  motor_cleanup
  db_cleanup
  for c in "${CONTAINERS[@]}"; do
    timeout --foreground 30 "$DOCKER" rm -f -v "$c" >/dev/null 2>&1
  done
  for p in "${PROM_PIDS[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${PROM_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null
  done
  if [ "$DOCKER_STARTED" = 1 ]; then stop_dockerd; fi
  # anything dockerd left mounted under the temp dir (overlay layers, shm), deepest first
  grep -F " $TMP/" /proc/mounts 2>/dev/null | awk '{print $2}' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  if [ "${TEST_DEPLOY_KEEP:-0}" = 1 ]; then
    log "    kept $TMP"
  else
    rm -rf "$TMP"
  fi
  local total=$(( $(date +%s) - T0 ))
  printf '\n==> timings\n'
  for t in "${TIMINGS[@]}"; do printf '  %s\n' "$t"; done
  printf '  %4ds  total\n' "$total"
  if [ "$rc" -eq 0 ]; then
    printf '\ntest-deploy: OK%s\n' "$RESULT_NOTE"
  else
    printf '\ntest-deploy: FAILED (exit code %d)\n' "$rc" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_dockerd() {
  local pid cpid
  pid=$(cat "$TMP/docker.pid" 2>/dev/null || true)
  cpid=$(cat "$TMP/exec/containerd/containerd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then log "    dockerd did not stop in 20 s, killing it"; kill -9 "$pid"; fi
  fi
  # dockerd normally stops the containerd it started; make sure
  if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
    kill "$cpid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$cpid" 2>/dev/null
  fi
  DOCKER_STARTED=0
}

# ---------------------------------------------------------------------------------------------
# helpers

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# N distinct free TCP ports on 127.0.0.1, asked from the OS (all held open at once, then released)
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    let done = 0;
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", () => {
        if (++done === n) {
          console.log(servers.map((x) => x.address().port).join(" "));
          servers.forEach((x) => x.close());
        }
      });
    }' "$1"
}

# wait until a command succeeds: wait_for <seconds> <description> <command...>
wait_for() {
  local secs=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then fail "$what: not reached within ${secs}s"; fi
    sleep 1
  done
}

container_health() {
  "$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}} {{.State.Status}}' "$1" 2>/dev/null || echo "missing missing"
}

# wait for Docker's health status "healthy" of a container; fail early if it exits or is unhealthy
wait_healthy() {
  local c=$1 name=$2 secs=${3:-120}
  local deadline=$(( $(date +%s) + secs )) health status
  while :; do
    read -r health status <<<"$(container_health "$c")"
    case "$health" in
      healthy) log "    $name: healthy"; return 0 ;;
      no-healthcheck) fail "$name: the image/service has no HEALTHCHECK" ;;
      unhealthy) show_container "$c"; fail "$name: Docker reports it unhealthy" ;;
    esac
    if [ "$status" != running ] && [ "$status" != created ]; then
      show_container "$c"; fail "$name: container is $status, not running"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      show_container "$c"; fail "$name: not healthy within ${secs}s (health: $health)"
    fi
    sleep 1
  done
}

show_container() {
  log "---- docker inspect (state) $1"
  "$DOCKER" inspect -f '{{json .State}}' "$1" 2>&1 | head -c 4000; echo
  log "---- docker logs --tail 40 $1"
  "$DOCKER" logs --tail 40 "$1" 2>&1
  log "----"
}

BUF=""
buf_grpc() { "$BUF" curl --protocol grpc --http2-prior-knowledge --timeout 10s "$@"; }

# the host-side checks of one running device server: check_server <name> <grpc port> <http port>
check_server() {
  local name=$1 gport=$2 hport=$3 out
  curl -fsS --max-time 5 "http://127.0.0.1:$hport/healthz" >/dev/null || fail "$name: /healthz is not 200"
  wait_for 30 "$name: /readyz 200" curl -fsS --max-time 5 "http://127.0.0.1:$hport/readyz"
  log "    $name: /healthz and /readyz 200"

  out=$(buf_grpc --list-services "http://127.0.0.1:$gport" 2>&1) ||
    fail "$name: buf curl --list-services failed: $out"
  for svc in tango.v1.Device grpc.health.v1.Health; do
    grep -qx "$svc" <<<"$out" || fail "$name: reflection does not list $svc (got: $(tr '\n' ' ' <<<"$out"))"
  done
  log "    $name: reflection lists $(tr '\n' ' ' <<<"$out")"

  # Health/Check through reflection alone: the server's descriptors must be ones Go's protobuf
  # library (buf, grpcurl) accepts (src/grpc/reflection-descriptors.ts).
  out=$(buf_grpc --data '{"service":"tango.v1.Device"}' \
    "http://127.0.0.1:$gport/grpc.health.v1.Health/Check" 2>&1) ||
    fail "$name: buf cannot call grpc.health.v1.Health through reflection: $out"
  grep -q '"SERVING"' <<<"$out" || fail "$name: Health/Check(tango.v1.Device) is not SERVING: $out"
  log "    $name: grpc.health.v1.Health/Check(tango.v1.Device) SERVING"

  # the admin device (named by REST) answers over gRPC; QueryDevice names the server's devices
  local admin
  admin=$(admin_device "$hport")
  out=$(buf_grpc --data '{"device":"'"$admin"'","command":"QueryDevice"}' \
    "http://127.0.0.1:$gport/tango.v1.Device/CommandInout" 2>&1) || fail "$name: QueryDevice failed: $out"
  local first
  first=$(node -e '
    const r = JSON.parse(process.argv[1]);
    const v = r.argout.stringArray.values;
    if (!v.length) process.exit(1);
    console.log(v[0].split("::")[1]);' "$out") || fail "$name: unexpected QueryDevice reply: $out"
  log "    $name: REST /api/v1/admin -> $admin; gRPC QueryDevice -> first device $first"

  if [ "$name" = container ] || [ "$name" = tangotest ]; then
    out=$(buf_grpc --data '{"device":"sys/tg_test/1","command":"DevDouble","argin":{"type":"DevDouble","doubleValue":3.14}}' \
      "http://127.0.0.1:$gport/tango.v1.Device/CommandInout" 2>&1) || fail "$name: CommandInout DevDouble failed: $out"
    node -e '
      const r = JSON.parse(process.argv[1]);
      if (r.argout.type !== "DevDouble" || r.argout.doubleValue !== 3.14) process.exit(1);' "$out" ||
      fail "$name: DevDouble(3.14) did not echo 3.14: $out"
    log "    $name: CommandInout sys/tg_test/1 DevDouble(3.14) -> 3.14"
  fi

  curl -fsS --max-time 10 "http://127.0.0.1:$hport/metrics" >"$TMP/metrics-$name.txt" ||
    fail "$name: GET /metrics failed"
  out=$(promtool check metrics <"$TMP/metrics-$name.txt" 2>&1) || fail "$name: promtool check metrics: $out"
  [ -z "$out" ] || fail "$name: promtool check metrics reports: $out"
  grep -q '^grpc_server_handled_total' "$TMP/metrics-$name.txt" ||
    fail "$name: /metrics has no grpc_server_handled_total after the calls above"
  log "    $name: /metrics passes promtool check metrics ($(grep -vc '^#' "$TMP/metrics-$name.txt") samples)"
}

# drop_ports <merged compose file> <out>: the file without the `ports:` of its services, which must
# all be on the host network (docker-compose 1.29 cannot delete the base file's ports in an
# override, and docker-py refuses port bindings with network_mode: host)
drop_ports() {
  node -e '
    const { readFileSync, writeFileSync } = require("node:fs");
    const YAML = require(require.resolve("yaml", { paths: [process.argv[1]] }));
    // docker-compose reads YAML 1.1: keep "no", "on", ... quoted
    const doc = YAML.parse(readFileSync(process.argv[2], "utf8"), { version: "1.1" });
    for (const [name, svc] of Object.entries(doc.services ?? {})) {
      if (svc.network_mode !== "host") throw new Error(`service ${name} is not on the host network`);
      delete svc.ports;
    }
    writeFileSync(process.argv[3], YAML.stringify(doc, { version: "1.1" }));' \
    "$ROOT" "$1" "$2" || fail "cannot write the resolved compose file $2"
}

# the admin device's name, from the REST sidecar (GET /api/v1/admin): dserver/<server>/<instance>
admin_device() {
  local name
  name=$(curl -fsS --max-time 5 "http://127.0.0.1:$1/api/v1/admin" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).name ?? ""));') ||
    true
  [ -n "$name" ] || fail "GET /api/v1/admin on port $1 does not name the admin device"
  echo "$name"
}

# write a Prometheus config scraping the given 127.0.0.1 ports every second: prometheus_config <file> <port>...
prometheus_config() {
  local file=$1; shift
  local targets="" p
  for p in "$@"; do targets+="'127.0.0.1:$p', "; done
  cat >"$file" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tango-device-server
    static_configs:
      - targets: [${targets%, }]
EOF
}

# start the host's Prometheus scraping the given 127.0.0.1 ports every second; wait for up == 1
prometheus_up() {
  local label=$1; shift
  local pport=$1; shift
  local dir="$TMP/prometheus-$label"
  mkdir -p "$dir/data"
  prometheus_config "$dir/prometheus.yml" "$@"
  promtool check config "$dir/prometheus.yml" >/dev/null || fail "generated Prometheus config is invalid"
  setsid prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$pport" >"$dir/prometheus.log" 2>&1 &
  PROM_PIDS+=("$!")
  wait_prometheus_up "$pport" "$@"
}

# wait_prometheus_up <prometheus port> <scraped ports...>: every target's `up` is 1
wait_prometheus_up() {
  local pport=$1; shift
  local want=("$@") deadline=$(( $(date +%s) + 60 )) out=""
  while :; do
    out=$(curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/query?query=up" 2>/dev/null || true)
    if [ -n "$out" ] && node -e '
      const r = JSON.parse(process.argv[1]);
      const want = process.argv.slice(2).map((p) => "127.0.0.1:" + p);
      const up = new Map(r.data.result.map((x) => [x.metric.instance, x.value[1]]));
      process.exit(want.every((w) => up.get(w) === "1") ? 0 : 1);' "$out" "${want[@]}"; then
      log "    prometheus on 127.0.0.1:$pport: up == 1 for 127.0.0.1:{$(IFS=,; echo "${want[*]}")}"
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "Prometheus did not see up == 1 for ports ${want[*]} within 60s; last answer: ${out:-none}"
    fi
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------------
step "prerequisites"

need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ "${TEST_DEPLOY_SKIP_DOCKER:-0}" != 1 ]; then
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
fi
if [ "${#need[@]}" -gt 0 ]; then
  log "    apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  bounded 300 $SUDO apt-get update -qq
  bounded 600 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >"$TMP/apt.log" 2>&1 ||
    { tail -20 "$TMP/apt.log"; fail "apt-get install failed"; }
fi
# Debian's docker.io client matches its dockerd; a newer client elsewhere on PATH also works
DOCKER=$(command -v docker || true)
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; fi
export DOCKER_BUILDKIT=0   # the classic builder: no buildx plugin needed, --network host honoured

log "    buf ${BUF_VERSION} (npm @bufbuild/buf) into $TMP/buf"
bounded 180 npm install --prefix "$TMP/buf" --no-save --no-audit --no-fund --no-package-lock \
  --loglevel=error "@bufbuild/buf@$BUF_VERSION" >"$TMP/buf-install.log" 2>&1
BUF=$TMP/buf/node_modules/.bin/buf
"$BUF" --version >/dev/null || fail "buf does not run"
log "    docker-compose $(docker-compose version --short), $(promtool --version 2>&1 | head -1), buf $("$BUF" --version)"

for f in docker-compose.yml deploy/compose.ci.yml deploy/postgres.env deploy/tls/compose.yaml deploy/prometheus.yml Dockerfile scripts/deploy/check-helm.mjs \
  "${MOTOR_FILES[@]}"; do
  [ -f "$f" ] || fail "$f is missing"
done

# ports for everything, asked from the OS up front (all distinct)
read -r C_GRPC C_HTTP C_PROM TANGOTEST_GRPC_PORT TANGOTEST_HTTP_PORT POWERSUPPLY_GRPC_PORT \
  POWERSUPPLY_HTTP_PORT PROMETHEUS_PORT M_GRPC M_HTTP MOTOR_GRPC_PORT MOTOR_HTTP_PORT \
  DATABASE_GRPC_PORT DATABASE_HTTP_PORT POSTGRES_PORT <<<"$(free_ports 15)"
export TANGOTEST_GRPC_PORT TANGOTEST_HTTP_PORT POWERSUPPLY_GRPC_PORT POWERSUPPLY_HTTP_PORT PROMETHEUS_PORT
export DATABASE_GRPC_PORT DATABASE_HTTP_PORT POSTGRES_PORT
# the compose file's own defaults for these (the postgres profile's run sets its URL itself)
unset TANGO_DB_URL COMPOSE_PROFILES TANGO_ADMIN_TOKEN
export MOTOR_GRPC_PORT MOTOR_HTTP_PORT
export CI_PROMETHEUS_CONFIG=$TMP/compose-prometheus.yml
export COMPOSE_PROJECT_NAME=$PROJECT
COMPOSE_SRC=(docker-compose --ansi never -f docker-compose.yml -f deploy/compose.ci.yml)
# what `up` runs: the merged config with the ports of host-network services removed (below)
COMPOSE=(docker-compose --ansi never -p "$PROJECT" --project-directory "$ROOT" -f "$TMP/compose.ci.resolved.yml")

# ---------------------------------------------------------------------------------------------
step "1. docker-compose config, Prometheus config"

out=$(docker-compose -f docker-compose.yml config -q 2>&1) || fail "docker-compose config -q: $out"
[ -z "$out" ] || log "    docker-compose config warnings: $out"
log "    docker-compose.yml: valid"
# the CI override needs its Prometheus config file to exist for `config` to resolve the mount
: >"$CI_PROMETHEUS_CONFIG"
out=$("${COMPOSE_SRC[@]}" config -q 2>&1) || fail "docker-compose (with deploy/compose.ci.yml) config -q: $out"
log "    docker-compose.yml + deploy/compose.ci.yml: valid"
out=$(docker-compose --env-file deploy/postgres.env -f docker-compose.yml config 2>&1) ||
  fail "docker-compose --env-file deploy/postgres.env config: $out"
grep -q 'TANGO_DB_URL: postgres://tango:tango@postgres:5432/tango' <<<"$out" ||
  fail "with deploy/postgres.env the database service's TANGO_DB_URL is not the postgres service's URL"
log "    docker-compose.yml with deploy/postgres.env (the postgres profile): valid, TANGO_DB_URL set"
out=$(docker-compose -f deploy/tls/compose.yaml config -q 2>&1) || fail "docker-compose -f deploy/tls/compose.yaml config -q: $out"
log "    deploy/tls/compose.yaml (the TLS example): valid"
motor_config_check
out=$(promtool check config deploy/prometheus.yml 2>&1) || fail "promtool check config deploy/prometheus.yml: $out"
log "    deploy/prometheus.yml: promtool check config OK"

# ---------------------------------------------------------------------------------------------
step "1-2. helm lint --strict, helm template + Kubernetes schemas (scripts/deploy/check-helm.mjs)"

bounded 300 node scripts/deploy/check-helm.mjs

if [ "${TEST_DEPLOY_SKIP_DOCKER:-0}" = 1 ]; then
  log "    TEST_DEPLOY_SKIP_DOCKER=1: skipping the Docker steps"
  RESULT_NOTE=" (steps 1-2 only: TEST_DEPLOY_SKIP_DOCKER=1)"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
step "3a. start a private dockerd"

# explain_no_docker <why>: dockerd cannot run here; fail, or succeed after steps 1-2 if allowed
explain_no_docker() {
  log ""
  log "    dockerd cannot run on this machine: $1"
  log "    ---- last lines of $TMP/dockerd.log"
  tail -25 "$TMP/dockerd.log" 2>/dev/null | sed 's/^/    /'
  log "    ----"
  log "    Steps 1-2 passed; the image, container and compose checks (3-4) need a working dockerd"
  log "    (root, cgroups, overlayfs or vfs, runc). Run on a machine where \`dockerd\` starts."
  if [ "${TEST_DEPLOY_NO_DOCKER_OK:-0}" = 1 ]; then
    log "    TEST_DEPLOY_NO_DOCKER_OK=1: not failing"
    RESULT_NOTE=" (steps 1-2 only: dockerd cannot run here)"
    exit 0
  fi
  fail "dockerd cannot run here (set TEST_DEPLOY_NO_DOCKER_OK=1 to accept that)"
}

[ "$(id -u)" -eq 0 ] || explain_no_docker "this script must run as root to start dockerd (it is uid $(id -u))"
command -v dockerd >/dev/null 2>&1 || explain_no_docker "no dockerd binary (apt package docker.io)"
export DOCKER_HOST=unix://$TMP/docker.sock

start_dockerd() {
  mkdir -p "$TMP/docker" "$TMP/exec"
  DOCKER_STARTED=1
  # own session: a Ctrl-C reaches this script, whose trap then stops things in order
  setsid dockerd --data-root "$TMP/docker" --exec-root "$TMP/exec" --pidfile "$TMP/docker.pid" \
    --host "$DOCKER_HOST" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --userland-proxy=false "$@" >"$TMP/dockerd.log" 2>&1 &
  local pid=$! deadline=$(( $(date +%s) + 60 ))
  until "$DOCKER" info >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then DOCKER_STARTED=0; return 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then stop_dockerd; return 1; fi
    sleep 0.5
  done
}

if ! start_dockerd; then
  log "    dockerd did not start with the default storage driver; retrying with --storage-driver=vfs"
  tail -5 "$TMP/dockerd.log" | sed 's/^/    /'
  mv "$TMP/dockerd.log" "$TMP/dockerd-overlay.log"
  rm -rf "$TMP/docker" "$TMP/exec"
  start_dockerd --storage-driver=vfs || explain_no_docker "dockerd exits or does not answer within 60 s"
fi
if [ -n "${TEST_DEPLOY_IMAGES:-}" ]; then
  IFS=: read -r -a tars <<<"$TEST_DEPLOY_IMAGES"
  for t in "${tars[@]}"; do
    [ -f "$t" ] || fail "TEST_DEPLOY_IMAGES: no file $t"
    bounded 300 "$DOCKER" load -q -i "$t" | sed 's/^/    /'
  done
fi
log "    dockerd $("$DOCKER" version -f '{{.Server.Version}}'), storage driver $("$DOCKER" info -f '{{.Driver}}'), DOCKER_HOST=$DOCKER_HOST"

# ---------------------------------------------------------------------------------------------
step "3b. base image $NODE_IMAGE"

apt_mirror() {
  # the Debian mirror of the host's apt sources (deb822 .sources or one-line .list)
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/{u=$2} /^Suites:/{for(i=2;i<=NF;i++) if($i=="bookworm"){print u; exit}}' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1=="deb" && $0 ~ / bookworm / {for(i=2;i<=NF;i++) if($i ~ /^[a-z]+:\/\//){print $i; exit}}' "$f"
  done
}

# docker import a stand-in rootfs tarball as $NODE_IMAGE, with the real image's PATH and CMD.
# The host's TLS trust goes with it: node (and so npm) inside trusts the copied CA bundle, as the
# host's node does (NODE_EXTRA_CA_CERTS; needed behind a TLS-inspecting proxy), and a non-default
# npm registry of the host is used by the build too.
import_standin() {
  local changes=(
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "ENV NODE_VERSION=$(node --version | sed 's/^v//')"
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt'
    --change 'CMD ["node"]'
  )
  local registry
  registry=$(npm config get registry 2>/dev/null || true)
  case "$registry" in
    "" | https://registry.npmjs.org | https://registry.npmjs.org/) ;;
    *) changes+=(--change "ENV NPM_CONFIG_REGISTRY=$registry") ;;
  esac
  log "    docker import as $NODE_IMAGE (node $(node --version), npm $(npm --version))"
  bounded 300 "$DOCKER" import "${changes[@]}" \
    --message "stand-in for $NODE_IMAGE: debootstrap minbase bookworm + the host's node" \
    "$1" "$NODE_IMAGE" >/dev/null
}

build_standin() {
  local mirror rootfs=$TMP/rootfs node_bin npm_dir
  mirror=$(apt_mirror | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  node_bin=$(readlink -f "$(command -v node)")
  # npm's own folder, wherever it lives: beside the node binary in an official tarball, elsewhere
  # when that node came from the npm registry's `node` package (.ci/run) and npm is the machine's
  npm_dir=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")")
  case "$(node --version)" in v24.*) ;; *) log "    warning: the host's node is $(node --version), not 24.x" ;; esac
  log "    debootstrap --variant=minbase bookworm from $mirror"
  timeout 600 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$TMP/debootstrap.log" 2>&1 ||
    { tail -20 "$TMP/debootstrap.log"; fail "debootstrap failed (log above)"; }

  # the host's node, npm (and corepack), CA bundle, as in the real image under /usr/local
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir/npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  if [ -d "$npm_dir/corepack" ]; then
    cp -a "$npm_dir/corepack" "$rootfs/usr/local/lib/node_modules/corepack"
    ln -sf ../lib/node_modules/corepack/dist/corepack.js "$rootfs/usr/local/bin/corepack"
  fi
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"

  # user node (1000:1000), as in the real image
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  # apt inside builds: the host's sources (same mirror), their keyrings and the host's Acquire
  # settings (proxy, Check-Valid-Until) when the host is bookworm itself; otherwise debootstrap's
  # sources.list (the mirror above) plus bookworm-updates and bookworm-security
  local f k
  if grep -qsw bookworm /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
    rm -f "$rootfs/etc/apt/sources.list"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      mkdir -p "$rootfs$(dirname "$f")"
      cp "$f" "$rootfs$f"
      for k in $(grep -ohE '(signed-by=|Signed-By:[[:space:]]*)/[^] ]+' "$f" | sed -E 's/^(signed-by=|Signed-By:[[:space:]]*)//' || true); do
        if [ -f "$k" ] && [ ! -e "$rootfs$k" ]; then mkdir -p "$rootfs$(dirname "$k")"; cp "$k" "$rootfs$k"; fi
      done
    done
    for f in /etc/apt/apt.conf.d/*; do
      if [ -f "$f" ] && grep -q 'Acquire::' "$f"; then cp "$f" "$rootfs/etc/apt/apt.conf.d/"; fi
    done
  else
    cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log

  chroot "$rootfs" /usr/local/bin/node -e 'require("node:https")' ||
    fail "the host's node does not run inside the bookworm rootfs"
  chroot "$rootfs" /usr/local/bin/npm --version >/dev/null || fail "npm does not run inside the rootfs"

  tar -C "$rootfs" --numeric-owner --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -cf "$TMP/standin.tar" .
  import_standin "$TMP/standin.tar"
  if [ -n "${TEST_DEPLOY_CACHE:-}" ]; then
    mkdir -p "$TEST_DEPLOY_CACHE" && mv "$TMP/standin.tar" "$TEST_DEPLOY_CACHE/node-standin-$(node --version).tar"
  fi
  rm -rf "$rootfs" "$TMP/standin.tar"
}

if "$DOCKER" image inspect "$NODE_IMAGE" >/dev/null 2>&1; then
  log "    already present"
elif timeout --foreground 45 "$DOCKER" pull -q "$NODE_IMAGE" >"$TMP/pull.log" 2>&1; then
  log "    pulled from the registry"
elif [ -n "${TEST_DEPLOY_CACHE:-}" ] && [ -f "$TEST_DEPLOY_CACHE/node-standin-$(node --version).tar" ]; then
  log "    no registry ($(head -c 200 "$TMP/pull.log")); importing the cached stand-in"
  import_standin "$TEST_DEPLOY_CACHE/node-standin-$(node --version).tar"
else
  log "    no registry ($(head -c 200 "$TMP/pull.log")); building a stand-in"
  build_standin
fi
# can this dockerd run a container at all (runc, cgroups, host networking)?
out=$(timeout --foreground 60 "$DOCKER" run --rm --network host "$NODE_IMAGE" node -e 'console.log(process.version)' 2>&1) ||
  explain_no_docker "it cannot run a container: $out"
log "    a container runs: node $out"

# ---------------------------------------------------------------------------------------------
step "3c. docker build --network host -t $IMAGE ."

timeout --foreground 600 "$DOCKER" build --network host --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$IMAGE" . \
  >"$TMP/build.log" 2>&1 || { tail -40 "$TMP/build.log"; fail "docker build failed (log above)"; }
log "    built $IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'), user $("$DOCKER" image inspect -f '{{.Config.User}}' "$IMAGE"), entrypoint $("$DOCKER" image inspect -f '{{json .Config.Entrypoint}} cmd {{json .Config.Cmd}}' "$IMAGE")"

# ---------------------------------------------------------------------------------------------
step "3d. one container, host networking (gRPC 127.0.0.1:$C_GRPC, HTTP 127.0.0.1:$C_HTTP)"

CID=$("$DOCKER" run -d --name "$PROJECT-single" --network host \
  -e TANGO_GRPC_PORT="$C_GRPC" -e TANGO_HTTP_PORT="$C_HTTP" \
  -e TANGO_GRPC_HOST=127.0.0.1 -e TANGO_HTTP_HOST=127.0.0.1 "$IMAGE") || fail "docker run failed"
CONTAINERS+=("$CID")
wait_healthy "$CID" container 120
check_server container "$C_GRPC" "$C_HTTP"

step "3e. Prometheus (host, 127.0.0.1:$C_PROM) scrapes the container"
prometheus_up single "$C_PROM" "$C_HTTP"

step "3f. docker stop -t 10"
t_start=$(date +%s%N)
timeout --foreground 30 "$DOCKER" stop -t 10 "$CID" >/dev/null || fail "docker stop failed"
ms=$(( ($(date +%s%N) - t_start) / 1000000 ))
code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CID")
log "    stopped in ${ms} ms, exit code $code"
"$DOCKER" logs --tail 3 "$CID" 2>&1 | sed 's/^/    | /'
[ "$ms" -lt 10000 ] || fail "docker stop took ${ms} ms: SIGTERM did not end the server within 10 s"
[ "$code" = 0 ] || fail "exit code after SIGTERM is $code, not 0"
kill "${PROM_PIDS[-1]}" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------
step "4a. docker-compose up (host networking override deploy/compose.ci.yml)"

# docker-compose 1.29 cannot delete the base file's `ports:` in an override, and docker-py refuses
# port bindings with network_mode: host; so the merged config (`config` output: absolute paths,
# env interpolated) is written out with those ports dropped, and that is what runs.
"${COMPOSE_SRC[@]}" config >"$TMP/compose.ci.merged.yml" 2>"$TMP/compose-config.log" ||
  { cat "$TMP/compose-config.log"; fail "docker-compose config failed"; }
drop_ports "$TMP/compose.ci.merged.yml" "$TMP/compose.ci.resolved.yml"
log "    resolved compose file (ports dropped, host networking): $TMP/compose.ci.resolved.yml"

# Prometheus in compose: its image when the registry (or a local copy) has it, else the host's
PROM_IMAGE=$(node -e '
  const YAML = require(require.resolve("yaml", { paths: [process.argv[1]] }));
  console.log(YAML.parse(require("node:fs").readFileSync(process.argv[2], "utf8"), { version: "1.1" }).services?.prometheus?.image ?? "");' \
  "$ROOT" "$TMP/compose.ci.resolved.yml")
COMPOSE_PROM=0
if [ -n "$PROM_IMAGE" ]; then
  if "$DOCKER" image inspect "$PROM_IMAGE" >/dev/null 2>&1 ||
    timeout --foreground 45 "$DOCKER" pull -q "$PROM_IMAGE" >"$TMP/pull-prom.log" 2>&1; then
    COMPOSE_PROM=1
  else
    log "    $PROM_IMAGE cannot be pulled here: the compose prometheus service is replaced by the host's"
    log "    Prometheus (Debian package) with the same scrape targets"
  fi
fi
prometheus_config "$CI_PROMETHEUS_CONFIG" "$TANGOTEST_HTTP_PORT" "$POWERSUPPLY_HTTP_PORT" "$DATABASE_HTTP_PORT"
chmod 0644 "$CI_PROMETHEUS_CONFIG"
SERVICES=("${SERVER_SERVICES[@]}")
[ "$COMPOSE_PROM" = 1 ] && SERVICES+=(prometheus)
COMPOSE_STARTED=1
timeout --foreground 300 "${COMPOSE[@]}" up -d --no-build "${SERVICES[@]}" >"$TMP/compose-up.log" 2>&1 ||
  { cat "$TMP/compose-up.log"; fail "docker-compose up failed (log above)"; }
sed 's/^/    | /' "$TMP/compose-up.log"

step "4b. compose services healthy and checked"
declare -A GPORT HPORT
GPORT[database]=$DATABASE_GRPC_PORT;       HPORT[database]=$DATABASE_HTTP_PORT
GPORT[tangotest]=$TANGOTEST_GRPC_PORT;     HPORT[tangotest]=$TANGOTEST_HTTP_PORT
GPORT[powersupply]=$POWERSUPPLY_GRPC_PORT; HPORT[powersupply]=$POWERSUPPLY_HTTP_PORT
for s in "${SERVER_SERVICES[@]}"; do
  cid=$("${COMPOSE[@]}" ps -q "$s")
  [ -n "$cid" ] || fail "compose service $s has no container"
  wait_healthy "$cid" "$s" 120
done
for s in "${SERVER_SERVICES[@]}"; do
  check_server "$s" "${GPORT[$s]}" "${HPORT[$s]}"
done

db_registration_checks

step "4d. Prometheus scrapes the compose services"
if [ "$COMPOSE_PROM" = 1 ]; then
  log "    compose service prometheus ($PROM_IMAGE) on 127.0.0.1:$PROMETHEUS_PORT"
  wait_prometheus_up "$PROMETHEUS_PORT" "$TANGOTEST_HTTP_PORT" "$POWERSUPPLY_HTTP_PORT" "$DATABASE_HTTP_PORT"
else
  prometheus_up compose "$PROMETHEUS_PORT" "$TANGOTEST_HTTP_PORT" "$POWERSUPPLY_HTTP_PORT" "$DATABASE_HTTP_PORT"
fi

step "4e. docker-compose down -v"
t_start=$(date +%s%N)
timeout --foreground 120 "${COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/compose-down.log" 2>&1 ||
  { cat "$TMP/compose-down.log"; fail "docker-compose down failed"; }
COMPOSE_STARTED=0
log "    down in $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
left=$("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "containers left after docker-compose down: $left"

db_postgres_checks

# ---------------------------------------------------------------------------------------------
motor_image_checks "$M_GRPC" "$M_HTTP"
motor_compose_checks

step_end
