# Each target sets itself up: a fresh machine needs only python3 (>= 3.11).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYWB_VENV ?= .venv-pywb
STAMP := $(VENV)/.installed
PYWB_STAMP := $(PYWB_VENV)/.installed

.PHONY: demo test bench venv pywb-venv clean replay-ui

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# pywb gets a venv of its own: it pins old redis and pulls in brotlipy, which
# breaks Scrapy's brotli decoding. tests/test_pywb.py drives it from there.
pywb-venv: $(PYWB_STAMP)

$(PYWB_STAMP):
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	test -x $(PYWB_VENV)/bin/wayback || $(PYWB_VENV)/bin/python -m pip install --quiet 'pywb>=2.10,<2.11'
	touch $(PYWB_STAMP)

demo: venv
	$(PY) -m crawler.demo

test: venv pywb-venv
	$(PY) -m pytest -q -ra

# Every benchmark prints ratios against a baseline measured in the same run.
BENCHES ?= crawl warc extract spam dedup replay
bench: venv
	for name in $(BENCHES); do echo "== bench/$$name.py"; $(PY) bench/$$name.py || exit 1; done

# Browse an OUTPUT_DIR's archive in pywb: make replay-ui [OUTPUT_DIR=out] [PORT=8080]
replay-ui: venv pywb-venv
	$(PY) -m crawler.replay.ui $(or $(OUTPUT_DIR),out) --port $(or $(PORT),8080)

clean:
	rm -rf out bench/out .pytest_cache
