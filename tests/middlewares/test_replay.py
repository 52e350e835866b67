"""ArchiveReplayMiddleware in-process: built from its settings, answers from the archive, never downloads."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from tests.replay.test_archive import GBK_PAGE, SITE, exchange, write_run

from crawler.middlewares.replay import ArchiveReplayMiddleware, fetched_at_from_warc_date


def middleware_for(files: list[Path], **settings: object) -> ArchiveReplayMiddleware:
    crawler = get_crawler(settings_dict={"REPLAY_FILES": [str(p) for p in files], "REPLAY_PROGRESS_INTERVAL": 0,
                                         **settings})
    crawler.stats.open_spider()
    return ArchiveReplayMiddleware.from_crawler(crawler)


def test_off_without_replay_files() -> None:
    with pytest.raises(NotConfigured):
        ArchiveReplayMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_answers_with_the_archived_response_and_its_pointer(tmp_path: Path) -> None:
    encoded = gzip.compress(GBK_PAGE)
    files, pointers = write_run(tmp_path, "mca", [
        exchange("/a.html", encoded, headers=((b"Content-Encoding", b"gzip"),)),
    ])
    middleware = middleware_for(files)
    request = Request(SITE + "/a.html#top")
    response = middleware.process_request(request)
    # Still encoded, so a plain Response as the download handler would build it; HtmlResponse after decoding.
    assert type(response) is Response
    assert response.status == 200 and response.body == encoded and "archive" in response.flags
    assert response.headers[b"Content-Encoding"] == b"gzip"
    assert response.meta["warc"]["offset"] == pointers[0]["offset"]
    assert response.meta["warc"]["record_id"] == pointers[0]["record_id"]
    assert response.meta["fetched_at"] == "2024-01-02T03:04:05Z"
    # Decoding is left to HttpCompressionMiddleware, exactly as for a live response.
    decoded = HttpCompressionMiddleware.from_crawler(middleware.crawler).process_response(request, response)
    assert decoded.body == GBK_PAGE and b"Content-Encoding" not in decoded.headers
    assert isinstance(decoded, HtmlResponse)
    stats = middleware.crawler.stats
    assert stats.get_value("replay/responses") == 1
    assert stats.get_value("replay/index_records") == 1


def test_a_request_not_in_the_archive_is_ignored_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="crawler.middlewares.replay")
    files, _ = write_run(tmp_path, "mca", [exchange("/a.html", GBK_PAGE)])
    middleware = middleware_for(files)
    with pytest.raises(IgnoreRequest, match="not in the archive"):
        middleware.process_request(Request(SITE + "/b.html"))
    assert middleware.crawler.stats.get_value("replay/missing") == 1
    assert f"Not in the archive, skipped: <{SITE}/b.html>" in caplog.text


def test_unreadable_input_files_are_skipped_with_a_message(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files, _ = write_run(tmp_path, "mca", [exchange("/a.html", GBK_PAGE)])
    bogus = tmp_path / "bogus.warc.gz"
    bogus.write_text("nope")
    middleware = middleware_for([*files, bogus])
    assert middleware.crawler.stats.get_value("replay/files") == 1
    assert "Skipping" in caplog.text and "bogus.warc.gz" in caplog.text


def test_fetched_at_form() -> None:
    assert fetched_at_from_warc_date("2024-01-02T03:04:05.123456Z") == "2024-01-02T03:04:05Z"
    assert fetched_at_from_warc_date("2024-01-02T03:04:05Z") == "2024-01-02T03:04:05Z"
    assert fetched_at_from_warc_date("garbage") is None
