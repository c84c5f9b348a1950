#!/usr/bin/env bash
# Start the local services the test suite talks to, and install the browser the
# end-to-end tests drive. Every step is best-effort: what cannot be done here is
# reported in one line, and the tests that need it skip (or fail, in CI).
set -u

postgres_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

start_postgres() {
  postgres_ready && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 20); do postgres_ready && return 0; sleep 0.5; done
  fi
  echo "note: PostgreSQL is not installed or would not start; its tests will skip."
}

start_redis() {
  redis_ready && return 0
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do redis_ready && return 0; sleep 0.25; done
  fi
  echo "note: Redis is not installed or would not start; its tests will skip."
}

install_browser() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests (once)…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
      >/tmp/watchworthy-chromium-install.log 2>&1 || true
  fi
  [ -x /usr/bin/chromium ] || echo "note: /usr/bin/chromium is missing and could not be installed; browser tests will skip."
}

# axe-core, the accessibility engine the browser tests inject into each page: one pinned
# release from the npm registry, unpacked into a git-ignored folder (.cache/axe-core).
AXE_VERSION=4.14.1
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.cache/axe-core"

install_axe() {
  [ -f "$AXE_DIR/$AXE_VERSION/axe.min.js" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: npm is missing; the accessibility (axe-core) browser tests will skip."
    return 0
  fi
  local tmp
  tmp="$(mktemp -d)"
  if (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null 2>&1 \
      && tar -xzf "axe-core-$AXE_VERSION.tgz" package/axe.min.js package/LICENSE); then
    mkdir -p "$AXE_DIR/$AXE_VERSION"
    mv "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$AXE_DIR/$AXE_VERSION/"
  else
    echo "note: could not fetch axe-core@$AXE_VERSION with npm; the accessibility tests will skip."
  fi
  rm -rf "$tmp"
}

case "${1:-}" in
  start) start_postgres; start_redis ;;
  browser) install_browser; install_axe ;;
  axe) install_axe ;;
  axe-version) echo "$AXE_VERSION" ;;
  postgres-ready) postgres_ready ;;
  *) echo "usage: $0 start|browser|axe|axe-version|postgres-ready" >&2; exit 2 ;;
esac
