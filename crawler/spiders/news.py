"""The news spider: list pages (with pagination) -> article pages -> items.

One class serves every site. The spider loader binds it to a seed file
(``scrapy crawl mca``); ``scrapy crawl news -a seed=PATH`` binds it to any
other file. Link rules live in :mod:`crawler.links`, field extraction in
:mod:`crawler.extract`; this module only wires them to Scrapy and counts.
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from concurrent.futures import Future
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawler.dedup.canonical import find_link_canonical
from crawler.spam.cloaking import (
    PROBE_META_KEY,
    CloakingPolicy,
    compare_fetches,
    page_showed_spam,
    probe_headers,
    remove_additions,
)
from crawler.extract import Extracted, extract_article
from crawler.extract.fields import article_fields
from crawler.extract.pool import ExtractionPool, Precomputed, ReadAhead, declared_charset
from crawler.items import ArticleItem
from crawler.links import Link, extract_links, offsite_links
from crawler.precomputed import EXTRA_KEY as PRECOMPUTED
from crawler.precomputed import pipeline_steps
from crawler.middlewares.conditional import NotModified
from crawler.replay.index import IndexEntry
from crawler.runinfo import utc_now_iso
from crawler.seeds import Seed, load_seed
from crawler.signals import manifest_entry
from crawler.spam.stylesheets import MAX_STYLESHEET_BYTES, StylesheetCache, hiding_css, linked_stylesheets
from crawler.dedup.state import StateStoreError, open_state_store

logger = logging.getLogger(__name__)


class NewsSpider(scrapy.Spider):
    """Crawls one ministry news section described by a seed."""

    name = "news"
    seed: Seed | None = None

    def __init__(self, *args: Any, seed: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if type(self).seed is None:
            if not seed:
                raise ValueError("the 'news' spider needs a seed file: scrapy crawl news -a seed=PATH")
            self.seed = load_seed(seed)
            self.name = self.seed.name
        elif seed:
            raise ValueError(f"spider {self.name!r} is bound to {type(self).seed.path}; -a seed is only for 'news'")
        self.allowed_domains = list(self.seed.allowed_domains)

    @classmethod
    def handles_request(cls, request: Request) -> bool:
        return cls.seed is not None and cls.seed.allows_host(urlsplit(request.url).hostname or "")

    async def start(self) -> AsyncIterator[Request]:
        self._start_extraction_pool()
        for url in self.seed.start_urls:
            yield Request(url, callback=self.parse_list, errback=self.on_error, meta={"page_kind": "list", "start_url": True})

    # -- list pages ---------------------------------------------------------------
    def parse_list(self, response: Response) -> Iterator[Request]:
        """A list page: requests for its article, list and attachment links, never items.

        @start_url
        @returns items 0 0
        @returns requests 1
        """
        stats = self.crawler.stats
        stats.inc_value("spider/list_pages")
        if not isinstance(response, TextResponse):
            stats.inc_value("spider/list_not_html")
            logger.warning("List page is not HTML (%s): %s", response.headers.get("Content-Type", b"?").decode("latin-1"), response.url)
            return
        inside, outside = offsite_links(extract_links(response.selector, response.url, self.seed), self.seed)
        if outside:
            stats.inc_value("spider/offsite_links", len(outside))
            logger.debug("Ignored %d off-site links on %s", len(outside), response.url)
        articles = [link for link in inside if link.kind == "article"]
        if not articles:
            stats.inc_value("spider/list_without_articles")
            logger.warning("List page has no article links: %s", response.url)
        stats.inc_value("spider/article_links", len(articles))
        for link in inside:
            yield self._request_for(link, referer=response.url)

    def _request_for(self, link: Link, referer: str) -> Request:
        callbacks = {"article": self.parse_article, "list": self.parse_list, "attachment": self.parse_attachment}
        return Request(
            link.url,
            callback=callbacks[link.kind],
            errback=self.on_error,
            meta={"page_kind": link.kind, "link_text": link.text[:200]},
            headers={"Referer": referer},
        )

    # -- articles -----------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[ArticleItem | Request]:
        """An article page: its item (and requests for its attachments).

        No ``scrapy check`` contract: a seed names list pages only, so no article
        URL holds for every site. Articles are checked against the sample site's
        expected records (tests/test_crawl_e2e.py).
        """
        if not self._is_html_article(response):
            return
        if self.settings.getbool("SPAM_FETCH_STYLESHEETS", False):
            cache = self._stylesheets()
            urls = linked_stylesheets(response, response.url, self.seed.allowed_domains)
            if cache.missing(urls):
                # The first article linking a stylesheet waits for its one fetch this run.
                self.crawler.stats.inc_value("spider/stylesheets/articles_waited")
                for url in cache.wait(response, urls):
                    yield self._stylesheet_request(url, response.url)
                return
        yield from self._article_with_stylesheets(response)

    # -- same-host stylesheets (SPAM_FETCH_STYLESHEETS; crawler/spam/stylesheets.py) ----
    def _stylesheets(self) -> StylesheetCache:
        cache: StylesheetCache | None = getattr(self, "_stylesheet_cache", None)
        if cache is None:
            cache = self._stylesheet_cache = StylesheetCache()
        return cache

    def _stylesheet_request(self, url: str, referer: str) -> Request:
        self.crawler.stats.inc_value("spider/stylesheets/requests")
        return Request(url, callback=self.parse_stylesheet, errback=self.on_stylesheet_error, dont_filter=True,
                       meta={"page_kind": "stylesheet"}, headers={"Referer": referer}, cb_kwargs={"url": url})

    def parse_stylesheet(self, response: Response, url: str) -> Iterator[ArticleItem | Request]:
        text = ""
        if not isinstance(response, TextResponse) or len(response.body) > MAX_STYLESHEET_BYTES:
            self.crawler.stats.inc_value("spider/stylesheets/unusable")
            logger.warning("Stylesheet not used (not text or over %d bytes): %s", MAX_STYLESHEET_BYTES, url)
        else:
            text = hiding_css(response.text)
            self.crawler.stats.inc_value("spider/stylesheets/with_hiding_rules" if text else "spider/stylesheets/no_hiding_rules")
        yield from self._stylesheet_done(url, text)

    def on_stylesheet_error(self, failure: Failure) -> Iterator[ArticleItem | Request]:
        url = failure.request.cb_kwargs["url"]  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("spider/stylesheets/failed")
        logger.warning("Stylesheet fetch failed, articles go on without it %s: %s", url, failure_reason(failure))
        yield from self._stylesheet_done(url, "")

    def _stylesheet_done(self, url: str, text: str) -> Iterator[ArticleItem | Request]:
        for response in self._stylesheets().done(url, text):
            yield from self._article_with_stylesheets(response)

    def _article_with_stylesheets(self, response: Response) -> Iterator[ArticleItem | Request]:
        css: list[str] = []
        if self.settings.getbool("SPAM_FETCH_STYLESHEETS", False):
            css = self._stylesheets().css_for(linked_stylesheets(response, response.url, self.seed.allowed_domains))
        if not css:
            yield from self._article_outputs(response, *self._extracted(response))
            return
        # A worker's result was computed without the stylesheets: extract here.
        for pending in (getattr(self, "_prefetched", {}).pop(response, None),
                        getattr(self, "_read_ahead", {}).pop(response.request, None) if response.request else None):
            if pending is not None:
                pending.cancel()
        self.crawler.stats.inc_value("spider/stylesheets/applied")
        body, url, declared = self._extract_arguments(response)
        extracted = extract_article(body, url, declared, allowed_domains=self.seed.allowed_domains,
                                    language=self.seed.language, stylesheets=css)
        yield from self._article_outputs(response, extracted)

    # -- extraction in worker processes (EXTRACT_PROCESSES > 0) -----------------------
    # Each article response is handed to the pool as soon as it is downloaded
    # (response_received), while earlier ones still wait for their callbacks; the
    # callback then takes the finished result, or extracts the page itself when no
    # worker has started on it yet. The callbacks stay synchronous and run
    # when they would inline, so the crawl's order of events is unchanged, and the
    # pool computes the same pure function of the same response: the same items in
    # the same order reach the pipelines. Unless EXTRACT_PRECOMPUTE is off, the workers
    # also run the item pipelines' steps (crawler/precomputed.py) on what they extracted.
    def _start_extraction_pool(self) -> None:
        processes = self.settings.getint("EXTRACT_PROCESSES", 0)
        self._prefetched: weakref.WeakKeyDictionary[Response, Future[Any]] = weakref.WeakKeyDictionary()
        self._pool: ExtractionPool | None = None
        if processes <= 0:
            return
        steps = pipeline_steps(self.crawler) if self.settings.getbool("EXTRACT_PRECOMPUTE", True) else []
        self._pool = ExtractionPool(processes, steps)
        self.crawler.signals.connect(self._prefetch_extraction, signal=signals.response_received)
        logger.info("Extracting articles in %d worker processes%s", processes,
                    f" (with the steps of {', '.join(step.name for step in steps)})" if steps else "")
        self._start_read_ahead()

    # -- replay: extraction started when an article request is scheduled ------------
    # Answered from an archive, a request's response is known before it is downloaded:
    # a worker reads and extracts the archived page as soon as the request is scheduled
    # (at most EXTRACT_READ_AHEAD pages at a time, default 64), so the crawl process
    # does not wait at the callback. The result is used only if the response turns out
    # to be what the worker read (same bytes, URL and declared charset).
    def _start_read_ahead(self) -> None:
        self._read_ahead: weakref.WeakKeyDictionary[Request, Future[ReadAhead | None]] = weakref.WeakKeyDictionary()
        self._read_ahead_limit = self.settings.getint("EXTRACT_READ_AHEAD", 64)
        self._archived_entry = archived_entry_source(self.crawler)
        if self._archived_entry is not None and self._read_ahead_limit > 0:
            self.crawler.signals.connect(self._read_ahead_scheduled, signal=signals.request_scheduled)
            # request_scheduled comes before the duplicate filter: a request it drops is never downloaded.
            self.crawler.signals.connect(self._read_ahead_dropped, signal=signals.request_dropped)

    def _read_ahead_scheduled(self, request: Request, spider: scrapy.Spider) -> None:
        if self._pool is None or request.callback != self.parse_article or self._archived_entry is None:
            return
        if len(self._read_ahead) >= self._read_ahead_limit:
            return
        entry = self._archived_entry(request)
        if entry is None or entry.revisit or entry.status != 200:
            return
        try:
            self._read_ahead[request] = self._pool.submit_archived(
                entry, allowed_domains=self.seed.allowed_domains, language=self.seed.language
            )
        except Exception as exc:  # the pool is gone: the callback extracts inline
            self._pool_unusable(exc)

    def _pool_unusable(self, exc: Exception) -> None:
        logger.warning("Extraction pool unusable (%s: %s); extracting in the crawl process", type(exc).__name__, exc)
        self.crawler.stats.inc_value("extract/pool_errors")
        self._pool = None

    def _read_ahead_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        future = self._read_ahead.pop(request, None)
        if future is not None:
            future.cancel()  # a worker that has started finishes it, for nothing
            self.crawler.stats.inc_value("extract/read_ahead_dropped")

    def _read_ahead_result(self, response: Response) -> tuple[Extracted, Precomputed] | None:
        read_ahead = getattr(self, "_read_ahead", None)
        future = read_ahead.pop(response.request, None) if read_ahead is not None and response.request else None
        if future is None or not self._worker_finished(future, response):
            return None
        stats = self.crawler.stats
        result = future.result()
        if result is None or not result.matches(*self._extract_arguments(response)):
            stats.inc_value("extract/read_ahead_unused")
            return None
        stats.inc_value("extract/read_ahead_used")
        result.emit_log()
        return result.extracted, result.precomputed

    def _prefetch_extraction(self, response: Response, request: Request) -> None:
        if self._pool is None or request.callback != self.parse_article or not isinstance(response, TextResponse):
            return
        if not 200 <= response.status < 300:
            return  # HttpErrorMiddleware keeps it from the callback
        if request in getattr(self, "_read_ahead", ()):
            return  # a worker is on it already
        try:
            self._prefetched[response] = self._pool.submit(
                *self._extract_arguments(response), allowed_domains=self.seed.allowed_domains, language=self.seed.language
            )
        except Exception as exc:  # the pool is gone: the callback extracts inline
            self._pool_unusable(exc)

    def _extracted(self, response: Response) -> tuple[Extracted, Precomputed | None]:
        read_ahead = self._read_ahead_result(response)
        if read_ahead is not None:
            return read_ahead
        future = self._prefetched.pop(response, None) if hasattr(self, "_prefetched") else None
        if future is not None and self._worker_finished(future, response):
            return ExtractionPool.result(future)
        body, url, declared = self._extract_arguments(response)
        extracted = extract_article(body, url, declared, allowed_domains=self.seed.allowed_domains, language=self.seed.language)
        return extracted, None

    def _worker_finished(self, future: Future[Any], response: Response) -> bool:
        """Whether a worker's result for ``response`` is there to take (waiting for a worker that has started).

        False, and this process extracts the page itself, when no worker had started
        on it (the workers are behind, or share the cores with other work, and this
        process would only wait: the future is taken back) or when the worker failed
        (it died, or could not read the record).
        """
        stats = self.crawler.stats
        if not future.done() and future.cancel():
            stats.inc_value("extract/pool_taken_back")
            return False
        # How far ahead the pool runs: a callback that finds its result ready did not wait.
        stats.inc_value("extract/pool_ready" if future.done() else "extract/pool_waited")
        try:
            error = future.exception()
        except Exception as exc:  # cancelled
            error = exc
        if error is None:
            return True
        stats.inc_value("extract/pool_errors")
        logger.warning("Extraction worker failed on %s (%s: %s); extracting in the crawl process",
                       response.url, type(error).__name__, error)
        return False

    def _extract_arguments(self, response: Response) -> tuple[bytes, str, str | None]:
        return response.body, response.url, declared_encoding(response)

    def closed(self, reason: str) -> None:
        cache: StylesheetCache | None = getattr(self, "_stylesheet_cache", None)
        if cache is not None and cache.waiting:  # a fetch never answered (the run was stopped)
            self.crawler.stats.inc_value("spider/stylesheets/articles_lost", len(cache.waiting))
            for response, _ in cache.waiting:
                logger.warning("Article not extracted, its stylesheet never arrived: %s", response.url)
        policy = getattr(self, "_cloaking", None)
        if policy is not None:
            try:
                policy.close()
            except StateStoreError as exc:
                logger.error("Could not keep the cloaking history of %s: %s", self.seed.name, exc)
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()

    def _is_html_article(self, response: Response) -> bool:
        stats = self.crawler.stats
        stats.inc_value("spider/article_pages")
        if not isinstance(response, TextResponse):
            stats.inc_value("spider/article_not_html")
            logger.warning("Article link did not return HTML (%s): %s", response.headers.get("Content-Type", b"?").decode("latin-1"), response.url)
            return False
        return True

    def _article_outputs(
        self, response: Response, extracted: Extracted, precomputed: Precomputed | None = None
    ) -> Iterator[ArticleItem | Request]:
        stats = self.crawler.stats
        # The extractor logs each note with the URL; here they are counted.
        for note in extracted.notes:
            stats.inc_value(f"extract/{note}")
        canonical = canonicalize_url(response.url)
        fields = article_fields(extracted, self.seed.language)
        extra = fields.pop("extra")
        # -- issue 6 hook: dedup honours an on-site rel=canonical (pipelines/dedup.py) --
        extra["link_canonical"] = find_link_canonical(response.text)
        if precomputed:
            extra[PRECOMPUTED] = precomputed
        item = ArticleItem(
            url=response.url,
            canonical_url=canonical,
            id=hashlib.sha1(canonical.encode("utf-8")).hexdigest(),
            site=self.seed.name,
            fetched_at=response.meta.get("fetched_at") or utc_now_iso(),
            warc=response.meta.get("warc"),
            extra=extra,
            **fields,
        )
        if self.settings.getbool("FETCH_ATTACHMENTS"):
            for attachment in item.attachments:
                link = Link(url=attachment["url"], text=attachment.get("title", ""), kind="attachment")
                if self.seed.allows_host(urlsplit(link.url).hostname or ""):
                    yield self._request_for(link, referer=response.url)
        probe = self._cloaking_probe(response, item)  # issue 5: the probe yields the item when it is done
        if probe is not None:
            yield probe
            return
        yield item

    # -- cloaking probe (issues 5, 17; rules in crawler/spam/cloaking.py) -------------
    # Settings (docs/spam.md): CLOAKING_PROBE_ENABLED (default False), CLOAKING_PROBE_UNTIL_CLEAN
    # (probe a site's articles until this many came back clean, default 5), CLOAKING_PROBE_SAMPLE
    # (then this fraction, default 0.1; pages that showed spam always), CLOAKING_PROBE_MEMORY_RUNS
    # (probe every article of a site that cloaked, for this many runs, default 3; 0: no memory).
    def _cloaking_policy(self) -> CloakingPolicy:
        policy: CloakingPolicy | None = getattr(self, "_cloaking", None)
        if policy is None:
            settings = self.settings
            memory_runs = settings.getint("CLOAKING_PROBE_MEMORY_RUNS", 3)
            store = None
            if memory_runs > 0:
                try:
                    store = open_state_store(self.crawler)
                except StateStoreError as exc:
                    logger.warning("Cloaking probe: no state store (%s); site history is not kept", exc)
                    self.crawler.stats.inc_value("spider/cloaking/no_state_store")
            policy = self._cloaking = CloakingPolicy(
                self.seed.name,
                until_clean=settings.getint("CLOAKING_PROBE_UNTIL_CLEAN", 5),
                sample=settings.getfloat("CLOAKING_PROBE_SAMPLE", 0.1),
                memory_runs=memory_runs,
                store=store,
            )
            if policy.runs_left:
                logger.info("Site %s cloaked in a recent run: probing every article", self.seed.name)
        return policy

    def _cloaking_probe(self, response: Response, item: ArticleItem) -> Request | None:
        if not self.settings.getbool("CLOAKING_PROBE_ENABLED", False) or response.meta.get(PROBE_META_KEY):
            return None
        showed_spam = page_showed_spam(item.extra["title_candidates"], item.body, item.spam_removed, item.language)
        if not self._cloaking_policy().should_probe(response.url, showed_spam=showed_spam):
            return None
        self.crawler.stats.inc_value("spider/cloaking/probes")
        return Request(
            response.url,
            callback=self.parse_cloaking_probe,
            errback=self.on_cloaking_probe_error,
            dont_filter=True,
            headers=probe_headers(response.url, item.title),
            meta={"page_kind": "cloaking_probe", PROBE_META_KEY: True, "dont_redirect": True, "handle_httpstatus_all": True},
            cb_kwargs={"item": item, "normal_body": response.body},
        )

    def parse_cloaking_probe(self, response: Response, item: ArticleItem, normal_body: bytes) -> Iterator[ArticleItem]:
        location = response.headers.get(b"Location")
        comparison = compare_fetches(
            normal_body, response.body, item.url, self.seed.allowed_domains,
            spider_location=location.decode("latin-1") if location else None,
        )
        item.extra["cloaked"] = comparison.cloaked
        self._cloaking_policy().record(comparison.cloaked)
        if comparison.cloaked:
            self.crawler.stats.inc_value("spider/cloaking/cloaked")
            # What only the crawler was shown must not be in the record (it is built
            # from the normal view, which may carry part of it too).
            item.title, item.body, removed = remove_additions(item.title, item.body, comparison.spider_added)
            if removed:
                item.spam_removed = [*item.spam_removed, *removed]
                self.crawler.stats.inc_value("spider/cloaking/removed_units", len(removed))
            logger.warning("Cloaked page (crawlers see something else) %s: %s", item.url, comparison.summary())
            self.crawler.signals.send_catch_log(
                manifest_entry, kind="cloaked", entry={"url": item.url, "reason": comparison.summary()}
            )
        yield item

    def on_cloaking_probe_error(self, failure: Failure) -> Iterator[ArticleItem]:
        request: Request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("spider/cloaking/probe_failed")
        self._cloaking_policy().record(None)
        logger.warning("Cloaking probe failed for %s: %s", request.url, failure_reason(failure))
        item = request.cb_kwargs["item"]
        item.extra["cloaked"] = None
        yield item
    # -- end of cloaking probe ------------------------------------------------------

    def parse_attachment(self, response: Response) -> None:
        # The capture middleware has archived it; nothing to extract here.
        self.crawler.stats.inc_value("spider/attachments_fetched")

    # -- failures -----------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        # -- issue 6 hook: a 304 to a conditional re-check is an unchanged article, not a failure --
        if failure.check(NotModified):
            return
        kind = request.meta.get("page_kind", "page")
        reason = failure_reason(failure)
        stats = self.crawler.stats
        stats.inc_value(f"spider/failed/{kind}")
        stats.inc_value(f"spider/failed_reason/{reason.split(':', 1)[0].split(' (', 1)[0]}")
        if request.meta.get("start_url"):
            stats.inc_value("spider/failed_start_urls")
        logger.warning("Failed %s %s: %s", kind, request.url, reason)
        self.crawler.signals.send_catch_log(
            manifest_entry, kind="failed", entry={"url": request.url, "page_kind": kind, "reason": reason}
        )


def declared_encoding(response: Response) -> str | None:
    """The charset named in the Content-Type header, if any."""
    return declared_charset(response.headers.get(b"Content-Type") or b"")


def archived_entry_source(crawler: Any) -> Callable[[Request], IndexEntry | None] | None:
    """In a replay, the replay middleware's look-up of the archived answer to a request; else None."""
    try:
        downloader = getattr(crawler.engine, "downloader", None)
    except (AttributeError, RuntimeError):  # Scrapy raises RuntimeError before the crawl starts
        return None
    for middleware in getattr(getattr(downloader, "middleware", None), "middlewares", ()):
        look_up = getattr(middleware, "archived_entry", None)
        if callable(look_up):
            return look_up
    return None


def failure_reason(failure: Failure) -> str:
    """A short, stable reason for a failed request (for logs, stats and the manifest)."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots.txt" in message:
            return "robots_disallowed"
        if message.startswith("offsite redirect"):
            return f"offsite_redirect ({message.removeprefix('offsite redirect ')})"
        return f"ignored: {message}" if message else "ignored"
    return type(failure.value).__name__
