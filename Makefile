# Arrears — two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARREARS := $(BIN)/arrears
HOST   ?= 127.0.0.1:8000
DEMO_LOANS ?= 5000

.PHONY: setup demo demo-data serve test test-fast test-slow test-api-contract lint format bench clean messages

## setup: install into .venv (starts nothing)
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	$(MAKE) --no-print-directory messages
	touch $@

## messages: compile the zh-Hans translations of the project and of every app (pure Python)
messages:
	for d in src/arrears/locale src/arrears/*/locale; do \
	  [ -d "$$d" ] && $(BIN)/pybabel -q compile -d "$$d" -D django --use-fuzzy || true; \
	done

## demo: migrate, build the demo portfolio, run the daily cycle, create users, serve
demo: setup demo-data serve

demo-data: setup
	$(ARREARS) migrate --no-input -v0
	$(ARREARS) demo --loans $(DEMO_LOANS) --reset
	$(ARREARS) demo_users --address $(HOST)

serve: setup messages
	@echo "Serving Arrears at http://$(HOST)/ (Ctrl-C to stop)"
	ARREARS_DEBUG=$${ARREARS_DEBUG:-0} $(ARREARS) runserver --noreload $(HOST)

## test: lint, then the whole suite (slow end-to-end tests included)
test: setup messages lint
	$(BIN)/pytest -q -p no:cacheprovider

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

test-slow: setup
	$(BIN)/pytest -q -m slow

## test-api-contract: schemathesis against /api/v1/openapi.json (also part of `make test`)
test-api-contract: setup
	$(BIN)/pytest -q -p no:cacheprovider -m slow src/arrears/api/tests/test_schemathesis.py

lint: setup
	$(BIN)/ruff check src bench conftest.py
	$(BIN)/ruff format --check src bench conftest.py

format: setup
	$(BIN)/ruff check --fix src bench conftest.py
	$(BIN)/ruff format src bench conftest.py

## bench: the benchmarks (figures go in bench/README.md); each uses a throwaway database
bench: setup
	$(BIN)/python bench/import_loans.py
	$(BIN)/python bench/eod.py
	$(BIN)/python bench/demo_generate.py --loans 200000

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
