# Quickstart targets: each creates .venv and installs the project first, so a fresh clone needs
# nothing but Python 3.11+ and access to PyPI.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONFIG ?= config.example.yaml
STAMP  := $(VENV)/.installed

.PHONY: run test lint demo daemon clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11 or newer is required (PYTHON=$(PYTHON))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## run: one cycle over every source of $(CONFIG) into the embedded SQLite database
run: $(STAMP)
	$(BIN)/aggregate run --config $(CONFIG) --all

## daemon: keep polling on each source's schedule
daemon: $(STAMP)
	$(BIN)/aggregate daemon --config $(CONFIG)

## demo: the whole pipeline on bundled sample feeds, no account and no internet needed
demo: $(STAMP)
	$(BIN)/aggregate demo

## lint: ruff (lint and format) and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy src
	$(BIN)/lint-imports

## test: lint, then the whole test suite: the quick tier, then the slow one
test: lint
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q -m slow

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
