# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := db/articles.db

.PHONY: run test lint

# constraints.txt holds the exact tested set; pyproject.toml declares compatible ranges.
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt -e ".[test,shards]"
	touch $@

# Ingest the bundled sample and serve it on http://127.0.0.1:8001
run: $(BIN)/.installed
	$(BIN)/ingest add samples/ --db $(DB)
	$(BIN)/datasette serve $(DB) --metadata metadata.json --host 127.0.0.1 --port 8001 \
		--setting sql_time_limit_ms 1000 --setting suggest_facets off

# Lint, then the whole test suite (what .ci/run calls). The browser tests drive Debian's
# chromium, installed here with apt-get when it is missing (as root, as in CI).
test: $(BIN)/.installed
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: the browser test will be skipped"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
