# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
# Each creates .venv from the lock file on first use.
VENV := .venv
BIN := $(VENV)/bin
SAMPLE ?= tests/fixtures/reports
# python3.11, else python3 when it is 3.11; empty otherwise (the venv rule then says what it found)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || { python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && command -v python3; })
FOUND = $(shell python3 --version 2>&1 || echo "no python3 either")
# `make dev` shows the runs of the default warehouse (data/xxgk.duckdb), like `xxgk run` records them
DEV_HOME := $(CURDIR)/data/xxgk.dagster
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: run test system-deps dev docs lock clean

# Built in place and removed again if any step fails: a half-built .venv never stays behind.
$(BIN)/xxgk: requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "xxgk needs Python 3.11: no python3.11 on PATH, and python3 is $(FOUND)" >&2; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock || { rm -rf $(VENV); exit 1; }
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e . || { rm -rf $(VENV); exit 1; }
	touch $@

## main job: crawl the registry's portals (or SAMPLE, a local folder of reports) -> parse -> load -> dbt build
run: $(BIN)/xxgk
	$(BIN)/xxgk run --from $(SAMPLE)

## the whole test suite, on every core (TEST_WORKERS=0 runs it in one process); a module's
## tests stay on one worker, so each warehouse a module builds is built once, and the modules
## holding a slow test start first (tests/conftest.py)
TEST_WORKERS ?= auto
test: $(BIN)/xxgk system-deps
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

## the Debian packages some tests need, installed with apt-get where missing (as root, or
## through sudo without a password): the site's browser test and the printed-PDF tests drive
## Debian's Chromium (never a browser Playwright downloads), and print Chinese with a CJK font
APT = $(if $(filter 0,$(shell id -u)),apt-get,sudo -n apt-get)
system-deps:
	@command -v chromium >/dev/null 2>&1 || { $(APT) update -qq && $(APT) install -y -qq chromium; } \
		|| { echo "the browser tests need Debian's chromium: apt-get install chromium" >&2; exit 1; }
	@fc-list :lang=zh family 2>/dev/null | grep -q "WenQuanYi Zen Hei" || { $(APT) update -qq && $(APT) install -y -qq fonts-wqy-zenhei; } \
		|| { echo "the printed-PDF tests need a CJK font: apt-get install fonts-wqy-zenhei" >&2; exit 1; }

## the Dagster UI; schedules and sensors stay off unless XXGK_SCHEDULES=on (or you turn them on in the UI)
dev: $(BIN)/xxgk
	mkdir -p $(DEV_HOME) && cp -n dagster_home/dagster.yaml $(DEV_HOME)/
	DAGSTER_HOME=$(DEV_HOME) $(BIN)/dagster dev

docs: $(BIN)/xxgk
	$(BIN)/xxgk docs

lock:
	test -n "$(PYTHON)" && rm -rf /tmp/xxgk-lock && $(PYTHON) -m venv /tmp/xxgk-lock
	/tmp/xxgk-lock/bin/pip install -q -e '.[dev]'
	{ echo "# Locked dependencies (pip freeze of a fresh venv on Python 3.11, with the dev extra). Regenerate: make lock"; \
	  /tmp/xxgk-lock/bin/pip freeze --exclude-editable; } > requirements.lock

## everything built or run here: the venv, dbt's folders, the default warehouse with its history and logs
clean:
	rm -rf $(VENV) dbt/target dbt/logs data/*.duckdb* data/*.dagster data/*.dbt data/*.logs data/exports data/archive data/site
