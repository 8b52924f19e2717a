# colorcnn_repro: set up, test, reproduce, benchmark.
#
#   make setup                    .venv with the package and its dev tools (skipped while up to date)
#   make test                     setup, then the unit tests and the notebooks (the CI command)
#   make reproduce PROFILE=cpu    setup, then every notebook from the committed results (trains nothing)
#   make benchmark                setup, then the benchmarks (JSON to stdout and results/benchmarks/)
#   make lab                      setup, then JupyterLab on notebooks/ with the project's kernel (127.0.0.1)
#   make report PROFILE=cpu       setup, then the scorecard and the HTML report (build/report/index.html)
#   make lint                     setup, then ruff (lint rules of pyproject.toml) and mypy on the package
#
# Variables: PYTHON (interpreter that creates the venv, default python3), VENV (default .venv),
# PROFILE (smoke | cpu | paper, default cpu), DATA (exported as COLORCNN_DATA when given),
# ARGS (extra arguments for `colorcnn reproduce`, e.g. ARGS='--set colorcnn_plus.epochs=4'),
# PY (the Python that `make check` uses; `make check PY=python` in an activated conda env),
# LAB_ARGS (extra arguments for JupyterLab, e.g. LAB_ARGS='--port 8899 --no-browser').

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PROFILE ?= cpu
ARGS ?=
LAB_ARGS ?=
PY ?= $(VENV)/bin/python
STAMP := $(VENV)/.installed

ifdef DATA
export COLORCNN_DATA := $(abspath $(DATA))
endif

.PHONY: help setup test check lint reproduce benchmark lab report

help:
	@sed -n '3,9p' Makefile | sed 's/^# *//'

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

# $(call timed,PHASE,COMMAND): run COMMAND, print PHASE's time and outcome, exit with COMMAND's status.
timed = t=$$SECONDS; status=0; $(2) || status=$$?; \
	echo "== $(1): $$((SECONDS - t)) s, $$([ $$status = 0 ] && echo passed || echo "FAILED (exit $$status)")"; \
	exit $$status

# The tests without the setup step: unit tests (slow ones included), then every notebook under the smoke
# profile (nbval, errors only; progress bars off: nbval waits only 5 s for each output message, and thousands of
# progress-bar updates from the smoke training on 2 loaded cores once overran it). With no notebook in notebooks/ that step is skipped, not failed. Each phase
# prints its time, passed or not; the first failing phase stops the target with its exit status.
check:
	@$(call timed,unit tests,$(PY) -m pytest -m "" -rs --durations=10 tests)
	@if [ -z "$$(find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null)" ]; then \
	  echo "no notebooks under notebooks/: notebook tests skipped"; \
	else \
	  $(call timed,notebook tests,COLORCNN_PROFILE=$${COLORCNN_PROFILE:-smoke} MPLBACKEND=$${MPLBACKEND:-Agg} TQDM_DISABLE=1 \
	    $(PY) -m pytest --nbval-lax --nbval-current-env notebooks/); \
	fi

# Static checks: ruff's lint rules and mypy, both configured in pyproject.toml. `ruff format` is configured too
# but not enforced here: the hand-wrapped style (aligned continuation lines) differs from it in nearly every file.
lint: setup
	$(PY) -m ruff check colorcnn_repro tests benchmarks
	$(PY) -m mypy

reproduce: setup
	$(VENV)/bin/colorcnn reproduce --profile $(PROFILE) $(ARGS)

benchmark: setup
	mkdir -p results/benchmarks
	$(VENV)/bin/colorcnn bench quantizers | tee results/benchmarks/quantizers.json
	$(VENV)/bin/colorcnn bench train_step | tee results/benchmarks/train_step.json
	$(VENV)/bin/colorcnn bench big_photo | tee results/benchmarks/big_photo.json

# JupyterLab on notebooks/, listening on 127.0.0.1 only, with the kernel setup registered in $(VENV) as default.
lab: setup
	$(VENV)/bin/colorcnn lab $(LAB_ARGS)

# Runs no experiment: scores results/$(PROFILE)/ (scorecard.json, and README.md's block when it is that
# profile's), then converts the notebooks `make reproduce` executed (build/notebooks/) to a self-contained
# HTML report, build/report/index.html.
report: setup
	$(VENV)/bin/colorcnn report --profile $(PROFILE)

# On a GPU (about 5 minutes, at most 8): the smoke chain on CUDA, train_step at width 64 with and without bf16,
# short timed epochs of every paper-profile stage, and the estimated GPU-hours of the paper profile and of
# Fig. 12's grid, to results/device/. Without CUDA: its CPU fallback, tiny. ARGS go to `colorcnn bench device_check`.
.PHONY: device-check
device-check: setup
	$(VENV)/bin/colorcnn bench device_check $(ARGS)
