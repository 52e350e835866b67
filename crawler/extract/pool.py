"""Extraction in worker processes, for crawls and replays with cores to spare.

``extract_article`` is a pure function of the page's bytes, so it can run in
another process and give exactly the same fields. :class:`ExtractionPool`
runs it in ``EXTRACT_PROCESSES`` spawned workers. The spider submits each
article response when it is downloaded and takes the result in its (still
synchronous) callback, so the crawl's order of events does not change.

The workers' log records (the extractor's warnings name the URL) are sent
back with each result and re-emitted in the crawl's own log.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
from collections.abc import Sequence

from crawler.extract import Extracted, extract_article
from crawler.processes import main_file_hidden

logger = logging.getLogger(__name__)

LogLine = tuple[str, int, str]
_captured: list[LogLine] = []


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep its template
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        _captured.append((record.name, record.levelno, message))


def _worker_start(level: int) -> None:
    root = logging.getLogger()
    root.handlers[:] = [_Capture()]
    root.setLevel(level)


def _extract_in_worker(
    body: bytes, url: str, declared: str | None, allowed_domains: Sequence[str], language: str | None
) -> tuple[Extracted, list[LogLine]]:
    _captured.clear()
    result = extract_article(body, url, declared, allowed_domains=allowed_domains, language=language)
    lines = list(_captured)
    _captured.clear()
    return result, lines


def _ready() -> bool:
    return True


class ExtractionPool:
    """``extract_article`` in ``processes`` spawned worker processes."""

    def __init__(self, processes: int) -> None:
        # spawn, not fork: the crawl process runs threads (Twisted's pool, the state writer).
        context = multiprocessing.get_context("spawn")
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_worker_start,
            initargs=(logging.getLogger().getEffectiveLevel(),),
        )
        self._start_workers(processes)

    def _start_workers(self, processes: int) -> None:
        with main_file_hidden():
            for _ in range(processes):
                self.executor.submit(_ready)

    def submit(
        self, body: bytes, url: str, declared: str | None, *, allowed_domains: Sequence[str], language: str | None
    ) -> concurrent.futures.Future[tuple[Extracted, list[LogLine]]]:
        """Start extracting a page; hand the future to :meth:`result` for the fields."""
        return self.executor.submit(_extract_in_worker, body, url, declared, tuple(allowed_domains), language)

    @staticmethod
    def result(future: concurrent.futures.Future[tuple[Extracted, list[LogLine]]]) -> Extracted:
        """The fields, once the worker is done; its log lines go to our loggers."""
        extracted, lines = future.result()
        for name, level, message in lines:
            logging.getLogger(name).log(level, "%s", message)
        return extracted

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
