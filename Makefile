# Podium — two commands: `make run` (demo on SQLite at http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export PODIUM_DATABASE_URL ?= sqlite:///$(CURDIR)/var/podium.db

.PHONY: run test install kernels assets system browser java postgres screenshots lint bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) kernels assets system  ## create the virtual environment and install everything

KERNELS := $(VENV)/.kernels
kernels: $(KERNELS)  ## compile the leveling kernels once, so no leveling run waits for it

$(KERNELS): $(STAMP) src/podium/engine/leveling/_kernels.py
	$(BIN)/python -c "from podium.engine.leveling._fast import load_kernels; load_kernels()"
	touch $@

system:  ## system libraries for PDF reports (Pango), from Debian's packages when missing
	@scripts/install-system-libs.sh

assets: node_modules/.installed  ## front-end libraries from npm (package.json), and axe-core for the tests

node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

browser:  ## Debian's Chromium for the browser tests (needs root or sudo)
	@scripts/install-chromium.sh

java:  ## a Java runtime for the independent check of plan files with MPXJ (needs root or sudo)
	@command -v java >/dev/null 2>&1 || scripts/install-java.sh

postgres:  ## start the local PostgreSQL if it is not running
	@scripts/ensure-postgres.sh

run: install  ## set up, load the demo program and serve it at http://127.0.0.1:8000
	$(BIN)/podium db upgrade
	$(BIN)/podium demo --if-empty --url http://$(HOST):$(PORT)
	$(BIN)/podium serve --host $(HOST) --port $(PORT)

test: install browser java postgres  ## set up and run the whole suite on SQLite and PostgreSQL
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/pytest -n 2 -q

screenshots: install browser  ## refresh docs/screenshots from the browser tests
	PODIUM_SCREENSHOTS=$(CURDIR)/docs/screenshots PODIUM_TEST_BACKENDS=sqlite $(BIN)/pytest -q tests/browser -k screenshot

lint:  ## ruff (checks and formatting) and mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

bench: install postgres  ## the speed benchmarks (figures go in docs/benchmarks.md)
	@scripts/install-tj3.sh
	$(BIN)/python benchmarks/bench_cpm.py
	$(BIN)/python benchmarks/bench_api.py --backend sqlite
	$(BIN)/python benchmarks/bench_api.py --backend postgresql

clean:  ## remove the virtual environment, npm packages and the local database
	rm -rf $(VENV) node_modules var
