# colorcnn_repro: set up, test, reproduce, benchmark.
#
#   make setup                    .venv with the package and its dev tools (skipped while up to date)
#   make test                     setup, then the unit tests and the notebooks (the CI command)
#   make reproduce PROFILE=cpu    setup, then the main experiment (classifier, ColorCNN, ColorCNN+, evaluation)
#   make benchmark                setup, then the benchmarks (JSON to stdout and results/benchmarks/)
#
# Variables: PYTHON (interpreter that creates the venv, default python3), VENV (default .venv),
# PROFILE (smoke | cpu | paper, default cpu), DATA (exported as COLORCNN_DATA when given),
# ARGS (extra arguments for `colorcnn reproduce`, e.g. ARGS='--set colorcnn_plus.epochs=4'),
# PY (the Python that `make check` uses; `make check PY=python` in an activated conda env).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PROFILE ?= cpu
ARGS ?=
PY ?= $(VENV)/bin/python
STAMP := $(VENV)/.installed

ifdef DATA
export COLORCNN_DATA := $(abspath $(DATA))
endif

.PHONY: help setup test check reproduce benchmark

help:
	@sed -n '3,6p' Makefile | sed 's/^# *//'

setup: $(STAMP)

# Reinstalled when pyproject.toml changes. Torch is pinned (torch==2.14.1, torchvision==0.29.1).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else f"Python >= 3.10 needed, {sys.executable} is {v.major}.{v.minor}")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -e '.[dev]'
	$(VENV)/bin/python -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (colorcnn_repro)'
	touch $@

# The test command of README.md and .ci/run.
test: setup
	@$(MAKE) --no-print-directory check

# The tests without the setup step: unit tests (slow ones included), then every notebook under the smoke
# profile (nbval, errors only). With no notebook in notebooks/ that step is skipped, not failed.
check:
	@t=$$SECONDS; $(PY) -m pytest -m "" --durations=10 tests; echo "== unit tests: $$((SECONDS - t)) s"
	@t=$$SECONDS; \
	if [ -n "$$(find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)" ]; then \
	  COLORCNN_PROFILE=$${COLORCNN_PROFILE:-smoke} MPLBACKEND=$${MPLBACKEND:-Agg} \
	    $(PY) -m pytest --nbval-lax --nbval-current-env notebooks/; \
	else \
	  echo "no notebooks under notebooks/: notebook tests skipped"; \
	fi; \
	echo "== notebook tests: $$((SECONDS - t)) s"

reproduce: setup
	$(VENV)/bin/colorcnn reproduce --profile $(PROFILE) $(ARGS)

benchmark: setup
	mkdir -p results/benchmarks
	$(PY) benchmarks/quantizers.py | tee results/benchmarks/quantizers.json
	$(PY) benchmarks/train_step.py | tee results/benchmarks/train_step.json
