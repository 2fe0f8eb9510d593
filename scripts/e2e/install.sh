#!/usr/bin/env bash
# Installs, for the current user and without root, what the end-to-end tests and `npm start`
# need, each step only when missing: Node 24 (npm package node@24, code-server requires it),
# code-server, playwright-core, all from the npm registry into $KOKORO_E2E_HOME.
# System packages are not installed here: when one is missing it says which, and how.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
. "$here/system.sh"
log() { echo "[e2e-install] $*"; }

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  log "the test VS Code (code-server with Node 24 from npm) is set up here for Linux x86-64 only, not $(uname -s)-$(uname -m)." >&2
  exit 3
fi
missing=$(missing_build_packages | tr '\n' ' ')
missing=${missing% }
if [ -n "$missing" ]; then
  log "missing system packages: $missing (code-server's native modules build with them)." >&2
  log "install them once as root:  sudo bash scripts/e2e/install-system.sh   (Debian/Ubuntu; or: apt-get install $missing)" >&2
  exit 3
fi

# Recent npm (11.x) skips dependencies' install scripts unless allowed; node@24 (preinstall
# fetches the binary) and code-server (postinstall builds its native modules, with nested npm
# installs) need theirs. The variable reaches those nested installs; older npm lacks the option.
if [ "$(npm config get dangerously-allow-all-scripts 2>/dev/null)" = false ]; then
  export npm_config_dangerously_allow_all_scripts=true
fi

# Under `npm test` the outer npm's run-time variables leak into these nested installs: its
# npm_config_user_agent (naming the Node that runs it) is where code-server's postinstall reads
# the Node version from, so it refused Node 24 as "v20". Keep only the network, cache and
# script settings.
while IFS='=' read -r name _; do
  case "${name,,}" in
    npm_config_registry | npm_config_cafile | npm_config_ca | npm_config_cache | npm_config_*proxy \
      | npm_config_strict_ssl | npm_config_userconfig | npm_config_dangerously_allow_all_scripts) ;;
    npm_* | node) unset "$name" ;;
  esac
done < <(env)

mkdir -p "$KOKORO_E2E_HOME/node24" "$KOKORO_E2E_HOME/cs" "$KOKORO_E2E_HOME/driver"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "installing Node 24 (npm package node@24)"
  (cd "$KOKORO_E2E_HOME/node24" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-save --no-audit --no-fund node@24 >/dev/null)
  [ -x "$NODE24_DIR/bin/node" ] || { log "node@24 installed but $NODE24_DIR/bin/node is missing (its install script did not run?)" >&2; exit 1; }
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
