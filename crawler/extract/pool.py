"""Extraction in worker processes, for crawls and replays with cores to spare.

``extract_article`` is a pure function of the page's bytes, so it can run in
another process and give exactly the same fields. :class:`ExtractionPool`
runs it in ``EXTRACT_PROCESSES`` spawned workers. The spider submits each
article response when it is downloaded and takes the result in its (still
synchronous) callback, so the crawl's order of events does not change.

The workers' log records (the extractor's warnings name the URL) are sent
back with each result and re-emitted in the crawl's own log.

Given the item pipelines' steps (crawler/precomputed.py), a worker also runs
them on the item fields it extracted and sends their results back, so the
pipelines in the crawl process need not compute them again.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
from collections.abc import Sequence
from typing import Any

from itemadapter import ItemAdapter

from crawler.extract import Extracted, extract_article
from crawler.extract.fields import article_fields
from crawler.items import ArticleItem
from crawler.precomputed import PipelineStep, run_steps
from crawler.processes import main_file_hidden

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


def _worker_start(level: int, steps: Sequence[PipelineStep]) -> None:
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


def _ready() -> bool:
    return True


class ExtractionPool:
    """``extract_article`` in ``processes`` spawned worker processes, and ``steps`` after it."""

    def __init__(self, processes: int, steps: Sequence[PipelineStep] = ()) -> None:
        # spawn, not fork: the crawl process runs threads (Twisted's pool, the state writer).
        context = multiprocessing.get_context("spawn")
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_worker_start,
            initargs=(logging.getLogger().getEffectiveLevel(), list(steps)),
        )
        self._start_workers(processes)

    def _start_workers(self, processes: int) -> None:
        with main_file_hidden():
            for _ in range(processes):
                self.executor.submit(_ready)

    def submit(
        self, body: bytes, url: str, declared: str | None, *, allowed_domains: Sequence[str], language: str
    ) -> concurrent.futures.Future[tuple[Extracted, Precomputed, list[LogLine]]]:
        """Start extracting a page (``language``: the seed's); hand the future to :meth:`result`."""
        return self.executor.submit(_extract_in_worker, body, url, declared, tuple(allowed_domains), language)

    @staticmethod
    def result(
        future: concurrent.futures.Future[tuple[Extracted, Precomputed, list[LogLine]]],
    ) -> tuple[Extracted, Precomputed]:
        """The fields and the steps' results, once the worker is done; its log lines go to our loggers."""
        extracted, precomputed, lines = future.result()
        for name, level, message in lines:
            logging.getLogger(name).log(level, "%s", message)
        return extracted, precomputed

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
