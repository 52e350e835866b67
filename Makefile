# Each target sets itself up: a fresh machine needs only python3 (>= 3.11).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYWB_VENV ?= .venv-pywb
STAMP := $(VENV)/.installed
PIP_VERSION := 26.3
PYWB_REQUIREMENT := pywb>=2.10,<2.11
PYWB_STAMP := $(PYWB_VENV)/.installed

.PHONY: demo test bench venv pywb-venv clean replay-ui lock upgrade-deps report report-screenshot spam-model

venv: $(STAMP)

# Installs take the exact versions in constraints.txt (the tested set); see
# "Dependencies" in the README for `make lock` and `make upgrade-deps`.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench,model]'
	touch $(STAMP)

# pywb gets a venv of its own: it pins old redis and pulls in brotlipy, which
# breaks Scrapy's brotli decoding. tests/replay/test_pywb.py drives it from there.
pywb-venv: $(PYWB_STAMP)

$(PYWB_STAMP): constraints-pywb.txt
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet -c constraints-pywb.txt '$(PYWB_REQUIREMENT)'
	touch $(PYWB_STAMP)

# The spam register classifier, rebuilt from crawler/spam/data/training/*.tsv
# (written by tools/spam_training_corpus.py); the same files give the same model.
spam-model: venv
	$(PY) -m crawler.spam.training

demo: venv
	$(PY) -m sample.demo

# Two pytest-xdist workers: one pytest process keeps about one core busy, as each e2e
# test waits on the crawl, replay or server it started. One worker runs all of a file's
# tests (its module fixtures run once); the workers share one sample_crawl
# (tests/conftest.py). Tests marked `alone` (a crawl whose bounds need the CPU to
# itself) run afterwards, by themselves. TEST_WORKERS=0: everything in one process.
TEST_WORKERS ?= 2
test: venv pywb-venv
ifeq ($(TEST_WORKERS),0)
	$(PY) -m pytest -q -ra
else
	$(PY) -m pytest -q -ra -n $(TEST_WORKERS) --dist loadfile -m "not alone"; parallel=$$?; \
	$(PY) -m pytest -q -ra -m alone && exit $$parallel
endif

# Every benchmark prints ratios against a baseline measured in the same run.
BENCHES ?= crawl warc extract spam dedup replay report load
bench: venv
	for name in $(BENCHES); do echo "== bench/$$name.py"; $(PY) bench/$$name.py || exit 1; done

# The tamper report of an OUTPUT_DIR: make report [OUTPUT_DIR=out] -> OUTPUT_DIR/report.html + .json
report: venv
	$(VENV)/bin/scrapy report $(or $(OUTPUT_DIR),out) -o $(or $(OUTPUT_DIR),out)/report.html

# The README's picture: the report of the sample-site demo, rendered by headless Chromium.
report-screenshot: demo report
	$(PY) tools/browser.py screenshot out/report.html docs/report.png

# Browse an OUTPUT_DIR's archive in pywb: make replay-ui [OUTPUT_DIR=out] [PORT=8080]
replay-ui: venv pywb-venv
	$(PY) -m crawler.replay.ui $(or $(OUTPUT_DIR),out) --port $(or $(PORT),8080)

clean:
	rm -rf out bench/out .pytest_cache

# Add a dependency named in pyproject.toml to the lock, keeping every other pin.
lock: venv
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,bench,model]'
	$(PY) tools/lockfile.py write constraints.txt $(PY)

# Re-resolve every dependency to the newest allowed by pyproject.toml, run the
# whole suite against that set in scratch venvs, and only then rewrite the locks.
UPGRADE_VENV ?= .venv-upgrade
upgrade-deps:
	rm -rf $(UPGRADE_VENV) $(UPGRADE_VENV)-pywb
	$(PYTHON) -m venv $(UPGRADE_VENV)
	$(UPGRADE_VENV)/bin/python -m pip install --quiet 'pip==$(PIP_VERSION)'
	$(UPGRADE_VENV)/bin/python -m pip install --quiet -e '.[test,bench,model]'
	$(PYTHON) -m venv $(UPGRADE_VENV)-pywb
	$(UPGRADE_VENV)-pywb/bin/python -m pip install --quiet '$(PYWB_REQUIREMENT)'
	UPGRADING_LOCKS=1 PYWB_BIN=$(CURDIR)/$(UPGRADE_VENV)-pywb/bin $(UPGRADE_VENV)/bin/python -m pytest -q -ra
	$(UPGRADE_VENV)/bin/python tools/lockfile.py write constraints.txt $(UPGRADE_VENV)/bin/python
	$(UPGRADE_VENV)/bin/python tools/lockfile.py write constraints-pywb.txt $(UPGRADE_VENV)-pywb/bin/python
	rm -rf $(UPGRADE_VENV) $(UPGRADE_VENV)-pywb
	rm -f $(STAMP) $(PYWB_STAMP)
	$(MAKE) venv pywb-venv
