# The two commands of the README: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# boto3 and kubernetes resolve in one pip run (one resolver), then `pip check` proves it.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip check
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip check
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/python -m domino_eks.demo examples/single-az.yaml out

# Many tests run the console script in a process of its own, as a user does. The package is installed editable,
# so no install compiled its bytecode, and where PYTHONDONTWRITEBYTECODE is set (as on these CI machines) each
# such process would compile every module it imports from source again: compile them once first.
test: lint
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m pytest -n 2 -q

# ruff (lint and import order) and mypy, configured in pyproject.toml; `make test` runs them first
lint: $(DEVSTAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(DEVSTAMP)
	$(BIN)/python bench/plan_latency.py
	$(BIN)/python bench/apply_critical_path.py
	$(BIN)/python bench/check_scale.py
	$(BIN)/python bench/emulator_start.py

docs: $(STAMP)
	$(BIN)/domino-eks rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) out .pytest_cache
