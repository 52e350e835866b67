"""pywb replays our WARC files byte for byte (``id_`` replay).

pywb lives in its own venv (``make pywb-venv`` builds ``.venv-pywb``): it pins
old redis and pulls in brotlipy, which breaks Scrapy's brotli decoding. The
test drives ``wb-manager`` and ``wayback`` from there on a free loopback port
and stops the server by PID. A missing venv fails the test: it is part of
``make test``, not optional.

Two archives are replayed: a real ``scrapy crawl`` of the sample site (every
HTML page must come back exactly as the sample server sends it, among them
its gzip-encoded and chunked routes), and the capture test's own loopback
crawl, which always has all four required cases: a gzip-encoded response, a
chunked one, a GBK page and a URL with a query string.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.warc.test_capture import HOST, crawl, loopback_server, read_records, served_body  # noqa: F401
from tests.warc.test_sample_site import sample_crawl  # noqa: F401
from warcio.timeutils import iso_date_to_timestamp

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PYWB_BIN = Path(os.environ.get("PYWB_BIN") or PROJECT_ROOT / ".venv-pywb" / "bin")  # upgrade-deps points elsewhere
ROUTES = PROJECT_ROOT / "sample" / "site" / "routes.toml"
GBK_CHARSETS = ("gbk", "gb2312", "gb18030")
ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Wayback:
    """A pywb collection built with wb-manager and served by ``wayback`` on loopback."""

    def __init__(self, root: Path, collection: str, warcs: list[Path]) -> None:
        for tool in ("wb-manager", "wayback"):
            if not (PYWB_BIN / tool).exists():
                pytest.fail(f"{PYWB_BIN / tool} is missing: run `make pywb-venv` (part of `make test`)")
        self.root, self.collection = root, collection
        env = self._env()
        subprocess.run([str(PYWB_BIN / "wb-manager"), "init", collection], cwd=root, env=env, check=True,
                       capture_output=True, timeout=120)
        subprocess.run([str(PYWB_BIN / "wb-manager"), "add", collection, *map(str, warcs)], cwd=root, env=env,
                       check=True, capture_output=True, timeout=300)
        self.port = free_port()
        self.log = (root / "wayback.log").open("wb")
        self.process = subprocess.Popen(
            [str(PYWB_BIN / "wayback"), "-p", str(self.port), "-b", "127.0.0.1", "-d", str(root)],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("wayback did not start: " + (root / "wayback.log").read_text(errors="replace"))
                time.sleep(0.2)

    @staticmethod
    def _env() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
        env["PATH"] = f"{PYWB_BIN}{os.pathsep}{env.get('PATH', '')}"
        return env

    def replay(self, url: str, timestamp: str) -> tuple[int, dict[str, str], bytes]:
        """The ``id_`` replay of ``url`` at ``timestamp``: status, headers and raw body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", f"/{self.collection}/{timestamp}id_/{url}",
                               headers={"Accept-Encoding": ACCEPT_ENCODING})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def originals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["type"] == "response" and r["http"].get_statuscode() == "200"]


def raw_payload(warc_dir: Path, record: dict[str, Any]) -> bytes:
    """The payload as stored (still content-encoded), read at the record's offset."""
    from warcio.archiveiterator import ArchiveIterator

    with open(warc_dir / record["file"], "rb") as handle:
        handle.seek(record["offset"])
        return next(iter(ArchiveIterator(handle))).raw_stream.read()


def charset_of(record: dict[str, Any]) -> str:
    content_type = (record["http"].get_header("Content-Type") or "").lower()
    return content_type.split("charset=", 1)[1].strip() if "charset=" in content_type else ""


# --------------------------------------------------------------------------
# the sample site, crawled by the project's own spiders


@pytest.fixture(scope="module")
def sample_wayback(sample_crawl: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:
    wayback = Wayback(tmp_path_factory.mktemp("pywb-sample-coll"), "sample",
                      sorted(sample_crawl["warc_dir"].glob("*.warc.gz")))
    try:
        yield wayback
    finally:
        wayback.stop()


def fetch_from_sample_site(site: Any, url: str) -> bytes:
    """What the sample server sends for ``url`` (urllib leaves Content-Encoding alone)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": site.proxy_url}))
    for _ in range(3):  # fail-first routes answer 503 once after a counter reset
        try:
            with opener.open(request, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
    raise AssertionError(f"{url} kept answering 503")


@pytest.mark.e2e
def test_sample_site_pages_replay_byte_identical(sample_crawl: dict[str, Any], sample_wayback: Wayback) -> None:
    routes = tomllib.loads(ROUTES.read_text(encoding="utf-8")).get("route", {})
    chunked_urls = {url for url, route in routes.items() if route.get("chunked")}
    pages = [r for r in originals(sample_crawl["records"])
             if "html" in (r["http"].get_header("Content-Type") or "")]
    assert len(pages) >= 5
    seen: dict[str, list[str]] = {"gzip": [], "chunked": [], "gbk": [], "query": []}
    for record in pages:
        url = record["headers"]["WARC-Target-URI"]
        stored = raw_payload(sample_crawl["warc_dir"], record)
        status, headers, replayed = sample_wayback.replay(url, iso_date_to_timestamp(record["headers"]["WARC-Date"]))
        assert status == 200, url
        assert replayed == stored, url
        assert replayed == fetch_from_sample_site(sample_crawl["site"], url), url
        if record["http"].get_header("Content-Encoding") == "gzip":
            assert headers.get("content-encoding") == "gzip"
            seen["gzip"].append(url)
        if url in chunked_urls:
            seen["chunked"].append(url)
        if charset_of(record) in GBK_CHARSETS:
            seen["gbk"].append(url)
        if "?" in url:
            seen["query"].append(url)
    # the four cases the issue names, all from the sample server itself
    assert all(seen.values()), seen


# --------------------------------------------------------------------------
# the capture test's loopback site: all four required cases, always


@pytest.fixture(scope="module")
def own_wayback(crawl: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:  # noqa: F811
    wayback = Wayback(tmp_path_factory.mktemp("pywb-own-coll"), "own", sorted(crawl["warc_dir"].glob("*.warc.gz")))
    try:
        yield wayback
    finally:
        wayback.stop()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("case", "target"),
    [
        ("gzip", "/gzip.html"),
        ("chunked", "/chunked.html"),
        ("gbk", "/gbk.html"),
        ("query", "/query?a=1&b=%E4%B8%AD&c"),
        ("revisit", "/dup-b.html"),
    ],
)
def test_required_cases_replay_byte_identical(
    case: str, target: str, crawl: dict[str, Any], own_wayback: Wayback,  # noqa: F811
) -> None:
    url = f"http://{HOST}{target}"
    kinds = ("revisit",) if case == "revisit" else ("response",)
    (record,) = [r for r in read_records(crawl["warc_dir"])
                 if r["type"] in kinds and r["headers"]["WARC-Target-URI"] == url]
    status, headers, replayed = own_wayback.replay(url, iso_date_to_timestamp(record["headers"]["WARC-Date"]))
    assert status == 200
    assert replayed == served_body(crawl, target)
    if case == "gzip":
        assert headers.get("content-encoding") == "gzip"
    if case == "gbk":
        assert charset_of(record) == "gbk"
        assert "民政部".encode("gbk") in replayed


def test_missing_pywb_venv_fails_not_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "PYWB_BIN", tmp_path / "nowhere")
    with pytest.raises(pytest.fail.Exception):
        Wayback(tmp_path, "c", [])
    shutil.rmtree(tmp_path)
