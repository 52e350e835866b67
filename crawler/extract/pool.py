"""Extraction in worker processes, for crawls and replays with cores to spare.

``extract_article`` is a pure function of the page's bytes, so it can run in
another process and give exactly the same fields. :class:`ExtractionPool`
runs it in ``EXTRACT_PROCESSES`` spawned workers. The spider submits each
article response when it is downloaded and takes the result in its (still
synchronous) callback, so the crawl's order of events does not change.

Workers ignore the crawl's stop signals (``crawler.processes``): a Ctrl-C or
``systemctl stop`` reaching the whole process group stops the crawl
gracefully, and the crawl shuts the pool down.

The workers' log records (the extractor's warnings name the URL) are sent
back with each result and re-emitted in the crawl's own log.

Given the item pipelines' steps (crawler/precomputed.py), a worker also runs
them on the item fields it extracted and sends their results back, so the
pipelines in the crawl process need not compute them again.

In a replay a worker can also read an archived page itself, given its index
entry (:meth:`ExtractionPool.submit_archived`): the spider then starts
extracting an article when its request is scheduled, well before the response
reaches the callback, and the page's bytes never pass through the crawl
process on their way to the worker. The result names what it was computed from
(a digest of the body, the URL, the declared charset), and the spider uses it
only when the response it gets is that.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

from itemadapter import ItemAdapter

from crawler.extract import Extracted, extract_article
from crawler.extract.fields import article_fields
from crawler.items import ArticleItem
from crawler.precomputed import PipelineStep, run_steps
from crawler.processes import worker_initialise, worker_start
from crawler.replay.index import IndexEntry
from crawler.replay.records import RecordReader, as_received, header_value

logger = logging.getLogger(__name__)

LogLine = tuple[str, int, str]
Precomputed = dict[str, tuple[Any, Any]]
_captured: list[LogLine] = []
_steps: list[PipelineStep] = []


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep its template
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        _captured.append((record.name, record.levelno, message))


CHARSET_RE = re.compile(rb"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def declared_charset(content_type: bytes) -> str | None:
    """The charset named in a Content-Type header value, if any."""
    match = CHARSET_RE.search(content_type)
    return match.group(1).decode("ascii", "replace") if match else None


def body_digest(body: bytes) -> bytes:
    """What a read-ahead result says about the bytes it was extracted from."""
    return hashlib.sha1(body).digest()


@dataclass
class ReadAhead:
    """An archived page extracted by a worker, and what it was extracted from."""

    digest: bytes  # body_digest() of the page's bytes
    url: str
    declared: str | None
    extracted: Extracted
    precomputed: Precomputed
    log_lines: list[LogLine] = field(default_factory=list)

    def matches(self, body: bytes, url: str, declared: str | None) -> bool:
        return url == self.url and declared == self.declared and body_digest(body) == self.digest

    def emit_log(self) -> None:
        """The worker's log lines, in our loggers (only for a result that is used)."""
        emit_log_lines(self.log_lines)


def emit_log_lines(lines: Sequence[LogLine]) -> None:
    """Re-emit a worker's captured log records in the crawl process's loggers."""
    for name, level, message in lines:
        logging.getLogger(name).log(level, "%s", message)


_reader: list[RecordReader] = []


def _worker_start(level: int, steps: Sequence[PipelineStep], parent_pid: int) -> None:
    worker_initialise(parent_pid)
    root = logging.getLogger()
    root.handlers[:] = [_Capture()]
    root.setLevel(level)
    _steps[:] = steps


def precompute(steps: Sequence[PipelineStep], extracted: Extracted, url: str, language: str) -> Precomputed:
    """The steps' results for the item the spider builds from ``extracted``."""
    if not steps:
        return {}
    item = ArticleItem(url=url, site="", **article_fields(extracted, language))
    return run_steps(steps, ItemAdapter(item))


def _extract_in_worker(
    body: bytes, url: str, declared: str | None, allowed_domains: Sequence[str], language: str
) -> tuple[Extracted, Precomputed, list[LogLine]]:
    _captured.clear()
    result = extract_article(body, url, declared, allowed_domains=allowed_domains, language=language)
    precomputed = precompute(_steps, result, url, language)
    lines = list(_captured)
    _captured.clear()
    return result, precomputed, lines


def _extract_archived(entry: IndexEntry, allowed_domains: Sequence[str], language: str) -> ReadAhead | None:
    if not _reader:
        _reader.append(RecordReader())
    record = _reader[0].read(entry)
    if record.record_type != "response" or record.status != 200:
        return None
    headers, body = as_received(record.headers, record.body)
    if header_value(headers, b"content-encoding") is not None:
        return None  # the crawl sees it decoded by HttpCompressionMiddleware: other bytes
    declared = declared_charset(header_value(headers, b"content-type") or b"")
    extracted, precomputed, lines = _extract_in_worker(body, entry.url, declared, allowed_domains, language)
    return ReadAhead(body_digest(body), entry.url, declared, extracted, precomputed, lines)


def _ready() -> bool:
    return True


class ExtractionPool:
    """``extract_article`` in ``processes`` spawned worker processes, and ``steps`` after it."""

    def __init__(self, processes: int, steps: Sequence[PipelineStep] = ()) -> None:
        # spawn, not fork: the crawl process runs threads (Twisted's pool, the state writer).
        context = multiprocessing.get_context("spawn")
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_worker_start,
            initargs=(logging.getLogger().getEffectiveLevel(), list(steps), os.getpid()),
        )
        self._start_workers(processes)

    def _start_workers(self, processes: int) -> None:
        with worker_start():
            for _ in range(processes):
                self.executor.submit(_ready)

    def submit(
        self, body: bytes, url: str, declared: str | None, *, allowed_domains: Sequence[str], language: str
    ) -> concurrent.futures.Future[tuple[Extracted, Precomputed, list[LogLine]]]:
        """Start extracting a page (``language``: the seed's); hand the future to :meth:`result`."""
        return self.executor.submit(_extract_in_worker, body, url, declared, tuple(allowed_domains), language)

    def submit_archived(
        self, entry: IndexEntry, *, allowed_domains: Sequence[str], language: str
    ) -> concurrent.futures.Future[ReadAhead | None]:
        """Start reading and extracting an archived response (None if it is not a plain 200 page)."""
        return self.executor.submit(_extract_archived, entry, tuple(allowed_domains), language)

    @staticmethod
    def result(
        future: concurrent.futures.Future[tuple[Extracted, Precomputed, list[LogLine]]],
    ) -> tuple[Extracted, Precomputed]:
        """The fields and the steps' results, once the worker is done; its log lines go to our loggers."""
        extracted, precomputed, lines = future.result()
        emit_log_lines(lines)
        return extracted, precomputed

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
