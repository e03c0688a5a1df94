# Two commands set everything up: `make run` and `make test`. Nothing else needs installing by hand
# except Chromium for the browser tests (`apt-get install chromium`; .ci/run does it under CI).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-prod run serve test lint format bench bench-quick demo clean

# The settings default to production (DEBUG off); the development targets ask for development mode.
# `make serve` does not: it runs as production does.
run demo test bench bench-quick: export DEBUG ?= true

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# axe-core, which the browser tests run on every page (test-only: the app has no JavaScript build). Needs
# npm; without it the accessibility checks are skipped, except under CI where they fail.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts --silent && touch $@; \
	else echo "npm not found: the browser tests' accessibility checks (axe-core) will be skipped"; fi

install: $(VENV)/.installed node_modules/.installed

# Production installs only what the app runs on.
install-prod: | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt

demo: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py import_articles corpus/seed
	$(BIN)/python manage.py load_demo_annotations
	$(BIN)/python manage.py create_demo_users --address http://$(HOST):$(PORT)/

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-style: gunicorn against DATABASE_URL (set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS too).
serve: install-prod
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark suite on PostgreSQL (DATABASE_URL if it is PostgreSQL, else the local server): a corpus of
# 10,000 articles and 1,000,000 claims, each step against a baseline of the same run; writes
# bench/RESULTS.md. Under an hour. See bench/README.md. bench-quick: the same suite's reading view and
# dashboard steps at small sizes on DATABASE_URL (SQLite by default), in a couple of minutes, written to
# bench/out/quick.md.
bench: install
	$(BIN)/python bench/suite.py

bench-quick: install
	$(BIN)/python bench/suite.py --quick

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
