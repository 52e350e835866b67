"""The news spider: list pages (with pagination) -> article pages -> items.

One class serves every site. The spider loader binds it to a seed file
(``scrapy crawl mca``); ``scrapy crawl news -a seed=PATH`` binds it to any
other file. Link rules live in :mod:`crawler.links`, field extraction in
:mod:`crawler.extract`; this module only wires them to Scrapy and counts.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawler.spam.cloaking import (
    PROBE_META_KEY,
    CloakingPolicy,
    compare_fetches,
    page_showed_spam,
    probe_headers,
    remove_additions,
)
from crawler.extract import MAX_BODY_CHARS, MAX_PARSE_BYTES, Extracted, extract_article
from crawler.extract.encoding import declared_charset
from crawler.extract.fields import article_fields
from crawler.items import ArticleItem
from crawler.links import InvalidLink, Link, extract_links, offsite_links, url_problem
from crawler.middlewares.conditional import NotModified
from crawler.runinfo import utc_now_iso
from crawler.seeds import Seed, load_seed
from crawler.signals import manifest_entry
from crawler.spam.stylesheets import MAX_STYLESHEET_BYTES, StylesheetCache, hiding_css, linked_stylesheets
from crawler.dedup.state import StateStoreError, open_state_store

logger = logging.getLogger(__name__)

# Extraction notes that mean part of a page was left out of its record (the WARC has it all),
# and the setting that made it so.
TRUNCATION_NOTES = {"parse_truncated": "EXTRACT_MAXSIZE", "body_truncated": "EXTRACT_MAX_BODY_CHARS"}


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
        invalid: list[InvalidLink] = []
        inside, outside = offsite_links(extract_links(response.selector, response.url, self.seed, invalid), self.seed)
        for bad in invalid:
            self._invalid_link(response.url, bad.href, bad.reason)
        if outside:
            stats.inc_value("spider/offsite_links", len(outside))
            logger.debug("Ignored %d off-site links on %s", len(outside), response.url)
        articles = [link for link in inside if link.kind == "article"]
        if not articles:
            stats.inc_value("spider/list_without_articles")
            logger.warning("List page has no article links: %s", response.url)
        stats.inc_value("spider/article_links", len(articles))
        for link in inside:
            request = self._request_for(link, referer=response.url)
            if request is not None:
                yield request

    def _request_for(self, link: Link, referer: str) -> Request | None:
        """The request for ``link``; None (reported) when it cannot be made, so the page's other links go on."""
        callbacks = {"article": self.parse_article, "list": self.parse_list, "attachment": self.parse_attachment}
        try:
            return Request(
                link.url,
                callback=callbacks[link.kind],
                errback=self.on_error,
                meta={"page_kind": link.kind, "link_text": link.text[:200]},
                headers={"Referer": referer},
            )
        except ValueError as exc:
            self._invalid_link(referer, link.url, str(exc) or type(exc).__name__)
            return None

    def _invalid_link(self, page: str, link: str, reason: str) -> None:
        self.crawler.stats.inc_value("links/invalid")
        logger.warning("Invalid link on %s: %r (%s)", page, link, reason)
        self.crawler.signals.send_catch_log(
            manifest_entry, kind="invalid_link", entry={"page": page, "link": link, "reason": reason}
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
        if css:
            self.crawler.stats.inc_value("spider/stylesheets/applied")
        yield from self._article_outputs(response, self._extracted(response, css))

    def _extracted(self, response: Response, stylesheets: list[str]) -> Extracted:
        """The article fields of a page; EXTRACT_MAXSIZE and EXTRACT_MAX_BODY_CHARS cap what it costs
        (the WARC still keeps up to DOWNLOAD_MAXSIZE)."""
        declared = declared_charset(response.headers.get(b"Content-Type") or b"")
        return extract_article(
            response.body, response.url, declared, allowed_domains=self.seed.allowed_domains,
            language=self.seed.language, stylesheets=stylesheets,
            max_parse_bytes=self.settings.getint("EXTRACT_MAXSIZE", MAX_PARSE_BYTES),
            max_body_chars=self.settings.getint("EXTRACT_MAX_BODY_CHARS", MAX_BODY_CHARS),
        )

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

    def _is_html_article(self, response: Response) -> bool:
        stats = self.crawler.stats
        stats.inc_value("spider/article_pages")
        if not isinstance(response, TextResponse):
            stats.inc_value("spider/article_not_html")
            logger.warning("Article link did not return HTML (%s): %s", response.headers.get("Content-Type", b"?").decode("latin-1"), response.url)
            return False
        return True

    def _article_outputs(self, response: Response, extracted: Extracted) -> Iterator[ArticleItem | Request]:
        stats = self.crawler.stats
        # The extractor logs each note with the URL; here they are counted.
        for note in extracted.notes:
            stats.inc_value(f"extract/{note}")
            if note in TRUNCATION_NOTES:
                setting = TRUNCATION_NOTES[note]
                self.crawler.signals.send_catch_log(manifest_entry, kind="truncated", entry={
                    "url": response.url, "note": note, "setting": setting, "limit": self.settings.getint(setting)})
        if not extracted.body.strip():
            self._empty_record(response.url, extracted)
            return
        canonical = canonicalize_url(response.url)
        fields = article_fields(extracted, self.seed.language)
        extra = fields.pop("extra")
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
                problem = url_problem(link.url)
                if problem is not None:
                    self._invalid_link(response.url, link.url, problem)
                elif self.seed.allows_host(urlsplit(link.url).hostname or ""):
                    request = self._request_for(link, referer=response.url)
                    if request is not None:
                        yield request
        probe = self._cloaking_probe(response, item)  # issue 5: the probe yields the item when it is done
        if probe is not None:
            yield probe
            return
        yield item

    def _empty_record(self, url: str, extracted: Extracted) -> None:
        """An article page with no text (only scripts, too deep, not HTML…): no record, a problem in the manifest."""
        notes = ", ".join(extracted.notes) or "no text"
        problem = f"body: empty ({notes})"
        self.crawler.stats.inc_value("spider/invalid_record")
        self.crawler.stats.inc_value("spider/invalid_record/empty_body")
        logger.warning("No article text on %s (%s): no record written", url, notes)
        self.crawler.signals.send_catch_log(manifest_entry, kind="invalid_record", entry={"url": url, "problem": problem})

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
