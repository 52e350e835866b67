"""WARC writing without Scrapy: records, files, rotation, write failures, recovery, index."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import random
import shutil
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from crawler.warc.archiver import ExchangeArchiver, ThreadedArchiver, decoded_size_exceeds
from crawler.warc.backend import ArchiveBackend, BackendConfig
from crawler.warc.index import FollowingIndexer, index_path_for, write_cdxj_index
from crawler.warc.pointer import WarcPointerError, resolve_warc_pointer
from crawler.warc.records import CapturedExchange, reason_phrase, stored_response_headers
from crawler.warc.recovery import complete_records_end, recover_directory
from crawler.warc.writer import WarcFileWriter, WarcWriteError, warc_file_name

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)


def exchange(path: str = "/a.html", body: bytes = b"<html>hello</html>", **changes: Any) -> CapturedExchange:
    fields: dict[str, Any] = dict(
        url=f"http://www.example.gov.cn{path}",
        method="GET",
        request_headers=((b"User-Agent", b"test"), (b"Accept-Encoding", b"gzip")),
        request_body=b"",
        status=200,
        protocol="HTTP/1.1",
        response_headers=((b"Content-Length", str(len(body)).encode()), (b"Content-Type", b"text/html")),
        body=body,
        fetched_at=NOW,
    )
    fields.update(changes)
    return CapturedExchange(**fields)


def warcio_check(paths: list[Path]) -> None:
    """What `warcio check` does (every digest verified), in this process."""
    checker = Checker(SimpleNamespace(inputs=[str(path) for path in paths], verbose=False))
    assert checker.process_all() == 0, "warcio check found a problem in " + ", ".join(map(str, paths))


def records_of(path: Path) -> list[Any]:
    out = []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            payload = record.content_stream().read()
            out.append((iterator.get_record_offset(), record.rec_type, record.rec_headers, payload))
    return out


def test_file_name_is_heritrix_style() -> None:
    assert warc_file_name("MNA", NOW, 7, "crawl host_1") == "MNA-20260102030405678-00007-crawl-host-1.warc.gz"


def test_reason_phrases_and_lengths() -> None:
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(599) == "Unknown Status"
    chunked = exchange(response_headers=((b"Transfer-Encoding", b"chunked"), (b"Content-Type", b"text/html")))
    headers, changed = stored_response_headers(chunked)
    assert (b"Content-Length", str(len(chunked.body)).encode()) in headers
    assert not any(name == b"Transfer-Encoding" for name, _ in headers) and not changed
    cut = exchange(response_headers=((b"Content-Length", b"9999"),))
    assert stored_response_headers(cut)[1] is True
    head = exchange(method="HEAD", body=b"", response_headers=((b"Content-Length", b"9999"),))
    assert stored_response_headers(head) == ([(b"Content-Length", b"9999")], False)


def test_http2_stored_as_http11_message(tmp_path: Path) -> None:
    archiver = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h"))
    pointer = archiver.archive(exchange(protocol="h2"))
    archiver.close()
    with open(tmp_path / pointer["file"], "rb") as handle:
        handle.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(handle)))
    assert record.http_headers.protocol == "HTTP/1.1" and record.http_headers.statusline == "200 OK"


def test_raw_header_bytes_kept_and_digests_valid(tmp_path: Path) -> None:
    disposition = "attachment; filename=附件.pdf".encode("gbk")
    writer = WarcFileWriter(tmp_path, hostname="h")
    archiver = ExchangeArchiver(writer)
    pointer = archiver.archive(exchange(response_headers=((b"Content-Disposition", disposition),)))
    archiver.close()
    path = tmp_path / pointer["file"]
    warcio_check([path])
    with open(path, "rb") as handle:
        handle.seek(pointer["offset"])
        member = zlib.decompressobj(31).decompress(handle.read())
    assert b"\r\nContent-Disposition: " + disposition + b"\r\n" in member


def test_rotation_warcinfo_and_open_suffix(tmp_path: Path) -> None:
    closed: list[Path] = []
    writer = WarcFileWriter(
        tmp_path, max_size=20_000, hostname="h", warcinfo={"operator": "op", "isPartOf": "mca"},
        on_close=closed.append,
    )
    archiver = ExchangeArchiver(writer)
    pointers = []
    noise = random.Random(3)
    for number in range(12):
        pointers.append(archiver.archive(exchange(f"/{number}.html", noise.randbytes(8000))))
        open_files = list(tmp_path.glob("*.open"))
        assert len(open_files) <= 1  # the file being written, if any, is the one .open file
        assert not any(live.with_suffix("").exists() for live in open_files)
    archiver.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3 and files == sorted(closed)
    assert not list(tmp_path.glob("*.open"))
    warcio_check(files)
    for path in files:
        records = records_of(path)
        assert records[0][1] == "warcinfo"
        assert b"operator: op" in records[0][3] and b"isPartOf: mca" in records[0][3]
        # rotation happens between exchanges: a request and its response share a file
        kinds = [kind for _, kind, _, _ in records[1:]]
        assert kinds == ["request", "response"] * (len(kinds) // 2)
    for pointer in pointers:
        offsets = {offset: headers for offset, _, headers, _ in records_of(tmp_path / pointer["file"])}
        assert offsets[pointer["offset"]].get_header("WARC-Record-ID") == pointer["record_id"]


class FailingFile(io.RawIOBase):
    """A real file that fails with ENOSPC after ``budget`` more bytes, mid-record."""

    def __init__(self, path: Path) -> None:
        self.inner: IO[bytes] = open(path, "xb", buffering=0)
        self.budget: int | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if self.budget is not None:
            if self.budget <= 0:
                raise OSError(28, "No space left on device")
            data = data[: self.budget]
            self.budget -= len(data)
        return self.inner.write(data)

    def truncate(self, size: int | None = None) -> int:
        return self.inner.truncate(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def fileno(self) -> int:
        return self.inner.fileno()

    def close(self) -> None:
        self.inner.close()
        super().close()


def test_write_failure_mid_record_leaves_valid_file_and_no_pointer(tmp_path: Path) -> None:
    files: list[FailingFile] = []

    def opener(path: Path) -> FailingFile:
        files.append(FailingFile(path))
        return files[-1]

    writer = WarcFileWriter(tmp_path, hostname="h", opener=opener)
    threaded = ThreadedArchiver(ExchangeArchiver(writer))
    first = threaded.archive(exchange("/ok.html")).result()
    files[0].budget = 500  # the next record breaks off after 500 bytes
    failed = threaded.archive(exchange("/broken.html", b"x" * 50_000))
    assert isinstance(failed.exception(), WarcWriteError)
    files[0].budget = None
    after = threaded.archive(exchange("/after.html", b"<html>after</html>")).result()
    counts = threaded.archiver.counts
    threaded.close().result()

    with pytest.raises(WarcPointerError):
        asyncio.run(resolve_warc_pointer(failed))
    assert asyncio.run(resolve_warc_pointer(first)) == first
    assert counts["warc/write_errors"] == 1
    (path,) = tmp_path.glob("*.warc.gz")
    warcio_check([path])
    uris = [headers.get_header("WARC-Target-URI") for _, kind, headers, _ in records_of(path) if kind == "response"]
    assert uris == ["http://www.example.gov.cn/ok.html", "http://www.example.gov.cn/after.html"]
    assert after["file"] == first["file"] == path.name


def test_failure_writing_warcinfo_leaves_no_file(tmp_path: Path) -> None:
    def opener(path: Path) -> FailingFile:
        broken = FailingFile(path)
        broken.budget = 10
        return broken

    archiver = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h", opener=opener))
    with pytest.raises(WarcWriteError):
        archiver.archive(exchange())
    archiver.close()
    assert list(tmp_path.iterdir()) == []


def test_recovery_cuts_back_to_last_complete_record(tmp_path: Path) -> None:
    source = tmp_path / "source"
    writer = WarcFileWriter(source, hostname="h")
    archiver = ExchangeArchiver(writer)
    for number in range(3):
        archiver.archive(exchange(f"/{number}.html", str(number).encode() * 5000))
    (live,) = source.glob("*.open")
    # another live writer holds the lock: its file is left alone
    assert recover_directory(source) == [] and live.exists()
    killed = tmp_path / "killed"
    killed.mkdir()
    data = live.read_bytes()
    end, count = complete_records_end(live)
    assert (end, count) == (len(data), 7)
    archiver.close()
    # a kill in the middle of the last record: its gzip member is cut short
    (killed / "MNA-20260101000000000-00000-h.warc.gz.open").write_bytes(data[:-40])
    # a kill while writing the warcinfo record: nothing complete
    (killed / "MNA-20260101000000000-00001-h.warc.gz.open").write_bytes(data[:30])
    # a kill between creating and locking a file leaves its short-lived name behind
    (killed / "MNA-20260101000000000-00002-h.warc.gz.open.new").write_bytes(b"")
    results = recover_directory(killed)
    assert len(results) == 2
    kept = [r for r in results if r.final_path is not None]
    assert len(kept) == 1 and kept[0].records_kept == 6
    assert [p.name for p in killed.iterdir()] == ["MNA-20260101000000000-00000-h.warc.gz"]
    warcio_check([kept[0].final_path])
    kinds = [kind for _, kind, _, _ in records_of(kept[0].final_path)]
    assert kinds == ["warcinfo", "request", "response", "request", "response", "request"]


def test_revisits_refer_to_originals_only(tmp_path: Path) -> None:
    archiver = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h"))
    same = b"<html>same</html>" * 10
    original = archiver.archive(exchange("/one.html", same))
    second = archiver.archive(exchange("/two.html", same))
    third = archiver.archive(exchange("/three.html", same))
    empty_a = archiver.archive(exchange("/r1", b"", status=301))
    empty_b = archiver.archive(exchange("/r2", b"", status=301))
    archiver.close()
    (path,) = tmp_path.glob("*.warc.gz")
    by_id = {headers.get_header("WARC-Record-ID"): (kind, headers) for _, kind, headers, _ in records_of(path)}
    for revisit in (second, third):
        kind, headers = by_id[revisit["record_id"]]
        assert kind == "revisit"
        assert headers.get_header("WARC-Refers-To") == original["record_id"]
        assert headers.get_header("WARC-Refers-To-Target-URI") == "http://www.example.gov.cn/one.html"
        assert revisit["payload_digest"] == original["payload_digest"]
    # empty payloads (redirects) are never deduplicated
    assert by_id[empty_a["record_id"]][0] == by_id[empty_b["record_id"]][0] == "response"
    assert archiver.counts["warc/revisits"] == 2


def test_decompression_bomb_detection() -> None:
    assert decoded_size_exceeds(gzip.compress(b"\0" * 2_000_000), ["gzip"], 1_000_000) is True
    assert decoded_size_exceeds(gzip.compress(b"a" * 1000), ["gzip"], 1_000_000) is False
    # concatenated gzip members, each small on its own
    members = b"".join(gzip.compress(b"\0" * 400_000) for _ in range(3))
    assert decoded_size_exceeds(members, ["gzip"], 1_000_000) is True
    assert decoded_size_exceeds(members, ["gzip"], 1_300_000) is False
    assert decoded_size_exceeds(zlib.compress(b"\0" * 2_000_000), ["deflate"], 1_000_000) is True
    assert decoded_size_exceeds(b"not gzip at all", ["gzip"], 1_000_000) is None
    import brotli

    assert decoded_size_exceeds(brotli.compress(b"\0" * 2_000_000), ["br"], 1_000_000) is True
    assert decoded_size_exceeds(brotli.compress(b"abc"), ["br"], 1_000_000) is False


def test_cdxj_index_per_file(tmp_path: Path) -> None:
    archiver = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h"))
    pointers = [archiver.archive(exchange(f"/{n}.html?q={n}", str(n).encode() * 100)) for n in (3, 1, 2)]
    archiver.close()
    (path,) = tmp_path.glob("*.warc.gz")
    index = write_cdxj_index(path)
    assert index == index_path_for(path) and index.name.endswith(".cdxj")
    lines = index.read_text().splitlines()
    assert lines == sorted(lines) and len(lines) == 3
    entries = {json.loads(line.split(" ", 2)[2])["url"]: json.loads(line.split(" ", 2)[2]) for line in lines}
    for number, pointer in zip((3, 1, 2), pointers):
        entry = entries[f"http://www.example.gov.cn/{number}.html?q={number}"]
        assert int(entry["offset"]) == pointer["offset"]
        assert entry["filename"] == path.name and entry["digest"] == pointer["payload_digest"]
    shutil.rmtree(tmp_path)


def _index_again(path: Path, tmp_path: Path) -> str:
    """The index cdxj-indexer writes reading the closed file from the start."""
    return write_cdxj_index(path, tmp_path / "again" / (path.name + ".cdxj")).read_text()


def test_index_written_while_the_file_is_written_matches_a_full_reindex(tmp_path: Path) -> None:
    """The backend indexes each file as it grows; the result is cdxj-indexer's own index of the closed file."""
    (tmp_path / "again").mkdir()
    backend = ArchiveBackend(BackendConfig(directory=tmp_path / "warc", max_size=60_000))
    for number in range(12):  # ~20 KB records: the files rotate every few exchanges
        body = random.Random(number).randbytes(20_000)
        backend.archive(exchange(f"/{number}.html?page={number}", body))
        if number == 1:
            follower = backend._follower
            assert follower is not None
            deadline = time.monotonic() + 10
            while follower.bytes_indexed == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert follower.bytes_indexed > 0, "the index did not follow the file while it was written"
    closed = backend.close()
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) >= 3 and [str(f) for f in sorted(map(Path, closed["files"]))] == [str(f) for f in files]
    assert closed["counts"]["warc/indexes"] == len(files)
    for path in files:
        assert index_path_for(path).read_text() == _index_again(path, tmp_path)
    assert not list((tmp_path / "warc").glob("*.tmp"))


def test_following_index_skips_a_record_cut_back_after_a_failed_write(tmp_path: Path) -> None:
    (tmp_path / "again").mkdir()
    files: list[FailingFile] = []
    followers: list[FollowingIndexer] = []

    def opener(path: Path) -> FailingFile:
        files.append(FailingFile(path))
        return files[-1]

    writer = WarcFileWriter(
        tmp_path, hostname="h", opener=opener,
        on_open=lambda open_path, final: followers.append(FollowingIndexer(open_path, final)),
        on_append=lambda size: followers[-1].commit(size),
    )
    archiver = ExchangeArchiver(writer)
    archiver.archive(exchange("/ok.html"))
    files[0].budget = 700
    with pytest.raises(WarcWriteError):
        archiver.archive(exchange("/broken.html", b"y" * 80_000))
    files[0].budget = None
    archiver.archive(exchange("/after.html"))
    archiver.close()
    (path,) = tmp_path.glob("*.warc.gz")
    index = followers[0].finish(path.stat().st_size).read_text()
    assert index == _index_again(path, tmp_path)
    assert "broken" not in index and "ok.html" in index and "after.html" in index


def test_not_modified_refers_to_an_earlier_runs_original(tmp_path: Path) -> None:
    from crawler.warc.lookup import ArchiveLookup

    first = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h", on_close=write_cdxj_index))
    # many URLs so the index lookup really has to search
    for number in range(300):
        first.archive(exchange(f"/list/{number:03d}.html", f"page {number}".encode() * 50))
    same = b"<html>shared body</html>" * 20
    original = first.archive(exchange("/a.html", same))
    copy = first.archive(exchange("/b.html", same))  # a revisit of /a.html in the first run
    first.close()
    from crawler.warc.lookup import index_entries

    (index,) = tmp_path.glob("*.cdxj")
    for number in range(300):  # the binary search finds every URL, first and last lines included
        found = index_entries(index, f"http://www.example.gov.cn/list/{number:03d}.html")
        assert [fields["url"] for _, fields in found] == [f"http://www.example.gov.cn/list/{number:03d}.html"]
    assert index_entries(index, "http://www.example.gov.cn/list/300.html") == []
    assert index_entries(index, "http://aaa.example/") == [] and index_entries(index, "http://zzz.example/") == []

    second = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h"), lookup=ArchiveLookup(tmp_path))
    conditional = ((b"If-None-Match", b'"v1"'),)
    not_modified = dict(status=304, body=b"", response_headers=((b"ETag", b'"v1"'),), request_headers=conditional)
    revisit_a = second.archive(exchange("/a.html", **not_modified))
    revisit_b = second.archive(exchange("/b.html", **not_modified))
    listed = second.archive(exchange("/list/123.html", **not_modified))
    unknown = second.archive(exchange("/never-seen.html", **not_modified))
    second.close()

    by_id = {headers.get_header("WARC-Record-ID"): headers
             for path in tmp_path.glob("*.warc.gz") for _, _, headers, _ in records_of(path)}
    for pointer in (revisit_a, revisit_b):
        headers = by_id[pointer["record_id"]]
        assert headers.get_header("WARC-Type") == "revisit"
        assert headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
        # /b.html was itself a revisit in the first run: the 304 refers to the original behind it
        assert headers.get_header("WARC-Refers-To") == original["record_id"]
        assert headers.get_header("WARC-Refers-To-Target-URI") == "http://www.example.gov.cn/a.html"
        assert headers.get_header("WARC-Refers-To-Date") == by_id[original["record_id"]].get_header("WARC-Date")
        assert pointer["payload_digest"] == original["payload_digest"]
    assert copy["payload_digest"] == original["payload_digest"]
    assert by_id[listed["record_id"]].get_header("WARC-Refers-To-Target-URI") == "http://www.example.gov.cn/list/123.html"
    assert by_id[unknown["record_id"]].get_header("WARC-Refers-To") is None
    assert second.counts["warc/revisits/original_not_found"] == 1


def test_records_are_compressed_with_zlib_ng_and_read_by_standard_gzip(tmp_path: Path) -> None:
    """zlib-ng is a dependency for speed; what it writes must be plain gzip members."""
    from crawler.warc import writer as writer_module

    assert writer_module.COMPRESSOR == "zlib-ng"
    archiver = ExchangeArchiver(WarcFileWriter(tmp_path, hostname="h"))
    body = "民政部召开全国养老服务工作会议。".encode() * 400
    archiver.archive(exchange("/zng.html", body))
    archiver.close()
    (path,) = tmp_path.glob("*.warc.gz")
    data = path.read_bytes()
    members = []
    while data:  # the standard library's zlib reads every member on its own
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        members.append(inflater.decompress(data))
        assert inflater.eof
        data = inflater.unused_data
    assert len(members) == 3 and members[2].startswith(b"WARC/1.1\r\n") and members[2].endswith(body + b"\r\n\r\n")
    assert len(path.read_bytes()) < len(body) // 4
