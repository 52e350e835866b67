"""Extraction in worker processes: the same fields as inline, log lines kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.pool import ExtractionPool

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "extract"


def test_worker_results_equal_inline_results_and_their_warnings_reach_our_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pages = sorted(CORPUS.glob("*.html"))[:6]
    assert pages
    inputs = [(page.read_bytes(), f"http://www.mca.gov.cn/{page.name}") for page in pages]
    inputs.append((b"", "http://www.mca.gov.cn/empty.html"))  # logs "extract: empty on …"

    pool = ExtractionPool(2)
    try:
        futures = [pool.submit(body, url, None, allowed_domains=["mca.gov.cn"], language="zh") for body, url in inputs]
        with caplog.at_level(logging.WARNING):
            results = [ExtractionPool.result(future) for future in futures]
    finally:
        pool.close()
    assert results == [extract_article(body, url, None, allowed_domains=["mca.gov.cn"], language="zh")
                       for body, url in inputs]
    assert any("http://www.mca.gov.cn/empty.html" in r.getMessage() and r.name.startswith("crawler.extract")
               for r in caplog.records)
