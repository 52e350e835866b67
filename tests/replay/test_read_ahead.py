"""Replay with extraction workers: a worker reads and extracts an archived page ahead of its callback.

The archives are written with the project's capture code (as in
tests/replay/test_archive.py). A worker's read-ahead result must equal what the
spider would extract from the response itself, and the spider must use it only
for the response it was computed from.
"""

from __future__ import annotations

import gzip
import logging
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from tests.replay.test_archive import GBK_PAGE, SITE, exchange, write_run

from crawler.extract import extract_article
from crawler.extract.pool import ExtractionPool, ReadAhead, body_digest
from crawler.replay.inputs import inspect_input
from crawler.replay.records import ReplayArchive
from crawler.seeds import load_seed
from crawler.settings import SEEDS_DIR
from crawler.spiders.news import NewsSpider

ARTICLE = (
    "<html><head><title>民政部召开会议</title></head><body><div class='TRS_Editor'>"
    + "<p>会议强调，要进一步健全农村留守儿童关爱服务体系，各地民政部门要加强工作。</p>" * 20
    + "</div></body></html>"
).encode("gbk")


class McaSpider(NewsSpider):
    name = "mca"
    seed = load_seed(f"{SEEDS_DIR}/mca.toml")


def archive_of(tmp_path: Path, exchanges: list[Any]) -> ReplayArchive:
    files, _ = write_run(tmp_path / "warc", "mca", exchanges)
    return ReplayArchive([inspect_input(path) for path in files])


def test_peek_names_the_capture_serve_answers_next_without_serving_it(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, [exchange("/a.html", b"first", status=503), exchange("/a.html", ARTICLE)])
    url = SITE + "/a.html"
    first = archive.peek(url)
    assert first is not None and first.status == 503 and archive.peek(url) == first
    assert archive.serve(url).entry == first
    second = archive.peek(url)
    assert second is not None and second.status == 200
    assert archive.serve(url).entry == second
    assert archive.peek(url) == second  # the last capture answers every later request
    assert archive.peek(SITE + "/missing.html") is None
    archive.close()


def test_a_worker_reads_and_extracts_an_archived_page_as_the_spider_would(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, [
        exchange("/a.html", ARTICLE),
        exchange("/b.html", gzip.compress(GBK_PAGE), headers=((b"Content-Encoding", b"gzip"),)),
        exchange("/c.html", b"gone", status=404),
    ])
    entries = {name: archive.peek(SITE + name) for name in ("/a.html", "/b.html", "/c.html")}
    pool = ExtractionPool(1)
    try:
        futures = {name: pool.submit_archived(entry, allowed_domains=["mca.gov.cn"], language="zh")
                   for name, entry in entries.items()}
        results = {name: future.result(timeout=60) for name, future in futures.items()}
    finally:
        pool.close()
        archive.close()
    page = results["/a.html"]
    assert isinstance(page, ReadAhead)
    assert page.url == SITE + "/a.html" and page.declared == "gbk" and page.digest == body_digest(ARTICLE)
    assert page.extracted == extract_article(ARTICLE, SITE + "/a.html", "gbk", allowed_domains=["mca.gov.cn"], language="zh")
    assert page.matches(ARTICLE, SITE + "/a.html", "gbk")
    assert not page.matches(ARTICLE + b" ", SITE + "/a.html", "gbk")
    assert not page.matches(ARTICLE, SITE + "/a.html?x=1", "gbk")
    assert not page.matches(ARTICLE, SITE + "/a.html", None)
    # Content-Encoding: the crawl sees other bytes (decoded by HttpCompressionMiddleware); not a 200: no page.
    assert results["/b.html"] is None and results["/c.html"] is None


# -- the spider's side --------------------------------------------------------------------
def spider_with_read_ahead() -> NewsSpider:
    crawler = get_crawler(McaSpider)
    spider = McaSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    spider._start_read_ahead()  # no pool, no archive: only the bookkeeping
    return spider


def finished(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def response_for(body: bytes, url: str = SITE + "/a.html") -> HtmlResponse:
    request = Request(url)
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=gbk"}, request=request)


def read_ahead_of(body: bytes, url: str = SITE + "/a.html") -> ReadAhead:
    extracted = extract_article(body, url, "gbk", allowed_domains=McaSpider.seed.allowed_domains, language="zh")
    return ReadAhead(body_digest(body), url, "gbk", extracted, [("crawler.extract", logging.WARNING, "from the worker")])


def test_the_spider_uses_a_read_ahead_result_for_the_response_it_was_computed_from(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = spider_with_read_ahead()
    response = response_for(ARTICLE)
    spider._read_ahead[response.request] = finished(read_ahead_of(ARTICLE))
    with caplog.at_level(logging.WARNING):
        extracted = spider._extracted(response)
    assert extracted == read_ahead_of(ARTICLE).extracted
    assert "from the worker" in caplog.text  # the worker's log lines, now that its result is used
    assert spider.crawler.stats.get_value("extract/read_ahead_used") == 1
    assert response.request not in spider._read_ahead


def test_the_spider_extracts_itself_when_the_response_is_not_what_the_worker_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = spider_with_read_ahead()
    other = ARTICLE.replace("会议强调".encode("gbk"), "会议指出".encode("gbk"))
    response = response_for(other)
    spider._read_ahead[response.request] = finished(read_ahead_of(ARTICLE))
    with caplog.at_level(logging.WARNING):
        extracted = spider._extracted(response)
    assert extracted == extract_article(other, response.url, "gbk", allowed_domains=McaSpider.seed.allowed_domains,
                                        language="zh")
    assert "from the worker" not in caplog.text
    assert spider.crawler.stats.get_value("extract/read_ahead_unused") == 1
    # Nor a result that is not there (a worker found no plain page), nor one that failed.
    for outcome in (finished(None), Future()):
        if not outcome.done():
            outcome.set_exception(OSError("cannot read"))
        response = response_for(ARTICLE)
        spider._read_ahead[response.request] = outcome
        assert spider._extracted(response) == read_ahead_of(ARTICLE).extracted
    assert spider.crawler.stats.get_value("extract/pool_errors") == 1


def test_the_spider_takes_back_a_page_no_worker_has_started() -> None:
    spider = spider_with_read_ahead()
    response = response_for(ARTICLE)
    pending: Future[Any] = Future()
    spider._read_ahead[response.request] = pending
    extracted = spider._extracted(response)
    assert pending.cancelled()
    assert extracted == read_ahead_of(ARTICLE).extracted
    assert spider.crawler.stats.get_value("extract/pool_taken_back") == 1


def test_a_request_the_scheduler_drops_gives_up_its_read_ahead() -> None:
    spider = spider_with_read_ahead()
    request = Request(SITE + "/a.html")
    pending: Future[Any] = Future()
    spider._read_ahead[request] = pending
    spider._read_ahead_dropped(request, spider)
    assert pending.cancelled() and request not in spider._read_ahead
    assert spider.crawler.stats.get_value("extract/read_ahead_dropped") == 1
    spider._read_ahead_dropped(Request(SITE + "/b.html"), spider)  # nothing read ahead: nothing to do
    assert spider.crawler.stats.get_value("extract/read_ahead_dropped") == 1
