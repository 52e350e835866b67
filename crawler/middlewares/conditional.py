"""Conditional requests: re-check known articles with If-None-Match / If-Modified-Since.

A scheduled run re-visits article pages it has already recorded. When the
state store holds the ETag or Last-Modified a page was recorded with, the
request carries them, and a ``304 Not Modified`` ends the request there: the
article is unchanged, nothing is downloaded or re-extracted. The 304 is still
archived (the WARC capture middleware sits nearer the downloader).

Servers that ignore the headers answer ``200`` with the full page; the dedup
pipeline then compares body digests, so an unchanged article is still not
emitted again — and neither is one whose ETag changes on every request.

Validators are stored only once the article's outcome is durable: when its
record was written (``item_scraped``) or dedup dropped it as unchanged or a
duplicate. A run killed in between re-fetches the page in full next time
instead of wrongly getting a 304 for a record that was never written.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from crawler.dedup.canonical import Canonicalizer, CanonicalURLError, load_tracking_params
from crawler.dedup.state import StateStore, StateStoreError, Validators, open_state_store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

META_SENT = "conditional_validators"
# Dedup outcomes after which a dropped article's validators may be kept.
DURABLE_DROPS = ("unchanged", "duplicate")


class NotModified(IgnoreRequest):
    """A known article answered 304: unchanged since it was recorded (not a failure)."""


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    return value.decode("latin-1").strip() or None


class ConditionalRequestMiddleware:
    """Downloader middleware (priority 560) sending validators for known article URLs."""

    def __init__(self, crawler: Crawler, store: StateStore, canonicalizer: Canonicalizer, page_kinds: list[str]):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.canonicalizer = canonicalizer
        self.page_kinds = set(page_kinds)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("CONDITIONAL_REQUESTS_ENABLED", True):
            raise NotConfigured("CONDITIONAL_REQUESTS_ENABLED is off")
        tracking = load_tracking_params(settings.get("CANONICAL_TRACKING_PARAMS_FILE") or None)
        tracking += [str(name) for name in settings.getlist("CANONICAL_TRACKING_PARAMS")]
        try:
            seed = getattr(crawler.spider, "seed", None)
        except RuntimeError:  # no spider yet (built outside a crawl)
            seed = None
        canonicalizer = Canonicalizer(tracking, getattr(seed, "url_aliases", None))
        middleware = cls(
            crawler,
            open_state_store(crawler),
            canonicalizer,
            settings.getlist("CONDITIONAL_PAGE_KINDS", ["article"]),
        )
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(middleware.item_dropped, signal=signals.item_dropped)
        return middleware

    def _key(self, url: str) -> str | None:
        try:
            return self.canonicalizer.canonicalize(url)
        except CanonicalURLError:
            return None

    # -- requests ---------------------------------------------------------------------
    def process_request(self, request: Request) -> None:
        if request.meta.get("page_kind") not in self.page_kinds or request.meta.get("dont_conditional"):
            return None
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None  # someone chose their own validators
        key = self._key(request.url)
        if key is None:
            return None
        try:
            validators = self.store.get_validators(key)
        except StateStoreError as exc:
            logger.error("State store unusable, fetching %s unconditionally: %s", request.url, exc)
            self.stats.inc_value("conditional/state_error")
            return None
        if validators is None or not (validators.etag or validators.last_modified):
            return None
        if validators.etag:
            request.headers[b"If-None-Match"] = validators.etag
        if validators.last_modified:
            request.headers[b"If-Modified-Since"] = validators.last_modified
        request.meta[META_SENT] = (validators.etag, validators.last_modified)
        self.stats.inc_value("conditional/sent")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        sent = request.meta.get(META_SENT)
        if sent is None:
            if response.status == 304:
                self.stats.inc_value("conditional/unrequested_304")
            return response
        if response.status == 304:
            self.stats.inc_value("conditional/not_modified")
            # An article answered 304 is an unchanged article, as far as the run's counts go.
            self.stats.inc_value("dedup/unchanged")
            logger.debug("Not modified since last recorded: %s", request.url)
            raise NotModified(f"not modified: {request.url}")
        if response.status == 200:
            etag, last_modified = sent
            same_etag = etag is not None and _header(response, "ETag") == etag
            same_date = etag is None and last_modified is not None and _header(response, "Last-Modified") == last_modified
            if same_etag or same_date:
                # The server ignored our validators; dedup compares body digests instead.
                self.stats.inc_value("conditional/ignored")
            else:
                self.stats.inc_value("conditional/modified")
        return response

    # -- remembering validators ---------------------------------------------------------
    def item_scraped(self, item: Any, response: Response | None) -> None:
        self._remember(item, response)

    def item_dropped(self, item: Any, response: Response | None) -> None:
        extra = ItemAdapter(item).get("extra") or {}
        if extra.get("dedup_kind") in DURABLE_DROPS:
            self._remember(item, response)

    def _remember(self, item: Any, response: Response | None) -> None:
        if response is None or response.status != 200:
            return
        if response.meta.get("page_kind") not in self.page_kinds:
            return
        etag, last_modified = _header(response, "ETag"), _header(response, "Last-Modified")
        if not (etag or last_modified):
            return
        key = self._key(response.url)
        if key is None:
            return
        body_sha1 = ItemAdapter(item).get("body_sha1") or None
        try:
            self.store.put_validators(key, Validators(etag=etag, last_modified=last_modified, body_sha1=body_sha1))
        except StateStoreError as exc:
            logger.error("Could not store validators of %s: %s", response.url, exc)
            self.stats.inc_value("conditional/state_error")
            return
        self.stats.inc_value("conditional/stored")
