# The one entry point for people and CI: make install | data | run | test | lint | typecheck | bench
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install data run test lint typecheck check system browser vendor bench load clean i18n screenshots

install: system $(VENV)/.installed vendor

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=25.1"
	$(PY) -m pip install -q -e . --group test --group lint
	touch $@

# Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from the npm registry, served locally.
vendor: web/static/vendor/.installed

web/static/vendor/.installed: package.json package-lock.json scripts/vendor_assets.sh
	bash scripts/vendor_assets.sh
	touch $@

# Debian packages: Chromium for the real-browser tests (Playwright drives /usr/bin/chromium), the Pango/HarfBuzz
# libraries and DejaVu fonts WeasyPrint needs for the printable sheets, and poppler-utils (pdftoppm) for the docs.
SYSTEM_PACKAGES := chromium postgresql libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; \
	fi

browser: system

# Prepare the default graph once, so that the server starts in milliseconds.
data: install
	$(BIN)/cremona-bike data prepare

run: install data
	$(BIN)/gunicorn -c python:web.gunicorn_conf --bind $(HOST):$(PORT) --workers 2 --access-logfile - "web:create_app()"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# The suite runs against SQLite and against a real PostgreSQL started on loopback for the run.
test: install browser lint typecheck
	@set -e; D=$$(mktemp -d /tmp/cb-pg.XXXXXX); \
	eval "$$(bash scripts/pg_test_server.sh start $$D)"; \
	trap 'bash scripts/pg_test_server.sh stop '"$$D" EXIT; \
	$(BIN)/pytest -q -p no:cacheprovider

# Refresh the translation catalogs after changing texts of the web pages.
i18n: install
	$(BIN)/pybabel extract -F web/babel.cfg -k _l -o web/translations/messages.pot --no-location --sort-output \
	  --project cremona-bike web
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations
	$(BIN)/pybabel compile -d web/translations

screenshots: install
	$(PY) scripts/planner_screenshots.py docs/screenshots
	$(PY) scripts/content_screenshot.py docs/screenshots

bench: install
	$(PY) -m tests.bench

# Bounded load test of the production server on 127.0.0.1 (mixed endpoints, latency, memory over time).
load: install data
	$(PY) -m tests.load_test

clean:
	rm -rf $(VENV) node_modules web/static/vendor gis_data/cache .mypy_cache .ruff_cache .pytest_cache
