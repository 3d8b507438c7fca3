# System Design Lab — the two commands a learner or instructor needs:
#   make lab    open the course in JupyterLab (sets everything up first)
#   make test   run every test, every notebook's stored outputs included
# Both create .venv with the Python found on PATH (3.11+) and install the course into it.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAB_PORT ?= 8888
LAB_IP   ?= 127.0.0.1
NBVAL  := --nbval --nbval-current-env --nbval-cell-timeout=300 \
          --nbval-sanitize-with notebooks/nbval_sanitize.cfg
# Two pytest workers, one file each at a time (a notebook's cells share one kernel): most tests
# wait on brokers, servers and kernels, so two cores finish the suite in about three quarters of
# the time (measured: 17.2 -> 13.4 min). PARALLEL= runs it in one process.
PARALLEL ?= -n 2 --dist loadfile

export PLOTLY_RENDERER := plotly_mimetype
export PYTHONHASHSEED  := 0

.PHONY: lab test unit nbval lint notebooks doctor broker kafka kafka-jars bench clean help

help:
	@echo "make lab        open the course in JupyterLab (http://$(LAB_IP):$(LAB_PORT)/lab/tree/$(LAB_START))"
	@echo "make test       lint + types (mypy) + unit tests + nbval over every notebook"
	@echo "make notebooks  re-execute every notebook in place (after changing a lesson)"
	@echo "make doctor     check that this machine has what the course needs"
	@echo "make kafka      fetch Apache Kafka's jars ahead of time (about 45 MB, once)"
	@echo "make bench      run the benchmarks, write benchmarks/RESULTS.md"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools announces how it made the editable install (a meta path finder) with a warning
	@# a learner can do nothing about; the install itself is the standard one.
	PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# JupyterLab's first start asks whether to fetch Jupyter news, in a toast that covers the lesson:
# answer "no" (and skip update checks) once, in this environment's settings overrides.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): binder/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp binder/overrides.json $@

# The URL JupyterLab prints is its default_url (with the token): make it lesson 00, a path relative
# to the served folder, so the learner lands in the first lesson, not on a file list. The file
# list shows the lessons only: nbval's sanitize rules are hidden (hide_globs replaces
# jupyter_server's default list, so that list is repeated first). tests/test_make_lab.py.
LAB_START := 00_start_here.ipynb
# Kernels talk to the server over Unix sockets in this private folder rather than TCP: over TCP
# every kernel start logs "running over TCP without encryption", which a learner can do nothing
# about. (The socket path must be absolute: kernels run in the notebook's folder.)
LAB_SOCKETS := $(abspath $(VENV))/run
LAB_HIDE  := __pycache__ '*.pyc' '*.pyo' .DS_Store '*~' nbval_sanitize.cfg

lab: $(STAMP) kafka-jars $(LAB_OVERRIDES)
	@echo "Starting JupyterLab on notebooks/ — open the URL printed below (Ctrl-C stops it)."
	@mkdir -p -m 700 $(LAB_SOCKETS)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=$(LAB_IP) --port=$(LAB_PORT) \
	    --KernelManager.transport=ipc --KernelManager.ip=$(LAB_SOCKETS)/kernel \
	    --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,) \
	    --LabApp.default_url=/lab/tree/$(LAB_START) \
	    $(foreach glob,$(LAB_HIDE),--ContentsManager.hide_globs=$(glob))

# Kafka's jars are fetched once into ~/.cache; offline, the Apache Kafka tests then skip (in CI,
# where SDL_REQUIRE_APACHE_KAFKA=1, they fail instead) and the lessons use the embedded broker.
kafka-jars: $(STAMP)
	@$(PY) -m course_lib kafka --fetch || echo "warning: Kafka's jars could not be fetched; lessons fall back to the embedded broker"

test: $(STAMP) kafka-jars
	$(PY) -m ruff check course_lib tests benchmarks notebooks data conftest.py
	$(PY) -m mypy
	$(PY) -m pytest tests notebooks $(NBVAL) -p no:cacheprovider $(PARALLEL) --durations=20

unit: $(STAMP)
	$(PY) -m pytest tests -p no:cacheprovider

nbval: $(STAMP)
	$(PY) -m pytest notebooks $(NBVAL) -p no:cacheprovider

lint: $(STAMP)
	$(PY) -m ruff check course_lib tests benchmarks notebooks data conftest.py
	$(PY) -m mypy

notebooks: $(STAMP)
	$(PY) -m course_lib.authoring $(NB)

bench: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

doctor: $(STAMP)
	$(PY) -m course_lib doctor

broker: $(STAMP)
	$(PY) -m course_lib broker

kafka: $(STAMP)
	$(PY) -m course_lib kafka --fetch

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
