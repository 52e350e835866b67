"""End-to-end WARC capture: a real Scrapy crawl of a loopback server of our own.

The server (this file, run as ``python test_warc_capture.py serve PORTFILE
BODYDIR``) answers both directly and as a forward proxy for made-up host
names, and saves every body it sends under BODYDIR so the test can compare
the archive with what went over the wire. The crawl runs in a subprocess
(the reactor cannot restart in-process) with only the capture middleware
enabled, so these checks do not depend on the rest of the project.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

HOST = "www.warc.test"
GBK_TEXT = "民政部召开全国养老服务工作会议"


# --------------------------------------------------------------------------
# the server


def _serve(port_file: str, body_dir: str) -> None:
    from twisted.internet import reactor
    from twisted.web import resource, server

    bodies = Path(body_dir)
    state: dict[str, int] = {}
    page = ("<html><head><title>t</title></head><body>" + "新闻 " * 2000 + "</body></html>").encode()

    class Site(resource.Resource):
        isLeaf = True

        def render(self, request: Any) -> Any:
            uri = request.uri.decode("latin-1")
            match = re.match(r"^https?://[^/]+(/.*)?$", uri)
            target = (match.group(1) or "/") if match else uri
            path = target.split("?", 1)[0]
            count = state[path] = state.get(path, 0) + 1

            def send(body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> bytes:
                request.setHeader(b"Content-Type", content_type)
                name = hashlib.sha1(target.encode()).hexdigest()
                (bodies / f"{name}-{count}.bin").write_bytes(body)
                return body

            if path == "/robots.txt":
                return send(b"User-agent: *\nAllow: /\n", b"text/plain")
            if path == "/page.html":
                return send(page)
            if path == "/query":
                return send(page + target.encode())
            if path in ("/dup-a.html", "/dup-b.html"):
                return send(page + b"<!-- dup -->")
            if path == "/gzip.html":
                request.setHeader(b"Content-Encoding", b"gzip")
                return send(gzip.compress(page, mtime=0))
            if path == "/gbk.html":
                return send(
                    f"<html><head><title>{GBK_TEXT}</title></head><body>{GBK_TEXT}</body></html>".encode("gbk"),
                    b"text/html; charset=gbk",
                )
            if path == "/chunked.html":
                request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
                name = hashlib.sha1(target.encode()).hexdigest()
                (bodies / f"{name}-{count}.bin").write_bytes(page + page)
                request.write(page)
                request.write(page)
                request.finish()
                return server.NOT_DONE_YET
            if path == "/cookies":
                request.addCookie(b"a", b"1", path=b"/")
                request.addCookie(b"b", b"2", path=b"/")
                return send(b"<html>cookies</html>")
            if path == "/redirect":
                request.setResponseCode(302)
                request.setHeader(b"Location", b"/page.html?from=redirect")
                return send(b"")
            if path == "/etag.html":
                request.setHeader(b"ETag", b'"v1"')
                if request.getHeader(b"If-None-Match") == b'"v1"':
                    request.setResponseCode(304)
                    return b""
                return send(b"<html>etag page</html>")
            if path == "/flaky":
                if count == 1:
                    request.setResponseCode(503)
                    return send(b"try again")
                return send(b"<html>second attempt worked</html>")
            if path == "/slow":
                return server.NOT_DONE_YET  # never answers: the crawl is killed while waiting
            if path == "/missing":
                request.setResponseCode(404)
                return send(b"not here")
            if path == "/cut":
                request.setHeader(b"Content-Length", b"5000")
                request.write(b"x" * 100)
                reactor.callLater(0.05, request.channel.transport.abortConnection)
                return server.NOT_DONE_YET
            if path == "/big":
                return send(b"b" * 300_000, b"application/octet-stream")
            if path == "/bomb":
                request.setHeader(b"Content-Encoding", b"gzip")
                return send(gzip.compress(b"\0" * 20_000_000, mtime=0))
            request.setResponseCode(404)
            return send(b"no route")

    port = reactor.listenTCP(0, server.Site(Site()), interface="127.0.0.1")
    Path(port_file).write_text(str(port.getHost().port))
    reactor.run()


# --------------------------------------------------------------------------
# the crawl

SPIDER = textwrap.dedent(
    '''
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from crawler.warc.pointer import resolve_warc_pointer

    BASE, OUT, ITEMS, STATS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    PATHS = sys.argv[5].split(",") if len(sys.argv) > 5 else [
        "/page.html", "/gzip.html", "/chunked.html", "/gbk.html", "/query?a=1&b=%E4%B8%AD&c", "/cookies",
        "/redirect", "/dup-a.html", "/flaky", "/missing", "/cut", "/big", "/bomb", "/etag.html"]

    class CaptureSpider(scrapy.Spider):
        name = "capture"
        custom_settings = {}

        async def start(self):
            for path in PATHS:
                yield scrapy.Request(BASE + path, callback=self.parse_page, errback=self.failed,
                                     meta={"handle_httpstatus_list": [404]}, dont_filter=True)

        async def parse_page(self, response):
            pointer = await resolve_warc_pointer(response.meta.get("warc"))
            yield {"url": response.url, "status": response.status, "warc": pointer}
            if response.url.endswith("/dup-a.html"):
                yield scrapy.Request(BASE + "/dup-b.html", callback=self.parse_page)
            if response.url.endswith("/etag.html") and response.status == 200:
                yield scrapy.Request(BASE + "/etag.html", callback=self.parse_page, dont_filter=True,
                                     headers={"If-None-Match": '"v1"'},
                                     meta={"handle_httpstatus_list": [304]})

        def failed(self, failure):
            pass

    process = CrawlerProcess(settings={
        "OUTPUT_DIR": OUT,
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.warc.WarcCaptureMiddleware": 950},
        "ROBOTSTXT_OBEY": True,
        "RETRY_TIMES": 1,
        "DOWNLOAD_MAXSIZE": 100_000,
        "WARC_OPERATOR": "test operator",
        "WARC_DESCRIPTION": "capture test",
        "LOG_LEVEL": "INFO",
        "FEEDS": {ITEMS: {"format": "jsonlines"}},
        "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(CaptureSpider)
    process.crawl(crawler)
    process.start()
    with open(STATS, "w") as handle:
        json.dump({k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, str))}, handle)
    '''
)


@pytest.fixture(scope="module")
def loopback_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("warc-server")
    port_file = base / "port"
    bodies = base / "bodies"
    bodies.mkdir()
    proc = subprocess.Popen(
        [sys.executable, __file__, "serve", str(port_file), str(bodies)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        yield {"port": int(port_file.read_text()), "bodies": bodies}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def served_body(source: dict[str, Any], target: str, attempt: int = 1) -> bytes:
    """The body the loopback server sent for ``target`` (``source``: a crawl or the server)."""
    name = hashlib.sha1(target.encode()).hexdigest()
    return (source["bodies"] / f"{name}-{attempt}.bin").read_bytes()


@pytest.fixture(scope="module")
def crawl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One crawl of the loopback server per test session, shared by the modules that import this fixture."""
    work = tmp_path_factory.getbasetemp() / "warc-crawl-shared"
    out, items, stats, log = work / "out", work / "items.jsonl", work / "stats.json", work / "crawl.log"
    if not (work / "done").exists():
        server = request.getfixturevalue("loopback_server")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        script = work / "spider.py"
        script.write_text(SPIDER)
        env = dict(os.environ)
        env["http_proxy"] = f"http://127.0.0.1:{server['port']}"
        env.pop("no_proxy", None)
        env.pop("NO_PROXY", None)
        result = subprocess.run(
            [sys.executable, str(script), f"http://{HOST}", str(out), str(items), str(stats)],
            cwd=Path(__file__).resolve().parent.parent.parent, env=env,
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        log.write_text(result.stderr)
        shutil.copytree(server["bodies"], work / "bodies")  # what the server sent, kept with the crawl
        (work / "done").touch()
    return {
        "out": out,
        "warc_dir": out / "warc",
        "items": [json.loads(line) for line in items.read_text().splitlines()],
        "stats": json.loads(stats.read_text()),
        "log": log.read_text(),
        "bodies": work / "bodies",
    }


def read_records(warc_dir: Path) -> list[dict[str, Any]]:
    from warcio.archiveiterator import ArchiveIterator

    records = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle)
            for record in iterator:
                entry = {
                    "file": path.name,
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "payload": record.content_stream().read(),
                }
                # warcio finds the offset by reading to the record's end: ask after reading
                entry["offset"] = iterator.get_record_offset()
                records.append(entry)
    return records


def responses_for(records: list[dict[str, Any]], url: str, kinds: tuple[str, ...] = ("response",)) -> list[dict[str, Any]]:
    return [r for r in records if r["type"] in kinds and r["headers"].get("WARC-Target-URI") == url]


def url(path: str) -> str:
    return f"http://{HOST}{path}"


# --------------------------------------------------------------------------
# the tests


def test_files_named_closed_and_start_with_warcinfo(crawl: dict[str, Any]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    files = sorted(crawl["warc_dir"].iterdir())
    warcs = [p for p in files if p.name.endswith(".warc.gz")]
    assert warcs, files
    assert not [p for p in files if p.name.endswith(".open")]
    for path in warcs:
        assert re.fullmatch(r"MNA-\d{17}-\d{5}-[A-Za-z0-9.-]+\.warc\.gz", path.name), path.name
        assert path.with_name(path.name[: -len(".warc.gz")] + ".cdxj").exists()
        with open(path, "rb") as handle:
            first = next(iter(ArchiveIterator(handle)))
            assert first.rec_type == "warcinfo"
            assert first.rec_headers.get_header("WARC-Filename") == path.name
            info = first.content_stream().read().decode()
        assert "format: WARC File Format 1.1" in info
        assert "operator: test operator" in info
        assert "description: capture test" in info
        assert "robots: obey" in info
        assert "software: ministry-news-archive/" in info
        assert "seed: capture" in info


def test_no_deprecation_warnings_from_capture(crawl: dict[str, Any]) -> None:
    assert "DeprecationWarning" not in crawl["log"], crawl["log"][-3000:]


def test_writer_process_starts_from_an_unguarded_crawl_script(crawl: dict[str, Any]) -> None:
    # the crawl script has no ``if __name__ == "__main__"`` guard: the writer process must not re-run it
    assert "writer process did not start" not in crawl["log"]
    assert len(list(crawl["warc_dir"].glob("*.warc.gz"))) == 1
    assert crawl["log"].count("Spider opened") == 1


def test_warcio_check_passes(crawl: dict[str, Any]) -> None:
    warcio = Path(sys.executable).with_name("warcio")
    files = [str(p) for p in crawl["warc_dir"].glob("*.warc.gz")]
    result = subprocess.run([str(warcio), "check", "-v", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout


def test_fastwarc_parses_and_verifies_digests(crawl: dict[str, Any]) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    total = 0
    for path in crawl["warc_dir"].glob("*.warc.gz"):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, parse_http=False):
                total += 1
                assert record.headers.get("WARC-Block-Digest"), record.record_id
                assert record.verify_block_digest(consume=False), record.record_id
                if record.record_type == WarcRecordType.response:
                    record.parse_http()
                    assert record.verify_payload_digest(consume=False), record.record_id
    assert total >= 30


def test_every_exchange_has_request_and_response(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in records}
    requests = [r for r in records if r["type"] == "request"]
    answered = [r for r in records if r["type"] in ("response", "revisit", "metadata")]
    assert len(requests) == len(answered)
    for request in requests:
        partner = by_id[request["headers"]["WARC-Concurrent-To"]]
        assert partner["headers"]["WARC-Target-URI"] == request["headers"]["WARC-Target-URI"]
        assert partner["file"] == request["file"]
    robots = responses_for(records, url("/robots.txt"))
    assert len(robots) == 1
    assert robots[0]["http"].get_statuscode() == "200"


def test_gzip_payload_stays_encoded(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    (record,) = responses_for(records, url("/gzip.html"))
    assert record["http"].get_header("Content-Encoding") == "gzip"
    sent = served_body(crawl, "/gzip.html")
    from warcio.archiveiterator import ArchiveIterator

    with open(crawl["warc_dir"] / record["file"], "rb") as handle:
        handle.seek(record["offset"])
        stored = next(iter(ArchiveIterator(handle)))
        raw_payload = stored.raw_stream.read()  # without warcio's content decoding
    assert raw_payload == sent
    assert record["http"].get_header("Content-Length") == str(len(sent))


def test_chunked_body_stored_dechunked_with_length(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    (record,) = responses_for(records, url("/chunked.html"))
    sent = served_body(crawl, "/chunked.html")
    assert record["payload"] == sent
    assert record["http"].get_header("Transfer-Encoding") is None
    assert record["http"].get_header("Content-Length") == str(len(sent))


def test_status_line_reason_and_repeated_headers(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    (cookies,) = responses_for(records, url("/cookies"))
    assert cookies["http"].statusline == "200 OK"
    assert cookies["http"].protocol == "HTTP/1.1"
    set_cookies = [v for k, v in cookies["http"].headers if k.lower() == "set-cookie"]
    assert len(set_cookies) == 2 and set_cookies[0].startswith("a=1") and set_cookies[1].startswith("b=2")
    (missing,) = responses_for(records, url("/missing"))
    assert missing["http"].statusline == "404 Not Found"
    (redirect,) = responses_for(records, url("/redirect"))
    assert redirect["http"].statusline == "302 Found"
    assert redirect["http"].get_header("Location") == "/page.html?from=redirect"
    assert responses_for(records, url("/page.html?from=redirect"), ("response", "revisit"))


def test_request_record_has_request_line_and_sent_headers(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    target = "/query?a=1&b=%E4%B8%AD&c"
    (request,) = [r for r in records if r["type"] == "request" and r["headers"]["WARC-Target-URI"] == url(target)]
    assert request["http"].protocol == "GET"
    assert request["http"].statusline == f"{target} HTTP/1.1"
    stored = (crawl["warc_dir"] / request["file"]).read_bytes()
    import zlib

    member = zlib.decompressobj(31).decompress(stored[request["offset"]:])
    assert f"\r\n\r\nGET {target} HTTP/1.1\r\n".encode() in member
    assert request["http"].get_header("Host") == HOST
    assert "gzip" in request["http"].get_header("Accept-Encoding")
    assert request["http"].get_header("User-Agent")
    assert request["http"].get_header("Proxy-Authorization") is None
    (response,) = responses_for(records, url(target))
    assert response["payload"].endswith(target.encode())
    # through a proxy the origin's address is unknown, so none is claimed
    assert "WARC-IP-Address" not in response["headers"]


def test_retried_attempts_all_archived(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    statuses = [r["http"].get_statuscode() for r in responses_for(records, url("/flaky"))]
    assert statuses == ["503", "200"]


def test_identical_payload_is_a_revisit_of_the_original(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    (original,) = responses_for(records, url("/dup-a.html"))
    (revisit,) = responses_for(records, url("/dup-b.html"), ("revisit",))
    headers = revisit["headers"]
    assert headers["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers["WARC-Payload-Digest"] == original["headers"]["WARC-Payload-Digest"]
    refers = headers["WARC-Refers-To"]
    assert refers == original["headers"]["WARC-Record-ID"]
    assert headers["WARC-Refers-To-Target-URI"] == url("/dup-a.html")
    assert headers["WARC-Refers-To-Date"] == original["headers"]["WARC-Date"]
    assert revisit["payload"] == b""
    # /page.html has the same body too: its revisit refers to the same original, never to a revisit
    originals = {r["headers"]["WARC-Record-ID"] for r in records if r["type"] == "response"}
    for record in records:
        if record["type"] == "revisit" and "WARC-Refers-To" in record["headers"]:
            assert record["headers"]["WARC-Refers-To"] in originals


def test_not_modified_is_a_server_not_modified_revisit(crawl: dict[str, Any]) -> None:
    records = read_records(crawl["warc_dir"])
    (original,) = responses_for(records, url("/etag.html"))
    (revisit,) = responses_for(records, url("/etag.html"), ("revisit",))
    assert revisit["headers"]["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert revisit["http"].statusline == "304 Not Modified"
    assert revisit["headers"]["WARC-Refers-To"] == original["headers"]["WARC-Record-ID"]


def test_pointers_lead_to_the_exact_record(crawl: dict[str, Any]) -> None:
    items = [item for item in crawl["items"] if item["warc"]]
    assert len(items) >= 10
    for item in items:
        assert set(item["warc"]) == {"file", "offset", "record_id", "payload_digest"}
        assert_pointer_resolves(crawl["warc_dir"], item)


def assert_pointer_resolves(warc_dir: Path, item: dict[str, Any]) -> None:
    """The record an item's ``warc`` pointer names is its page's response (or revisit), at that offset."""
    from warcio.archiveiterator import ArchiveIterator

    pointer = item["warc"]
    with open(warc_dir / pointer["file"], "rb") as handle:
        handle.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(handle)))
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
        assert record.rec_type in ("response", "revisit")
        assert record.rec_headers.get_header("WARC-Payload-Digest") == pointer["payload_digest"]
        assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]


def test_faults_logged_counted_and_archive_valid(crawl: dict[str, Any]) -> None:
    stats, log = crawl["stats"], crawl["log"]
    assert stats.get("warc/fetch_errors/cut_short", 0) >= 1
    assert stats.get("warc/fetch_errors/oversize", 0) >= 1
    assert stats.get("warc/decompression_bombs", 0) == 1
    assert url("/cut") in log and url("/big") in log and url("/bomb") in log
    records = read_records(crawl["warc_dir"])
    notes = [r for r in records if r["type"] == "metadata" and r["headers"]["WARC-Target-URI"] == url("/cut")]
    assert any(b"fetch-error: cut_short" in note["payload"] for note in notes)
    assert not responses_for(records, url("/cut"))
    (bomb,) = responses_for(records, url("/bomb"))
    assert bomb["http"].get_header("Content-Encoding") == "gzip"
    assert stats["warc/records"] == len(records)
    assert stats["warc/records/warcinfo"] == len([r for r in records if r["type"] == "warcinfo"])
    assert stats["warc/files"] == len(list(crawl["warc_dir"].glob("*.warc.gz")))
    assert stats["warc/bytes"] > 0
    assert stats.get("warc/write_errors", 0) == 0


def processes_holding(directory: Path) -> list[int]:
    """PIDs with a file under ``directory`` open (Linux /proc)."""
    holders = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(str(os.readlink(fd)).startswith(str(directory)) for fd in fd_dir.iterdir()):
                holders.append(int(fd_dir.parent.name))
        except OSError:
            continue
    return holders


def test_killed_crawl_is_recovered_at_next_start(loopback_server: dict[str, Any], tmp_path: Path) -> None:
    from crawler.warc.recovery import complete_records_end

    script = tmp_path / "spider.py"
    script.write_text(SPIDER)
    out = tmp_path / "out"
    env = dict(os.environ, http_proxy=f"http://127.0.0.1:{loopback_server['port']}")

    def command(run: str, paths: str) -> list[str]:
        return [sys.executable, str(script), f"http://{HOST}", str(out), str(tmp_path / f"{run}.jsonl"),
                str(tmp_path / f"{run}.json"), paths]

    killed = subprocess.Popen(command("killed", "/page.html,/cookies,/slow"), cwd=Path(__file__).resolve().parent.parent.parent,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            leftovers = list((out / "warc").glob("*.warc.gz.open")) if (out / "warc").exists() else []
            if leftovers and complete_records_end(leftovers[0])[1] >= 5:  # warcinfo + robots + 2 pages
                break
            assert time.monotonic() < deadline and killed.poll() is None, "crawl did not get going"
            time.sleep(0.1)
    finally:
        killed.kill()
        killed.wait()
    # nothing of the killed crawl keeps the leftover open (or locked)
    deadline = time.monotonic() + 10
    while processes_holding(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_holding(out)
    (leftover,) = list((out / "warc").glob("*.warc.gz.open"))
    # the kill may also have struck in the middle of a record: leave half a gzip member behind
    data = leftover.read_bytes()
    with open(leftover, "ab") as handle:
        handle.write(data[len(data) // 2:][:300])
    result = subprocess.run(command("next", "/dup-a.html"), cwd=Path(__file__).resolve().parent.parent.parent, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((tmp_path / "next.json").read_text())
    assert stats["warc/recovered_files"] == 1
    assert not list((out / "warc").glob("*.open"))
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert len(files) == 2 and leftover.with_name(leftover.name[: -len(".open")]) in files
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for path in files:
        assert path.with_name(path.name[: -len(".warc.gz")] + ".cdxj").exists()
    recovered_name = leftover.name[: -len(".open")]
    assert f"Recovered {out / 'warc' / recovered_name}" in result.stderr, result.stderr[-3000:]


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "serve":
    _serve(sys.argv[2], sys.argv[3])
