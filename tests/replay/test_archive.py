"""crawler.replay: inputs, index, record reading, revisit resolution and progress, without Scrapy.

The archives are written with the project's own capture code
(``crawler.warc``), so the records are exactly what a live crawl leaves:
gzip-encoded payloads, identical-payload and server-not-modified revisits,
per-file CDXJ indexes.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.replay.index import ArchiveIndex
from crawler.replay.inputs import NotAWarcError, find_inputs, group_runs, inspect_input, sniff_warc
from crawler.replay.progress import ReplayProgress
from crawler.replay.records import ReplayArchive, UnresolvedRevisit
from crawler.warc.archiver import ExchangeArchiver
from crawler.warc.index import index_path_for, write_cdxj_index
from crawler.warc.records import CapturedExchange
from crawler.warc.writer import WarcFileWriter

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SITE = "http://www.mca.gov.cn"
GBK_PAGE = "<html><head><title>民政部</title></head><body><p>通知内容</p></body></html>".encode("gbk")


def exchange(path: str, body: bytes, *, status: int = 200, at: datetime = T0, headers: tuple = (),
             request_headers: tuple = ()) -> CapturedExchange:
    return CapturedExchange(
        url=SITE + path,
        method="GET",
        request_headers=((b"User-Agent", b"test"), (b"Accept-Encoding", b"gzip"), *request_headers),
        request_body=b"",
        status=status,
        protocol="HTTP/1.1",
        response_headers=((b"Content-Type", b"text/html; charset=gbk"), *headers),
        body=body,
        fetched_at=at,
    )


def write_run(directory: Path, seed: str, exchanges: list[CapturedExchange], index: bool = True,
              archiver: ExchangeArchiver | None = None) -> tuple[list[Path], list[dict[str, Any]]]:
    """One capture run's files, written the way WarcCaptureMiddleware writes them."""
    writer = WarcFileWriter(directory, hostname="test", warcinfo={"seed": seed, "isPartOf": seed})
    if archiver is None:
        archiver = ExchangeArchiver(writer)
    else:
        archiver.writer = writer
    pointers = [archiver.archive(item) for item in exchanges]
    archiver.close()
    files = list(writer.closed_files)
    if index:
        for path in files:
            write_cdxj_index(path)
    return files, pointers


# -- inputs -------------------------------------------------------------------


def test_sniff_accepts_gzip_and_plain_warc_and_refuses_the_rest(tmp_path: Path) -> None:
    files, _ = write_run(tmp_path / "w", "mca", [exchange("/a.html", GBK_PAGE)])
    sniff_warc(files[0])
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(files[0].read_bytes()))
    sniff_warc(plain)
    text = tmp_path / "notes.warc.gz"
    text.write_text("this is not an archive\n")
    with pytest.raises(NotAWarcError, match="does not start with a WARC record"):
        sniff_warc(text)
    broken_gzip = tmp_path / "broken.warc.gz"
    broken_gzip.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    with pytest.raises(NotAWarcError):
        sniff_warc(broken_gzip)
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    with pytest.raises(NotAWarcError, match="empty"):
        sniff_warc(empty)


def test_find_inputs_expands_directories_and_reports_skipped_files(tmp_path: Path) -> None:
    files, _ = write_run(tmp_path / "w", "mca", [exchange("/a.html", GBK_PAGE)])
    (tmp_path / "w" / "README.txt").write_text("notes")
    stray = tmp_path / "w" / "stray.warc.gz"
    stray.write_bytes(b"PK\x03\x04 zip, not warc")
    inputs, skipped = find_inputs([tmp_path / "w", tmp_path / "missing.warc.gz"])
    assert [item.path for item in inputs] == [files[0].resolve()]
    assert inputs[0].seed == "mca" and inputs[0].ours and inputs[0].serial == 0
    reasons = {path.name: reason for path, reason in skipped}
    assert "not a WARC file" in reasons["stray.warc.gz"]
    assert reasons["missing.warc.gz"] == "no such file"
    assert "README.txt" not in reasons  # a directory contributes only WARC-named files


def test_runs_are_grouped_by_seed_and_writer_serial_oldest_first(tmp_path: Path) -> None:
    # Run 1 of mca rotates into two files; run 2 of mca and one gov run come later.
    writer = WarcFileWriter(tmp_path, hostname="test", warcinfo={"seed": "mca"}, max_size=1)
    archiver = ExchangeArchiver(writer)
    archiver.archive(exchange("/1.html", b"one"))
    archiver.archive(exchange("/2.html", b"two"))
    archiver.close()
    run1 = list(writer.closed_files)
    time.sleep(0.002)  # later runs start in a later millisecond (file names carry it)
    gov, _ = write_run(tmp_path, "gov", [exchange("/g.html", b"gov")])
    time.sleep(0.002)
    run2, _ = write_run(tmp_path, "mca", [exchange("/1.html", b"one again")])
    inputs, _ = find_inputs([tmp_path])
    runs, unknown = group_runs(inputs)
    assert unknown == []
    assert [(run.seed, [f.path.name for f in run.files]) for run in runs] == [
        ("mca", [p.name for p in run1]),
        ("gov", [p.name for p in gov]),
        ("mca", [p.name for p in run2]),
    ]
    # -a seed=… overrides the warcinfo seed; the run boundaries stay.
    forced, _ = group_runs(inputs, seed="news_x")
    assert [run.seed for run in forced] == ["news_x"] * 3


def rotated_runs_with_a_stamp_tie(directory: Path, run_ids: bool) -> tuple[list[Path], list[Path]]:
    """Run 1 rotates into two files; run 2's first file is named in the same millisecond as run 1's second.

    The stamps are set by renaming, so the tie happens every time (in a real
    crawl it takes a rotation just as one run ends and the next starts).
    """
    runs = []
    for number, pages in ((1, [b"one", b"two"]), (2, [b"one again"])):
        info = {"seed": "mca", **({"run-id": f"20240102T030405Z-{number}"} if run_ids else {})}
        writer = WarcFileWriter(directory / f"run{number}", hostname="test", warcinfo=info, max_size=1)
        archiver = ExchangeArchiver(writer)
        for n, body in enumerate(pages):
            archiver.archive(exchange(f"/{n}.html", body))
        archiver.close()
        runs.append(list(writer.closed_files))
    stamps = ["20240102030405000", "20240102030406000"]
    (run1_first, run1_second), (run2_first,) = runs
    renamed = []
    for path, stamp in ((run1_first, stamps[0]), (run1_second, stamps[1]), (run2_first, stamps[1])):
        target = directory / re.sub(r"-\d{17}-", f"-{stamp}-", path.name)
        path.rename(target)
        renamed.append(target.name)
    return renamed[:2], renamed[2:]


@pytest.mark.parametrize("run_ids", [True, False], ids=["run-id in warcinfo", "older files without run-id"])
def test_a_run_rotating_in_the_millisecond_the_next_run_starts_stays_one_run(tmp_path: Path, run_ids: bool) -> None:
    run1, run2 = rotated_runs_with_a_stamp_tie(tmp_path, run_ids)
    assert run1[1].split("-")[1] == run2[0].split("-")[1]  # the tie: the same 17-digit stamp
    inputs, _ = find_inputs([tmp_path])
    assert all(item.run_id == (f"20240102T030405Z-{1 if item.path.name in run1 else 2}" if run_ids else None)
               for item in inputs)
    runs, unknown = group_runs(inputs)
    assert unknown == []
    assert [[f.path.name for f in run.files] for run in runs] == [run1, run2]


def test_runs_sharing_a_reused_run_id_are_still_split_by_serial(tmp_path: Path) -> None:
    for number in (1, 2):
        writer = WarcFileWriter(tmp_path, hostname="test", warcinfo={"seed": "mca", "run-id": "nightly"})
        archiver = ExchangeArchiver(writer)
        archiver.archive(exchange("/1.html", b"run %d" % number, at=T0 + timedelta(days=number)))
        archiver.close()
        time.sleep(0.002)  # distinct names; the order does not depend on it
    runs, _ = group_runs(find_inputs([tmp_path])[0])
    assert [len(run.files) for run in runs] == [1, 1]


def test_foreign_files_without_seed_are_reported_unless_a_seed_is_given(tmp_path: Path) -> None:
    path = tmp_path / "capture.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(SITE + "/x.html", "response", payload=io.BytesIO(b"<p>x</p>"),
                                                      http_headers=http))
    item = inspect_input(path)
    assert item.seed is None and not item.ours
    runs, unknown = group_runs([item])
    assert runs == [] and unknown == [item]
    runs, unknown = group_runs([item], seed="mca")
    assert [run.seed for run in runs] == ["mca"] and unknown == []


# -- index ----------------------------------------------------------------------


def test_index_from_cdxj_and_from_scan_agree(tmp_path: Path) -> None:
    files, pointers = write_run(tmp_path / "a", "mca", [
        exchange("/a.html", GBK_PAGE),
        exchange("/b.html", b"<p>b</p>", status=503),
        exchange("/b.html", b"<p>b</p>"),
    ])
    from_cdxj = ArchiveIndex()
    report = from_cdxj.add_file(inspect_input(files[0]), 0)
    assert report.source == "cdxj" and report.truncated_at is None
    index_path_for(files[0]).unlink()
    scanned = ArchiveIndex()
    report = scanned.add_file(inspect_input(files[0]), 0)
    assert report.source == "scan" and report.truncated_at is None
    for index in (from_cdxj, scanned):
        assert index.records == 3
        assert [(e.status, e.offset) for e in index.captures(SITE + "/b.html")] == [
            (503, pointers[1]["offset"]), (200, pointers[2]["offset"])
        ]
        assert index.captures(SITE + "/a.html")[0].offset == pointers[0]["offset"]
        # SURT fallback: the same URL spelled differently still finds its captures.
        assert index.captures("http://WWW.MCA.GOV.CN/a.html")[0].offset == pointers[0]["offset"]
    assert from_cdxj.bytes == scanned.bytes


@pytest.mark.parametrize("keep_cdxj", [True, False])
def test_truncated_file_is_indexed_up_to_its_last_complete_record(tmp_path: Path, keep_cdxj: bool) -> None:
    pages = [exchange(f"/{n}.html", (f"<p>page {n}</p>" * 200).encode()) for n in range(6)]
    files, pointers = write_run(tmp_path, "mca", pages, index=keep_cdxj)
    path = files[0]
    cut = pointers[3]["offset"] + 40  # inside the fourth response record
    with open(path, "r+b") as handle:
        handle.truncate(cut)
    index = ArchiveIndex()
    report = index.add_file(inspect_input(path), 0)
    assert report.truncated_at is not None and report.truncated_at <= pointers[3]["offset"]
    assert report.truncated_at >= pointers[2]["offset"]
    assert sorted(index.by_url) == [SITE + f"/{n}.html" for n in range(3)]
    assert "truncated, stopped after byte" in report.describe()


@pytest.mark.parametrize("lost", ["whole records", "a gzip trailer"])
def test_a_cut_the_records_do_not_show_is_caught_by_the_index(tmp_path: Path, lost: str) -> None:
    """A file cut between two records (or inside a member's 8-byte gzip trailer) reads as whole; its CDXJ does not."""
    pages = [exchange(f"/{n}.html", (f"<p>page {n}</p>" * 200).encode()) for n in range(6)]
    files, pointers = write_run(tmp_path, "mca", pages)
    path = files[0]
    cut = pointers[3]["offset"] if lost == "whole records" else pointers[3]["offset"] - 4
    with open(path, "r+b") as handle:
        handle.truncate(cut)
    index = ArchiveIndex()
    report = index.add_file(inspect_input(path), 0)
    assert report.truncated_at is not None and pointers[2]["offset"] <= report.truncated_at <= cut
    assert "truncated, stopped after byte" in report.describe()
    assert SITE + "/3.html" not in index.by_url


# -- records (reading one record: tests/replay/test_records.py) ------------------------


def test_serve_returns_the_payload_as_received_and_each_capture_in_turn(tmp_path: Path) -> None:
    encoded = gzip.compress(GBK_PAGE)
    files, pointers = write_run(tmp_path, "mca", [
        exchange("/a.html", encoded, headers=((b"Content-Encoding", b"gzip"),)),
        exchange("/b.html", b"busy", status=503),
        exchange("/b.html", b"<p>b</p>"),
    ])
    archive = ReplayArchive([inspect_input(files[0])])
    served = archive.serve(SITE + "/a.html")
    assert served is not None
    assert served.body == encoded  # still gzip: HttpCompressionMiddleware decodes it, as live
    assert (b"Content-Encoding", b"gzip") in served.headers
    assert served.pointer == {"file": files[0].name, **{k: pointers[0][k] for k in ("offset", "record_id", "payload_digest")}}
    assert served.date.startswith("2024-01-02T03:04:05")
    first, second, third = (archive.serve(SITE + "/b.html") for _ in range(3))
    assert (first.status, second.status, third.status) == (503, 200, 200)  # the retry gets the 200; then it repeats
    assert archive.serve(SITE + "/never.html") is None
    archive.close()


def test_identical_payload_revisit_serves_the_original_payload_with_its_own_headers(tmp_path: Path) -> None:
    body = gzip.compress(b"<p>same list</p>")
    files, pointers = write_run(tmp_path, "mee", [
        exchange("/index.shtml", body, headers=((b"Content-Encoding", b"gzip"), (b"X-Copy", b"first"))),
        exchange("/index_0.shtml", body, headers=((b"Content-Encoding", b"gzip"), (b"X-Copy", b"second"))),
    ])
    archive = ReplayArchive([inspect_input(files[0])])
    served = archive.serve(SITE + "/index_0.shtml")
    assert served is not None and served.kind == "revisit/identical"
    assert served.body == body
    assert (b"X-Copy", b"second") in served.headers
    assert served.pointer["offset"] == pointers[1]["offset"]  # the revisit record, as the live JSONL has it
    assert served.pointer["payload_digest"] == pointers[0]["payload_digest"]


def test_not_modified_revisit_serves_the_earlier_response_from_another_run(tmp_path: Path) -> None:
    archiver_dir = tmp_path / "warc"
    first_files, first = write_run(archiver_dir, "mca", [
        exchange("/a.html", GBK_PAGE, headers=((b"Last-Modified", b"Mon, 01 Jan 2024 00:00:00 GMT"),)),
    ])
    # The second run's archiver remembers the first response, as a crawl resumed with state would.
    writer = WarcFileWriter(archiver_dir, hostname="test", warcinfo={"seed": "mca"})
    archiver = ExchangeArchiver(writer)
    archiver._originals_by_url[SITE + "/a.html"] = {
        "record_id": first[0]["record_id"], "url": SITE + "/a.html", "date": "2024-01-02T03:04:05.000000Z",
        "digest": first[0]["payload_digest"],
    }
    later = T0 + timedelta(days=30)
    archiver.archive(exchange("/a.html", b"", status=304, at=later,
                              request_headers=((b"If-Modified-Since", b"Mon, 01 Jan 2024 00:00:00 GMT"),)))
    archiver.close()
    second_files = list(writer.closed_files)
    for path in second_files:
        write_cdxj_index(path)
    bogus = tmp_path / "not-a-warc.warc.gz"
    bogus.write_text("x")
    # Lookup files may be plain paths: checked and indexed only when an original is searched there.
    lookup = [bogus, *second_files, *first_files]
    archive = ReplayArchive([inspect_input(p) for p in second_files], lookup)
    served = archive.serve(SITE + "/a.html")
    assert served is not None and served.kind == "revisit/not_modified"
    assert served.status == 200 and served.body == GBK_PAGE
    assert served.date.startswith(later.strftime("%Y-%m-%dT%H:%M:%S"))
    # Without the earlier run's files the original cannot be found: an error, never a guess.
    alone = ReplayArchive([inspect_input(p) for p in second_files])
    with pytest.raises(UnresolvedRevisit):
        alone.serve(SITE + "/a.html")


def test_not_modified_revisit_without_refers_to_uses_the_latest_earlier_response(tmp_path: Path) -> None:
    path = tmp_path / "other-tool.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for day, body in ((1, b"<p>old</p>"), (2, b"<p>new</p>")):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                SITE + "/a.html", "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": f"2024-01-0{day}T00:00:00Z"}))
        http = StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            SITE + "/a.html", "revisit", http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-01-03T00:00:00Z",
                               "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified"}))
    archive = ReplayArchive([inspect_input(path)])
    served = [archive.serve(SITE + "/a.html") for _ in range(3)]
    assert [s.body for s in served] == [b"<p>old</p>", b"<p>new</p>", b"<p>new</p>"]
    assert served[2].kind == "revisit/not_modified"


# -- progress -------------------------------------------------------------------------


def test_progress_reports_rate_share_and_eta() -> None:
    now = [100.0]
    progress = ReplayProgress(records_total=4000, bytes_total=40 * 1024 * 1024, clock=lambda: now[0])
    assert "ETA ?" in progress.line()
    now[0] = 110.0
    progress.advance(1000, 10 * 1024 * 1024)
    assert progress.records_per_second == pytest.approx(100.0)
    assert progress.eta_seconds == pytest.approx(30.0)
    line = progress.line()
    assert "1000/4000 records" in line and "100.0 records/s" in line
    assert "10.0 MiB of 40.0 MiB (25%)" in line and "ETA 0:30" in line
    assert "1000 records (10.0 MiB) replayed in 0:10" in progress.summary()


def test_archive_files_are_only_read(tmp_path: Path) -> None:
    files, _ = write_run(tmp_path / "w", "mca", [exchange("/a.html", GBK_PAGE)])
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "w", copy)
    archive = ReplayArchive([inspect_input(p) for p in sorted(copy.glob("*.warc.gz"))])
    archive.serve(SITE + "/a.html")
    archive.close()
    for original in (tmp_path / "w").iterdir():
        assert (copy / original.name).read_bytes() == original.read_bytes()
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in (tmp_path / "w").iterdir())


def test_an_output_dir_stands_for_its_warc_folder_and_copies_count_once(tmp_path: Path) -> None:
    files, _ = write_run(tmp_path / "out" / "warc", "mca", [exchange("/a.html", GBK_PAGE)])
    pywb_copy = tmp_path / "out" / "pywb" / "collections" / "c" / "archive"
    pywb_copy.mkdir(parents=True)
    shutil.copy(files[0], pywb_copy)
    inputs, _ = find_inputs([tmp_path / "out"])
    assert [item.path for item in inputs] == [files[0].resolve()]
    inputs, _ = find_inputs([files[0], pywb_copy / files[0].name, files[0]])
    assert [item.path for item in inputs] == [files[0].resolve()]


def test_a_forced_seed_keeps_the_runs_of_two_seeds_apart_when_their_stamps_tie(tmp_path: Path) -> None:
    """-a seed=… renames every run; it must not merge a gov run into an mca run named in the same millisecond."""
    stamps = {("mca", 0): "20240102030405000", ("mca", 1): "20240102030406000", ("gov", 0): "20240102030405000"}
    runs = {}
    # gov's page is longer than mca's: same-named files of equal size would count as one copy (expand_paths)
    for seed, pages in (("mca", [b"one", b"two"]), ("gov", [b"the gov run's page, longer than either of mca's"])):
        folder = tmp_path / f"{len(runs)}-{seed}"  # mca's files are listed first
        writer = WarcFileWriter(folder, hostname="test", warcinfo={"seed": seed}, max_size=1)
        archiver = ExchangeArchiver(writer)
        for n, body in enumerate(pages):
            archiver.archive(exchange(f"/{n}.html", body))
        archiver.close()
        runs[seed] = []
        for serial, path in enumerate(writer.closed_files):  # gov starts in the millisecond mca's run does
            target = folder / re.sub(r"-\d{17}-", f"-{stamps[seed, serial]}-", path.name)
            path.rename(target)
            runs[seed].append(target)
    inputs, _ = find_inputs([tmp_path])
    forced, unknown = group_runs(inputs, seed="news_x")
    assert unknown == []
    assert [[f.path for f in run.files] for run in forced] == [runs["mca"], runs["gov"]]
    assert [run.seed for run in forced] == ["news_x", "news_x"]
