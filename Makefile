# Two entry points for a fresh machine with only Python 3.11: `make run` and `make test`.
# Each creates .venv from the lock file on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE ?= tests/fixtures/reports
export DAGSTER_HOME := $(CURDIR)/dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: run test dev docs lock clean

$(BIN)/xxgk: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

## main job: crawl the registry's portals (or SAMPLE, a local folder of reports) -> parse -> load -> dbt build
run: $(BIN)/xxgk
	$(BIN)/xxgk run --from $(SAMPLE)

## the whole test suite
test: $(BIN)/xxgk
	$(BIN)/pytest -q

dev: $(BIN)/xxgk
	$(BIN)/dagster dev

docs: $(BIN)/xxgk
	$(BIN)/xxgk docs

lock:
	rm -rf /tmp/xxgk-lock && $(PYTHON) -m venv /tmp/xxgk-lock
	/tmp/xxgk-lock/bin/pip install -q -e .
	/tmp/xxgk-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) dbt/target dbt/logs data/*.duckdb*
