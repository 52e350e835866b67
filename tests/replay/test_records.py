"""Reading a record back (crawler/replay/records.py): status, header bytes and body as received."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.replay.index import ArchiveIndex, IndexEntry
from crawler.replay.inputs import inspect_input
from crawler.replay.records import ArchiveReadError, RecordReader, as_received
from crawler.warc.archiver import ExchangeArchiver
from crawler.warc.records import CapturedExchange
from crawler.warc.writer import WarcFileWriter

SITE = "http://www.mca.gov.cn"
# GBK values starting with 0x85 and ending in 0xA0: whitespace to a Unicode strip (NEL, NBSP).
GBK_NOTE = b"\x85\x40" + "备注".encode("gbk") + b"\xd3\xa0"
BIG = random.Random(1).randbytes(40_000)  # incompressible: its gzip member is long enough to cut


def write_warc(path: Path, *, compress: bool = True) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test", "seed": "mca"}))
        pages = [
            ("/a.html", [("Content-Type", "text/html; charset=utf-8")], "民政部".encode() * 200),
            ("/b.html?x=1&y=2", [("Content-Type", "text/html; charset=gbk"), ("Set-Cookie", "a=1"),
                                 ("Set-Cookie", "b=2")], "标题".encode("gbk")),
            ("/big.bin", [("Content-Type", "application/octet-stream")], BIG),
            ("/c.html", [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")], b"5\r\nhello\r\n0\r\n\r\n"),
            ("/empty.html", [("Content-Length", "0")], b""),
        ]
        for path_query, headers, body in pages:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(SITE + path_query, "response", payload=BytesIO(body),
                                                          http_headers=http))
        redirect = StatusAndHeaders("301 Moved Permanently", [("Location", "/a.html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(SITE + "/old", "response", payload=BytesIO(b""),
                                                      http_headers=redirect))
        revisit = writer.create_revisit_record(SITE + "/a2.html", digest="sha1:AAAA", refers_to_uri=SITE + "/a.html",
                                               refers_to_date="2024-01-01T00:00:00Z")
        writer.write_record(revisit)


def entry_of(path: Path, url: str) -> IndexEntry:
    index = ArchiveIndex()
    index.add_file(inspect_input(path), 0)
    (entry,) = index.captures(SITE + url)
    return entry


@pytest.mark.parametrize("compress", [True, False])
def test_records_read_back_as_written(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("t.warc.gz" if compress else "t.warc")
    write_warc(path, compress=compress)
    reader = RecordReader()
    page = reader.read(entry_of(path, "/a.html"))
    assert (page.record_type, page.url, page.protocol, page.status) == ("response", SITE + "/a.html", "HTTP/1.1", 200)
    assert page.body == "民政部".encode() * 200 and page.has_http
    assert page.record_id.startswith("<urn:uuid:") and page.payload_digest.startswith("sha1:")

    gbk = reader.read(entry_of(path, "/b.html?x=1&y=2"))
    assert gbk.body == "标题".encode("gbk")
    assert [v for k, v in gbk.headers if k == b"Set-Cookie"] == [b"a=1", b"b=2"]  # repeats kept, in order

    assert reader.read(entry_of(path, "/empty.html")).body == b""
    moved = reader.read(entry_of(path, "/old"))
    assert moved.status == 301 and dict(moved.headers)[b"Location"] == b"/a.html"
    revisit = reader.read(entry_of(path, "/a2.html"))
    assert revisit.record_type == "revisit" and not revisit.has_http
    assert revisit.refers_to_uri == SITE + "/a.html" and revisit.refers_to_date == "2024-01-01T00:00:00Z"
    reader.close()


def test_header_bytes_come_back_unchanged(tmp_path: Path) -> None:
    """Non-ASCII header bytes, as servers send GBK file names, as our capture archives them."""
    disposition = b'attachment; filename="' + "通知.doc".encode("gbk") + b'"'
    headers = ((b"Content-Type", b"text/html; charset=gbk"), (b"X-Note", GBK_NOTE),
               (b"Content-Disposition", disposition), (b"X-Utf8", "é".encode()), (b"X-Latin1", "é".encode("latin-1")))
    writer = WarcFileWriter(tmp_path, hostname="test", warcinfo={"seed": "mca"})
    archiver = ExchangeArchiver(writer)
    archiver.archive(CapturedExchange(
        url=SITE + "/gbk.html", method="GET", request_headers=((b"User-Agent", b"test"),), request_body=b"",
        status=200, protocol="HTTP/1.1", response_headers=headers, body="标题".encode("gbk"),
        fetched_at=datetime(2024, 1, 2, tzinfo=timezone.utc),
    ))
    archiver.close()
    reader = RecordReader()
    record = reader.read(entry_of(writer.closed_files[0], "/gbk.html"))
    reader.close()
    # Not one byte stripped or re-encoded (the capture adds the Content-Length it framed the body with).
    assert [header for header in record.headers if header[0] != b"Content-Length"] == list(headers)
    assert record.body == "标题".encode("gbk")


def test_chunked_bodies_of_other_tools_are_dechunked(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    write_warc(path)
    reader = RecordReader()
    record = reader.read(entry_of(path, "/c.html"))
    reader.close()
    assert record.body == b"5\r\nhello\r\n0\r\n\r\n"  # stored framed
    headers, body = as_received(record.headers, record.body)
    assert body == b"hello" and headers == [(b"Content-Type", b"text/html")]
    headers, body = as_received([(b"Transfer-Encoding", b"chunked")], b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n")
    assert body == b"Wikipedia" and headers == []
    # Not validly chunked: left as it is.
    assert as_received([(b"Transfer-Encoding", b"chunked")], b"plain") == ([(b"Transfer-Encoding", b"chunked")], b"plain")
    assert as_received([(b"Content-Type", b"text/html")], b"3\r\nabc\r\n0\r\n\r\n")[1] == b"3\r\nabc\r\n0\r\n\r\n"


def test_a_record_cut_short_is_an_archive_read_error(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    write_warc(path)
    entry = entry_of(path, "/big.bin")
    path.write_bytes(path.read_bytes()[: entry.offset + entry.length // 2])
    reader = RecordReader()
    with pytest.raises(ArchiveReadError, match="t.warc.gz at"):
        reader.read(entry)
    reader.close()


def test_a_block_that_is_not_http_is_an_archive_read_error(tmp_path: Path) -> None:
    path = tmp_path / "t.warc"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        writer.write_record(writer.create_warc_record(SITE + "/x.html", "resource", payload=BytesIO(b"FTP/1.0 200 OK\r\n\r\nbody"),
                                                      warc_content_type="application/http; msgtype=response"))
    entry = IndexEntry(SITE + "/x.html", "20240101000000", 200, "", path, 0, path.stat().st_size, False, 0)
    reader = RecordReader()
    with pytest.raises(ArchiveReadError, match="not an HTTP response"):
        reader.read(entry)
    reader.close()
