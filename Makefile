# Two commands do all the set-up (see README):
#   make bulletin   build .venv and produce the demo bulletin in out/demo
#   make test       build .venv and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: setup bulletin test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipstats)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

bulletin: $(STAMP)
	$(BIN)/ipstats bulletin parameters/demo.yaml --out out/demo

# 1. unit and end-to-end tests; 2. the CI bulletin; 3. nbval over the source notebooks (they run with
# their defaults) and over the executed CI notebooks (re-running them must print the same key numbers).
test: $(STAMP)
	$(BIN)/python -m pytest tests
	$(BIN)/ipstats bulletin parameters/ci.yaml --out out/ci
	$(BIN)/python -m pytest $(NBVAL) -p no:cacheprovider notebooks out/ci/notebooks

clean:
	rm -rf out data/ci .pytest_cache
