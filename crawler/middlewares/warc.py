"""WARC capture: every HTTP exchange the downloader makes, kept as evidence.

Where it hooks, and why: this is a downloader middleware with priority 950
(``WARC_CAPTURE_PRIORITY``), the closest of all to the download handler.

* ``process_response`` runs in descending priority order, so at 950 it sees
  each response before ``HttpCompressionMiddleware`` (590) decodes the body
  and drops ``Content-Encoding``, and before ``RedirectMiddleware`` (600) and
  ``RetryMiddleware`` (550) turn 3xx/5xx answers into new requests: the
  payload is stored as received, and redirects and every retried attempt are
  archived too (each attempt passes through the downloader, and so through
  here, again).
* ``process_request`` runs in ascending order, so at 950 the request headers
  are final: cookies (700), proxy (750), user agent (500), default headers
  (400) and ``Accept-Encoding`` (590) are already set. Only a response that
  came from the download handler is archived: a request answered earlier in
  the chain (the HTTP cache at 900) never reaches our ``process_request`` and
  is left alone. Archive replay switches capture off (``WARC_ENABLED``).
* ``process_exception`` sees downloads that failed (response cut short, body
  over ``DOWNLOAD_MAXSIZE``, timeouts): the request was sent, so its record is
  kept with a ``metadata`` record saying what went wrong.

The ``response_downloaded`` signal would also see raw bytes but not failed
downloads, and gives no place to hand the WARC pointer to the spider.

Records are built, compressed and written by a backend (``crawler.warc.backend``)
on one writer thread of the crawl process (``WARC_WRITER = "thread"``; ``"inline"``
writes in the reactor thread, for tests and the benchmark). ``request.meta["warc"]``
gets a ``concurrent.futures.Future`` of ``{file, offset, record_id, payload_digest}``
that resolves once the response record is completely on disk, or to an exception
if it was not (``resolve_warc_pointer`` then raises ``WarcPointerError``, and the
JSONL writer does not write the record).
"""

from __future__ import annotations

import collections
import concurrent.futures
import ipaddress
import logging
import socket
import weakref
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, succeed

from crawler.runinfo import WARCINFO_RUN_ID, WARCINFO_SEED_TOML, run_id, warcinfo_text
from crawler.signals import output_file
from crawler.warc.backend import BackendConfig, ThreadRunner, make_runner
from crawler.warc.records import CapturedExchange
from crawler.warc.writer import WarcWriteError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

WARC_CAPTURE_PRIORITY = 950
META_KEY = "warc"
STATS_SYNC_SECONDS = 2.0
WRITER_MODES = ("thread", "inline")


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _software() -> str:
    return (
        f"ministry-news-archive/{_version('ministry-news-archive')} "
        f"(Scrapy/{_version('scrapy')}; warcio/{_version('warcio')})"
    )


def _headers_list(headers: Headers) -> tuple[tuple[bytes, bytes], ...]:
    """Every (name, value) pair, repeated headers kept as separate pairs.

    Scrapy's ``Headers`` keeps each normalised name with the list of its
    values; reading that mapping directly gives what ``getlist`` would for
    every name without normalising each one again (this runs twice a page on
    the reactor thread).
    """
    return tuple((name, value) for name, values in dict.items(headers) for value in values)


def _classify_fetch_error(exception: BaseException) -> str:
    text = str(exception)
    kind = type(exception).__name__
    if "max size" in text:
        return "oversize"
    if kind in {"ResponseDataLossError", "ResponseFailed", "_DataLoss"}:
        return "cut_short"
    if "ConnectionLost" in text or "ConnectionDone" in text or kind == "ResponseNeverReceived":
        return "connection_lost"
    if "Timeout" in kind or "timeout" in text.lower():
        return "timeout"
    return kind


def _truncation(flags: list[str]) -> str | None:
    """``WARC-Truncated`` value for a response Scrapy delivered incomplete."""
    if "dataloss" in flags:
        return "disconnect"  # the server closed before the announced length
    if "download_stopped" in flags:
        return "unspecified"  # a StopDownload handler ended it on purpose
    return None


def _deferred_from_future(future: concurrent.futures.Future[Any]) -> Deferred[Any]:
    """A Deferred fired in the reactor thread when ``future`` is done."""
    if future.done():  # always so with WARC_WRITER = "inline"
        return succeed(future)
    from twisted.internet import reactor

    deferred: Deferred[Any] = Deferred()

    def done(finished: concurrent.futures.Future[Any]) -> None:
        reactor.callFromThread(deferred.callback, finished)  # type: ignore[attr-defined]

    future.add_done_callback(done)
    return deferred


class WarcCaptureMiddleware:
    """Downloader middleware writing request, response and revisit records."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED", True):
            raise NotConfigured("WARC_ENABLED is off")
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats  # type: ignore[assignment]
        self.directory = Path(settings.get("OUTPUT_DIR") or "out") / "warc"
        self.default_maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.max_pending_bytes = settings.getint("WARC_MAX_PENDING_BYTES", 64 * 1024 * 1024)
        config = BackendConfig(
            directory=self.directory,
            prefix=settings.get("WARC_PREFIX") or "MNA",
            max_size=settings.getint("WARC_MAX_SIZE", 1024**3),
            gzip_level=settings.getint("WARC_GZIP_LEVEL", 6),
            write_index=settings.getbool("WARC_INDEX", True),
        )
        mode = str(settings.get("WARC_WRITER") or "thread")
        if mode not in WRITER_MODES:
            # Not NotConfigured: that would crawl on without an archive.
            raise ValueError(f"WARC_WRITER must be one of {', '.join(WRITER_MODES)}, not {mode!r}")
        self.runner = self._start_backend(config, mode)
        self._sent: weakref.WeakKeyDictionary[Request, datetime] = weakref.WeakKeyDictionary()
        self._in_flight: collections.deque[tuple[concurrent.futures.Future[Any], int]] = collections.deque()
        self._in_flight_bytes = 0
        self._last_sync = monotonic()
        self._closed = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @staticmethod
    def _start_backend(config: BackendConfig, mode: str) -> ThreadRunner:
        """Start the backend and run start-up recovery before the crawl begins."""
        runner = make_runner(config, mode)
        runner.call("recover").result()
        return runner

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    # -- lifecycle ---------------------------------------------------------

    def warcinfo_fields(self) -> dict[str, str]:
        settings = self.crawler.settings
        spider = self.crawler.spider
        seed = getattr(spider, "seed", None)
        seed_name = getattr(seed, "name", None) or getattr(spider, "name", None) or ""
        site_name = getattr(seed, "site_name", None) or ""
        seed_text = getattr(seed, "text", None) or ""
        robots = "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"
        fields = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": str(seed_name),
            "seed": str(seed_name),
            "seed-site-name": str(site_name),
            "robots": robots,
            "http-header-user-agent": str(settings.get("USER_AGENT") or ""),
            "operator": str(settings.get("WARC_OPERATOR") or ""),
            "description": str(settings.get("WARC_DESCRIPTION") or ""),
            # The archive describes itself: a replay groups files by run and crawls from this seed.
            WARCINFO_RUN_ID: run_id(self.crawler),
            WARCINFO_SEED_TOML: warcinfo_text(seed_text) if seed_text else "",
        }
        return {key: value for key, value in fields.items() if value}

    def spider_opened(self) -> None:
        # Files are opened lazily by the backend, after this call (calls run in order).
        self.runner.call("set_warcinfo", self.warcinfo_fields())

    async def spider_closed(self) -> None:
        """Let the backend write every queued record, close the file and index it."""
        self._closed = True
        closing = self.runner.call("close")
        await maybe_deferred_to_future(_deferred_from_future(closing))
        self.runner.shutdown()
        # The writer thread has finished: its list of closed files can be read from here.
        files = list(self.runner.backend.writer.closed_files)
        for path in files:
            self.crawler.signals.send_catch_log(output_file, kind="warc", path=str(path))
        try:
            closed = closing.result()
        except Exception:
            logger.exception("Closing the WARC writer failed")
            self.stats.inc_value("warc/write_errors")
            return
        self._sync_stats(closed["counts"])
        logger.info("WARC capture closed %d file(s) in %s", len(files), self.directory)

    def _sync_stats(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.stats.set_value(key, value)

    def _maybe_sync_stats(self) -> None:
        now = monotonic()
        if now - self._last_sync >= STATS_SYNC_SECONDS:
            self._last_sync = now
            future = self.runner.call("counts")
            _deferred_from_future(future).addCallback(
                lambda done: None if done.exception() else self._sync_stats(done.result())
            )

    # -- downloader middleware -------------------------------------------

    def process_request(self, request: Request) -> None:
        self._sent[request] = datetime.now(timezone.utc)
        return None

    def _snapshot(self, request: Request, fetched_at: datetime, response: Response | None) -> CapturedExchange:
        maxsize = request.meta.get("download_maxsize", self.default_maxsize)
        if response is None:
            return CapturedExchange(
                url=request.url.split("#", 1)[0],
                method=request.method,
                request_headers=_headers_list(request.headers),
                request_body=request.body,
                status=0,
                protocol="",
                response_headers=(),
                body=b"",
                fetched_at=fetched_at,
                download_maxsize=maxsize,
            )
        ip_address = None
        if response.ip_address is not None and not request.meta.get("proxy"):
            ip_address = str(ipaddress.ip_address(response.ip_address))
        return CapturedExchange(
            url=request.url.split("#", 1)[0],
            method=request.method,
            request_headers=_headers_list(request.headers),
            request_body=request.body,
            status=response.status,
            protocol=response.protocol or "HTTP/1.1",
            response_headers=_headers_list(response.headers),
            body=response.body,
            fetched_at=fetched_at,
            ip_address=ip_address,
            truncated=_truncation(response.flags),
            download_maxsize=maxsize,
        )

    def process_response(self, request: Request, response: Response) -> Any:
        fetched_at = self._sent.pop(request, None)
        if fetched_at is None or self._closed:
            return response
        try:
            exchange = self._snapshot(request, fetched_at, response)
        except Exception as exc:
            logger.exception("Cannot capture the response from <%s>", request.url)
            self.stats.inc_value("warc/capture_errors")
            # No record, so no pointer: the JSONL writer must not write this page's record.
            failed: concurrent.futures.Future[Any] = concurrent.futures.Future()
            failed.set_exception(WarcWriteError(f"response not captured: {type(exc).__name__}: {exc}"))
            request.meta[META_KEY] = failed
            return response
        future = self.runner.call("archive", exchange)
        request.meta[META_KEY] = future
        self._in_flight.append((future, len(exchange.body)))
        self._in_flight_bytes += len(exchange.body)
        self._maybe_sync_stats()
        return self._backpressure(response)

    def _backpressure(self, response: Response) -> Any:
        while self._in_flight and self._in_flight[0][0].done():
            _, size = self._in_flight.popleft()
            self._in_flight_bytes -= size
        if self._in_flight_bytes <= self.max_pending_bytes:
            return response
        self.stats.inc_value("warc/backpressure_waits")
        return self._wait_for_writer(response)

    async def _wait_for_writer(self, response: Response) -> Response:
        """Hold the response until the writer thread catches up (bounds memory)."""
        while self._in_flight and self._in_flight_bytes > self.max_pending_bytes:
            future, size = self._in_flight[0]
            if not future.done():
                await maybe_deferred_to_future(_deferred_from_future(future))
            if self._in_flight and self._in_flight[0][0] is future:
                self._in_flight.popleft()
                self._in_flight_bytes -= size
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        fetched_at = self._sent.pop(request, None)
        if fetched_at is None or self._closed:
            return None
        kind = _classify_fetch_error(exception)
        self.stats.inc_value("warc/fetch_errors")
        self.stats.inc_value(f"warc/fetch_errors/{kind}")
        logger.warning(
            "No response to archive from <%s> (%s: %s); keeping its request record",
            request.url, type(exception).__name__, exception,
        )
        exchange = self._snapshot(request, fetched_at, None)
        self.runner.call("archive_fetch_error", exchange, f"{kind}: {type(exception).__name__}: {exception}")
        return None
