# pmkt-lessons: every target creates or reuses the project's own virtual
# environment (.venv) with the exact versions of constraints.txt (the lock).
# `make help` lists the targets and variables below. It is generated from this
# file: a target is listed by its "## what it does" comment on the rule line, a
# variable by a "## what it is" line right above its "NAME ?= value" line.
# A new target: `name: prerequisites ## one line on what it does`, and its name
# on the .PHONY line. tests/test_makefile.py checks both for every target.

comma := ,

## the Python that creates .venv (3.11 or 3.12)
PYTHON ?= python3.11
## the virtual environment's folder
VENV ?= .venv
## torch build: cpu (Linux default), a CUDA tag such as cu126 (a GPU), pypi (macOS default); remembered in .venv
TORCH ?= $(or $(shell cat $(VENV)/.torch 2>/dev/null),$(if $(filter Linux,$(shell uname -s)),cpu,pypi))
## index URL for that torch build, e.g. a mirror (default: download.pytorch.org/whl/TORCH)
TORCH_INDEX ?=
## optional dependency groups of pyproject.toml installed into .venv
EXTRAS ?= dev,crosscheck,docs,lab
## the notebooks that run-all, nbval, test, bench and refresh work on
NB ?= notebooks/[0-9][0-9]_*.ipynb
## test processes: notebooks run two at a time on the 2-core machine (one kernel per core)
JOBS ?= 2
## extra flags for JupyterLab, e.g. LAB_ARGS="--no-browser --port 8890"
LAB_ARGS ?=
## 1: make bench also rewrites the tables in README.md and docs/BENCHMARKS.md
UPDATE_DOCS ?=
## a folder of local wheels that make lock also resolves from, used only if it exists
WHEELS ?= /opt/wheels

PY := $(VENV)/bin/python
# One stamp per torch build and set of extras: changing either re-runs the set-up.
STAMP := $(VENV)/.stamp-$(TORCH)-$(subst $(comma),+,$(EXTRAS))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
XDIST := -n $(JOBS) --dist loadfile
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup lab run-all test unit nbval lint bench refresh lock clean bench-recsys bench-ctr student slides site serve bench-serve bench-stream bench-scale gpu-check exercises

help: ## list every target and variable, one line each (this list)
	@printf 'Usage: make TARGET [VARIABLE=value ...]\n\nTargets:\n'
	@awk -F ':.*## ' '/^[a-z][a-z0-9_-]*:.*## /{printf "  %-13s %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))
	@printf '\nVariables [their value now]:\n'
	@$(foreach v,$(HELP_VARS),printf '  %-13s %s [%s]\n' '$(v)' \
		"$$(awk -v n='$(v)' '/^## /{d=substr($$0,4);next} d!="" && $$1==n {print d} {d=""}' $(firstword $(MAKEFILE_LIST)))" \
		'$(strip $($(v)))';)

# The documented variables, in file order (a "## " line right above "NAME ?= ...").
HELP_VARS = $(shell awk '/^## /{d=1;next} d && /^[A-Z_]+ *\?=/{print $$1} {d=0}' $(firstword $(MAKEFILE_LIST)))

# The set-up itself is tools/setup_env.py: one line per step on the console, pip's
# output in build/setup.log. In order: the venv and pip; torch alone (the CPU build
# on Linux, from the PyTorch CPU index, probed for 5 s and otherwise taken from pip's
# usual index, which it says); the package with EXTRAS at the lock's versions; then
# obp==0.5.7 (--no-deps --ignore-requires-python: test cross-checks only; its own
# pins would downgrade numpy, pandas and scikit-learn) and recbole==1.2.1 (--no-deps:
# it only carries the MovieLens 100K files). Those two go last so pip's dependency
# check never sees them and prints no false ERROR.
$(STAMP): pyproject.toml constraints.txt tools/setup_env.py
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found. Install Python 3.11, or pass PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) tools/setup_env.py --venv $(VENV) --extras $(EXTRAS) --torch $(TORCH) $(if $(TORCH_INDEX),--torch-index $(TORCH_INDEX))
	@rm -f $(VENV)/.stamp-*
	@echo $(TORCH) > $(VENV)/.torch
	@touch $@

setup: $(STAMP) ## create or update .venv (4-6 min the first time), and restore the MovieLens carrier if it went missing
	@$(PY) tools/setup_env.py --check --venv $(VENV) --extras $(EXTRAS)

lab: setup ## open JupyterLab at the repository root on lesson 00 (the path Binder opens); LAB_ARGS adds flags
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(LAB_ARGS)

run-all: setup ## execute every lesson headless in a fresh kernel (outputs to build/executed/), one line per lesson
	@$(PY) tools/nbrun.py run $(NB)

lint: setup ## ruff on the package, tests and tools
	$(VENV)/bin/ruff check pmkt_lessons tests tools

unit: setup ## unit tests only (no notebooks)
	$(PY) -m pytest tests

nbval: setup ## re-run the notebooks NB and compare them with their committed outputs
	$(PY) -m pytest $(XDIST) $(NBVAL) $(NB)

test: setup ## the README's test command: lint, unit tests and every notebook under nbval
	$(VENV)/bin/ruff check pmkt_lessons tests tools
	$(PY) -m pytest $(XDIST) tests $(NBVAL) $(NB)

bench: setup ## seconds and peak memory of each notebook NB, to build/bench/ (UPDATE_DOCS=1: also the README and docs tables)
	@$(PY) tools/nbrun.py bench $(if $(filter 1 yes true,$(UPDATE_DOCS)),--update-docs) $(NB)

refresh: setup ## re-execute notebooks NB in place (fresh kernel, top to bottom) after changing them
	@$(PY) tools/nbrun.py refresh $(NB)

# The lock resolves for Linux x86_64 with torch's CPU build: from the local wheel
# folder WHEELS where it exists, otherwise from the PyTorch CPU index (uv's
# --torch-backend); tools/sync_envs.py drops the "+cpu" label so the pin also
# resolves on macOS.
lock: setup ## re-resolve constraints.txt from pyproject.toml, then rewrite environment.yml and binder/
	$(PY) -m pip install --disable-pip-version-check --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra lab --extra crosscheck --extra docs --extra bench-recsys \
		--extra bench-ctr --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		$(if $(wildcard $(WHEELS)/torch-*.whl),--find-links $(WHEELS),--torch-backend cpu) \
		--annotation-style line --no-header -o constraints.new
	$(PY) tools/sync_envs.py constraints.new

clean: ## remove .venv, build/ and the test caches
	rm -rf $(VENV) build .pytest_cache

# Side-by-side benchmarks with production libraries, each in its own
# environment (.venv-bench) so the course environment stays as pinned.
BENCH_VENV := .venv-bench
BPY := $(BENCH_VENV)/bin/python
$(BENCH_VENV)/.stamp: pyproject.toml constraints.txt tools/setup_env.py
	@$(PYTHON) tools/setup_env.py --venv $(BENCH_VENV) --extras bench-recsys,bench-ctr --torch $(TORCH) \
		$(if $(TORCH_INDEX),--torch-index $(TORCH_INDEX))
	@touch $@

bench-recsys: $(BENCH_VENV)/.stamp ## ours vs implicit, Surprise and RecBole's SASRec, in .venv-bench, to docs/BENCH_RECSYS.md and docs/BENCH_SEQUENTIAL.md
	$(BPY) tools/bench_recsys.py
	$(BPY) tools/bench_sequential.py

bench-ctr: $(BENCH_VENV)/.stamp ## our DeepFM vs DeepCTR-Torch, in .venv-bench, to docs/BENCH_CTR.md
	$(BPY) tools/bench_ctr.py

# Trainer kit, from the committed notebooks (nothing is executed).
student: setup ## write the student edition to build/student/ (outputs cleared, solutions hidden)
	$(PY) tools/student_edition.py

exercises: setup ## rewrite docs/EXERCISES.md, the catalogue of every exercise and quiz question by kind
	$(PY) tools/list_exercises.py

slides: setup ## build an offline slide deck per lesson in build/slides/ (open index.html)
	$(PY) tools/build_slides.py

site: setup ## build the course website in build/site/ and check every internal link
	$(PY) tools/build_site.py

# Lessons 21-23 outside the notebooks, and the GPU check of the package contract.
serve: setup ## start the lesson 22 model service on http://127.0.0.1:8000 (trains its models the first time)
	$(PY) tools/serve.py

bench-serve: setup ## load-test that service on localhost only; write docs/BENCH_SERVE.md
	$(PY) tools/bench_serve.py

bench-stream: setup ## lesson 21: stream replay throughput and per-event latency on one core
	$(PY) tools/bench_stream.py --repeats 3

bench-scale: setup ## lesson 23: pandas vs DuckDB vs Spark over 1x-8x the data; write docs/BENCH_SCALE.md
	$(PY) tools/bench_scale.py

gpu-check: setup ## train every torch model on CUDA and on CPU from the same seed and compare (tools/gpu_check.py)
	PYTHONPATH=. $(PY) tools/gpu_check.py
