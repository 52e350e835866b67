"""The sample site serves each behaviour the crawler's tests rely on."""

from __future__ import annotations

import gzip
import html
import http.client
import io
import json
import os
import socket
import zipfile
import zlib
from pathlib import Path

import pytest

from sample.store import MemoryPageStore, Page, RouteError, load_site
from tests.conftest import SampleSite, start_sample_site, stop_process

MCA = "http://www.mca.gov.cn/n152/n165"
ARTICLE = MCA + "/c{}/content.html"


def article(number: int) -> str:
    return ARTICLE.format(1662004999979990000 + number)


def raw_get(site: SampleSite, url: str, headers: dict[str, str] | None = None, timeout: float = 10.0
            ) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET through the proxy without any client-side decoding or redirect following."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=timeout)
    try:
        connection.request("GET", url, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


@pytest.mark.e2e
def test_list_page_sets_repeated_cookies(fresh_sample_site: SampleSite) -> None:
    status, headers, body = raw_get(fresh_sample_site, MCA + "/index.html")
    assert status == 200
    cookies = headers.get_all("Set-Cookie")
    assert len(cookies) == 3 and cookies[0].startswith("JSESSIONID=")
    assert "c1662004999979990005/content.html?from=timeline" in body.decode("utf-8")


@pytest.mark.e2e
def test_unknown_host_and_unknown_path_are_404(fresh_sample_site: SampleSite) -> None:
    assert raw_get(fresh_sample_site, "http://www.example.org/")[0] == 404
    status, headers, body = raw_get(fresh_sample_site, article(404))
    assert status == 404 and b"404" in body and headers["Content-Type"].startswith("text/html")


@pytest.mark.e2e
def test_host_is_case_insensitive_and_directory_serves_index(fresh_sample_site: SampleSite) -> None:
    _, _, index = raw_get(fresh_sample_site, MCA + "/index.html")
    status, _, body = raw_get(fresh_sample_site, "http://WWW.MCA.Gov.CN/n152/n165/")
    assert status == 200 and body == index


@pytest.mark.e2e
def test_gzip_only_when_accepted(fresh_sample_site: SampleSite) -> None:
    url = article(1)
    status, headers, plain = raw_get(fresh_sample_site, url)
    assert status == 200 and headers["Content-Encoding"] is None and "民政部" in plain.decode("utf-8")
    _, headers, compressed = raw_get(fresh_sample_site, url, {"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip" and int(headers["Content-Length"]) == len(compressed)
    assert gzip.decompress(compressed) == plain
    _, headers, _ = raw_get(fresh_sample_site, url, {"Accept-Encoding": "gzip;q=0, identity"})
    assert headers["Content-Encoding"] is None


@pytest.mark.e2e
def test_chunked_article_has_no_content_length(fresh_sample_site: SampleSite) -> None:
    status, headers, body = raw_get(fresh_sample_site, article(8))
    assert status == 200
    assert headers["Transfer-Encoding"] == "chunked" and headers["Content-Length"] is None
    assert body.decode("utf-8").rstrip().endswith("</html>")


@pytest.mark.e2e
def test_conditional_requests(fresh_sample_site: SampleSite) -> None:
    url = article(2)
    _, headers, _ = raw_get(fresh_sample_site, url)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert etag and last_modified
    status, headers304, body = raw_get(fresh_sample_site, url, {"If-None-Match": etag})
    assert status == 304 and body == b"" and headers304["ETag"] == etag
    assert raw_get(fresh_sample_site, url, {"If-Modified-Since": last_modified})[0] == 304
    assert raw_get(fresh_sample_site, url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    assert raw_get(fresh_sample_site, url, {"If-None-Match": '"stale"', "If-Modified-Since": last_modified})[0] == 200


@pytest.mark.e2e
def test_route_ignoring_conditional_headers(fresh_sample_site: SampleSite) -> None:
    url = article(13)
    _, headers, body = raw_get(fresh_sample_site, url)
    status, _, again = raw_get(fresh_sample_site, url, {"If-None-Match": headers["ETag"]})
    assert status == 200 and again == body


@pytest.mark.e2e
def test_volatile_etag_with_identical_body(fresh_sample_site: SampleSite) -> None:
    url = article(14)
    _, first_headers, first = raw_get(fresh_sample_site, url)
    status, second_headers, second = raw_get(fresh_sample_site, url, {"If-None-Match": first_headers["ETag"]})
    assert status == 200 and first == second and first_headers["ETag"] != second_headers["ETag"]


@pytest.mark.e2e
def test_fails_with_503_first_then_succeeds(fresh_sample_site: SampleSite) -> None:
    url = article(9)
    assert raw_get(fresh_sample_site, url)[0] == 503
    assert raw_get(fresh_sample_site, url)[0] == 200
    fresh_sample_site.reset_counters()
    assert raw_get(fresh_sample_site, url)[0] == 503


@pytest.mark.e2e
def test_permanent_redirect(fresh_sample_site: SampleSite) -> None:
    status, headers, _ = raw_get(fresh_sample_site, article(10))
    assert status == 301 and headers["Location"] == article(11)
    assert raw_get(fresh_sample_site, article(11))[0] == 200


@pytest.mark.e2e
def test_cloaked_article_by_user_agent_and_referer(fresh_sample_site: SampleSite) -> None:
    url = article(7)
    normal = raw_get(fresh_sample_site, url, {"User-Agent": "Mozilla/5.0"})[2].decode("utf-8")
    spider = raw_get(fresh_sample_site, url, {"User-Agent": "Mozilla/5.0 (compatible; Baiduspider/2.0)"})[2].decode("utf-8")
    referred = raw_get(fresh_sample_site, url, {"Referer": "https://www.baidu.com/s?wd=x"})[2].decode("utf-8")
    assert "皇冠娱乐" not in normal and "婚姻登记" in normal
    assert "注册即送88元彩金" in spider and "婚姻登记" in spider
    assert referred == spider


@pytest.mark.e2e
def test_control_override_delete_and_clear(fresh_sample_site: SampleSite) -> None:
    url = article(12)
    _, original_headers, original = raw_get(fresh_sample_site, url)
    fresh_sample_site.override(url, "<html><body><p>更新后的正文</p></body></html>")
    status, headers, body = raw_get(fresh_sample_site, url)
    assert status == 200 and body.decode("utf-8") == "<html><body><p>更新后的正文</p></body></html>"
    # ETags derive from the body, so a changed article must not answer 304 to the old validator.
    assert headers["ETag"] != original_headers["ETag"]
    assert raw_get(fresh_sample_site, url, {"If-None-Match": original_headers["ETag"]})[0] == 200
    assert raw_get(fresh_sample_site, url, {"If-Modified-Since": original_headers["Last-Modified"]})[0] == 200
    assert raw_get(fresh_sample_site, url, {"If-None-Match": headers["ETag"]})[0] == 304
    fresh_sample_site.delete(url)
    assert raw_get(fresh_sample_site, url)[0] == 404
    fresh_sample_site.clear_overrides()
    assert raw_get(fresh_sample_site, url)[2] == original


@pytest.mark.e2e
def test_request_log_records_served_requests_not_control(fresh_sample_site: SampleSite) -> None:
    raw_get(fresh_sample_site, MCA + "/index_1.html?x=1", {"User-Agent": "log-test", "X-Repeat": "a"})
    raw_get(fresh_sample_site, "http://nowhere.test/missing")
    fresh_sample_site.override(article(3), "x")  # control requests are not logged
    log = fresh_sample_site.requests()
    assert [entry["url"] for entry in log] == [MCA + "/index_1.html?x=1", "http://nowhere.test/missing"]
    first = log[0]
    assert first["method"] == "GET" and first["status"] == 200  # an unrouted query is ignored, as by a static server
    assert ["User-Agent", "log-test"] in first["request_headers"]
    assert log[1]["status"] == 404 and log[1]["response_length"] > 0
    on_disk = [json.loads(line) for line in fresh_sample_site.log_path.read_text(encoding="utf-8").splitlines()]
    assert on_disk[-1]["url"] == "http://nowhere.test/missing"


@pytest.mark.e2e
def test_attachments_are_valid_files(fresh_sample_site: SampleSite) -> None:
    base = MCA + "/c1662004999979990003/part/"
    status, headers, pdf = raw_get(fresh_sample_site, base + "2022nddcpgyjsyqk.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")
    _, headers, xlsx = raw_get(fresh_sample_site, base + "2022nddcpgyjmxb.xlsx")
    assert "spreadsheetml" in headers["Content-Type"]
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx)).namelist()


@pytest.mark.e2e
def test_robots_txt(fresh_sample_site: SampleSite) -> None:
    status, headers, body = raw_get(fresh_sample_site, "http://www.mca.gov.cn/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert b"Disallow: /n152/n165/internal/" in body


@pytest.mark.e2e
def test_cut_short_response_declares_more_than_it_sends(fresh_sample_site: SampleSite) -> None:
    with socket.create_connection(("127.0.0.1", fresh_sample_site.port), timeout=5) as connection:
        connection.sendall(b"GET http://faults.sample.test/cut-short.html HTTP/1.1\r\nHost: faults.sample.test\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    declared = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    assert 0 < len(body) < declared


@pytest.mark.e2e
def test_slow_route_times_out_a_patient_client_only(fresh_sample_site: SampleSite) -> None:
    with pytest.raises((socket.timeout, TimeoutError)):
        raw_get(fresh_sample_site, "http://faults.sample.test/slow.html", timeout=0.5)
    assert raw_get(fresh_sample_site, "http://faults.sample.test/index.html")[0] == 200


@pytest.mark.e2e
def test_large_and_bomb_bodies(fresh_sample_site: SampleSite) -> None:
    _, headers, large = raw_get(fresh_sample_site, "http://faults.sample.test/large.html")
    assert len(large) >= 3 * 1024 * 1024 and int(headers["Content-Length"]) == len(large)
    _, headers, bomb = raw_get(fresh_sample_site, "http://faults.sample.test/bomb.html")
    assert headers["Content-Encoding"] == "gzip" and len(bomb) < 1024 * 1024
    inflated, data = 0, bomb
    while data:  # one gzip member after another, as every gzip reader does
        inflater = zlib.decompressobj(31)
        while data and not inflater.eof:
            inflated += len(inflater.decompress(data, 16 * 1024 * 1024))
            data = inflater.unconsumed_tail
        data = inflater.unused_data
    assert inflated > 200 * 1024 * 1024


def test_shipped_site_loads_and_fault_routes_stay_on_test_host() -> None:
    store = load_site()
    urls = store.urls()
    assert len(urls) > 30
    for url in urls:
        if any(word in url for word in ("cut-short", "slow", "large", "bomb")):
            assert url.startswith("http://faults.sample.test/")


@pytest.mark.e2e
def test_memory_store_and_custom_site_dir_over_cli(tmp_path: Path) -> None:
    store = MemoryPageStore()
    store.add("http://Example.Test/a/index.html", Page(body=b"hi"))
    assert store.lookup("example.test", "/a/").body == b"hi"
    assert store.lookup("example.test", "/a/index.html?from=x").body == b"hi"
    assert store.lookup("example.test", "/b/") is None

    site_dir = tmp_path / "site"
    (site_dir / "x.test" / "news").mkdir(parents=True)
    (site_dir / "x.test" / "news" / "index.html").write_text("<p>消息</p>", encoding="utf-8")
    (site_dir / "routes.toml").write_text('[hosts."x.test"]\ncharset = "gb18030"\n', encoding="utf-8")
    site = start_sample_site(tmp_path, site_dir=site_dir)
    try:
        status, headers, body = raw_get(site, "http://x.test/news/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=gb18030"
        assert body == "<p>消息</p>".encode("gb18030")
    finally:
        stop_process(site.process)
    assert site.process.returncode == 0


def test_bad_routes_are_refused_with_the_url(tmp_path: Path) -> None:
    (tmp_path / "y.test").mkdir()
    (tmp_path / "routes.toml").write_text('[route."http://y.test/a.html"]\nfile = "missing.html"\n', encoding="utf-8")
    with pytest.raises(RouteError, match="http://y.test/a.html"):
        load_site(tmp_path)
    (tmp_path / "y.test" / "p.html").write_text("<p>€</p>", encoding="utf-8")
    (tmp_path / "routes.toml").write_text('[hosts."y.test"]\ncharset = "gb2312"\n', encoding="utf-8")
    with pytest.raises(RouteError, match="gb2312"):
        load_site(tmp_path)


EXPECTED = json.loads((Path(__file__).resolve().parent.parent.parent / "sample/site/expected.json").read_text(encoding="utf-8"))
SEEDS = [name for name in EXPECTED if not name.startswith("_")]


def _linked_urls(site: SampleSite, urls: list[str]) -> set[str]:
    from urllib.parse import urljoin

    from parsel import Selector

    linked: set[str] = set()
    for url in urls:
        status, headers, body = raw_get(site, url)
        assert status == 200, url
        charset = headers.get_content_charset() or "utf-8"
        for href in Selector(text=body.decode(charset, "replace")).xpath("//a/@href").getall():
            linked.add(urljoin(url, href.strip()))
    return linked


@pytest.mark.e2e
@pytest.mark.parametrize("seed", SEEDS)
def test_expected_oracle_matches_what_is_served(fresh_sample_site: SampleSite, seed: str) -> None:
    from urllib.robotparser import RobotFileParser

    sample_site = fresh_sample_site
    expected = EXPECTED[seed]
    for url in expected.get("retried", []):
        assert raw_get(sample_site, url)[0] == 503
    lists = expected["list_pages"]
    linked = _linked_urls(sample_site, lists)
    redirect_targets = set(expected.get("redirects", {}).values())
    for url in expected["articles"]:
        status, headers, body = raw_get(sample_site, url, {"User-Agent": "Mozilla/5.0"})
        assert status == 200 and headers.get_content_type() == "text/html", url
        assert url in linked or url in redirect_targets, url
        charset = expected["encodings"][url]
        text = html.unescape(body.decode(charset))
        for needle in expected["legit_strings"].get(url, []):
            assert needle in text, (url, needle)
        assert expected["titles"][url] in text
    for source, target in expected.get("redirects", {}).items():
        status, headers, _ = raw_get(sample_site, source)
        assert status in (301, 302) and headers["Location"] == target
        assert source in linked
    for url, needles in expected["spam_pages"].items():
        agent = "Baiduspider/2.0" if url in expected["cloaked"] else "Mozilla/5.0"
        text = html.unescape(raw_get(sample_site, url, {"User-Agent": agent})[2].decode(expected["encodings"].get(url, "utf-8")))
        for needle in needles:
            assert needle in text, (url, needle)
    for article_url, files in expected.get("attachments", {}).items():
        page = raw_get(sample_site, article_url)[2]
        for file_url in files:
            status, headers, body = raw_get(sample_site, file_url)
            assert status == 200 and not headers.get_content_type().startswith("text/") and body, file_url
            assert file_url.rsplit("/", 1)[1].encode() in page
    for url in expected["doorways"]:
        assert raw_get(sample_site, url)[0] == 200
    for url in expected["robots_disallowed"]:
        parts = url.split("/", 3)
        robots = RobotFileParser()
        robots.parse(raw_get(sample_site, f"{parts[0]}//{parts[2]}/robots.txt")[2].decode("utf-8").splitlines())
        assert not robots.can_fetch("Scrapy", url) and url in linked
    for url in expected.get("not_found", []):
        assert raw_get(sample_site, url)[0] == 404 and url in linked
    for duplicate, original in expected["duplicates"].items():
        assert duplicate in expected["articles"] and original in expected["articles"]
    for near, original in expected["near_duplicates"].items():
        assert near in expected["articles"] and original in expected["articles"]
    assert all(raw_get(sample_site, url)[0] == 200 for url in expected["start_urls"])


@pytest.mark.e2e
def test_gbk_declared_in_header_only(fresh_sample_site: SampleSite) -> None:
    url = EXPECTED["mohrss"]["articles"][0]
    status, headers, body = raw_get(fresh_sample_site, url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=GBK"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert EXPECTED["mohrss"]["titles"][url] in body.decode("gbk")


@pytest.mark.e2e
def test_gb2312_declared_in_meta_only_and_lying_header(fresh_sample_site: SampleSite) -> None:
    status, headers, body = raw_get(fresh_sample_site, "http://www.mee.gov.cn/ywdt/xwfb/")
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in body
    assert "新闻发布" in body.decode("gb2312")
    liar = EXPECTED["mee"]["lying_charset_header"][0]
    _, headers, body = raw_get(fresh_sample_site, liar)
    assert headers.get_content_charset() == "utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert EXPECTED["mee"]["titles"][liar] in body.decode("gb2312")


@pytest.mark.e2e
def test_query_string_route_and_empty_list_page(fresh_sample_site: SampleSite) -> None:
    base = "http://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/buneiyaowen/"
    assert raw_get(fresh_sample_site, base + "index.html?page=2")[2] == raw_get(fresh_sample_site, base + "index_1.html")[2]
    empty = raw_get(fresh_sample_site, base + "index_2.html")[2].decode("gbk")
    assert "暂无信息" in empty and "/202312/t2023" not in empty


@pytest.mark.e2e
def test_serve_an_in_memory_store_as_bench_would(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "synthetic.py"
    script.write_text(
        "import sys\n"
        "from sample import MemoryPageStore, Page, serve\n"
        "store = MemoryPageStore()\n"
        "for n in range(50):\n"
        "    store.add(f'http://synthetic.test/a/{n}.html', Page(headers=[('Content-Type', 'text/html')], body=f'<p>{n}</p>'.encode(), gzip=True))\n"
        "serve(store, 0, port_file=sys.argv[1])\n",
        encoding="utf-8",
    )
    port_file = tmp_path / "port"
    root = Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}  # sample/ is imported from the source tree, not installed
    process = subprocess.Popen([sys.executable, str(script), str(port_file)], cwd=root, env=env)
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        site = SampleSite(process, int(port_file.read_text()), tmp_path / "unused.log")
        status, headers, body = raw_get(site, "http://synthetic.test/a/49.html", {"Accept-Encoding": "gzip"})
        assert status == 200 and gzip.decompress(body) == b"<p>49</p>"
        assert raw_get(site, "http://synthetic.test/a/50.html")[0] == 404
        assert [entry["url"] for entry in site.requests()] == ["http://synthetic.test/a/49.html", "http://synthetic.test/a/50.html"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0
