"""The sample site: a loopback forward proxy that serves pages written for this project.

Tests and ``make demo`` crawl real ministry host names through it, so seed
files, WARC records and ``allowed_domains`` are exercised as in production.
"""

from __future__ import annotations

from sample.server import CONTROL_HOST, listen, serve
from sample.store import DEFAULT_SITE_DIR, MemoryPageStore, Page, PageStore, load_site

__all__ = ["CONTROL_HOST", "DEFAULT_SITE_DIR", "MemoryPageStore", "Page", "PageStore", "listen", "load_site", "serve"]
