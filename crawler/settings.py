"""Scrapy settings for the Ministry News Archive.

Defaults are polite for a government site (robots.txt obeyed, AutoThrottle,
two requests per host at a time) and safe for archives. Every value can be
overridden with ``-s NAME=VALUE``.
"""

from __future__ import annotations

from pathlib import Path

from crawler import __version__
from crawler.items import exported_field_names

BOT_NAME = "ministry_news"

SPIDER_LOADER_CLASS = "crawler.spiderloader.SeedSpiderLoader"
SPIDER_MODULES: list[str] = []
COMMANDS_MODULE = "crawler.commands"
# Where the shipped seed files live; every *.toml there is a spider.
SEEDS_DIR = str(Path(__file__).resolve().parent.parent / "seeds")

# Outputs (docs/architecture.md, "Output directory").
OUTPUT_DIR = "out"

USER_AGENT = f"MinistryNewsArchive/{__version__} (news archive crawler for research; obeys robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: government servers are small and easily overloaded.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Scrapy starts this many asyncio tasks for *every* response's callback output
# (scrapy.utils.asyncio._parallel_asyncio), whatever the output's size. Our
# callbacks yield one item (articles) or a list page's ~20 requests, so the
# default 100 costs ~100 task creations per page for no concurrency gained.
CONCURRENT_ITEMS = 8

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
HTTPERROR_ALLOWED_CODES: list[int] = []

# Whether linked attachments (PDF, DOC, XLS, ZIP …) are downloaded (and so archived).
FETCH_ATTACHMENTS = True

# The components that write a run's outputs (WARC, JSONL, state, lock, manifest) run only
# in `scrapy crawl` and `scrapy replay`, which set RUN_OUTPUTS_ENABLED; shell, fetch, view,
# parse, check and bench leave OUTPUT_DIR alone (crawler/runoutputs.py). RUN_OUTPUTS_ENABLED
# is not set here: a project-level value would override the commands' defaults.
ADDONS = {
    "crawler.runoutputs.RunOutputs": 0,
    # REDIS_URL makes a crawl a worker of a distributed crawl (crawler/distributed/, docs/distributed.md).
    "crawler.distributed.addon.Distributed": 10,
}

EXTENSIONS = {
    "crawler.extensions.publicsuffix.OfflinePublicSuffixList": 50,
    "crawler.extensions.runlock.RunLock": 100,
    "crawler.extensions.manifest.RunManifest": 500,
}

# The data flow of docs/architecture.md: normalise -> spam -> dedup -> JSONL.
ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.spam.SpamPipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.jsonl.JsonLinesWriter": 800,
    # After the JSONL: loads what was written into LOAD_URL (off when unset).
    "pipelines.load.LoadPipeline": 900,
}
# Live loading (README, "Loading into a database"): postgresql://…, duckdb:///FILE or parquet:DIR.
LOAD_URL = ""
LOAD_TABLE = "articles"
LOAD_BATCH_SIZE = 500

DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # robots.txt answering 5xx or not at all disallows the host, 4xx allows it (RFC 9309).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robotstxt.RobotsTxtMiddleware": 100,
    # Below RedirectMiddleware (600): validators go on every hop; a 304 ends the request here.
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 560,
    # Above HttpCompressionMiddleware (590): archives the raw bytes of every exchange.
    "crawler.middlewares.warc.WarcCaptureMiddleware": 950,
    # Between the downloader and RedirectMiddleware (600): an off-site redirect
    # reaches the errback (logged, counted) instead of vanishing.
    "crawler.middlewares.offsiteredirect.OffsiteRedirectMiddleware": 650,
}

# `scrapy check`: @start_url checks a callback on the spider's own seed (crawler/contracts.py).
SPIDER_CONTRACTS = {"crawler.contracts.StartUrlContract": 10}

SPIDER_MIDDLEWARES = {
    # Stops following list pages once DEDUP_STOP_AFTER_KNOWN_PAGES held only known articles.
    "crawler.middlewares.pagination.PaginationStopMiddleware": 800,
}
DEDUP_STOP_AFTER_KNOWN_PAGES = 2

# -- dedup and the state store (crawler/dedup/, docs/scheduling.md) --------------
DEDUP_ENABLED = True  # False: no dedup pipeline; every extracted article is written
DEDUP_EMIT_UNCHANGED = False  # True: unchanged articles are written again in every run
CANONICAL_TRACKING_PARAMS_FILE = None  # None: the shipped list of tracking query parameters
CANONICAL_TRACKING_PARAMS: list[str] = []  # more tracking parameters to strip
NEAR_DUP_ENABLED = True
NEAR_DUP_THRESHOLD = 0.4  # estimated Jaccard similarity of 5-character shingles
NEAR_DUP_NUM_PERM = 128
NEAR_DUP_SHINGLE_SIZE = 5
NEAR_DUP_MIN_CHARS = 80  # shorter bodies are not compared
STATE_PATH = None  # None: OUTPUT_DIR/state/state.sqlite
STATE_STORE_CLASS = None  # another StateStore with from_crawler (e.g. a shared store)
STATE_COMMIT_EVERY = 50000  # writes per committed batch
STATE_COMMIT_INTERVAL = 2.0  # seconds an uncommitted batch may wait
STATE_LOCK_TIMEOUT = 30.0  # seconds to wait for another process's write lock

# -- distributed crawls (crawler/distributed/, docs/distributed.md) ---------------
# REDIS_URL switches a crawl into a worker of a distributed crawl (ADDONS); without it nothing changes.
REDIS_URL = None  # redis://host:port/db
REDIS_KEY_PREFIX = "mna"  # every key of this archive lives under it
REDIS_IDLE_CLOSE = 10.0  # seconds the shared frontier stays empty, nothing pending, before workers finish
REDIS_HEARTBEAT_INTERVAL = 1.0  # seconds between a worker's heartbeats (and acknowledgements)
REDIS_VISIBILITY_TIMEOUT = 60.0  # seconds of silence after which a worker's taken requests are put back
REDIS_LOST_TIMEOUT = 30.0  # seconds without Redis after which a worker stops (exit 1)
REDIS_CLAIM_SECONDS = 300.0  # longest a worker's claim on an article being decided lasts
REDIS_HOST_RATE = -1.0  # requests/s per host across all workers; -1: 1 / DOWNLOAD_DELAY; 0: no limit
REDIS_HOST_CONCURRENCY = -1  # requests in flight per host across all workers; -1: CONCURRENT_REQUESTS_PER_DOMAIN

FEED_EXPORT_ENCODING = "utf-8"
# Feed exports (`scrapy crawl mca -O items.json`) hold the JSONL record's fields only, not the
# item's working data (`extra`); the JSONL writer leaves the record as written in the item.
FEED_EXPORT_FIELDS = exported_field_names()
LOG_LEVEL = "INFO"
# No control servers in a crawl or replay: Scrapy's telnet console and its
# remote-control HTTP server (which runs any Python code POSTed to it) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# tldextract (cookie domains, surt) uses its bundled Public Suffix List, never downloads one.
PUBLIC_SUFFIX_LIST_OFFLINE = True
