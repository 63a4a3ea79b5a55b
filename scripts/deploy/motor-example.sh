# The Motor example's deployment checks (examples/motor), sourced by test-deploy.sh, whose helpers
# (step, log, fail, wait_for, wait_healthy, check_server, buf_grpc, drop_ports) and state (DOCKER,
# IMAGE, PROJECT, ROOT, TMP, CONTAINERS) they use:
#
#   motor_config_check       step 1: docker-compose config -q of examples/motor/compose.yaml, alone
#                            and with examples/motor/compose.ci.yml
#   motor_image_checks G H   step 5a-b: the image built FROM the tango-grpc:ci image just built, one
#                            container on host networking (gRPC G, HTTP H): Docker health, the
#                            checks of every server (check_server), a move of lab/motor/1, then
#                            `docker stop -t 10` within 10 s and exit code 0
#   motor_compose_checks     step 5c: compose.yaml + compose.ci.yml (ports MOTOR_GRPC_PORT and
#                            MOTOR_HTTP_PORT), the same checks, then docker-compose down -v
#   motor_cleanup            for test-deploy.sh's trap: down -v of the example's compose project

MOTOR_DIR=examples/motor
MOTOR_IMAGE=tango-grpc-motor:ci
MOTOR_FILES=("$MOTOR_DIR/Dockerfile" "$MOTOR_DIR/compose.yaml" "$MOTOR_DIR/compose.ci.yml" "$MOTOR_DIR/docker/server.yaml")
MOTOR_COMPOSE_STARTED=0
MOTOR_COMPOSE=()

motor_config_check() {
  local out
  out=$(docker-compose -f "$MOTOR_DIR/compose.yaml" config -q 2>&1) || fail "docker-compose -f $MOTOR_DIR/compose.yaml config -q: $out"
  out=$(docker-compose -f "$MOTOR_DIR/compose.yaml" -f "$MOTOR_DIR/compose.ci.yml" config -q 2>&1) ||
    fail "docker-compose ($MOTOR_DIR/compose.yaml with compose.ci.yml) config -q: $out"
  log "    $MOTOR_DIR/compose.yaml (the Motor example), alone and with compose.ci.yml: valid"
}

# position of lab/motor/1 from a ReadAttributes reply (absent when 0: proto3 JSON leaves it out)
motor_position() {
  buf_grpc --data '{"device":"lab/motor/1","names":["position"]}' \
    "http://127.0.0.1:$1/tango.v1.Device/ReadAttributes" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const v = JSON.parse(s).values?.[0];
      if (v === undefined || (v.errors ?? []).length > 0) process.exit(1);
      console.log(v.value?.doubleValue ?? 0);
    });'
}

# motor_at <grpc port> <mm>: lab/motor/1 reads that position
motor_at() {
  [ "$(motor_position "$1")" = "$2" ]
}

# motor_check_move <name> <grpc port>: Move(1.5) on lab/motor/1 runs in the background and ends ON at 1.5
motor_check_move() {
  local name=$1 gport=$2 out
  out=$(buf_grpc --data '{"device":"lab/motor/1","command":"Move","argin":{"type":"DevDouble","doubleValue":1.5}}' \
    "http://127.0.0.1:$gport/tango.v1.Device/CommandInout" 2>&1) || fail "$name: Move(1.5) on lab/motor/1 failed: $out"
  wait_for 30 "$name: lab/motor/1 at 1.5 mm after Move(1.5)" motor_at "$gport" 1.5
  out=$(buf_grpc --data '{"device":"lab/motor/1","command":"State"}' \
    "http://127.0.0.1:$gport/tango.v1.Device/CommandInout" 2>&1) || fail "$name: State of lab/motor/1 failed: $out"
  node -e 'process.exit(JSON.parse(process.argv[1]).argout?.stateValue === "ON" ? 0 : 1)' "$out" ||
    fail "$name: lab/motor/1 is not ON after its move: $out"
  log "    $name: CommandInout lab/motor/1 Move(1.5) returned; the move ran in the background, ending ON at 1.5 mm"
}

motor_image_checks() {
  local gport=$1 hport=$2 cid t_start ms code
  step "5a. docker build --network host -t $MOTOR_IMAGE $MOTOR_DIR (FROM $IMAGE)"
  timeout --foreground 600 "$DOCKER" build --network host --build-arg "BASE_IMAGE=$IMAGE" -t "$MOTOR_IMAGE" "$MOTOR_DIR" \
    >"$TMP/build-motor.log" 2>&1 || { tail -40 "$TMP/build-motor.log"; fail "docker build of $MOTOR_DIR failed (log above)"; }
  log "    built $MOTOR_IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$MOTOR_IMAGE" | awk '{printf "%.0f MB", $1/1e6}'), user $("$DOCKER" image inspect -f '{{.Config.User}}' "$MOTOR_IMAGE"), cmd $("$DOCKER" image inspect -f '{{json .Config.Cmd}}' "$MOTOR_IMAGE")"

  step "5b. the Motor container, host networking (gRPC 127.0.0.1:$gport, HTTP 127.0.0.1:$hport)"
  cid=$("$DOCKER" run -d --name "$PROJECT-motor" --network host \
    -e TANGO_GRPC_PORT="$gport" -e TANGO_HTTP_PORT="$hport" \
    -e TANGO_GRPC_HOST=127.0.0.1 -e TANGO_HTTP_HOST=127.0.0.1 "$MOTOR_IMAGE") || fail "docker run $MOTOR_IMAGE failed"
  CONTAINERS+=("$cid")
  wait_healthy "$cid" motor 120
  check_server motor "$gport" "$hport"
  motor_check_move motor "$gport"
  t_start=$(date +%s%N)
  timeout --foreground 30 "$DOCKER" stop -t 10 "$cid" >/dev/null || fail "docker stop of the Motor container failed"
  ms=$(( ($(date +%s%N) - t_start) / 1000000 ))
  code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$cid")
  log "    stopped in ${ms} ms, exit code $code"
  [ "$ms" -lt 10000 ] || fail "docker stop of the Motor container took ${ms} ms"
  [ "$code" = 0 ] || fail "the Motor container's exit code after SIGTERM is $code, not 0"
}

motor_compose_checks() {
  local cid left
  step "5c. $MOTOR_DIR/compose.yaml (host networking override compose.ci.yml, gRPC $MOTOR_GRPC_PORT, HTTP $MOTOR_HTTP_PORT)"
  docker-compose --ansi never -f "$MOTOR_DIR/compose.yaml" -f "$MOTOR_DIR/compose.ci.yml" config \
    >"$TMP/motor-compose.merged.yml" 2>"$TMP/motor-compose-config.log" ||
    { cat "$TMP/motor-compose-config.log"; fail "docker-compose config of $MOTOR_DIR failed"; }
  drop_ports "$TMP/motor-compose.merged.yml" "$TMP/motor-compose.resolved.yml"
  MOTOR_COMPOSE=(docker-compose --ansi never -p "${PROJECT}motor" --project-directory "$ROOT/$MOTOR_DIR" -f "$TMP/motor-compose.resolved.yml")
  MOTOR_COMPOSE_STARTED=1
  timeout --foreground 300 "${MOTOR_COMPOSE[@]}" up -d --no-build motor >"$TMP/motor-compose-up.log" 2>&1 ||
    { cat "$TMP/motor-compose-up.log"; fail "docker-compose up of $MOTOR_DIR failed (log above)"; }
  cid=$("${MOTOR_COMPOSE[@]}" ps -q motor)
  [ -n "$cid" ] || fail "compose service motor has no container"
  wait_healthy "$cid" compose-motor 120
  check_server compose-motor "$MOTOR_GRPC_PORT" "$MOTOR_HTTP_PORT"
  motor_check_move compose-motor "$MOTOR_GRPC_PORT"
  timeout --foreground 120 "${MOTOR_COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/motor-compose-down.log" 2>&1 ||
    { cat "$TMP/motor-compose-down.log"; fail "docker-compose down of $MOTOR_DIR failed"; }
  MOTOR_COMPOSE_STARTED=0
  left=$("$DOCKER" ps -aq --filter "label=com.docker.compose.project=${PROJECT}motor")
  [ -z "$left" ] || fail "containers left after docker-compose down of $MOTOR_DIR: $left"
  log "    compose-motor: down, no container left"
}

motor_cleanup() {
  if [ "$MOTOR_COMPOSE_STARTED" = 1 ]; then
    timeout --foreground 90 "${MOTOR_COMPOSE[@]}" down -v --remove-orphans -t 10 >"$TMP/motor-compose-down.log" 2>&1 ||
      { log "    docker-compose down of $MOTOR_DIR failed:"; tail -20 "$TMP/motor-compose-down.log" | sed 's/^/    | /'; }
    MOTOR_COMPOSE_STARTED=0
  fi
}
