"""``make replay-ui`` / ``python -m crawler.replay.ui``: the sample crawl browsed in pywb.

The module builds the collection with pywb's ``wb-manager`` and becomes
``wayback`` on a loopback port; the test fetches archived articles through it
and compares them with the bytes the sample server sends, then stops it by PID.
"""

from __future__ import annotations

import http.client
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_timestamp
from warcio.warcwriter import WARCWriter

from tests.replay.test_pywb import ACCEPT_ENCODING, PYWB_BIN, fetch_from_sample_site, free_port

from sample.demo import ROOT
from crawler.replay.ui import PYWB_CONFIG, build_collection, write_config


def archived(warc_dir: Path, pointer: dict[str, Any]) -> tuple[str, bytes, str | None]:
    """Timestamp, payload as stored and Content-Encoding of the record a JSONL pointer names."""
    with open(warc_dir / pointer["file"], "rb") as handle:
        handle.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(handle)))
        return (iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date")), record.raw_stream.read(),
                record.http_headers.get_header("Content-Encoding"))


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("replay UI did not start: " + log.read_text(errors="replace"))
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.e2e
def test_archived_articles_are_browsable_in_pywb(sample_crawl: Any, fresh_sample_site: Any, tmp_path: Path) -> None:
    root, port = tmp_path / "pywb", free_port()
    log_path = tmp_path / "ui.log"
    command = [sys.executable, "-m", "crawler.replay.ui", str(sample_crawl.output_dir), "--root", str(root),
               "--port", str(port), "--collection", "sample"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(process, port, log_path)
        warc_dir = sample_crawl.output_dir / "warc"
        records = sample_crawl.all_records()
        checked = encoded = 0
        for record in records[:: max(1, len(records) // 8)]:
            timestamp, stored, coding = archived(warc_dir, record["warc"])
            status, headers, body = get(port, f"/sample/{timestamp}id_/{record['url']}")
            assert status == 200, record["url"]
            assert body == stored, record["url"]
            assert body == fetch_from_sample_site(fresh_sample_site, record["url"]), record["url"]
            encoded += coding == "gzip" and headers.get("content-encoding") == "gzip"
            # The browsable (rewritten) view answers too.
            status, _, page = get(port, f"/sample/{timestamp}/{record['url']}")
            assert status == 200 and page, record["url"]
            checked += 1
        assert checked >= 5
        status, _, _ = get(port, "/sample/")
        assert status == 200
    finally:
        stop(process)
    assert process.returncode is not None
    # Running again adds nothing: the collection already has every file.
    assert build_collection(sorted(warc_dir.glob("*.warc.gz")), root, "sample", PYWB_BIN) == []
    assert sorted(p.name for p in (root / "collections" / "sample" / "archive").iterdir()) == sorted(
        p.name for p in warc_dir.glob("*.warc.gz"))


@pytest.mark.e2e
def test_missing_pywb_is_reported(sample_crawl: Any, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.replay.ui", str(sample_crawl.output_dir), "--root", str(tmp_path / "r"),
         "--pywb-bin", str(tmp_path / "nowhere")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1 and "make pywb-venv" in result.stderr


def write_one_page_warc(path: Path, url: str, html: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=headers))


@pytest.mark.e2e
def test_replay_ui_starts_without_a_config_error(tmp_path: Path) -> None:
    url = "http://www.mca.gov.cn/n152/n165/c1/content.html"
    write_one_page_warc(tmp_path / "out" / "warc" / "page.warc.gz", url, "<html><body><p>民政部召开会议</p></body></html>".encode())
    root, port, log_path = tmp_path / "pywb", free_port(), tmp_path / "ui.log"
    command = [sys.executable, "-m", "crawler.replay.ui", str(tmp_path / "out"), "--root", str(root), "--port", str(port),
               "--pywb-bin", str(PYWB_BIN)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(process, port, log_path)
        assert get(port, "/archive/")[0] == 200
    finally:
        stop(process)
    output = log_path.read_text(errors="replace")
    assert "Browse http://127.0.0.1:" in output
    assert "config.yaml" not in output and "No such file" not in output, output
    assert (root / "config.yaml").read_text("utf-8") == PYWB_CONFIG


def test_an_edited_pywb_config_is_kept(tmp_path: Path) -> None:
    assert write_config(tmp_path).read_text("utf-8") == PYWB_CONFIG
    (tmp_path / "config.yaml").write_text("collections_root: collections\nframed_replay: false\n", encoding="utf-8")
    assert write_config(tmp_path).read_text("utf-8") == "collections_root: collections\nframed_replay: false\n"
