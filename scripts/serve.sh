#!/usr/bin/env bash
# The production server: migrations, static files, then granian (WSGI) in front of
# config.wsgi. `make serve` runs this; so can a systemd unit (docs/deploy.md).
#
#   HOST (127.0.0.1), PORT (8000)  where to listen
#   WEB_WORKERS                    worker processes (default one per core, at least 2)
#   WATCHWORTHY_ENV                production unless set; every other setting comes
#                                  from the environment (docs/configuration.md)
#
# Each worker runs one request at a time (--blocking-threads 1, as gunicorn's sync
# workers do): a second Python thread in a worker only waited on the first for the
# interpreter lock (bench/serving.md). One access-log line per request goes to standard output. `kill -HUP <pid>` (the
# first process) replaces the workers one by one after a code or setting change,
# without dropping requests; SIGTERM stops after the requests in hand.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export WATCHWORTHY_ENV=${WATCHWORTHY_ENV:-production}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# One worker per core: a request is CPU work (SQLite is in the process), and more
# workers than cores only took turns on them (bench/serving.md). At least two, so one
# slow request never holds the whole site. Raise it when requests wait on a database
# or storage on another machine.
CORES=$(nproc)
WEB_WORKERS=${WEB_WORKERS:-$((CORES > 2 ? CORES : 2))}
if [ "${WATCHWORTHY_SKIP_MIGRATE:-0}" != "1" ]; then
  "$BIN/python" manage.py migrate --noinput
fi
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
echo "Serving on http://$HOST:$PORT/ with $WEB_WORKERS workers (granian, pid $$: kill -HUP $$ reloads)"
exec "$BIN/granian" --interface wsgi config.wsgi:application \
  --host "$HOST" --port "$PORT" --workers "$WEB_WORKERS" \
  --blocking-threads 1 --access-log --respawn-failed-workers --workers-kill-timeout 30
