#!/usr/bin/env bash
# Measure gunicorn (sync workers) against granian (WSGI) on one page of the demo in
# production mode, with the same number of worker processes, using wrk on loopback.
#   bash bench/serve_bench.sh [WORKERS] [SECONDS]      (ROUNDS=2: each server twice)
# Needs: make install, the bench extras (pip install gunicorn granian, both pinned in
# pyproject.toml), Debian's wrk. Prints req/s and latency percentiles for each.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-5}
SECONDS_EACH=${2:-20}
PORT=${BENCH_PORT:-8431}
PAGE=${BENCH_PAGE:-/reviews/ferrylight-part-1-review/}
DIR=$(mktemp -d)
export WATCHWORTHY_ENV=production
export DJANGO_SECRET_KEY=bench-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export WATCHWORTHY_SITE_URL=http://127.0.0.1:$PORT
export DJANGO_SECURE_SSL_REDIRECT=0
export WATCHWORTHY_DATA_DIR=$DIR/var WATCHWORTHY_STATIC_ROOT=$DIR/static
unset DATABASE_URL REDIS_URL
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python manage.py load_demo --if-empty >/dev/null

run() {  # name, command...
  local name=$1; shift
  "$@" >"$DIR/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT$PAGE" && break; sleep 0.2; done
  wrk -t2 -c"${CONNS:-16}" -d3s "http://127.0.0.1:$PORT$PAGE" >/dev/null  # warm up
  echo "== $name, $WORKERS workers, ${SECONDS_EACH}s, ${CONNS:-16} connections"
  wrk -t2 -c"${CONNS:-16}" -d"${SECONDS_EACH}s" --latency "http://127.0.0.1:$PORT$PAGE" \
    | grep -E "Requests/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

# Alternate the two (the machine is shared: a busy moment should not favour one).
for _ in $(seq "${ROUNDS:-2}"); do
  run gunicorn .venv/bin/gunicorn config.wsgi:application --workers "$WORKERS" \
    --bind "127.0.0.1:$PORT" --access-logfile -
  run granian .venv/bin/granian --interface wsgi config.wsgi:application --workers "$WORKERS" \
    --host 127.0.0.1 --port "$PORT" --access-log
done
rm -rf "$DIR"
