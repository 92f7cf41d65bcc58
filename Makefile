# Cap Partagé — `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address phones use: join URL and QR code. On a venue's Wi-Fi, the server's LAN address.
BASE_URL ?= http://$(HOST):$(PORT)
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_POSTGRES_URL TEST_REDIS_URL

.PHONY: run test install install-test lock system services lint types bench messages

# Every dependency at the version of requirements.lock (pip constraints); `make lock` renews it.
LOCK := requirements.lock
$(VENV)/.runtime: pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  (echo "Python 3.11+ is required (set PYTHON=python3.11)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c $(LOCK) --upgrade pip
	$(BIN)/pip install -q -c $(LOCK) -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/pip install -q -c $(LOCK) -e '.[test]'
	touch $@

# The newest versions pyproject.toml allows, installed in a scratch venv and written down.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install -q --upgrade pip && $(VENV)-lock/bin/pip install -q -e '.[test]'
	{ sed -n '/^#/p' $(LOCK); $(VENV)-lock/bin/pip freeze --all --exclude-editable | grep -v "^setuptools=="; } > $(LOCK).new
	mv $(LOCK).new $(LOCK) && rm -rf $(VENV)-lock

# Languages (docs/i18n.md): French is the source, each other language a catalog app/locales/<lang>/
# LC_MESSAGES/messages.po, committed; the compiled .mo files are built from it, never committed.
LOCALES_DIR := app/locales
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(LOCALES_DIR)/*/LC_MESSAGES/messages.po))
$(LOCALES_DIR)/%/LC_MESSAGES/messages.mo: $(LOCALES_DIR)/%/LC_MESSAGES/messages.po $(VENV)/.runtime
	$(BIN)/pybabel -q compile -i $< -o $@

# After a text changes: the strings of the code and templates extracted anew into messages.pot,
# each catalog updated (new strings to translate, gone ones dropped), then compiled.
messages: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg --no-wrap --sort-by-file --project "Cap Partagé" \
	  -o $(LOCALES_DIR)/messages.pot app
	$(BIN)/pybabel -q update -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) --no-wrap --no-fuzzy-matching \
	  --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALES_DIR) --statistics

install: $(VENV)/.runtime $(CATALOGS)
install-test: $(VENV)/.test $(CATALOGS)

run: install
	$(BIN)/python -m app migrate
	BASE_URL=$(BASE_URL) $(BIN)/python -m app demo
	BASE_URL=$(BASE_URL) $(BIN)/uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --ws websockets-sansio --ws-per-message-deflate false \
	  --ws-max-size 65536 --no-proxy-headers

# Debian's packages the tests drive: chromium for the browser tests (never a downloaded browser
# build), LibreOffice headless to open the documents and spreadsheets we export, pdftoppm.
SYSTEM_PACKAGES := chromium:chromium soffice:libreoffice-writer-nogui soffice:libreoffice-calc-nogui \
  pdftoppm:poppler-utils
system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 && dpkg -s $${pair#*:} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	[ -z "$$missing" ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || \
	  echo "could not install$$missing: the tests that need them will skip (or fail under CI=true)"

# Start the local PostgreSQL and Redis when they are installed but stopped.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start 2>/dev/null || \
	  echo "PostgreSQL is not running: its tests will skip (or fail under CI=true)"
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || \
	  echo "Redis is not running: its tests will skip (or fail under CI=true)"

lint: install-test
	$(BIN)/ruff check .

# Types: mypy on app/ (configuration in pyproject.toml; the pure domain with the strict flags).
types: install-test
	$(BIN)/mypy

# The whole suite on SQLite and, at the same time, the tests marked storage or broadcast again on
# PostgreSQL and Redis: on two cores the passes take about as long together as the longer alone.
# They stay apart: databases of their own, Redis taken in turns (tests/conftest.py), artifacts of
# the PostgreSQL pass under artifacts/postgres/. The SQLite pass prints as it goes; the PostgreSQL
# pass's output is kept in artifacts/test-postgres.log and printed once both are done.
PG_PASS := CAP_TEST_DB=postgres CAP_TEST_BROADCAST=redis $(BIN)/pytest -m "storage or broadcast"
test: install-test system services lint types
	@mkdir -p artifacts
	@echo '$(PG_PASS) > artifacts/test-postgres.log (in the background)'; \
	$(PG_PASS) > artifacts/test-postgres.log 2>&1 & pg_pid=$$!; \
	echo '$(BIN)/pytest'; \
	$(BIN)/pytest; sqlite=$$?; \
	wait $$pg_pid; pg=$$?; \
	echo; echo '===== PostgreSQL + Redis pass: $(PG_PASS) ====='; \
	cat artifacts/test-postgres.log; \
	echo; echo "make test: SQLite pass exit $$sqlite, PostgreSQL + Redis pass exit $$pg"; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

# Load figures (issue 10): writes, bursts and fan-out against a raw websockets baseline, each run
# appended to bench/results.md; server and generator on separate cores, each command three times
# (its medians printed); then the login's two failures timed (issue 11) and the grouping
# suggestions' precision, recall and time (issue 13). A quarter of an hour;
# run it on a quiet machine.
bench: install-test
	$(BIN)/python -m bench.load --kind rating --phones 500 --rate 100 --seconds 10 --pin --repeat 3 --record bench/results.md
	$(BIN)/python -m bench.load --kind rating --phones 500 --rate 250 --seconds 10 --pin --repeat 3 --record bench/results.md
	$(BIN)/python -m bench.load --kind poll --phones 1000 --burst --fanout-seconds 5 --pin --repeat 3 --record bench/results.md
	$(BIN)/python -m bench.login_timing --attempts 200 --record bench/results.md
	$(BIN)/python -m bench.grouping --record bench/results.md
	$(BIN)/python -m bench.page_weight --runs 3 --record bench/results.md
