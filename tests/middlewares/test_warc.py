"""The capture middleware in-process: which responses it archives, what it hands on, what it counts."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured, ResponseDataLossError
from scrapy.http import HtmlResponse, Request
from scrapy.http.headers import Headers
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.middlewares.warc import WarcCaptureMiddleware
from crawler.warc.pointer import WarcPointerError, resolve_warc_pointer


class SeededSpider(Spider):
    name = "seeded"

    class seed:  # the shape of crawler.seeds.Seed that the warcinfo reads
        name = "mca"
        site_name = "中华人民共和国民政部"


def middleware(tmp_path: Path, **settings: Any) -> WarcCaptureMiddleware:
    crawler = get_crawler(SeededSpider, {"OUTPUT_DIR": str(tmp_path), "WARC_WRITER": "thread", **settings})
    crawler.spider = SeededSpider()
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.spider_opened()
    return capture


def finish(capture: WarcCaptureMiddleware) -> None:
    closed = capture.runner.call("close").result()
    capture.runner.shutdown()
    capture._sync_stats(closed["counts"])


def response_for(request: Request, body: bytes = b"<html>page</html>", status: int = 200, **kwargs: Any) -> HtmlResponse:
    headers = kwargs.pop("headers", None) or Headers({"Content-Type": "text/html"})
    return HtmlResponse(request.url, status=status, headers=headers, body=body, request=request, **kwargs)


def records(tmp_path: Path) -> list[tuple[str, Any, Any, bytes]]:
    out = []
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                out.append((record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read()))
    return out


def test_disabled_by_setting(tmp_path: Path) -> None:
    crawler = get_crawler(SeededSpider, {"OUTPUT_DIR": str(tmp_path), "WARC_ENABLED": False})
    with pytest.raises(NotConfigured):
        WarcCaptureMiddleware.from_crawler(crawler)


def test_downloaded_response_archived_and_pointer_handed_on(tmp_path: Path) -> None:
    capture = middleware(tmp_path, WARC_PREFIX="TEST", WARC_OPERATOR="ops")
    request = Request("http://www.mca.gov.cn/a.html?x=1#frag", headers={"Cookie": "a=1"})
    assert capture.process_request(request) is None
    headers = Headers({"Content-Type": "text/html"})
    headers.appendlist("Set-Cookie", "one=1")
    headers.appendlist("Set-Cookie", "two=2")
    response = response_for(request, headers=headers)
    assert capture.process_response(request, response) is response
    pointer = asyncio.run(resolve_warc_pointer(request.meta["warc"]))
    finish(capture)
    assert pointer is not None and pointer["file"].startswith("TEST-") and pointer["file"].endswith(".warc.gz")
    kinds = [kind for kind, _, _, _ in records(tmp_path)]
    assert kinds == ["warcinfo", "request", "response"]
    info, request_record, response_record = records(tmp_path)
    assert b"seed: mca\r\n" in info[3] and b"operator: ops\r\n" in info[3]
    assert "seed-site-name: 中华人民共和国民政部" in info[3].decode("utf-8")
    assert response_record[1].get_header("WARC-Target-URI") == "http://www.mca.gov.cn/a.html?x=1"
    assert [v for k, v in response_record[2].headers if k == "Set-Cookie"] == ["one=1", "two=2"]
    assert request_record[2].get_header("Cookie") == "a=1"
    assert request_record[2].protocol == "GET" and request_record[2].statusline == "/a.html?x=1 HTTP/1.1"
    assert capture.stats.get_value("warc/records") == 3
    assert capture.stats.get_value("warc/exchanges") == 1
    assert capture.stats.get_value("warc/files") == 1
    assert (tmp_path / "warc" / pointer["file"].replace(".warc.gz", ".cdxj")).exists()


def test_response_not_from_the_downloader_is_left_alone(tmp_path: Path) -> None:
    capture = middleware(tmp_path)
    request = Request("http://www.mca.gov.cn/cached.html")
    response = response_for(request)
    # no process_request: an earlier middleware (cache, replay) answered it
    assert capture.process_response(request, response) is response
    assert "warc" not in request.meta
    finish(capture)
    assert records(tmp_path) == []


def test_cut_short_response_marked_truncated(tmp_path: Path) -> None:
    capture = middleware(tmp_path)
    request = Request("http://www.mca.gov.cn/cut.html")
    capture.process_request(request)
    response = response_for(request, b"x" * 100, headers=Headers({"Content-Length": "4000"}), flags=["dataloss"])
    capture.process_response(request, response)
    finish(capture)
    (_, headers, http_headers, payload) = records(tmp_path)[-1]
    assert headers.get_header("WARC-Truncated") == "disconnect"
    assert http_headers.get_header("Content-Length") == "100" and payload == b"x" * 100
    assert capture.stats.get_value("warc/truncated") == 1


def test_failed_download_keeps_request_and_a_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    capture = middleware(tmp_path)
    request = Request("http://www.mca.gov.cn/lost.html")
    capture.process_request(request)
    assert capture.process_exception(request, ResponseDataLossError()) is None
    finish(capture)
    kinds = [(kind, headers.get_header("WARC-Target-URI")) for kind, headers, _, _ in records(tmp_path)]
    assert kinds[1:] == [("request", "http://www.mca.gov.cn/lost.html"), ("metadata", "http://www.mca.gov.cn/lost.html")]
    assert b"fetch-error: cut_short" in records(tmp_path)[-1][3]
    assert capture.stats.get_value("warc/fetch_errors/cut_short") == 1
    assert "http://www.mca.gov.cn/lost.html" in caplog.text


def test_failed_write_makes_the_pointer_raise(tmp_path: Path) -> None:
    capture = middleware(tmp_path)

    def broken_opener(path: Path) -> Any:
        raise OSError(30, "Read-only file system")

    capture.runner.backend.writer._opener = broken_opener
    request = Request("http://www.mca.gov.cn/a.html")
    capture.process_request(request)
    capture.process_response(request, response_for(request))
    with pytest.raises(WarcPointerError):
        asyncio.run(resolve_warc_pointer(request.meta["warc"]))
    finish(capture)
    assert capture.stats.get_value("warc/write_errors") == 1


def test_backpressure_waits_when_writer_lags(tmp_path: Path) -> None:
    capture = middleware(tmp_path, WARC_MAX_PENDING_BYTES=10)
    gate = threading.Event()
    capture.runner.executor.submit(gate.wait)  # the writer thread is busy until the gate opens
    request = Request("http://www.mca.gov.cn/big.html")
    capture.process_request(request)
    result = capture.process_response(request, response_for(request, b"y" * 1000))
    assert asyncio.iscoroutine(result)  # the response is held back
    result.close()
    assert capture.stats.get_value("warc/backpressure_waits") == 1
    gate.set()
    finish(capture)
    small = middleware(tmp_path / "small")
    request = Request("http://www.mca.gov.cn/small.html")
    small.process_request(request)
    response = response_for(request, b"z" * 5)
    assert small.process_response(request, response) is response
    finish(small)


def test_stopped_download_marked_truncated_unspecified(tmp_path: Path) -> None:
    capture = middleware(tmp_path)
    request = Request("http://www.mca.gov.cn/stopped.html")
    capture.process_request(request)
    response = response_for(request, b"partial", flags=["download_stopped"])
    capture.process_response(request, response)
    finish(capture)
    (_, headers, http_headers, payload) = records(tmp_path)[-1]
    assert headers.get_header("WARC-Truncated") == "unspecified"
    assert payload == b"partial" and http_headers.get_header("Content-Length") == "7"


def test_default_writer_is_a_thread_of_this_process(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # No writer process: a stop signal to the crawl's process group has no child to kill.
    crawler = get_crawler(SeededSpider, {"OUTPUT_DIR": str(tmp_path)})
    crawler.spider = SeededSpider()
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.spider_opened()
    request = Request("http://www.mca.gov.cn/cut.html")
    capture.process_request(request)
    capture.process_response(request, response_for(request, b"x" * 10, headers=Headers({"Content-Length": "99"})))
    pointer = request.meta["warc"].result(timeout=60)
    assert [thread.name for thread in threading.enumerate() if thread.name.startswith("warc-writer")]
    assert not multiprocessing.active_children()
    finish(capture)
    with open(tmp_path / "warc" / pointer["file"], "rb") as handle:
        handle.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(handle)))
    assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
    assert "http://www.mca.gov.cn/cut.html" in caplog.text




def test_unknown_writer_mode_stops_the_crawl_rather_than_archiving_nothing(tmp_path: Path) -> None:
    crawler = get_crawler(SeededSpider, {"OUTPUT_DIR": str(tmp_path), "WARC_WRITER": "process"})
    crawler.spider = SeededSpider()
    with pytest.raises(ValueError, match="WARC_WRITER"):
        WarcCaptureMiddleware.from_crawler(crawler)


def test_run_manifest_lists_exactly_the_warc_files_written(tmp_path: Path) -> None:
    import json

    from crawler.extensions.manifest import RunManifest

    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "MNA-earlier-run.warc.gz").write_bytes(b"")  # not this run's
    crawler = get_crawler(SeededSpider, {"OUTPUT_DIR": str(tmp_path), "RUN_ID": "r1", "WARC_WRITER": "inline",
                                         "WARC_MAX_SIZE": 2000})
    crawler.spider = SeededSpider()
    manifest = RunManifest.from_crawler(crawler)
    manifest.spider_opened(crawler.spider)
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.spider_opened()
    for number in range(3):  # each exchange is over WARC_MAX_SIZE: a file each
        request = Request(f"http://www.mca.gov.cn/{number}.html")
        capture.process_request(request)
        capture.process_response(request, response_for(request, random_bytes(3000, seed=number)))
    asyncio.run(capture.spider_closed())
    manifest.spider_closed(crawler.spider, "finished")
    manifest.engine_stopped()
    written = json.loads((tmp_path / "runs" / "r1.json").read_text("utf-8"))
    ours = sorted(set((tmp_path / "warc").glob("*.warc.gz")) - {tmp_path / "warc" / "MNA-earlier-run.warc.gz"})
    assert len(ours) == 3
    assert written["outputs"]["warc"] == [str(path) for path in ours]


def random_bytes(size: int, seed: int) -> bytes:
    import random

    return random.Random(seed).randbytes(size)  # incompressible: the gzip member stays over WARC_MAX_SIZE


def test_response_that_cannot_be_captured_gets_a_failed_pointer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    capture = middleware(tmp_path)

    def broken_snapshot(*args: Any) -> Any:
        raise ValueError("bad header")

    monkeypatch.setattr(capture, "_snapshot", broken_snapshot)
    request = Request("http://www.mca.gov.cn/uncaptured.html")
    capture.process_request(request)
    response = response_for(request)
    assert capture.process_response(request, response) is response  # the crawl goes on
    with pytest.raises(WarcPointerError):  # but its record is never written with "warc": null
        asyncio.run(resolve_warc_pointer(request.meta["warc"]))
    finish(capture)
    assert capture.stats.get_value("warc/capture_errors") == 1
    assert "http://www.mca.gov.cn/uncaptured.html" in caplog.text


def test_warcinfo_names_the_run_and_holds_the_seed_file_text(tmp_path: Path) -> None:
    from crawler.replay.inputs import inspect_input
    from crawler.seeds import seed_from_text

    text = (Path(__file__).resolve().parent.parent.parent / "seeds" / "mca.toml").read_text("utf-8")

    class SeedFileSpider(Spider):
        name = "mca"
        seed = seed_from_text(text, "seeds/mca.toml")

    crawler = get_crawler(SeedFileSpider, {"OUTPUT_DIR": str(tmp_path), "WARC_WRITER": "thread", "RUN_ID": "r-42"})
    crawler.spider = SeedFileSpider()
    capture = WarcCaptureMiddleware.from_crawler(crawler)
    capture.spider_opened()
    request = Request("http://www.mca.gov.cn/a.html")
    capture.process_request(request)
    capture.process_response(request, response_for(request))
    finish(capture)
    (path,) = (tmp_path / "warc").glob("*.warc.gz")
    archived = inspect_input(path)
    assert archived.run_id == "r-42" and archived.seed == "mca"
    assert archived.seed_text == text  # byte for byte, comments and Chinese included
