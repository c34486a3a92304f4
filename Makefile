# Two commands do all the set-up (see README):
#   make bulletin   build .venv and produce the demo bulletin in out/demo
#   make test       build .venv and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: setup bulletin test test-fast lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipstats)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

bulletin: $(STAMP)
	$(BIN)/ipstats bulletin parameters/demo.yaml --out out/demo

# lint: the pre-commit hooks over every file (ruff; notebooks stripped of outputs), as CI runs them
lint: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files --show-diff-on-failure

# 1. lint; 2. the CI bulletin, built once (its console output kept beside it), and its English edition (--lang en);
# 3. unit and end-to-end tests, which read those bulletins (IPSTATS_CI_BULLETIN, IPSTATS_CI_BULLETIN_EN) and check
# the Chinese one against tests/golden/ci_bulletin.json; 4. nbval
# over the source notebooks (each runs with its defaults).
test: $(STAMP) lint
	@mkdir -p out
	$(BIN)/ipstats bulletin parameters/ci.yaml --out out/ci > out/ci.stdout 2> out/ci.stderr \
	  || { cat out/ci.stdout out/ci.stderr; exit 1; }
	@tail -n 1 out/ci.stdout
	$(BIN)/ipstats bulletin parameters/ci.yaml --lang en --out out/ci-en > out/ci-en.stdout 2> out/ci-en.stderr \
	  || { cat out/ci-en.stdout out/ci-en.stderr; exit 1; }
	@tail -n 1 out/ci-en.stdout
	IPSTATS_CI_BULLETIN=out/ci IPSTATS_CI_BULLETIN_EN=out/ci-en $(BIN)/python -m pytest tests --durations=15
	$(BIN)/python -m pytest $(NBVAL) -p no:cacheprovider notebooks

# the fast lane for developers: every test that needs no bulletin, notebook, R, Spark or browser (tests/conftest.py
# marks the others slow), one worker per core (pytest-xdist): about 2 minutes on 2 cores, 3½ in one process.
# CI runs the full lane (make test), in one process.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow" -q -n auto --durations=10

clean:
	rm -rf out data/ci .pytest_cache
