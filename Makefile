# Co-Creation Compass. `make run` sets everything up and serves the demo; `make test` runs
# every check CI runs. Both work as root on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
PIP := .venv/bin/pip
APT_PACKAGES := chromium chromium-driver poppler-utils gettext fonts-dejavu-core pushpin nginx-light
PG_URL ?= postgres://postgres@127.0.0.1:5432/compass
HOST ?= 127.0.0.1
PORT ?= 8000
# People open PORT (nginx): the workshop's event streams go to Pushpin on PUSH_PORT, which
# holds them; every other request goes to gunicorn on APP_PORT.
APP_PORT ?= 8001
PUSH_PORT ?= 8002
RUN_ENV := DJANGO_HTTPS=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost BROWSER_PATH=/usr/bin/chromium COMPASS_BASE_URL=http://$(HOST):$(PORT)
TEST_ENV := DJANGO_HTTPS=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,testserver DJANGO_ALLOW_ASYNC_UNSAFE=true BROWSER_PATH=/usr/bin/chromium
PYTEST_ARGS ?=
# pytest-xdist workers: the suite in parallel (each worker has its own test database,
# pytest-django appends _gw0, _gw1, ... to its name).
PYTEST_WORKERS ?= 2

.PHONY: help setup system-packages venv messages run worker test test-sqlite test-postgres lint bench postgres clean

help:
	@echo "make run    set up, load the catalogue and demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   lint, migration and translation checks, tests on SQLite and PostgreSQL"
	@echo "make bench  benchmarks (gunicorn, DEBUG off) on SQLite and PostgreSQL"

setup: system-packages venv messages

# Debian packages the app needs: chromium (chart export, browser tests), poppler (PDF checks),
# gettext (compiling translations), DejaVu fonts (German glyphs in PDFs), Pushpin and nginx
# (the live workshop's pushed updates, and the front door that routes to it).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "Run as root to install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: .venv/.installed

.venv/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --disable-pip-version-check ".[dev]"
	@touch $@

messages: venv
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

run: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py createcachetable
	for f in assessments/catalogues/co-creation-2026.1.yaml assessments/catalogues/co-creation-2026.2.yaml; do $(RUN_ENV) $(PY) manage.py catalogue load $$f || exit 1; done
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	@echo "Co-Creation Compass on http://$(HOST):$(PORT)/  (demo logins: see README.md)"
	@# The worker renders PDFs and sends mails; the loop queues due reminders and applies the
	@# organisations' retention periods every 10 minutes; Pushpin holds the workshop's pushed
	@# connections; nginx in front sends those to Pushpin and everything else to gunicorn.
	@trap 'kill 0' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py db_worker --queue-name '*' --interval 0.25 & \
	while true; do $(RUN_ENV) $(PY) manage.py remind -v0; $(RUN_ENV) $(PY) manage.py apply_retention -v0; sleep 600; done & \
	PUSHPIN_DIR=var/pushpin PUSHPIN_HTTP=127.0.0.1:$(PUSH_PORT) PUSHPIN_BACKEND=127.0.0.1:$(APP_PORT) PUSHPIN_PUBLISH_BASE=5560 PUSHPIN_LOG_LEVEL=1 deploy/pushpin/run.sh & \
	NGINX_DIR=var/nginx NGINX_HTTP=$(HOST):$(PORT) NGINX_APP=127.0.0.1:$(APP_PORT) NGINX_PUSH=127.0.0.1:$(PUSH_PORT) deploy/nginx/run.sh & \
	$(RUN_ENV) DJANGO_TRUSTED_PROXY_COUNT=1 COMPASS_PUSHPIN_CONTROL_URIS=http://127.0.0.1:5561 .venv/bin/gunicorn maturity.wsgi --bind 127.0.0.1:$(APP_PORT) --workers 3 --access-logfile - ; \
	wait

worker: setup
	$(RUN_ENV) $(PY) manage.py db_worker --queue-name '*'

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='compass'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE compass"

test: setup lint
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	@# New strings appear in the German catalogue untranslated, and the test suite fails on them.
	$(TEST_ENV) $(PY) manage.py makemessages -l de --no-location --no-obsolete -v0 --ignore=.venv --ignore=staticfiles --ignore=var
	$(TEST_ENV) $(PY) manage.py compilemessages -v0 --ignore=.venv
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: setup
	$(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: setup postgres
	$(TEST_ENV) DATABASE_URL=$(PG_URL) $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/compass_bench

# Benchmarks print figures; they never fail a build. wrk drives the questionnaire bench.
bench: setup postgres
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='compass_bench'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE compass_bench"
	$(PY) bench/user_load.py --pg-url $(BENCH_PG_URL)
	$(PY) bench/report_bench.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/compass_wsbench $(PY) bench/workshop_load.py --phones 1000

clean:
	rm -rf .venv staticfiles var .hypothesis
