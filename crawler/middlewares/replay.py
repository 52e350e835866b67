"""Archive replay: every request is answered from WARC files, never from the network.

Where it hooks, and why: a downloader middleware at priority 950
(``REPLAY_PRIORITY``), the slot WARC capture has in a live crawl (capture is
switched off during replay). ``process_request`` runs in ascending order,
so by 950 every other middleware has prepared the request as it would live;
returning a response there means the download handler is never called.
``process_response`` then runs in descending order from the top, so
HttpCompressionMiddleware (590) decodes the archived, still-encoded payload,
and RedirectMiddleware (600) and RetryMiddleware (550) turn archived 3xx and
5xx answers into new requests, all exactly as in the live crawl: the spider
sees the same bytes and headers and produces the same items.

A request whose URL is not in the archive is counted (``replay/missing``)
and dropped with IgnoreRequest. ``response.meta["warc"]`` carries the
pointer to the archived record and ``response.meta["fetched_at"]`` its
WARC-Date, which the spider uses as the record's ``fetched_at``.

Settings: ``REPLAY_FILES`` (WARC files whose captures answer requests;
without it the middleware is off), ``REPLAY_LOOKUP_FILES`` (other archives
searched for the originals of revisit records), ``REPLAY_PROGRESS_INTERVAL``
(seconds between progress lines, default 10).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from twisted.internet import task

from crawler.replay.inputs import NotAWarcError, WarcInput, inspect_input
from crawler.replay.progress import ReplayProgress
from crawler.replay.records import ArchiveReadError, ReplayArchive, ReplayedExchange, UnresolvedRevisit

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REPLAY_PRIORITY = 950
FLAG = "archive"


def fetched_at_from_warc_date(warc_date: str) -> str | None:
    """WARC-Date as the JSONL ``fetched_at`` form (UTC, second precision, ``Z``)."""
    try:
        moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _inputs(paths: list[str], what: str) -> list[WarcInput]:
    found: list[WarcInput] = []
    for name in paths:
        try:
            found.append(inspect_input(Path(name)))
        except (NotAWarcError, OSError) as exc:
            logger.error("Skipping %s in %s: %s", name, what, exc)
    return found


def archive_url(request: Request) -> str:
    """The URL a request is looked up by in the archive (the fragment is never sent, so never archived)."""
    return request.url.split("#", 1)[0]


class ArchiveReplayMiddleware:
    """Downloader middleware answering requests from an archive (see the module docstring)."""

    def __init__(self, crawler: Crawler, archive: ReplayArchive, progress_interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive = archive
        self.progress = ReplayProgress(archive.index.records, archive.index.bytes)
        self.progress_interval = progress_interval
        self._timer: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveReplayMiddleware:
        settings = crawler.settings
        files = settings.getlist("REPLAY_FILES")
        if not files:
            raise NotConfigured("REPLAY_FILES is empty")
        served = _inputs(files, "REPLAY_FILES")
        # Checked only when a revisit's original is searched there (most replays never need them).
        lookup = [Path(name).resolve() for name in settings.getlist("REPLAY_LOOKUP_FILES")]
        archive = ReplayArchive(served, lookup)
        stats = crawler.stats
        assert stats is not None
        stats.set_value("replay/files", len(served))
        stats.set_value("replay/index_records", archive.index.records)
        stats.set_value("replay/index_bytes", archive.index.bytes)
        for report in archive.reports:
            if report.source == "scan":
                stats.inc_value("replay/files_scanned")
            if report.truncated_at is not None:
                stats.inc_value("replay/truncated_files")
                stats.set_value(f"replay/truncated_at/{report.path.name}", report.truncated_at)
        return cls(crawler, archive, settings.getfloat("REPLAY_PROGRESS_INTERVAL", 10.0))

    # -- lifecycle ---------------------------------------------------------

    def spider_opened(self) -> None:
        logger.info(
            "Replaying from %d WARC file(s): %d records, %d bytes indexed",
            len(self.archive.reports), self.progress.records_total, self.progress.bytes_total,
        )
        if self.progress_interval > 0:
            self._timer = task.LoopingCall(self.log_progress)
            self._timer.start(self.progress_interval, now=False)

    def log_progress(self) -> None:
        logger.info("Replay progress: %s", self.progress.line())

    def spider_closed(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        self.stats.set_value("replay/records", self.progress.records_done)
        self.stats.set_value("replay/bytes", self.progress.bytes_done)
        self.stats.set_value("replay/seconds", round(self.progress.elapsed, 3))
        logger.info("Replay finished: %s", self.progress.summary())
        self.archive.close()

    # -- downloader middleware -------------------------------------------

    def process_request(self, request: Request) -> Response:
        url = archive_url(request)
        try:
            exchange = self.archive.serve(url)
        except UnresolvedRevisit as exc:
            self.stats.inc_value("replay/unresolved_revisits")
            logger.warning("Cannot replay <%s>: %s", request.url, exc)
            raise IgnoreRequest(f"unresolved revisit in the archive: {url}") from exc
        except ArchiveReadError as exc:
            self.stats.inc_value("replay/read_errors")
            logger.error("Cannot read the archived answer to <%s>: %s", request.url, exc)
            raise IgnoreRequest(f"unreadable in the archive: {url}") from exc
        if exchange is None:
            self.stats.inc_value("replay/missing")
            logger.info("Not in the archive, skipped: <%s>", request.url)
            raise IgnoreRequest(f"not in the archive: {url}")
        self._count(exchange)
        return self._response(request, exchange)

    def _count(self, exchange: ReplayedExchange) -> None:
        self.progress.advance(1, exchange.entry.length)
        self.stats.inc_value("replay/responses")
        self.stats.inc_value(f"replay/status_count/{exchange.status}")
        if exchange.kind != "response":
            self.stats.inc_value(f"replay/{exchange.kind}")

    def _response(self, request: Request, exchange: ReplayedExchange) -> Response:
        headers = Headers()
        for name, value in exchange.headers:
            headers.appendlist(name, value)
        request.meta["warc"] = exchange.pointer
        fetched_at = fetched_at_from_warc_date(exchange.date)
        if fetched_at:
            request.meta["fetched_at"] = fetched_at
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=exchange.body)
        return response_class(
            url=request.url,
            status=exchange.status,
            headers=headers,
            body=exchange.body,
            flags=[FLAG],
            request=request,
            protocol=exchange.protocol,
        )
