# The one entry point for people and CI: make install | data | run | test | lint | typecheck | bench
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install data run test lint typecheck check browser vendor bench clean

install: $(VENV)/.installed vendor

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

# Debian's Chromium for the real-browser tests (Playwright drives /usr/bin/chromium).
browser:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# Prepare the default graph once, so that the server starts in milliseconds.
data: install
	$(BIN)/cremona-bike data prepare

run: install data
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - "web:create_app()"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: install browser lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider

bench: install
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) node_modules web/static/vendor gis_data/cache .mypy_cache .ruff_cache .pytest_cache
