# dudao — every target sets itself up on a bare machine: .venv, packages, migrations.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip uv
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## demo: migrate, load the sample district, simulate 2026, write documents under var/out/, print a summary.
demo: $(STAMP)
	$(BIN)/dudao migrate
	$(BIN)/dudao seed
	$(BIN)/dudao simulate --year 2026 --seed 2026 > var/simulate-2026.json
	$(BIN)/dudao summary --year 2026
	@echo "Documents: var/out/2026/   Outbox (Maildir): var/outbox/   Ledger: var/dudao.db"

## test: the whole suite (SQLite; set DUDAO_DATABASE_URL to run it on PostgreSQL).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf var/ .pytest_cache/
