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

case "${1:-}" in
  start) start_postgres; start_redis ;;
  browser) install_browser ;;
  postgres-ready) postgres_ready ;;
  *) echo "usage: $0 start|browser|postgres-ready" >&2; exit 2 ;;
esac
