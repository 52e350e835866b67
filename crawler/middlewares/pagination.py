"""Stop paginating once list pages show only articles the archive already has.

News lists are newest first. In a scheduled run, once
``DEDUP_STOP_AFTER_KNOWN_PAGES`` list pages have held nothing but known
articles, older list pages will not hold anything new: a list page that holds
only known articles then leads to no further list pages. Its articles are
still re-checked (conditionally, see ``conditional.py``), so an edited
article on a known page is still caught.

A run only stops early when the previous run of the same seed finished: after
a first crawl that was killed, interrupted or failed, the older pages were
never seen, and this run walks every list page to catch up.

The spider marks requests with ``request.meta["page_kind"]`` = ``"list"`` or
``"article"``; this spider middleware reads that and nothing else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.dedup.canonical import Canonicalizer, CanonicalURLError, load_tracking_params
from crawler.dedup.state import ListPageState, StateStore, StateStoreError, open_state_store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class PaginationStopMiddleware:
    """Spider middleware: no further list pages after N list pages of known articles."""

    def __init__(self, crawler: Crawler, store: StateStore, canonicalizer: Canonicalizer, limit: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.canonicalizer = canonicalizer
        self.limit = limit
        self.enabled = False
        self.known_only_pages = 0
        self.site = ""
        self.run_id = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("DEDUP_STOP_AFTER_KNOWN_PAGES", 2)
        if limit <= 0:
            raise NotConfigured("DEDUP_STOP_AFTER_KNOWN_PAGES is 0: every list page is followed")
        tracking = load_tracking_params(crawler.settings.get("CANONICAL_TRACKING_PARAMS_FILE") or None)
        tracking += [str(name) for name in crawler.settings.getlist("CANONICAL_TRACKING_PARAMS")]
        try:
            seed = getattr(crawler.spider, "seed", None)
        except RuntimeError:
            seed = None
        middleware = cls(crawler, open_state_store(crawler), Canonicalizer(tracking, getattr(seed, "url_aliases", None)), limit)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        from crawler.runinfo import run_id

        seed = getattr(spider, "seed", None)
        self.site = str(getattr(seed, "name", None) or spider.name)
        self.run_id = run_id(self.crawler)
        try:
            previous = self.store.last_outcome(self.site, self.run_id)
        except StateStoreError as exc:
            logger.error("State store unusable, following every list page: %s", exc)
            return
        self.enabled = previous == "finished"
        if not self.enabled:
            self.stats.set_value("pagination/catch_up", 1)
            logger.info(
                "Previous run of %s %s: following every list page",
                self.site,
                "never happened" if previous is None else f"ended as {previous!r}",
            )

    # -- spider output ------------------------------------------------------------------
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        if not self._watching(response):
            yield from result
            return
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not self._watching(response):
            async for output in result:
                yield output
            return
        collected = [output async for output in result]
        for output in self._filter(response, collected):
            yield output

    def _watching(self, response: Response | None) -> bool:
        # Links are remembered in every run (a catch-up run teaches the next one).
        return bool(self.run_id) and response is not None and response.meta.get("page_kind") == "list"

    def _filter(self, response: Response, outputs: list[Any]) -> list[Any]:
        links = set()
        for output in outputs:
            if isinstance(output, Request) and output.meta.get("page_kind") == "article":
                try:
                    links.add(self.canonicalizer.canonicalize(output.url))
                except CanonicalURLError:
                    continue
        try:
            ordered = sorted(links)
            # Known: listed by an earlier run (which, as it finished, dealt with
            # it: a record, a duplicate, a doorway, a 404), or an article on file.
            known = self.store.listed_before(ordered, self.run_id) | self.store.known_links(ordered)
            self.store.mark_listed(ordered, self.run_id)
            self.store.put_list_page(
                ListPageState(url=response.url, site=self.site, last_seen=time.time(), article_count=len(links),
                              new_count=len(links - known))
            )
        except StateStoreError as exc:
            logger.error("State store unusable, following list links from %s: %s", response.url, exc)
            return outputs
        if not self.enabled or not links or known != links:
            return outputs
        self.known_only_pages += 1
        self.stats.inc_value("pagination/known_only_pages")
        if self.known_only_pages < self.limit:
            return outputs
        kept = [o for o in outputs if not (isinstance(o, Request) and o.meta.get("page_kind") == "list")]
        dropped = len(outputs) - len(kept)
        if dropped:
            self.stats.inc_value("pagination/list_links_dropped", dropped)
            logger.info(
                "Not following %d list link(s) from %s: %d list pages held only known articles",
                dropped,
                response.url,
                self.known_only_pages,
            )
        return kept
