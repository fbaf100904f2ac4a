# The README's two commands. Each creates or updates .venv on its own (and
# node_modules/, for the JavaScript linter only: the app itself needs no Node).
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint lint-js screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# eslint, pinned by package-lock.json
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

run: $(VENV)/.installed
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

test: $(VENV)/.installed-test lint-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test lint-js
	$(BIN)/ruff check .
	$(BIN)/mypy

# The map's own scripts (layers/map/static), served as they are written.
lint-js: node_modules/.installed
	node_modules/.bin/eslint eslint.config.js layers/map/static

# docs/dashboard.png, docs/details.png and their -phone variants (not part of `make test`)
screenshots: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m screenshot tests/test_screenshots.py

clean:
	rm -rf $(VENV) static/vendor node_modules
