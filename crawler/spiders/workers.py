"""Article extraction in worker processes for the news spider (``EXTRACT_PROCESSES > 0``).

A mixin of :class:`crawler.spiders.news.NewsSpider`: it owns the extraction
pool, the replay's read-ahead and the caps on what a page costs to extract.
``_extracted(response)`` gives the spider a page's :class:`Extracted`, from a
worker when one has it, else extracted in this process.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import Request, Response, TextResponse

from crawler.extract import MAX_BODY_CHARS, MAX_PARSE_BYTES, Extracted, extract_article
from crawler.extract.encoding import declared_charset
from crawler.extract.pool import ExtractionPool, ReadAhead, parse_prefix
from crawler.replay.index import IndexEntry

logger = logging.getLogger(__name__)


class ExtractionWorkers:
    """The pool, read-ahead and extraction caps of the news spider."""

    crawler: Any
    settings: Any
    seed: Any

    # -- extraction in worker processes (EXTRACT_PROCESSES > 0) -----------------------
    # Each article response is handed to the pool as soon as it is downloaded
    # (response_received), while earlier ones still wait for their callbacks; the
    # callback then takes the finished result, or extracts the page itself when no
    # worker has started on it yet. The callbacks stay synchronous and run
    # when they would inline, so the crawl's order of events is unchanged, and the
    # pool computes the same pure function of the same response: the same items in
    # the same order reach the pipelines.
    def _start_extraction_pool(self) -> None:
        processes = self.settings.getint("EXTRACT_PROCESSES", 0)
        self._prefetched: weakref.WeakKeyDictionary[Response, Future[Any]] = weakref.WeakKeyDictionary()
        self._pool: ExtractionPool | None = None
        if processes <= 0:
            return
        self._pool = ExtractionPool(processes, self._extract_limits)
        self.crawler.signals.connect(self._prefetch_extraction, signal=signals.response_received)
        logger.info("Extracting articles in %d worker processes", processes)
        self._start_read_ahead()

    @property
    def _extract_limits(self) -> dict[str, int]:
        """Caps on what a page costs to extract; the WARC still keeps up to DOWNLOAD_MAXSIZE."""
        return {
            "max_parse_bytes": self.settings.getint("EXTRACT_MAXSIZE", MAX_PARSE_BYTES),
            "max_body_chars": self.settings.getint("EXTRACT_MAX_BODY_CHARS", MAX_BODY_CHARS),
        }

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

    def _read_ahead_result(self, response: Response) -> Extracted | None:
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
        return result.extracted

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

    def _extracted(self, response: Response) -> Extracted:
        read_ahead = self._read_ahead_result(response)
        if read_ahead is not None:
            return read_ahead
        future = self._prefetched.pop(response, None) if hasattr(self, "_prefetched") else None
        if future is not None and self._worker_finished(future, response):
            return ExtractionPool.result(future)
        body, url, declared = self._extract_arguments(response)
        return extract_article(body, url, declared, allowed_domains=self.seed.allowed_domains,
                               language=self.seed.language, **self._extract_limits)

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
        return parse_prefix(response.body, self._extract_limits), response.url, declared_encoding(response)


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
