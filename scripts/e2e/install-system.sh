#!/usr/bin/env bash
# Installs, as root, the Debian/Ubuntu packages the tests need (see system.sh), each only
# when missing. `npm test` never does this itself; `.ci/run` runs it before the tests.
# Usage: sudo bash scripts/e2e/install-system.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/system.sh"
log() { echo "[e2e-install-system] $*"; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
has_nginx || missing+=(nginx)
mapfile -t -O ${#missing[@]} missing < <(missing_build_packages)
if [ ${#missing[@]} -eq 0 ]; then
  log "all present: ${SYSTEM_PACKAGES[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "missing: ${missing[*]}; run this as root: sudo bash scripts/e2e/install-system.sh" >&2
  exit 1
fi
command -v apt-get >/dev/null || { log "no apt-get: install ${missing[*]} with your package manager" >&2; exit 1; }
log "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
others=()
for package in "${missing[@]}"; do [ "$package" = nginx ] || others+=("$package"); done
[ ${#others[@]} -eq 0 ] || apt-get install -y -q "${others[@]}" >/dev/null
if [ ${#others[@]} -lt ${#missing[@]} ]; then
  # The tests run their own nginx. The package would start its service on port 80 (and fail to install
  # where that port is taken): a policy-rc.d keeps it from starting now, and it is not started at boot.
  policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then
    apt-get install -y -q nginx >/dev/null
  else
    trap 'rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    apt-get install -y -q nginx >/dev/null
    rm -f "$policy"
    trap - EXIT
    ! command -v systemctl >/dev/null || systemctl disable nginx >/dev/null 2>&1 || true
  fi
fi
log "installed: ${missing[*]}"
