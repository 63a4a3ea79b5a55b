# The Tango database's deployment checks (the database service of docker-compose.yml and the
# servers registered in it), sourced by test-deploy.sh, whose helpers (step, log, fail, wait_for,
# wait_healthy, buf_grpc, drop_ports, show_container) and state (DOCKER, COMPOSE, COMPOSE_SRC,
# PROJECT, ROOT, TMP, TMP_PARENT, SUDO) they use:
#
#   db_registration_checks   step 4c, on the running compose stack: DbInfo; DbGetDeviceExportedList
#                            lists the servers' devices; DbImportDevice gives each server's
#                            advertised address; `docker-compose run --rm cli read sys/tg_test/1`
#                            finds the device by name through TANGO_HOST; a property put at run
#                            time is in the database and survives `docker-compose restart tangotest`
#   db_postgres_checks       step 4f: the database on PostgreSQL (the compose postgres service when
#                            its image is present, else a PostgreSQL server from Debian's packages
#                            on 127.0.0.1), the servers registered in it, the same DbInfo and
#                            export checks, then docker-compose down -v
#   db_cleanup               for test-deploy.sh's trap: down -v of the PostgreSQL run's project,
#                            and the PostgreSQL server it started
#
# Ports (exported by test-deploy.sh): DATABASE_GRPC_PORT, DATABASE_HTTP_PORT, POSTGRES_PORT,
# TANGOTEST_GRPC_PORT, POWERSUPPLY_GRPC_PORT.

DB_DEVICE=sys/database/2
# the devices both servers of docker-compose.yml register (deploy/*/server.yaml) and the database's own
DB_EXPECTED_EXPORTED=(sys/database/2 dserver/DataBaseds/2 sys/tg_test/1 dserver/TangoTest/compose
  lab/ps/1 lab/ps/2 dserver/PowerSupply/compose)
PG_PROJECT=${PROJECT}pg
PG_COMPOSE=()
PG_COMPOSE_STARTED=0
PG_HOST_DIR=""
PG_HOST_PID=""

# db_command <grpc port> <command> [argin JSON value]: CommandInout on sys/database/2, the reply's JSON
db_command() {
  local data
  data=$(node -e '
    const [device, command, argin] = process.argv.slice(1);
    console.log(JSON.stringify({ device, command, ...(argin === undefined ? {} : { argin: JSON.parse(argin) }) }));' \
    "$DB_DEVICE" "$2" ${3+"$3"})
  buf_grpc --data "$data" "http://127.0.0.1:$1/tango.v1.Device/CommandInout"
}

# a DevString argin as JSON
dev_string() { node -e 'console.log(JSON.stringify({ type: "DevString", stringValue: process.argv[1] }))' "$1"; }

# db_check_info <label> <db grpc port>: DbInfo names the database and counts what is exported
db_check_info() {
  local label=$1 port=$2 out line
  out=$(db_command "$port" DbInfo 2>&1) || fail "$label: DbInfo failed: $out"
  line=$(node -e '
    const v = JSON.parse(process.argv[1]).argout?.stringArray?.values ?? [];
    if (v[0] !== "TANGO Database sys/database/2") process.exit(1);
    console.log(v.filter((l) => /^Devices (defined|exported)/.test(l)).join(", "));' "$out") ||
    fail "$label: DbInfo does not start with \"TANGO Database sys/database/2\": $out"
  log "    $label: DbInfo -> TANGO Database sys/database/2: $line"
}

# db_check_exported <label> <db grpc port>: DbGetDeviceExportedList * has every expected device
db_check_exported() {
  local label=$1 port=$2 out
  out=$(db_command "$port" DbGetDeviceExportedList "$(dev_string '*')" 2>&1) ||
    fail "$label: DbGetDeviceExportedList * failed: $out"
  node -e '
    const got = (JSON.parse(process.argv[1]).argout?.stringArray?.values ?? []).map((d) => d.toLowerCase());
    const missing = process.argv.slice(2).filter((d) => !got.includes(d.toLowerCase()));
    if (missing.length > 0) { console.error(`missing ${missing.join(", ")}; got ${got.join(", ")}`); process.exit(1); }' \
    "$out" "${DB_EXPECTED_EXPORTED[@]}" 2>"$TMP/exported.err" ||
    fail "$label: DbGetDeviceExportedList * lacks devices: $(cat "$TMP/exported.err")"
  log "    $label: DbGetDeviceExportedList * lists ${DB_EXPECTED_EXPORTED[*]}"
}

# db_exported_at <db grpc port> <device> <address>: DbImportDevice says exported, at grpc://<address>
db_exported_at() {
  local out
  out=$(db_command "$1" DbImportDevice "$(dev_string "$2")" 2>&1) || return 1
  node -e '
    const r = JSON.parse(process.argv[1]).argout?.longStringArray ?? {};
    process.exit(r.lvalue?.[0] === 1 && r.svalue?.[1] === `grpc://${process.argv[2]}` ? 0 : 1);' "$out" "$3"
}

# db_check_address <label> <db grpc port> <device> <address>
db_check_address() {
  local label=$1 port=$2 device=$3 address=$4
  db_exported_at "$port" "$device" "$address" ||
    fail "$label: DbImportDevice $device is not exported at grpc://$address: $(db_command "$port" DbImportDevice "$(dev_string "$device")" 2>&1)"
  log "    $label: DbImportDevice $device -> exported at grpc://$address"
}

# the value of device property <name> of sys/tg_test/1 through the tangotest server (GetProperty)
tangotest_property() {
  buf_grpc --data '{"device":"sys/tg_test/1","names":["'"$1"'"]}' \
    "http://127.0.0.1:$TANGOTEST_GRPC_PORT/tango.v1.Device/GetProperty" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      console.log((JSON.parse(s).properties?.[0]?.values ?? []).join(","));
    });'
}
tangotest_property_is() { [ "$(tangotest_property "$1")" = "$2" ]; }

db_registration_checks() {
  local out value
  step "4c. the Tango database: registration, names, a property across a restart"
  db_check_info database "$DATABASE_GRPC_PORT"
  db_check_exported database "$DATABASE_GRPC_PORT"
  db_check_address database "$DATABASE_GRPC_PORT" sys/tg_test/1 "127.0.0.1:$TANGOTEST_GRPC_PORT"
  db_check_address database "$DATABASE_GRPC_PORT" lab/ps/2 "127.0.0.1:$POWERSUPPLY_GRPC_PORT"
  db_check_address database "$DATABASE_GRPC_PORT" sys/database/2 "127.0.0.1:$DATABASE_GRPC_PORT"

  # a client container of the compose file (service cli: TANGO_HOST, no address given)
  out=$(timeout --foreground 60 "${COMPOSE[@]}" run --rm -T cli read --json sys/tg_test/1 double_scalar 2>"$TMP/cli-run.err") ||
    fail "docker-compose run --rm cli read sys/tg_test/1 double_scalar failed: $out $(cat "$TMP/cli-run.err")"
  node -e '
    const r = JSON.parse(process.argv[1].slice(process.argv[1].indexOf("{")));
    const a = r.attributes?.[0];
    process.exit(a?.name === "double_scalar" && typeof a.value === "number" && a.quality === "ATTR_VALID" ? 0 : 1);' "$out" ||
    fail "docker-compose run --rm cli read sys/tg_test/1 double_scalar: unexpected output: $out"
  log "    cli: docker-compose run --rm cli read sys/tg_test/1 double_scalar (by name, TANGO_HOST) -> ATTR_VALID $(node -e 'const r = JSON.parse(process.argv[1].slice(process.argv[1].indexOf("{"))); console.log(r.attributes[0].value)' "$out")"

  # a property put at run time goes to the database and comes back after a restart
  value="deploy-check-$(date +%s)-$$"
  out=$(buf_grpc --data '{"device":"sys/tg_test/1","properties":[{"name":"deploy_check","values":["'"$value"'"]}]}' \
    "http://127.0.0.1:$TANGOTEST_GRPC_PORT/tango.v1.Device/PutProperty" 2>&1) || fail "tangotest: PutProperty deploy_check failed: $out"
  out=$(db_command "$DATABASE_GRPC_PORT" DbGetDeviceProperty \
    '{"type":"DevVarStringArray","stringArray":{"values":["sys/tg_test/1","deploy_check"]}}' 2>&1) ||
    fail "database: DbGetDeviceProperty sys/tg_test/1 deploy_check failed: $out"
  node -e '
    const v = JSON.parse(process.argv[1]).argout?.stringArray?.values ?? [];
    process.exit(v[2] === "deploy_check" && v[3] === "1" && v[4] === process.argv[2] ? 0 : 1);' "$out" "$value" ||
    fail "database: DbGetDeviceProperty does not have the value PutProperty put ($value): $out"
  log "    tangotest: PutProperty sys/tg_test/1 deploy_check=$value; the database has it (DbGetDeviceProperty)"

  timeout --foreground 60 "${COMPOSE[@]}" restart -t 10 tangotest >"$TMP/compose-restart.log" 2>&1 ||
    { cat "$TMP/compose-restart.log"; fail "docker-compose restart tangotest failed"; }
  wait_healthy "$("${COMPOSE[@]}" ps -q tangotest)" "tangotest (restarted)" 120
  wait_for 60 "tangotest after its restart: GetProperty deploy_check = $value" tangotest_property_is deploy_check "$value"
  wait_for 30 "sys/tg_test/1 exported again after the restart" \
    db_exported_at "$DATABASE_GRPC_PORT" sys/tg_test/1 "127.0.0.1:$TANGOTEST_GRPC_PORT"
  log "    tangotest: after docker-compose restart, GetProperty deploy_check = $value, and sys/tg_test/1 is exported again"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

# the directory with PostgreSQL's initdb, postgres and createdb: where PATH's initdb really is
# (a symlink such as /usr/local/bin/initdb leads to Debian's directory), then Debian's, newest first
pg_bin_dir() {
  local dir
  for dir in $(command -v initdb >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v initdb)")") \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r || true); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && [ -x "$dir/createdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

# pg_host_start <port>: a PostgreSQL server of Debian's packages on 127.0.0.1:<port>, user tango
# (trust), database tango; as nobody when this script is root (initdb and postgres refuse root)
pg_host_start() {
  local port=$1 bin as=() deadline
  bin=$(pg_bin_dir) || fail "no PostgreSQL server (initdb, postgres, createdb) on PATH or in /usr/lib/postgresql/*/bin, and no postgres image: install Debian's postgresql package"
  # its own dir beside the temp dir: nobody cannot enter the 0700 temp dir
  PG_HOST_DIR=$(mktemp -d "$TMP_PARENT/tango-deploy-pg.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$PG_HOST_DIR"
    as=(setpriv "--reuid=$(id -u nobody)" "--regid=$(id -g nobody)" --clear-groups --)
  fi
  LC_ALL=C "${as[@]}" "$bin/initdb" -D "$PG_HOST_DIR/data" -A trust -U tango -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$TMP/pg-initdb.log" 2>&1 || { tail -20 "$TMP/pg-initdb.log"; fail "initdb failed (log above)"; }
  LC_ALL=C setsid "${as[@]}" "$bin/postgres" -D "$PG_HOST_DIR/data" -k "$PG_HOST_DIR" -p "$port" \
    -c listen_addresses=127.0.0.1 -c fsync=off >"$TMP/pg-server.log" 2>&1 &
  PG_HOST_PID=$!
  deadline=$(( $(date +%s) + 60 ))
  until grep -q "database system is ready to accept connections" "$TMP/pg-server.log"; do
    kill -0 "$PG_HOST_PID" 2>/dev/null || { tail -20 "$TMP/pg-server.log"; fail "PostgreSQL exited (log above)"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$TMP/pg-server.log"; fail "PostgreSQL not ready within 60 s"; }
    sleep 0.2
  done
  "${as[@]}" "$bin/createdb" -h "$PG_HOST_DIR" -p "$port" -U tango tango >"$TMP/pg-createdb.log" 2>&1 ||
    { cat "$TMP/pg-createdb.log"; fail "createdb tango failed"; }
  log "    $("$bin/postgres" --version) from $bin on 127.0.0.1:$port (database tango, user tango)"
}

# stops it (SIGINT: a fast shutdown; SIGKILL after 10 s) and removes its files; safe under set -e
pg_host_stop() {
  if [ -n "$PG_HOST_PID" ]; then
    kill -INT "$PG_HOST_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$PG_HOST_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$PG_HOST_PID" 2>/dev/null || true
    wait "$PG_HOST_PID" 2>/dev/null || true
    PG_HOST_PID=""
  fi
  if [ -n "$PG_HOST_DIR" ]; then rm -rf "$PG_HOST_DIR"; PG_HOST_DIR=""; fi
}

db_postgres_checks() {
  local pg_image s cid ready
  step "4f. the postgres profile: the database on PostgreSQL (127.0.0.1:$POSTGRES_PORT), the servers registered in it"
  export TANGO_DB_URL="postgres://tango:tango@127.0.0.1:$POSTGRES_PORT/tango"
  local services=(database tangotest powersupply)
  pg_image=$(node -e '
    const YAML = require(require.resolve("yaml", { paths: [process.argv[1]] }));
    console.log(YAML.parse(require("node:fs").readFileSync(process.argv[2], "utf8"), { version: "1.1" }).services?.postgres?.image ?? "");' \
    "$ROOT" "$TMP/compose.ci.resolved.yml")
  if "$DOCKER" image inspect "$pg_image" >/dev/null 2>&1 ||
    timeout --foreground 45 "$DOCKER" pull -q "$pg_image" >"$TMP/pull-postgres.log" 2>&1; then
    log "    compose service postgres ($pg_image)"
    services=(postgres "${services[@]}")
  else
    log "    $pg_image cannot be pulled here: the compose postgres service is replaced by a PostgreSQL"
    log "    server of Debian's packages on the same address"
    pg_host_start "$POSTGRES_PORT"
  fi
  COMPOSE_PROFILES=postgres "${COMPOSE_SRC[@]}" config >"$TMP/compose.pg.merged.yml" 2>"$TMP/compose-config-pg.log" ||
    { cat "$TMP/compose-config-pg.log"; fail "docker-compose config (postgres profile) failed"; }
  drop_ports "$TMP/compose.pg.merged.yml" "$TMP/compose.pg.resolved.yml"
  PG_COMPOSE=(docker-compose --ansi never -p "$PG_PROJECT" --project-directory "$ROOT" -f "$TMP/compose.pg.resolved.yml")
  PG_COMPOSE_STARTED=1
  COMPOSE_PROFILES=postgres timeout --foreground 300 "${PG_COMPOSE[@]}" up -d --no-build "${services[@]}" >"$TMP/compose-up-pg.log" 2>&1 ||
    { cat "$TMP/compose-up-pg.log"; fail "docker-compose up (postgres profile) failed (log above)"; }
  for s in "${services[@]}"; do
    cid=$("${PG_COMPOSE[@]}" ps -q "$s")
    [ -n "$cid" ] || fail "compose service $s (postgres profile) has no container"
    wait_healthy "$cid" "$s" 120
  done
  ready=$("$DOCKER" logs "$("${PG_COMPOSE[@]}" ps -q database)" 2>&1 | grep '"msg":"database ready"' || true)
  grep -q '"storage":"postgres"' <<<"$ready" ||
    fail "the database's \"database ready\" log line does not say storage postgres: ${ready:-no such line}"
  log "    database: \"database ready\" with storage postgres"
  db_check_info "database (PostgreSQL)" "$DATABASE_GRPC_PORT"
  db_check_exported "database (PostgreSQL)" "$DATABASE_GRPC_PORT"
  db_check_address "database (PostgreSQL)" "$DATABASE_GRPC_PORT" sys/tg_test/1 "127.0.0.1:$TANGOTEST_GRPC_PORT"

  timeout --foreground 120 "${PG_COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/compose-down-pg.log" 2>&1 ||
    { cat "$TMP/compose-down-pg.log"; fail "docker-compose down (postgres profile) failed"; }
  PG_COMPOSE_STARTED=0
  pg_host_stop
  [ -z "$("$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PG_PROJECT")" ] ||
    fail "containers left after docker-compose down (postgres profile)"
  log "    docker-compose down -v; nothing left"
}

db_cleanup() {
  if [ "$PG_COMPOSE_STARTED" = 1 ]; then
    timeout --foreground 90 "${PG_COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/compose-down-pg.log" 2>&1 ||
      { log "    docker-compose down (postgres profile) failed:"; tail -20 "$TMP/compose-down-pg.log" | sed 's/^/    | /'; }
  fi
  pg_host_stop
}
