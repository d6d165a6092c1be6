# `make demo` and `make test` work on a fresh machine: they create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APP ?= evaluate

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the CPU build of torch, pinned: any other torch request may pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# MovieLens-100K ships inside recbole; only its data file is read (no dependencies)
	$(BIN)/python -m pip install --quiet --no-deps recbole==1.2.1
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p streamlearn-data
	@echo "== Prequential evaluation on River's bundled Phishing stream (real data) =="
	$(BIN)/streamlearn evaluate --dataset phishing --model "StandardScaler | LogisticRegression" \
		--metric accuracy --metric rocauc --metric logloss --batch-size 100 \
		--json streamlearn-data/phishing-report.json --plot streamlearn-data/phishing-report.png
	@echo "== The same pipeline reading a 200,000-event SEA drift stream from a CSV file =="
	$(BIN)/streamlearn export-dataset sea streamlearn-data/sea.csv --events 200000
	$(BIN)/streamlearn evaluate --data streamlearn-data/sea.csv --target y \
		--model "StandardScaler | LogisticRegression" --metric accuracy --metric rocauc \
		--batch-size 1000 --json streamlearn-data/sea-report.json \
		--plot streamlearn-data/sea-report.png

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/runtime.py

clean:
	rm -rf $(VENV) streamlearn-data .pytest_cache .ruff_cache
