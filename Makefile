# Each target sets itself up: a fresh machine needs only python3 (>= 3.11).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYWB_VENV ?= .venv-pywb
STAMP := $(VENV)/.installed

.PHONY: demo test bench venv pywb-venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: venv
	$(PY) -m crawler.demo

test: venv
	$(PY) -m pytest -q -ra

bench: venv
	$(PY) bench/crawl.py

clean:
	rm -rf out bench/out .pytest_cache
