# Sourced by install.sh and install-system.sh: the Debian packages the tests need from the
# system, which only root can install (scripts/e2e/install-system.sh, or .ci/run).
# chromium: the player and end-to-end tests drive it headless (any Chromium or Chrome via CHROMIUM=path).
# libkrb5-dev, build-essential, python3, pkg-config: code-server's native modules build with them.
# espeak-ng: the demo voice of `npm start` speaks words with it (optional: a tone otherwise).
# nginx: the team setup's tests start it themselves, without root, with deploy/nginx/kokoro.conf (skipped without it).
SYSTEM_PACKAGES=(chromium libkrb5-dev build-essential python3 pkg-config espeak-ng nginx)

# Whether nginx is installed: it lives in /usr/sbin, which a non-root PATH often lacks.
has_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]
}

# Prints the packages code-server's installation needs that are missing, one per line.
missing_build_packages() {
  [ -e /usr/include/gssapi/gssapi.h ] || echo libkrb5-dev
  { command -v g++ && command -v make; } >/dev/null || echo build-essential
  command -v python3 >/dev/null || echo python3
  command -v pkg-config >/dev/null || echo pkg-config
}
