#!/usr/bin/env bash
# Run Pebble (Let's Encrypt test CA) + pebble-challtestsrv (mock DNS: every
# name -> 127.0.0.1) in the foreground on fixed loopback ports, for trying
# certdocs by hand. Ctrl-C stops both.
#
#   ACME directory   https://127.0.0.1:14000/dir
#   management       https://127.0.0.1:15000   (/roots/0, /intermediates/0)
#   HTTP-01          Pebble validates http://<domain>:5002/  -> certdocs --acme-port 5002
#   TLS-ALPN-01      Pebble validates <domain>:5001
#   mock DNS         127.0.0.1:8053 (udp+tcp), challtestsrv mgmt http://127.0.0.1:8055
#
# Listener certs (trust ca.pem to talk to Pebble) go to .cache/pebble/.
# Env knobs: PEBBLE_WFE_NONCEREJECT (default 0), PEBBLE_CERT_VALIDITY (seconds, optional).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
DIR=".cache/pebble"
LISTEN_PORT=14000 MGMT_PORT=15000 HTTP_PORT=5002 TLS_PORT=5001 DNS_PORT=8053 CTS_MGMT_PORT=8055

for bin in pebble pebble-challtestsrv openssl curl; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    case "$bin" in pebble*) pkg=pebble ;; *) pkg="$bin" ;; esac
    echo "error: '$bin' not found; run scripts/install-test-deps.sh (Debian package: $pkg)" >&2
    exit 1
  fi
done

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $LISTEN_PORT $MGMT_PORT $DNS_PORT $CTS_MGMT_PORT; do
  if port_busy "$p"; then echo "error: 127.0.0.1:$p is already in use (another pebble-dev running?)" >&2; exit 1; fi
done

mkdir -p "$DIR"
[ -f .cache/.gitignore ] || printf '*\n' > .cache/.gitignore

# --- listener CA + localhost/127.0.0.1 leaf (reused while valid for >1 day) --
if ! { [ -f "$DIR/cert.pem" ] && [ -f "$DIR/key.pem" ] && [ -f "$DIR/ca.pem" ] \
       && openssl x509 -checkend 86400 -noout -in "$DIR/cert.pem" >/dev/null 2>&1; }; then
  echo "generating listener certs in $DIR/"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$DIR/ca.key" -out "$DIR/ca.pem" -days 365 \
    -subj "/CN=certdocs dev pebble listener CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$DIR/key.pem" -out "$DIR/leaf.csr" -subj "/CN=localhost" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" > "$DIR/leaf.ext"
  openssl x509 -req -in "$DIR/leaf.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial \
    -out "$DIR/cert.pem" -days 365 -extfile "$DIR/leaf.ext" 2>/dev/null
fi

validity=""
if [ -n "${PEBBLE_CERT_VALIDITY:-}" ]; then validity="\"certificateValidityPeriod\": ${PEBBLE_CERT_VALIDITY},"; fi
cat > "$DIR/pebble-config.json" <<JSON
{
  "pebble": {
    "listenAddress": "127.0.0.1:$LISTEN_PORT",
    "managementListenAddress": "127.0.0.1:$MGMT_PORT",
    "certificate": "$ROOT_DIR/$DIR/cert.pem",
    "privateKey": "$ROOT_DIR/$DIR/key.pem",
    "httpPort": $HTTP_PORT,
    "tlsPort": $TLS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false,
    "externalAccountMACKeys": {},
    $validity
    "domainBlocklist": []
  }
}
JSON

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "pebble-dev: stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# challtestsrv: DNS only (its own HTTP-01/TLS-ALPN/HTTPS responders are disabled
# so they don't take 5002/5001 away from certdocs). No AAAA answers.
pebble-challtestsrv -http01 "" -https01 "" -tlsalpn01 "" \
  -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
  -dns01 "127.0.0.1:$DNS_PORT" -management "127.0.0.1:$CTS_MGMT_PORT" &
pids+=($!)

PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT="${PEBBLE_WFE_NONCEREJECT:-0}" \
  pebble -config "$DIR/pebble-config.json" -dnsserver "127.0.0.1:$DNS_PORT" &
pids+=($!)

# Wait for the directory, then save this run's root (regenerated every start).
for _ in $(seq 1 100); do
  if curl -fsS --cacert "$DIR/ca.pem" "https://127.0.0.1:$LISTEN_PORT/dir" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "error: pebble or challtestsrv exited" >&2; exit 1; }; done
  sleep 0.1
done
curl -fsS --cacert "$DIR/ca.pem" "https://127.0.0.1:$MGMT_PORT/roots/0" > "$DIR/root.pem" \
  || echo "warning: could not fetch Pebble root from management /roots/0" >&2

cat <<MSG

================================================================================
Pebble is up: ACME directory https://127.0.0.1:$LISTEN_PORT/dir
  (HTTP-01 validated on :$HTTP_PORT, TLS-ALPN-01 on :$TLS_PORT, all names resolve to 127.0.0.1)

In another terminal, from $ROOT_DIR:

  NODE_EXTRA_CA_CERTS=$DIR/ca.pem npx certdocs --domain docs.example.test --acme-directory https://127.0.0.1:$LISTEN_PORT/dir --acme-port $HTTP_PORT --port 8443 --accept-tos

Verify the issued cert against this run's Pebble root (saved to $DIR/root.pem):

  curl --cacert $DIR/ca.pem https://127.0.0.1:$MGMT_PORT/roots/0 > $DIR/root.pem   # root changes every Pebble start
  curl -v --cacert $DIR/root.pem --resolve docs.example.test:8443:127.0.0.1 https://docs.example.test:8443/

Ctrl-C stops Pebble and challtestsrv.
================================================================================

MSG

# Foreground until Ctrl-C or either process dies.
wait -n "${pids[@]}" || true
echo "pebble-dev: a process exited; shutting down" >&2
exit 1
