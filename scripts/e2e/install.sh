#!/usr/bin/env bash
# Installs what the end-to-end tests and `npm start` need, each step only when missing:
# Debian chromium + libkrb5-dev (+ espeak-ng, sox for the demo voice), Node 24 (npm
# package node@24, code-server requires it), code-server, playwright-core.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
log() { echo "[e2e-install] $*"; }

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

mkdir -p "$KOKORO_E2E_HOME/node24" "$KOKORO_E2E_HOME/cs" "$KOKORO_E2E_HOME/driver"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "installing Node 24 (npm package node@24)"
  (cd "$KOKORO_E2E_HOME/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save --no-audit --no-fund node@24 >/dev/null)
fi
if [ ! -f "$KOKORO_E2E_HOME/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  log "installing code-server $CODE_SERVER_VERSION (a few minutes, once)"
  (use_node24 && cd "$KOKORO_E2E_HOME/cs" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null)
fi
if [ ! -d "$KOKORO_E2E_HOME/driver/node_modules/playwright-core" ]; then
  log "installing playwright-core $PLAYWRIGHT_CORE_VERSION"
  (cd "$KOKORO_E2E_HOME/driver" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null)
fi
[ -f "$CODE_SERVER_ENTRY" ] || { log "code-server entry missing: $CODE_SERVER_ENTRY"; exit 1; }
log "ready in $KOKORO_E2E_HOME"
