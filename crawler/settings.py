"""Scrapy settings for the Ministry News Archive, and the default of every project setting.

Defaults are polite for a government site (robots.txt obeyed, AutoThrottle,
two requests per host at a time) and safe for archives. Every value can be
overridden with ``-s NAME=VALUE``. Every setting the project's components read
is declared here with its default, as Scrapy's ``default_settings`` does, and
listed in docs/settings.md (tests/test_settings.py keeps the three in step).
One is not declared because the commands set it: a project value would
override a command's default. ``RUN_OUTPUTS_ENABLED`` (set by ``scrapy crawl``
and ``scrapy replay``).
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
RUN_ID = None  # None: a UTC timestamp plus the process id names the run's files
RUNLOCK_ENABLED = True  # one crawl per OUTPUT_DIR and seed at a time (crawler/extensions/runlock.py)
MANIFEST_MAX_ENTRIES_PER_KIND = 10_000  # problem entries kept per kind in the run manifest

USER_AGENT = f"MinistryNewsArchive/{__version__} (news archive crawler for research; obeys robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: government servers are small and easily overloaded.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
# With REDIS_URL these limits hold across all workers, AutoThrottle's delay included (docs/distributed.md).
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
# Lower caps for what is extracted (the WARC keeps the whole response up to DOWNLOAD_MAXSIZE):
# only the first EXTRACT_MAXSIZE bytes of a page are parsed, and a record's body is cut at a
# paragraph break before EXTRACT_MAX_BODY_CHARS characters. Both counted (extract/parse_truncated,
# extract/body_truncated) and listed in the run manifest. 0 turns a cap off.
EXTRACT_MAXSIZE = 8 * 1024 * 1024
EXTRACT_MAX_BODY_CHARS = 500_000
RETRY_ENABLED = True
RETRY_TIMES = 2
HTTPERROR_ALLOWED_CODES: list[int] = []

# Whether linked attachments (PDF, DOC, XLS, ZIP …) are downloaded (and so archived).
FETCH_ATTACHMENTS = True

# -- extraction (crawler/extract/, crawler/spiders/news.py) -----------------------
NORMALIZE_SITE_NAMES: list[str] = []  # more site names the normalise pipeline cuts from titles

# -- WARC capture (crawler/middlewares/warc.py, docs/warc.md) ----------------------
WARC_ENABLED = True  # capture every exchange into OUTPUT_DIR/warc/
WARC_PREFIX = "MNA"  # file name prefix
WARC_MAX_SIZE = 1024**3  # rotate after a file reaches this many bytes
WARC_GZIP_LEVEL = 6  # deflate level of each record's gzip member
WARC_INDEX = True  # write <name>.cdxj beside each closed file
WARC_WRITER = "thread"  # "thread": one writer thread; "inline": in the reactor thread
WARC_MAX_PENDING_BYTES = 64 * 1024 * 1024  # back-pressure threshold for the writer thread
WARC_OPERATOR = ""  # warcinfo "operator"
WARC_DESCRIPTION = ""  # warcinfo "description"

# -- replay (crawler/middlewares/replay.py, docs/replay.md) ------------------------
REPLAY_FILES: list[str] = []  # set by `scrapy replay`: the WARC files answering requests
REPLAY_LOOKUP_FILES: list[str] = []  # set by `scrapy replay`: archives searched for revisit originals
REPLAY_PROGRESS_INTERVAL = 10.0  # seconds between progress lines; 0: none

# -- conditional requests (crawler/middlewares/conditional.py) ---------------------
CONDITIONAL_REQUESTS_ENABLED = True  # send If-None-Match / If-Modified-Since from the state store
CONDITIONAL_PAGE_KINDS = ["article"]  # page kinds (request meta page_kind) that get validators

# -- spam (pipelines/spam.py, crawler/spam/, docs/spam.md) ------------------------
SPAM_ENABLED = True
SPAM_LEXICON_FILES: list[str] = []  # []: the shipped lexicon; else these files replace it
SPAM_EXTRA_LEXICON_FILES: list[str] = []  # more lexicon files, added to the shipped one
SPAM_ALLOWLIST_FILES: list[str] = []  # []: the shipped allow-list; else these files replace it
SPAM_EXTRA_ALLOWLIST_FILES: list[str] = []  # more allow-list files
SPAM_EXTRA_TERMS: list[str] = []  # more strong spam terms (category gambling)
SPAM_EXTRA_ALLOWED: list[str] = []  # more allow-listed phrases
SPAM_DOORWAY_MIN_SPAM_RATIO = 0.6  # share of the text that must be spam for a doorway page
SPAM_DOORWAY_MAX_CLEAN_CHARS = 200  # a page with more clean text is never a doorway
SPAM_HISTORY_ENABLED = True  # sentences new since the last capture, or missing from a copy, are judged more strictly
SPAM_FETCH_STYLESHEETS = False  # fetch same-host stylesheets once per run for the DOM stage
CLOAKING_PROBE_ENABLED = False  # re-fetch article pages as Baiduspider and compare
CLOAKING_PROBE_UNTIL_CLEAN = 5  # probe a site's articles until this many came back clean in a run
CLOAKING_PROBE_SAMPLE = 0.1  # then this fraction (pages that showed spam: always)
CLOAKING_PROBE_MEMORY_RUNS = 3  # after cloaking, probe every article for this many runs; 0: no memory

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
    # Redirects the duplicate filter drops (a page redirecting to itself) are reported.
    "crawler.extensions.droppedrequests.DroppedRedirects": 510,
}
DROPPED_REDIRECTS_ENABLED = True

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
LOAD_URL = ""  # empty: no live loading
LOAD_TABLE = "articles"  # table (or Parquet dataset) the records go to
LOAD_BATCH_SIZE = 500  # records per database transaction
JSONL_VALIDATE = True  # check each record against the JSON Schema before it is written

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
    # Scrapy's URLLENGTH_LIMIT, with each dropped link logged and listed in the manifest.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "crawler.middlewares.urllength.ReportingUrlLengthMiddleware": 805,
}
URLLENGTH_LIMIT = 2083  # Scrapy's setting; longer URLs are dropped and reported (crawler/middlewares/urllength.py)
DEDUP_STOP_AFTER_KNOWN_PAGES = 2  # 0: follow every list page

# -- dedup and the state store (crawler/dedup/, docs/scheduling.md) --------------
DEDUP_ENABLED = True  # False: no dedup pipeline; every extracted article is written
DEDUP_EMIT_UNCHANGED = False  # True: unchanged articles are written again in every run
CANONICAL_TRACKING_PARAMS_FILE = None  # None: the shipped list of tracking query parameters
CANONICAL_TRACKING_PARAMS: list[str] = []  # more tracking parameters to strip
NEAR_DUP_ENABLED = True  # flag near-duplicates (near_duplicate_of)
NEAR_DUP_THRESHOLD = 0.4  # estimated Jaccard similarity of 5-character shingles
NEAR_DUP_NUM_PERM = 128  # MinHash permutations (part of the stored signatures)
NEAR_DUP_SHINGLE_SIZE = 5  # characters per shingle
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
