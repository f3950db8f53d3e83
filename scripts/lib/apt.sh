# shellcheck shell=bash
# apt-get helpers shared by the scripts that install what they need (source this file).
# A machine of ours may run another apt-get at the same moment (a background install at boot,
# another script): wait for its locks instead of failing on them.
#
#   apt_get ARGS...         apt-get with lock waiting, non-interactive
#   apt_update_once         apt-get update, at most once per script run
#   apt_install_missing CMD=PKG...   install PKG for every CMD not on the PATH (root only; returns 1
#                           naming what is missing otherwise); APT_WITH_RECOMMENDS=1 installs
#                           their recommended packages too
# Messages go to stderr prefixed with $APT_LOG_PREFIX (default "[apt]").

apt_log() { printf '%s %s\n' "${APT_LOG_PREFIX:-[apt]}" "$*" >&2; }

# Wait (up to ~10 min) for other apt/dpkg processes to release their locks,
# e.g. a background `apt-get install` that is already running.
wait_for_apt_lock() {
  local locks=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
  local waited=0
  while :; do
    local busy=0
    if command -v fuser >/dev/null 2>&1; then
      for l in "${locks[@]}"; do
        if [ -e "$l" ] && fuser "$l" >/dev/null 2>&1; then busy=1; break; fi
      done
    elif pgrep -x 'apt-get|apt|dpkg|unattended-upgr' >/dev/null 2>&1; then
      busy=1
    fi
    [ "$busy" -eq 0 ] && return 0
    if [ "$waited" -eq 0 ]; then apt_log "waiting for another apt/dpkg process to finish..."; fi
    if [ "$waited" -ge 600 ]; then apt_log "WARNING: apt/dpkg lock still held after ${waited}s; trying anyway"; return 0; fi
    sleep 2
    waited=$((waited + 2))
  done
}

# apt-get with lock waiting (DPkg::Lock::Timeout also covers races after our check).
apt_get() {
  wait_for_apt_lock
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    apt_get update -qq
    APT_UPDATED=1
  fi
}

apt_install_missing() {
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  # A background install may be finishing right now: wait, then look again.
  [ "$(id -u)" -eq 0 ] && wait_for_apt_lock
  hash -r
  missing=()
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" -ne 0 ]; then
    apt_log "missing packages: ${missing[*]} (not root, not installing: sudo apt-get install -y ${missing[*]})"
    return 1
  fi
  apt_log "installing: ${missing[*]}"
  local recommends=--no-install-recommends
  [ "${APT_WITH_RECOMMENDS:-0}" = 1 ] && recommends=--install-recommends
  # The package lists may be stale on a fresh machine: update only when the install needs it.
  if ! apt_get install -y -qq "$recommends" "${missing[@]}" >/dev/null; then
    apt_update_once
    apt_get install -y -qq "$recommends" "${missing[@]}" >/dev/null || return 1
  fi
  hash -r
}
