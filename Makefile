# CrampCare: `make run` serves the app, `make test` runs the whole suite.
# Both work on a fresh clone: they make the virtualenv and install what they need.

# Python keeps the project's compiled modules (__pycache__, ignored by git), also where the
# environment says not to: every test process, server worker and command would otherwise
# compile them again at start.
unexport PYTHONDONTWRITEBYTECODE

VENV := .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format install install-dev db clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The JavaScript formatter and linter (Biome), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

db: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) demo --if-empty --days 120

# Plain http on loopback, so the cookies cannot be Secure here.
run: db
	SECURE_COOKIES=0 MAIL_CONSOLE=1 $(FLASK) run --host $(HOST) --port $(PORT)

JS := static/js templates/pwa/sw.js

lint: install-dev node_modules/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	node_modules/.bin/biome ci --colors=off $(JS)

format: install-dev node_modules/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	node_modules/.bin/biome check --write $(JS)

# pytest-xdist, one process per core (two per core was slower: Chromium and gunicorn
# already keep both cores busy). A worker that runs out of tests takes half of a busy
# worker's queue.
PYTEST_WORKERS ?= auto

test: install-dev lint
	CHROMIUM_PATH="$$(bin/ensure-chromium)" CHROMIUM_SHELL_PATH="$$(bin/ensure-chromium --headless-shell)" \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
