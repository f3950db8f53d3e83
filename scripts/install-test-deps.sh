#!/usr/bin/env bash
# Install / locate the dependencies needed by the integration tests:
#   - pebble + pebble-challtestsrv (Let's Encrypt test CA, Debian package `pebble`)
#   - redis-server (the --store redis contract and replica tests)
#   - openssl (the CLI: the Pebble test harness makes its listener certificates with it)
#   - the Node.js API markdown docs corpus (/usr/share/doc/nodejs/api/*.md)
#
# Idempotent: does nothing if everything is already present.
# NOTE: never `apt-get install nodejs-doc` -- on NodeSource installs it conflicts
# with the `nodejs` package and would remove node. We only download + extract it.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$ROOT_DIR/.cache"
NODE_API_CACHE="$CACHE_DIR/nodejs-api"
SYSTEM_NODE_API="/usr/share/doc/nodejs/api"

log() { printf '[install-test-deps] %s\n' "$*"; }
warn() { printf '[install-test-deps] WARNING: %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_LOG_PREFIX=[install-test-deps]
# shellcheck source=lib/apt.sh
. "$ROOT_DIR/scripts/lib/apt.sh"

# ---------------------------------------------------------------------------
# 1. pebble, pebble-challtestsrv, redis-server, openssl
# ---------------------------------------------------------------------------
missing_pkgs=()
if ! command -v pebble >/dev/null 2>&1 || ! command -v pebble-challtestsrv >/dev/null 2>&1; then
  missing_pkgs+=(pebble)
fi
if ! command -v redis-server >/dev/null 2>&1; then
  missing_pkgs+=(redis-server)
fi
if ! command -v openssl >/dev/null 2>&1; then
  missing_pkgs+=(openssl)
fi

if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  # A background install may be finishing right now: wait, then re-check.
  if is_root; then wait_for_apt_lock; fi
  hash -r
  still_missing=()
  for p in "${missing_pkgs[@]}"; do
    case "$p" in
      pebble) { command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1; } || still_missing+=(pebble) ;;
      redis-server) command -v redis-server >/dev/null 2>&1 || still_missing+=(redis-server) ;;
      openssl) command -v openssl >/dev/null 2>&1 || still_missing+=(openssl) ;;
    esac
  done
  missing_pkgs=("${still_missing[@]+"${still_missing[@]}"}")
fi

if [ "${#missing_pkgs[@]}" -gt 0 ]; then
  if is_root; then
    log "installing: ${missing_pkgs[*]}"
    apt_update_once
    apt_get install -y -qq --no-install-recommends "${missing_pkgs[@]}"
    hash -r
  else
    warn "missing packages: ${missing_pkgs[*]} (not root, not installing)"
    warn "install them with: sudo apt-get update && sudo apt-get install -y ${missing_pkgs[*]}"
    warn "integration tests that need them will be skipped"
  fi
fi

if command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1; then
  log "pebble: $(command -v pebble), challtestsrv: $(command -v pebble-challtestsrv)"
fi
if command -v redis-server >/dev/null 2>&1; then
  log "redis-server: $(command -v redis-server)"
fi
if command -v openssl >/dev/null 2>&1; then
  log "openssl: $(command -v openssl)"
fi

# ---------------------------------------------------------------------------
# 2. Node.js API docs corpus
# ---------------------------------------------------------------------------
has_md() { compgen -G "$1/*.md" >/dev/null 2>&1; }

if has_md "$SYSTEM_NODE_API"; then
  log "Node.js API docs corpus: $SYSTEM_NODE_API ($(ls "$SYSTEM_NODE_API"/*.md | wc -l) .md files)"
  exit 0
fi
if has_md "$NODE_API_CACHE"; then
  log "Node.js API docs corpus: $NODE_API_CACHE ($(ls "$NODE_API_CACHE"/*.md | wc -l) .md files)"
  exit 0
fi

mkdir -p "$CACHE_DIR"
# Keep the whole cache dir out of git without touching the repo's .gitignore.
[ -f "$CACHE_DIR/.gitignore" ] || printf '*\n' > "$CACHE_DIR/.gitignore"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log "downloading nodejs-doc (download + extract only, NOT installed)..."
(
  cd "$tmp"
  # `apt-get download` needs no root, but may need fresh package lists.
  if ! apt-get download nodejs-doc >/dev/null 2>&1; then
    if is_root; then
      apt_update_once
      apt-get download nodejs-doc
    else
      warn "could not download nodejs-doc (try: sudo apt-get update)"
      exit 1
    fi
  fi
) || { warn "Node.js API docs corpus unavailable"; exit 0; }

deb="$(ls "$tmp"/nodejs-doc_*.deb | head -n1)"
dpkg -x "$deb" "$tmp/x"
src="$tmp/x/usr/share/doc/nodejs/api"
if [ ! -d "$src" ]; then
  warn "unexpected nodejs-doc layout (no usr/share/doc/nodejs/api in $deb)"
  exit 0
fi
mkdir -p "$NODE_API_CACHE.tmp"
shopt -s nullglob
for f in "$src"/*.md.gz; do gunzip -c "$f" > "$NODE_API_CACHE.tmp/$(basename "${f%.gz}")"; done
for f in "$src"/*.md; do cp "$f" "$NODE_API_CACHE.tmp/"; done
shopt -u nullglob
rm -rf "$NODE_API_CACHE"
mv "$NODE_API_CACHE.tmp" "$NODE_API_CACHE"
log "Node.js API docs corpus: $NODE_API_CACHE ($(ls "$NODE_API_CACHE"/*.md | wc -l) .md files)"
