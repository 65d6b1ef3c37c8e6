# dudao — every target sets itself up on a bare machine: .venv, packages, migrations.
# Installs are locked: uv.lock pins every package (hashes included) and `uv sync --locked` builds .venv from it,
# refusing to run when pyproject.toml and uv.lock disagree. uv itself is pinned (UV_VERSION) and bootstrapped
# with pip into .tools/, apart from .venv, so that .venv holds exactly what the lock says.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# never fetch a Python: the one on the machine (PY, 3.11 as requires-python says) builds .venv. Every package is
# compiled to bytecode at install (--compile-bytecode): where PYTHONDONTWRITEBYTECODE is set (this machine and CI
# set it), Python never writes a .pyc, and every process compiled every module it imports from source, again
# and again: `dudao --help` took 5.9 s instead of 2.9, pypdf's import held 68 MB instead of 32 (bench/README).
UV_SYNC := UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --compile-bytecode --python $(PY) --quiet
APP_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint install install-dev clean deps-system serve upgrade lock-check fonts bytecode

$(UV):
	@test -x $(TOOLS)/bin/python || $(PY) -m venv $(TOOLS)
	@$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# The application alone (no dev tools): what `make demo` and `make serve` run on.
$(APP_STAMP): pyproject.toml uv.lock | $(UV)
	@$(UV_SYNC) --no-dev
	@touch $@

# The application and the dev tools (pytest, ruff, import-linter, ...: the `dev` dependency group).
$(DEV_STAMP): pyproject.toml uv.lock | $(UV)
	@$(UV_SYNC)
	@touch $@ $(APP_STAMP)

install: $(APP_STAMP)
install-dev: $(DEV_STAMP)

## bytecode: our own modules compiled, for the same reason as the packages (above); only what changed since
## is compiled again, in well under a second.
SOURCES := core models rules tasks flows deployments dudao portal bench tests migrations
bytecode: $(APP_STAMP)
	@$(BIN)/python -m compileall -q -j 0 $(SOURCES)

## lock-check: fails when pyproject.toml changed and uv.lock was not refreshed (`uv lock --check`).
lock-check: | $(UV)
	$(UV) lock --check

## upgrade: the weekly refresh: every package to its newest allowed version in uv.lock, then the whole suite.
## Commit uv.lock when it passes. After a merge that adds dependencies: `make relock` (no upgrades).
upgrade: | $(UV)
	$(UV) lock --upgrade
	$(MAKE) test

.PHONY: relock
## relock: re-resolve uv.lock for a changed pyproject.toml, keeping every version already locked.
relock: | $(UV)
	$(UV) lock

## deps-system: Debian packages for PDFs (fonts-noto-cjk) and their checks (poppler-utils: pdftoppm, pdftotext),
## the headless browser of the UI test (chromium, driven by the playwright package, never `playwright install`),
## and jemalloc (libjemalloc2), the allocator of the worker processes (PDFs 6-9% faster than with glibc malloc),
## installed with apt-get only where one is missing and apt-get exists.
SYSTEM_PACKAGES := fonts-noto-cjk poppler-utils chromium libjemalloc2
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
deps-system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null; then \
	  echo "installing $$missing"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	else echo "warning: please install $$missing (CJK fonts for PDFs; pdftoppm for the tests)" >&2; fi

## fonts: the PDFs' fonts, derived once from Noto CJK into .fonts/ (tasks/documents/print_fonts.py, ~1 min).
fonts: $(APP_STAMP) deps-system
	@$(BIN)/python -m tasks.documents.print_fonts

## demo: migrate, load the sample district, simulate 2026, write documents under var/out/, print a summary.
demo: $(APP_STAMP) bytecode deps-system fonts
	$(BIN)/dudao migrate
	$(BIN)/dudao seed
	$(BIN)/dudao simulate --year 2026 --seed 2026 > var/simulate-2026.json
	$(BIN)/dudao summary --year 2026
	$(BIN)/dudao export ledger --year 2026 -o var/out/2026/整改台账-2026.xlsx
	$(BIN)/dudao year-end --year 2026 --as-of 2026-12-31 > var/year-end-2026.json
	$(BIN)/dudao pdf --samples --year 2026
	$(BIN)/dudao publish --out var/out/site --as-of 2026-12-31
	@echo "Documents: var/out/2026/   Outbox (Maildir): var/outbox/   Ledger: var/dudao.db"
	@echo "One sample of each document kind, HTML and PDF: var/out/samples/   Public site: var/out/site/index.html"

## test: the whole suite (SQLite; set DUDAO_DATABASE_URL to run it on PostgreSQL).
test: $(DEV_STAMP) bytecode deps-system fonts lint
	$(BIN)/pytest -q

## serve: a local Prefect server with its UI on http://127.0.0.1:4200 (SQLite under var/prefect-server, no
## analytics) serving every deployment: schedules, the emergency/special forms, the sign-off; and beside it the
## portal on http://127.0.0.1:8000 (PORTAL_PORT) with PORTAL_WORKERS processes (default: one a core). Ctrl-C or
## SIGTERM stops all of them.
## Bound to loopback (SERVE_HOST) and behind Prefect's sign-in: user and password from
## PREFECT_SERVER_API_AUTH_STRING ("user:password"), else made once into var/prefect-server/ui-auth (mode 600).
SERVE_HOST ?= 127.0.0.1
PORTAL_PORT ?= 8000
PORTAL_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
UI_AUTH := var/prefect-server/ui-auth
serve: $(APP_STAMP) bytecode fonts
	$(BIN)/dudao migrate
	$(BIN)/dudao seed
	@mkdir -p var/prefect-server
	@test -s $(UI_AUTH) || (umask 077; echo "admin:$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))')" > $(UI_AUTH))
	@test -n "$$PREFECT_SERVER_API_AUTH_STRING" || echo "Prefect UI sign-in: user admin, password in $(UI_AUTH)"
	auth="$${PREFECT_SERVER_API_AUTH_STRING:-$$(cat $(UI_AUTH))}"; \
	PREFECT_SERVER_API_AUTH_STRING="$$auth" PREFECT_API_AUTH_STRING="$$auth" \
	  PREFECT_HOME=$(CURDIR)/var/prefect-server PREFECT_SERVER_ANALYTICS_ENABLED=false \
	  $(BIN)/dudao serve --with-server --host $(SERVE_HOST) --port 4200 --portal-port $(PORTAL_PORT) \
	  --portal-workers $(PORTAL_WORKERS)

## lint: ruff, and the layers as an import-linter contract (pyproject.toml [tool.importlinter]).
lint: $(DEV_STAMP) lock-check
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf var/ .pytest_cache/
