#!/usr/bin/env bash
# test-container.sh: build the production image (Dockerfile) and run it the ways it is deployed.
#
#   npm run test:container          (or: bash scripts/test-container.sh)
#
# Runs as root on a Debian 12 machine with Podman (Docker's CLI would do, but this is what these
# machines have; see README, "Deploying"). Installs podman, runc, debootstrap, pebble and openssl
# with apt-get when missing, builds the node:24-bookworm-slim stand-in with
# scripts/node-base-image.sh when no such image is present (no registry is reachable here), builds
# the image, then checks, each step failing the script with the reason:
#   1. plain HTTP with the bundled docs: the image's HEALTHCHECK, /healthz 200, an MCP search
#      through the SDK client (scripts/container-mcp-check.mjs)
#   2. HTTPS with a certificate from a loopback Pebble (HTTP-01), certificates on a volume:
#      HEALTHCHECK, MCP over HTTPS trusting Pebble's root
#   3. a new container on the same volume uses the stored certificate: no new order
#   4. `podman stop` ends the server (PID 1) with exit code 0 in under 10 s (HTTP and HTTPS mode)
#   5. the non-root node user binds 80 and 443 in its own network namespace with
#      --sysctl net.ipv4.ip_unprivileged_port_start=0, and cannot without it
# Everything listens on 127.0.0.1 (steps 1-3 use --network host and --host 127.0.0.1; step 5
# publishes on 127.0.0.1 only). Every container, the volume, Pebble and the temp dir are removed
# at the end, whatever happens.
# Env: CERTDOCS_TEST_IMAGE  tag to build and test (default localhost/certdocs:test)
#      NODE_IMAGE           base image (default: the Dockerfile's node:24-bookworm-slim)
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
T0=$(date +%s)
IMAGE=${CERTDOCS_TEST_IMAGE:-localhost/certdocs:test}
RUN=certdocs-test-$$
DOMAIN=docs.example.test
PODMAN=(podman --runtime runc)
ULIMITS=(--ulimit nofile=10000:20000 --ulimit nproc=1000:1000)
# No systemd here to run health checks on a timer; `podman healthcheck run` runs them by hand.
RUN_OPTS=(-d "${ULIMITS[@]}" --health-interval disable --label "$RUN")

say() { printf '[test-container] %s\n' "$*" >&2; }
# Podman 4.3 complains on every run/stop that it cannot reach systemd to time health checks, even
# with --health-interval disable: keep its stderr, minus that.
pm() { "${PODMAN[@]}" "$@" 2> >(grep -v 'systemd connection' >&2); }
step() { say "--- $* ($(($(date +%s) - T0)) s)"; }
fail() { say "FAIL: $*"; exit 1; }

APT_LOG_PREFIX=[test-container]
# podman's recommended packages are what a working Podman needs here: netavark, aardvark-dns and
# iptables for published ports, slirp4netns, catatonit for --init.
APT_WITH_RECOMMENDS=1
# shellcheck source=lib/apt.sh
. "$ROOT_DIR/scripts/lib/apt.sh"

[ "$(id -u)" -eq 0 ] || fail "run as root (rootful podman; debootstrap builds the base image)"
apt_install_missing podman=podman runc=runc debootstrap=debootstrap pebble=pebble \
  pebble-challtestsrv=pebble openssl=openssl || fail "cannot install the packages this test needs"
command -v node >/dev/null || fail "node not found (the checks run on the host's node)"
[ -d node_modules/@modelcontextprotocol/sdk ] || fail "node_modules missing: run npm ci first"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/certdocs-container.XXXXXX")
PIDS=()
cleanup() {
  local rc=$? ids
  trap - EXIT INT TERM
  ids=$("${PODMAN[@]}" ps -aq --filter "label=$RUN" 2>/dev/null || true)
  if [ -n "$ids" ]; then
    if [ "$rc" -ne 0 ]; then
      for id in $ids; do
        say "logs of $("${PODMAN[@]}" inspect --format '{{.Name}}' "$id" 2>/dev/null) (last 20 lines):"
        "${PODMAN[@]}" logs --tail 20 "$id" 2>&1 | sed 's/^/    /' >&2 || true
      done
      [ -f "$WORK/pebble.log" ] && { say "pebble log (last 10 lines):"; tail -n 10 "$WORK/pebble.log" | sed 's/^/    /' >&2; }
    fi
    # -v: the anonymous /data volumes of containers run without one go too
    # shellcheck disable=SC2086
    pm rm -f -v -t 0 $ids >/dev/null 2>&1 || true
  fi
  "${PODMAN[@]}" volume rm -f "$RUN-data" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  if [ "$rc" -eq 0 ]; then say "PASS in $(($(date +%s) - T0)) s"; else say "failed after $(($(date +%s) - T0)) s"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers -------------------------------------------------------------------------------------
free_ports() { # N -> N distinct free TCP ports on 127.0.0.1, one per line
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]), servers = [];
    (async () => {
      for (let i = 0; i < n; i++) {
        const s = net.createServer(); servers.push(s);
        await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
        console.log(s.address().port);
      }
      servers.forEach((s) => s.close());
    })();' "$1"
}
http_status() { # URL -> the status code, 000 when nothing answers (Node trusts NODE_EXTRA_CA_CERTS)
  node -e 'fetch(process.argv[1], { redirect: "manual", signal: AbortSignal.timeout(3000) })
    .then((r) => console.log(r.status), () => console.log("000"))' "$1"
}
wait_until() { # SECONDS WHAT CMD... -> polls CMD every 0.5 s until it succeeds
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.5
  done
}
running() { [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || fail "container $1 exited: $("${PODMAN[@]}" logs --tail 5 "$1" 2>&1)"; }
healthy() { running "$1" && "${PODMAN[@]}" healthcheck run "$1"; }
stop_within_10s() { # NAME -> podman stop; fails unless exit code 0 within 10 s
  local t0 t1 code
  t0=$(date +%s%N)
  pm stop -t 10 "$1" >/dev/null
  t1=$(date +%s%N)
  code=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$1")
  local ms=$(((t1 - t0) / 1000000))
  [ "$code" = 0 ] || fail "podman stop $1: exit code $code (want 0)"
  [ "$ms" -lt 10000 ] || fail "podman stop $1 took $ms ms (SIGKILL after the 10 s grace?)"
  say "podman stop $1: exit code 0 after $ms ms"
}
issued() { grep -c 'Issued certificate serial' "$WORK/pebble.log" || true; }

# ---- images --------------------------------------------------------------------------------------
step "base image"
if [ -z "${NODE_IMAGE:-}" ]; then
  timeout 600 bash scripts/node-base-image.sh || fail "cannot build the node:24-bookworm-slim stand-in"
fi
step "podman build $IMAGE"
# --format docker keeps HEALTHCHECK; --pull=never resolves node:24-bookworm-slim to the local
# stand-in; --network host reaches the npm registry the way this machine does.
timeout 900 "${PODMAN[@]}" build --pull=never --format docker --network host "${ULIMITS[@]}" \
  ${NODE_IMAGE:+--build-arg "NODE_IMAGE=$NODE_IMAGE"} -t "$IMAGE" . >"$WORK/build.log" 2>&1 ||
  { tail -n 30 "$WORK/build.log" >&2; fail "podman build failed"; }
user=$("${PODMAN[@]}" image inspect --format '{{.Config.User}}' "$IMAGE")
[ "$user" = node ] || fail "the image runs as '$user', want node"
"${PODMAN[@]}" image inspect --format '{{.Config.Healthcheck}}' "$IMAGE" | grep -q healthcheck ||
  fail "the image has no HEALTHCHECK (built without --format docker?)"

mapfile -t P < <(free_ports 8)
HTTP_PORT=${P[0]} TLS_PORT=${P[1]} ACME_PORT=${P[2]} PEBBLE_PORT=${P[3]} PEBBLE_MGMT=${P[4]}
DNS_PORT=${P[5]} CTS_MGMT=${P[6]}

# ---- 1. plain HTTP -------------------------------------------------------------------------------
step "1. plain HTTP, bundled docs, no capabilities at all, --network host on 127.0.0.1:$HTTP_PORT"
pm run "${RUN_OPTS[@]}" --name "$RUN-http" --network host --cap-drop ALL "$IMAGE" \
  --host 127.0.0.1 --port "$HTTP_PORT" >/dev/null
wait_until 30 "the HEALTHCHECK of $RUN-http" healthy "$RUN-http"
[ "$(http_status "http://127.0.0.1:$HTTP_PORT/healthz")" = 200 ] || fail "/healthz is not 200"
node scripts/container-mcp-check.mjs "http://127.0.0.1:$HTTP_PORT/mcp" "getting started" >&2 ||
  fail "MCP over plain HTTP"

step "4a. podman stop (plain HTTP)"
stop_within_10s "$RUN-http"

# ---- 2. HTTPS from a loopback Pebble -------------------------------------------------------------
step "2. HTTPS: Pebble on 127.0.0.1:$PEBBLE_PORT, HTTP-01 on :$ACME_PORT, HTTPS on :$TLS_PORT"
# Pebble's own listener certificate, from a throwaway CA the container is told to trust.
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -days 1 \
  -subj "/CN=certdocs container test pebble listener CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req "${ec[@]}" -keyout "$WORK/key.pem" -out "$WORK/leaf.csr" -subj "/CN=localhost" 2>/dev/null
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -out "$WORK/cert.pem" -days 1 -extfile "$WORK/leaf.ext" 2>/dev/null
chmod 0644 "$WORK/ca.pem" # read by the container's node user
cat >"$WORK/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$PEBBLE_PORT", "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT",
  "certificate": "$WORK/cert.pem", "privateKey": "$WORK/key.pem", "httpPort": $ACME_PORT, "tlsPort": $TLS_PORT,
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
# challtestsrv only as Pebble's DNS: every name is 127.0.0.1; its own responders stay off.
pebble-challtestsrv -http01 '' -https01 '' -tlsalpn01 '' -defaultIPv4 127.0.0.1 -defaultIPv6 '' \
  -dns01 "127.0.0.1:$DNS_PORT" -management "127.0.0.1:$CTS_MGMT" >"$WORK/challtestsrv.log" 2>&1 &
PIDS+=($!)
wait_until 10 "pebble-challtestsrv" bash -c "exec 3<>/dev/tcp/127.0.0.1/$DNS_PORT"
PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 \
  pebble -config "$WORK/pebble.json" -dnsserver "127.0.0.1:$DNS_PORT" >"$WORK/pebble.log" 2>&1 &
PIDS+=($!)
export NODE_EXTRA_CA_CERTS="$WORK/ca.pem" # for the probes of Pebble below
wait_until 15 "Pebble's directory" bash -c "[ \"\$(node -e 'fetch(process.argv[1]).then(r => console.log(r.status), () => console.log(0))' https://127.0.0.1:$PEBBLE_PORT/dir)\" = 200 ]"

"${PODMAN[@]}" volume create "$RUN-data" >/dev/null
https_run() { # NAME -> a certdocs container in HTTPS mode against Pebble, certificates on the volume
  pm run "${RUN_OPTS[@]}" --name "$1" --network host -v "$RUN-data:/data" \
    -v "$WORK/ca.pem:/run/pebble-ca.pem:ro" -e NODE_EXTRA_CA_CERTS=/run/pebble-ca.pem "$IMAGE" \
    --host 127.0.0.1 --domain "$DOMAIN" --port "$TLS_PORT" --acme-port "$ACME_PORT" \
    --acme-directory "https://127.0.0.1:$PEBBLE_PORT/dir" --accept-tos >/dev/null
}
https_run "$RUN-https"
wait_until 60 "the HEALTHCHECK of $RUN-https (HTTPS up)" healthy "$RUN-https"
[ "$(issued)" = 1 ] || fail "Pebble issued $(issued) certificates, want 1"
node -e 'fetch(process.argv[1]).then(r => r.text()).then((t) => process.stdout.write(t))' \
  "https://127.0.0.1:$PEBBLE_MGMT/roots/0" >"$WORK/root.pem"
NODE_EXTRA_CA_CERTS="$WORK/root.pem" node scripts/container-mcp-check.mjs "https://$DOMAIN:$TLS_PORT/mcp" \
  "getting started" --resolve "$DOMAIN=127.0.0.1" >&2 || fail "MCP over HTTPS"
[ "$(http_status "http://127.0.0.1:$ACME_PORT/mcp")" = 301 ] || fail "the ACME port does not redirect to HTTPS"

step "4b. podman stop (HTTPS)"
stop_within_10s "$RUN-https"

# ---- 3. restart on the same volume ---------------------------------------------------------------
step "3. a new container on the same volume"
https_run "$RUN-https2"
wait_until 30 "the HEALTHCHECK of $RUN-https2" healthy "$RUN-https2"
# The early listener answers the HEALTHCHECK before the rest of the app has loaded and logged:
# wait for the line instead of reading the log once.
logged() { "${PODMAN[@]}" logs "$1" 2>&1 | grep -q "$2"; }
wait_until 15 "'using stored certificate' in the log of $RUN-https2" logged "$RUN-https2" 'using stored certificate'

[ "$(issued)" = 1 ] || fail "the restart ordered a new certificate (Pebble issued $(issued))"
NODE_EXTRA_CA_CERTS="$WORK/root.pem" node scripts/container-mcp-check.mjs "https://$DOMAIN:$TLS_PORT/mcp" \
  "getting started" --resolve "$DOMAIN=127.0.0.1" >&2 || fail "MCP over HTTPS after the restart"
pm stop -t 10 "$RUN-https2" >/dev/null

# ---- 5. the node user on ports 80 and 443 --------------------------------------------------------
mapfile -t Q < <(free_ports 2)
H80=${Q[0]} H443=${Q[1]}
step "5. ports 80/443 as the node user, own network namespace, published on 127.0.0.1:$H80/$H443"
low_run() { # NAME [PODMAN-RUN-OPTION...] -> default ports 80/443, stored certificate from the volume
  local name=$1
  shift
  pm run "${RUN_OPTS[@]}" --name "$name" "$@" -p "127.0.0.1:$H80:80" -p "127.0.0.1:$H443:443" \
    -v "$RUN-data:/data" "$IMAGE" --domain "$DOMAIN" --acme-directory "https://127.0.0.1:$PEBBLE_PORT/dir" \
    --accept-tos >/dev/null
}
# Without the sysctl the kernel refuses: certdocs must stop with a message naming the port.
low_run "$RUN-low-denied"
wait_until 15 "$RUN-low-denied to exit" bash -c \
  "[ \"\$(${PODMAN[*]} inspect --format '{{.State.Running}}' $RUN-low-denied)\" = false ]"
denied=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$RUN-low-denied")
[ "$denied" != 0 ] || fail "port 80 as the node user without the sysctl: want a failed start, got exit 0"
say "without the sysctl: exit $denied, $("${PODMAN[@]}" logs "$RUN-low-denied" 2>&1 | grep -m1 'not allowed to listen' || echo '(no reason logged)')"

low_run "$RUN-low" --sysctl net.ipv4.ip_unprivileged_port_start=0
wait_until 30 "the HEALTHCHECK of $RUN-low (port 80)" healthy "$RUN-low"
uid=$("${PODMAN[@]}" exec "$RUN-low" awk '/^Uid:/ {print $2}' /proc/1/status)
[ "$uid" = 1000 ] || fail "PID 1 runs as uid $uid, want 1000 (node)"
[ "$(http_status "http://127.0.0.1:$H80/mcp")" = 301 ] || fail "port 80 does not redirect"
NODE_EXTRA_CA_CERTS="$WORK/root.pem" node scripts/container-mcp-check.mjs "https://$DOMAIN:$H443/mcp" \
  "getting started" --resolve "$DOMAIN=127.0.0.1" >&2 || fail "MCP over HTTPS on port 443"
say "uid $uid serves :80 and :443 (published on 127.0.0.1:$H80 and :$H443)"
step "4c. podman stop (ports 80/443)"
stop_within_10s "$RUN-low"

# With the host's network namespace the sysctl cannot be set (it would be the host's); Podman
# hands an added capability to the non-root user instead. Only where 80/443 are free here.
if bash -c 'exec 3<>/dev/tcp/127.0.0.1/80' 2>/dev/null || bash -c 'exec 3<>/dev/tcp/127.0.0.1/443' 2>/dev/null; then
  say "5b skipped: something listens on 127.0.0.1:80 or :443 on this machine"
else
  step "5b. ports 80/443 as the node user, --network host, --cap-add NET_BIND_SERVICE"
  pm run "${RUN_OPTS[@]}" --name "$RUN-hostlow" --network host --cap-add NET_BIND_SERVICE -v "$RUN-data:/data" \
    "$IMAGE" --host 127.0.0.1 --domain "$DOMAIN" --acme-directory "https://127.0.0.1:$PEBBLE_PORT/dir" \
    --accept-tos >/dev/null
  wait_until 30 "the HEALTHCHECK of $RUN-hostlow (port 80)" healthy "$RUN-hostlow"
  NODE_EXTRA_CA_CERTS="$WORK/root.pem" node scripts/container-mcp-check.mjs "https://$DOMAIN/mcp" \
    "getting started" --resolve "$DOMAIN=127.0.0.1" >&2 || fail "MCP over HTTPS on port 443 (host network)"
  stop_within_10s "$RUN-hostlow"
fi
