# One task runner: CI calls these targets as they are (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= sqlite:///storyline.db

.PHONY: run test lint format bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## run: ingest the bundled demo corpus into storyline.db, list its stories, serve the dashboard
run: $(VENV)/.installed
	$(BIN)/storyline demo --db $(DB)
	$(BIN)/storyline stories --db $(DB)
	$(BIN)/storyline serve --db $(DB)

## test: the whole test suite
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check storyline tests bench
	$(BIN)/ruff format --check storyline tests bench

format: $(VENV)/.installed-test
	$(BIN)/ruff format storyline tests bench
	$(BIN)/ruff check --fix storyline tests bench

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

## bench: every benchmark (the gold sets in ../shared; each skips when its data is absent)
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/demo_quality.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/timex.py
	$(BIN)/python bench/quality_analysis.py
	$(BIN)/python bench/clustering.py
	$(BIN)/python bench/duplicates.py
	$(BIN)/python bench/briefing.py
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/analysis_speed.py
	$(BIN)/python bench/assign_speed.py --max 100000
	$(BIN)/python bench/snapshot_speed.py --max 100000

clean:
	rm -rf $(VENV) storyline.db storyline.db-wal storyline.db-shm .pytest_cache .ruff_cache
