"""Reading a record as one gzip member gives what warcio's general reader gives."""

from __future__ import annotations

import gzip
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.replay.index import ArchiveIndex
from crawler.replay.inputs import inspect_input
from crawler.replay.records import ArchiveReadError, RecordReader


class GeneralReader(RecordReader):
    """The reader with its fast path switched off."""

    def _read_gzip_member(self, entry):  # type: ignore[no-untyped-def]
        return None


def write_warc(path: Path) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test", "seed": "mca"}))
        pages = [
            ("http://www.mca.gov.cn/a.html", [("Content-Type", "text/html; charset=utf-8")], "民政部".encode() * 200),
            ("http://www.mca.gov.cn/b.html?x=1&y=2", [("Content-Type", "text/html; charset=gbk"),
                                                       ("X-Note", "备注".encode("gbk").decode("latin-1")),
                                                       ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
             "标题".encode("gbk")),
            ("http://www.mca.gov.cn/c.html", [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")],
             b"5\r\nhello\r\n0\r\n\r\n"),
            ("http://www.mca.gov.cn/empty.html", [("Content-Length", "0")], b""),
        ]
        for url, headers, body in pages:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http))
        redirect = StatusAndHeaders("301 Moved Permanently", [("Location", "/a.html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://www.mca.gov.cn/old", "response", payload=BytesIO(b""),
                                                      http_headers=redirect))
        revisit = writer.create_revisit_record("http://www.mca.gov.cn/a2.html", digest="sha1:AAAA",
                                               refers_to_uri="http://www.mca.gov.cn/a.html",
                                               refers_to_date="2024-01-01T00:00:00Z")
        writer.write_record(revisit)


def entries(path: Path) -> list:  # type: ignore[type-arg]
    index = ArchiveIndex()
    index.add_file(inspect_input(path), 0)
    found = []
    for url in ("http://www.mca.gov.cn/a.html", "http://www.mca.gov.cn/b.html?x=1&y=2", "http://www.mca.gov.cn/c.html",
                "http://www.mca.gov.cn/empty.html", "http://www.mca.gov.cn/old", "http://www.mca.gov.cn/a2.html"):
        captures = index.captures(url)
        assert captures, url
        found.extend(captures)
    return found


def test_each_record_reads_the_same_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    write_warc(path)
    fast, general = RecordReader(), GeneralReader()
    for entry in entries(path):
        assert fast._read_gzip_member(entry) is not None, entry.url  # the fast path is taken
        assert fast.read(entry) == general.read(entry), entry.url
    fast.close()
    general.close()


def test_a_member_cut_short_falls_back_to_the_general_reader(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    write_warc(path)
    found = entries(path)
    last = max(found, key=lambda e: e.length)
    data = path.read_bytes()
    path.write_bytes(data[: last.offset + last.length // 2])
    reader, general = RecordReader(), GeneralReader()
    assert reader._read_gzip_member(last) is None
    try:
        expected: object = general.read(last)
    except ArchiveReadError as exc:
        expected = str(exc)
    try:
        got: object = reader.read(last)
    except ArchiveReadError as exc:
        got = str(exc)
    assert got == expected
    reader.close()
    general.close()


def test_an_uncompressed_record_takes_the_general_way(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    write_warc(path)
    plain = tmp_path / "t.warc"
    with gzip.open(path, "rb") as source:
        plain.write_bytes(source.read())
    reader = RecordReader()
    for entry in entries(plain):
        assert reader._read_gzip_member(entry) is None
        assert reader.read(entry).url == entry.url
    reader.close()
