# pmkt-lessons: every command creates or reuses the project's own virtual
# environment (.venv) with the pinned versions in constraints.txt.
#   make lab        set up, then open the course in JupyterLab
#   make run-all    set up, then execute every lesson headless (a check, outputs to build/)
#   make test       set up, then lint, unit tests and nbval on every notebook
#   make bench      execute each notebook, write seconds and peak memory to docs/BENCHMARKS.md
PYTHON ?= python3.11
VENV ?= .venv
# Set TORCH_INDEX=https://download.pytorch.org/whl/cpu where pip would otherwise fetch a CUDA torch.
TORCH_INDEX ?=
NB ?= notebooks/[0-9][0-9]_*.ipynb
# Test processes: notebooks run two at a time on the 2-core machine (one kernel per core).
JOBS ?= 2

PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check --quiet -c constraints.txt \
	$(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
XDIST := -n $(JOBS) --dist loadfile
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup setup-lab lab run-all test unit nbval lint bench refresh lock bench-recsys bench-ctr clean student slides site

help:
	@sed -n '2,7p' Makefile

$(VENV)/.stamp-base:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --quiet --upgrade "pip>=24"
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base pyproject.toml constraints.txt
	$(PIP) -e ".[dev,crosscheck,docs]"
	$(PY) -m pip install --disable-pip-version-check --quiet --no-deps --ignore-requires-python obp==0.5.7
	$(PY) -m pip install --disable-pip-version-check --quiet --no-deps recbole==1.2.1
	touch $@

$(VENV)/.stamp-lab: $(VENV)/.stamp-dev
	$(PIP) -e ".[dev,lab]"
	touch $@

setup: $(VENV)/.stamp-dev

setup-lab: $(VENV)/.stamp-lab

lab: setup-lab
	$(VENV)/bin/jupyter lab notebooks/

run-all: setup
	$(PY) tools/notebooks.py run $(NB)

lint: setup
	$(VENV)/bin/ruff check pmkt_lessons tests tools

unit: setup
	$(PY) -m pytest tests

nbval: setup
	$(PY) -m pytest $(XDIST) $(NBVAL) $(NB)

test: setup
	$(VENV)/bin/ruff check pmkt_lessons tests tools
	$(PY) -m pytest $(XDIST) tests $(NBVAL) $(NB)

bench: setup
	$(PY) tools/notebooks.py bench $(NB)

# Re-execute notebooks in place (fresh kernel, top to bottom) after changing them.
refresh: setup
	$(PY) tools/notebooks.py refresh $(NB)

lock: setup
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra lab --extra crosscheck --extra docs --extra bench-recsys \
		--extra bench-ctr --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
		--find-links /opt/wheels \
		--annotation-style line --no-header -o constraints.new
	$(PY) tools/sync_envs.py constraints.new

clean:
	rm -rf $(VENV) build .pytest_cache

# Side-by-side benchmarks with production libraries, each in its own
# environment (.venv-bench) so the course environment stays as pinned.
BENCH_VENV := .venv-bench
BPY := $(BENCH_VENV)/bin/python
$(BENCH_VENV)/.stamp: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BPY) -m pip install --disable-pip-version-check --quiet -c constraints.txt \
		$(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[bench-recsys,bench-ctr]"
	$(BPY) -m pip install --disable-pip-version-check --quiet --no-deps recbole==1.2.1
	touch $@

bench-recsys: $(BENCH_VENV)/.stamp
	$(BPY) tools/bench_recsys.py

bench-ctr: $(BENCH_VENV)/.stamp
	$(BPY) tools/bench_ctr.py

# Trainer kit: student edition, slide decks and the course website, from the committed notebooks.
student: setup
	$(PY) tools/student_edition.py

slides: setup
	$(PY) tools/build_slides.py

site: setup
	$(PY) tools/build_site.py
