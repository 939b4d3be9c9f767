# collabkg — GNU make. `make run` starts the explorer, `make test` runs the whole suite.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.collabkg-dev.stamp
HOST   ?= 127.0.0.1
PORT   ?= 8501
LINT_DIRS := $(wildcard src tests app bench)

.PHONY: help .venv venv run test test-fast lint docs clean distclean system-deps

help:
	@echo "make run    - validate the data, then start the explorer on http://$(HOST):$(PORT)"
	@echo "make test   - install what is missing, lint, and run the whole test suite"
	@echo "make test-fast - the tests that need no browser, Java or Virtuoso and are not slow"
	@echo "make lint   - ruff check and mypy"
	@echo "make docs   - ontology documentation (pyLODE) into docs/ontology/"
	@echo "make clean  - remove caches and generated files (distclean also removes .venv)"

# The virtual environment, reinstalled only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.venv venv: $(STAMP)

# System packages the test suite needs: a browser for the UI tests, Virtuoso for the
# endpoint integration tests. Installed only when missing (apt-get as root, else sudo).
system-deps:
	@missing=""; \
	if [ ! -x /usr/bin/chromium ]; then missing="$$missing chromium chromium-driver"; fi; \
	if ! command -v virtuoso-t >/dev/null 2>&1; then missing="$$missing virtuoso-opensource-7"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	  else echo "make: need root (or sudo) to install:$$missing" >&2; exit 1; fi; \
	  echo "Installing system packages:$$missing"; \
	  $$sudo apt-get update; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# Data with errors is never loaded: the explorer then serves the last graph that validated,
# with a banner naming the invalid files (and refuses when no valid graph was ever built).
run: venv
	$(BIN)/collabkg validate --errors-only || echo "make: the data has errors (above); the explorer serves the last graph that validated, if there is one"
	$(BIN)/collabkg explore --host $(HOST) --port $(PORT)

FAST := not slow and not browser and not java and not virtuoso

# lint first (ruff and mypy): a type error fails the build before the suite runs
test: venv system-deps lint
	$(BIN)/pytest tests

# markers in tests/conftest.py; in worker processes (pytest-xdist: as many as cores, at most
# 4, each at most about 2 GB). WORKERS=0 runs them in this process. Measured 5 Dec 2026 on the
# 2-core machine: 1,429 tests in 2 min 42 s wall at load 2.8-5.8 (5 min 4 s at load 5-11),
# 146 s of CPU in all (serial before this session: 262 s of CPU, 8 min 45 s wall at load
# 1.4-7); on two idle cores that CPU time is about 75 s each
WORKERS ?= auto
test-fast: venv
	$(BIN)/pytest tests -q -m "$(FAST)" -n $(WORKERS) --maxprocesses=4

lint: venv
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/mypy

docs: venv
	@if [ -f ontology/collabkg.ttl ]; then \
	  $(BIN)/python -m collabkg.docs docs/ontology; \
	  echo "Wrote docs/ontology/index.html (pyLODE) and docs/ontology/concepts.html"; \
	else \
	  echo "ontology/collabkg.ttl does not exist yet: nothing to document"; \
	fi

clean:
	rm -rf .pytest_cache .ruff_cache test-artefacts docs/ontology build dist bench/results/tmp
	rm -rf src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
