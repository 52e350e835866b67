"""Reports redirects that Scrapy's duplicate filter drops, which it does without a word.

A redirect to a URL the crawl already requested (a page redirecting to itself,
or a loop through several URLs) is filtered as a duplicate: the page behind it
is never fetched. A loop is a problem of the site: logged with the URLs,
counted (``dropped/redirect_loop``) and listed in the run manifest
(``redirect_loop``). A redirect to a page fetched under another link is
counted (``dropped/redirect_to_seen``) and logged at INFO; that page was fetched.
Plain duplicate links (the same article on two list pages) stay Scrapy's
``dupefilter/filtered``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.signals import manifest_entry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)


class DroppedRedirects:
    """Counts, logs and lists the redirects the duplicate filter drops."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("DROPPED_REDIRECTS_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        chain = list(request.meta.get("redirect_urls") or ())
        if not chain:
            return  # not a redirect: an ordinary duplicate link
        stats = self.crawler.stats
        if request.url in chain:
            stats.inc_value("dropped/redirect_loop")
            path = " -> ".join([*chain[chain.index(request.url):], request.url])
            logger.warning("Redirect loop, %s not fetched: %s", chain[0], path)
            self.crawler.signals.send_catch_log(
                manifest_entry, kind="redirect_loop",
                entry={"url": chain[0], "redirects": [*chain[1:], request.url], "reason": "redirect loop"},
            )
            return
        stats.inc_value("dropped/redirect_to_seen")
        logger.info("Redirect from %s to %s not followed: that URL was already requested", chain[0], request.url)
