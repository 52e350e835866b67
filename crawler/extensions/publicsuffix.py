"""Public Suffix List from the installed tldextract, never from the internet.

Scrapy's cookie middleware asks tldextract whether a cookie's domain is a
public suffix, and surt (used for archive indexes) can ask it for registered
domains. On first use tldextract downloads the list from publicsuffix.org
unless its disk cache already holds a copy, so a crawl would reach a host it
was never told about, and on a machine without internet wait for the fetch to
fail. This extension points every tldextract instance the crawl uses at the
snapshot bundled with the installed tldextract, which the lock file pins, so
the answer is the same on every machine and nothing leaves the crawl's own
traffic.

Setting ``PUBLIC_SUFFIX_LIST_OFFLINE`` (default ``True``); ``False`` leaves
tldextract's own behaviour (cache, then download, then snapshot).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured
from tldextract import TLDExtract

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Where the TLDExtract instances a crawl or replay can reach live: module, attribute.
EXTRACTORS = (
    ("tldextract.tldextract", "TLD_EXTRACTOR"),  # tldextract.extract(), used by surt
    ("scrapy.downloadermiddlewares.cookies", "_split_domain"),  # cookie domains
)


def use_bundled_snapshot() -> list[str]:
    """Make every known TLDExtract instance read only the bundled snapshot; returns the ones changed."""
    changed = []
    for module_name, attribute in EXTRACTORS:
        extractor = getattr(importlib.import_module(module_name), attribute, None)
        if not isinstance(extractor, TLDExtract):
            logger.warning("No tldextract instance at %s.%s: it may fetch the Public Suffix List", module_name, attribute)
            continue
        # No URLs to try: tldextract parses the snapshot shipped inside the package (and caches the parse).
        extractor.suffix_list_urls = ()
        extractor.fallback_to_snapshot = True
        changed.append(f"{module_name}.{attribute}")
    return changed


class OfflinePublicSuffixList:
    """Keeps tldextract from downloading the Public Suffix List during a crawl or replay."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("PUBLIC_SUFFIX_LIST_OFFLINE", True):
            raise NotConfigured
        changed = use_bundled_snapshot()
        crawler.stats.set_value("publicsuffix/offline_extractors", len(changed))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)
