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

.PHONY: run test test-quick test-sqlite test-postgres install services browser lint fmt bench bench-import bench-compare clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py ensure_admin --site http://$(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on SQLite, then again on PostgreSQL. Browser tests need Debian's
# chromium; PostgreSQL tests need a server on 127.0.0.1:5432. Missing ones skip with
# a reason, unless WATCHWORTHY_REQUIRE_BROWSER=1 / WATCHWORTHY_REQUIRE_POSTGRES=1.
test: install services browser lint
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

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

browser:
	@bash scripts/services.sh browser

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
# that is flushed (empty: no Redis row). See bench/README.md.
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/watchworthy_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/6
bench-compare: install
	BENCH_PG_URL=$(BENCH_PG_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/compare.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
