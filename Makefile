# Samplan – developer commands.
#
#   make demo    set up, load the synthetic county, serve http://127.0.0.1:8000/
#   make test    lint, type check, migrations check, test suite on SQLite and on PostgreSQL
#   make lint    ruff check, ruff format --check, mypy
#   make clean   remove the virtualenv, caches and local data
#   make benchmark  page times and query counts on a throwaway county (options: BENCHMARK_ARGS="...")
#
# Needs Python >= 3.11 (override with PYTHON=/path/to/python3.x). uv is installed if missing.
# Browser tests use Debian's chromium (/usr/bin/chromium or SAMPLAN_CHROMIUM) and are skipped
# without it; the PostgreSQL run uses /usr/lib/postgresql/*/bin and is skipped without it.
# CI sets SAMPLAN_REQUIRE_BROWSER=1 and SAMPLAN_REQUIRE_POSTGRES=1, which turn skips into failures.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.ONESHELL:
MAKEFLAGS += --no-print-directory

# Interpreter discovery: the first of these that runs and is >= 3.11, as an absolute path
# (uv must not go looking for, or try to download, interpreters itself).
PYTHON_CANDIDATES := python3.11 python3.12 python3.13 python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for c in $(PYTHON_CANDIDATES); do \
	command -v $$c >/dev/null 2>&1 || continue; \
	$$c -c 'import sys; assert sys.version_info >= (3, 11); print(sys.executable)' 2>/dev/null \
	&& break; done)
endif
export PYTHON

VENV := .venv
BIN := $(VENV)/bin
BOOTSTRAP := var/bootstrap
# -ra lists every skip with its reason, so a skipped browser or PostgreSQL run is visible.
# -n: one pytest-xdist worker per CPU (at most 4), each with its own test database.
PYTEST_ARGS ?= -ra -n auto --maxprocesses 4
# The browser tests drive pages through Chromium, whatever the database behind them; they run in
# the SQLite run (which every machine has) and are left out of the PostgreSQL one, which runs the
# rest of the suite: that keeps .ci/run under 15 minutes on a 2-core machine. Set it empty to run
# them on PostgreSQL too.
PYTEST_POSTGRES_ARGS ?= -m "not browser"
DEMO_SEED ?= 2026
DEMO_PERSONS ?= 300
DEMO_ADDR ?= 127.0.0.1:8000
BENCHMARK_ARGS ?= --persons 2000 --cases 300

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1

# Prints the uv to use, installing it first if there is none (pip --user, else a bootstrap venv).
define find_uv
	find_uv() {
	  if [[ -n "$${UV:-}" ]]; then echo "$$UV"; return; fi
	  if uv --version >/dev/null 2>&1; then command -v uv; return; fi
	  local user_uv="$$("$(PYTHON)" -m site --user-base)/bin/uv"
	  for candidate in "$$user_uv" "$(BOOTSTRAP)/bin/uv"; do
	    if "$$candidate" --version >/dev/null 2>&1; then echo "$$candidate"; return; fi
	  done
	  echo ">>> uv not found; installing it" >&2
	  if "$(PYTHON)" -m pip install --user --quiet --disable-pip-version-check uv >&2 \
	     && "$$user_uv" --version >/dev/null 2>&1; then
	    echo "$$user_uv"; return
	  fi
	  echo ">>> pip --user was refused; installing uv into $(BOOTSTRAP)" >&2
	  rm -rf "$(BOOTSTRAP)"
	  "$(PYTHON)" -m venv "$(BOOTSTRAP)" >&2
	  "$(BOOTSTRAP)/bin/python" -m pip install --quiet --disable-pip-version-check uv >&2
	  echo "$(BOOTSTRAP)/bin/uv"
	}
endef

.PHONY: help venv demo test lint check-migrations test-sqlite test-postgres clean benchmark

help:
	@sed -n '3,8s/^# \{0,1\}//p' Makefile

venv:
	@if [[ -z "$(PYTHON)" ]]; then
	  echo "No Python >= 3.11 found (tried $(PYTHON_CANDIDATES)); set PYTHON=/path/to/python3.11" >&2
	  exit 1
	fi
	# `make test` syncs once and tells its sub-makes (VENV_READY=1) not to sync again.
	if [[ "$${VENV_READY:-}" == 1 && -x $(BIN)/python ]]; then exit 0; fi
	$(find_uv)
	uv_bin=$$(find_uv)
	echo ">>> $$("$$uv_bin" --version), $$("$(PYTHON)" --version) ($(PYTHON))"
	"$$uv_bin" sync --frozen --python "$(PYTHON)" --quiet

demo: venv
	export SAMPLAN_DEMO=1 SAMPLAN_DEBUG=0
	mkdir -p "$${SAMPLAN_VAR_DIR:-var}"  # the SQLite database lives here; not in git
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_county --seed $(DEMO_SEED) --persons $(DEMO_PERSONS)
	echo ">>> Samplan demo on http://$(DEMO_ADDR)/  (Ctrl-C stops it)"
	# DEBUG is off, so --insecure makes runserver serve the CSS and JavaScript itself.
	exec $(BIN)/python manage.py runserver --insecure $(DEMO_ADDR)

lint: venv
	@echo ">>> ruff check"; $(BIN)/ruff check .
	echo ">>> ruff format --check"; $(BIN)/ruff format --check .
	echo ">>> mypy"; $(BIN)/mypy .

check-migrations: venv
	@echo ">>> makemigrations --check"
	DJANGO_SETTINGS_MODULE=samplan.settings_test $(BIN)/python manage.py makemigrations \
	  --check --dry-run

test-sqlite: venv
	@echo ">>> pytest on SQLite"
	env -u SAMPLAN_DB_ENGINE $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: venv
	@echo ">>> pytest on PostgreSQL"
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS) $(PYTEST_POSTGRES_ARGS)

test: venv
	@phase() { local name=$$1; shift; local t0=$$SECONDS; "$$@"; \
	  timings+=("$$(printf '%-18s %4ss' "$$name" $$((SECONDS - t0)))"); }
	timings=()
	start=$$SECONDS
	export VENV_READY=1
	phase lint $(MAKE) lint
	phase migrations $(MAKE) check-migrations
	phase "pytest sqlite" $(MAKE) test-sqlite
	phase "pytest postgres" $(MAKE) test-postgres
	echo ">>> make test passed in $$((SECONDS - start))s:"
	printf '    %s\n' "$${timings[@]}"

# Prints timings and query counts; never fails on a timing (see scripts/benchmark).
benchmark: venv
	$(BIN)/python scripts/benchmark $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) $(BOOTSTRAP) .mypy_cache .ruff_cache .pytest_cache .hypothesis test-results
	rm -f var/samplan.sqlite3 var/samplan.sqlite3-wal var/samplan.sqlite3-shm
	find samplan -name __pycache__ -type d -prune -exec rm -rf {} +
