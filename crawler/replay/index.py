"""The archive's index: where each captured response is, by URL and by payload digest.

Our WARC files have a CDXJ index beside them (``crawler.warc.index``); a
replay reads it instead of the WARC. A file without one (written by another
tool, or copied without it) is scanned once, record by record. Either way the
file is checked for truncation: an index entry past the end of the file, or
a record shorter than its ``Content-Length``, marks where the complete part
stops; only records before that point are used.

Only the index is held in memory (a few dozen bytes per record); records are
read from disk when served.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from crawler.replay.inputs import WarcInput
from crawler.warc.index import index_path_for

logger = logging.getLogger(__name__)

_READ_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One response or revisit record in the archive."""

    url: str
    timestamp: str  # 14 digits, UTC
    status: int
    digest: str
    path: Path
    offset: int
    length: int
    revisit: bool
    rank: int  # position of the file in the replay, oldest first

    @property
    def order(self) -> tuple[str, int, int]:
        """Capture order: time, then file, then position in the file."""
        return (self.timestamp, self.rank, self.offset)


@dataclass
class FileReport:
    """What indexing one file found."""

    path: Path
    entries: int = 0
    bytes: int = 0
    source: str = "cdxj"  # or "scan"
    truncated_at: int | None = None  # end of the last complete record, when the file is cut short
    problem: str | None = None
    complete_end: int = 0  # end of the last complete record a scan read

    def describe(self) -> str:
        if self.truncated_at is None:
            return f"{self.path}: {self.entries} records ({self.source})"
        return (
            f"{self.path}: truncated, stopped after byte {self.truncated_at} of "
            f"{self.path.stat().st_size} ({self.problem}); {self.entries} complete records used"
        )


def surt_key(url: str) -> str:
    import surt  # imported when first needed: it pulls in tldextract and requests (~0.1 s)

    try:
        return surt.surt(url)
    except Exception:
        return url


def _cdxj_entries(cdxj: Path, source: WarcInput, rank: int) -> Iterator[IndexEntry]:
    with open(cdxj, "r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) != 3:
                continue
            try:
                data = json.loads(parts[2])
                yield IndexEntry(
                    url=data["url"],
                    timestamp=parts[1],
                    status=int(data.get("status") or 0),
                    digest=str(data.get("digest") or ""),
                    path=source.path,
                    offset=int(data["offset"]),
                    length=int(data["length"]),
                    revisit=data.get("mime") == "warc/revisit",
                    rank=rank,
                )
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("Skipping a bad line %d of %s: %s", number, cdxj, exc)


def _status_of(block_head: bytes) -> int:
    line = block_head.split(b"\n", 1)[0].split()
    try:
        return int(line[1]) if len(line) > 1 and line[0].upper().startswith(b"HTTP/") else 0
    except ValueError:
        return 0


def scan_records(handle: IO[bytes], source: WarcInput, rank: int, start: int, report: FileReport) -> Iterator[IndexEntry]:
    """Index records from ``start`` on, stopping (and saying where) at the first incomplete one."""
    handle.seek(start)
    iterator = ArchiveIterator(handle, no_record_parse=True)
    good_end = start
    try:
        for record in iterator:
            declared = int(record.rec_headers.get_header("Content-Length") or 0)
            head = b""
            size = 0
            while True:
                chunk = record.raw_stream.read(_READ_SIZE)
                if not chunk:
                    break
                if len(head) < 1024:
                    head += chunk[:1024]
                size += len(chunk)
            if size < declared:
                report.truncated_at = good_end
                report.problem = f"record at byte {iterator.offset} has {size} of {declared} bytes"
                return
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            good_end = offset + length
            kind = record.rec_type
            if kind not in ("response", "revisit"):
                continue
            url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
            date = record.rec_headers.get_header("WARC-Date") or ""
            try:
                timestamp = iso_date_to_timestamp(date)
            except Exception:
                timestamp = "0" * 14
            yield IndexEntry(
                url=url,
                timestamp=timestamp,
                status=_status_of(head),
                digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
                path=source.path,
                offset=offset,
                length=length,
                revisit=kind == "revisit",
                rank=rank,
            )
    except Exception as exc:
        report.truncated_at = good_end
        report.problem = f"{type(exc).__name__}: {exc}"
        return
    finally:
        report.complete_end = good_end
    size = source.path.stat().st_size
    if good_end < size and source.path.name.endswith(".gz"):
        report.truncated_at = good_end
        report.problem = f"{size - good_end} bytes after the last complete record"


class ArchiveIndex:
    """Response and revisit records of a set of WARC files, by URL and by digest."""

    def __init__(self) -> None:
        self.by_url: dict[str, list[IndexEntry]] = {}
        self._by_surt: dict[str, list[IndexEntry]] | None = None
        self._originals_by_digest: dict[str, IndexEntry] = {}
        self.reports: list[FileReport] = []
        self.records = 0
        self.bytes = 0

    def add_file(self, source: WarcInput, rank: int) -> FileReport:
        report = FileReport(source.path)
        entries = list(self._entries(source, rank, report))
        touched: set[str] = set()
        for entry in entries:
            self.by_url.setdefault(entry.url, []).append(entry)
            touched.add(entry.url)
            if not entry.revisit and entry.digest:
                known = self._originals_by_digest.get(entry.digest)
                if known is None or entry.order < known.order:
                    self._originals_by_digest[entry.digest] = entry
            report.bytes += entry.length
        report.entries = len(entries)
        self.records += report.entries
        self.bytes += report.bytes
        for url in touched:
            self.by_url[url].sort(key=lambda e: e.order)
        self._by_surt = None
        self.reports.append(report)
        if report.truncated_at is not None:
            logger.error("%s", report.describe())
        return report

    def _entries(self, source: WarcInput, rank: int, report: FileReport) -> Iterator[IndexEntry]:
        cdxj = index_path_for(source.path)
        size = source.size
        if cdxj.is_file():
            try:
                indexed = list(_cdxj_entries(cdxj, source, rank))
            except OSError as exc:
                logger.warning("Cannot read %s (%s); scanning %s instead", cdxj, exc, source.path)
                indexed = None
            if indexed is not None:
                end = max((e.offset + e.length for e in indexed), default=0)
                if end <= size:
                    yield from indexed
                    if end < size:
                        # Records after the last response (a fetch-error note, say): check they are whole.
                        with open(source.path, "rb") as handle:
                            list(scan_records(handle, source, rank, end, report))
                    return
                logger.warning("%s lists records past the end of %s: the file is cut short", cdxj, source.path)
                report.source = "scan"
                with open(source.path, "rb") as handle:
                    yield from scan_records(handle, source, rank, 0, report)
                if report.truncated_at is None:
                    # The scan may end on a cut that falls between whole records, or read a record
                    # whose gzip member lost only its trailer; the index proves records are missing.
                    report.truncated_at = report.complete_end
                    report.problem = f"the index lists records up to byte {end}, past the end of the file"
                return
        report.source = "scan"
        with open(source.path, "rb") as handle:
            yield from scan_records(handle, source, rank, 0, report)

    # -- lookups -------------------------------------------------------------

    def captures(self, url: str) -> list[IndexEntry]:
        """Every capture of ``url``, oldest first; by SURT key when the exact URL is unknown."""
        found = self.by_url.get(url)
        if found:
            return found
        if self._by_surt is None:
            self._by_surt = {}
            for entries in self.by_url.values():
                self._by_surt.setdefault(surt_key(entries[0].url), []).extend(entries)
            for entries in self._by_surt.values():
                entries.sort(key=lambda e: e.order)
        return self._by_surt.get(surt_key(url), [])

    def original_by_digest(self, digest: str) -> IndexEntry | None:
        return self._originals_by_digest.get(digest) if digest else None

    def original_at(self, url: str, timestamp: str) -> IndexEntry | None:
        """The response record (not a revisit) of ``url`` captured at ``timestamp`` (14 digits)."""
        for entry in self.captures(url):
            if not entry.revisit and entry.timestamp == timestamp:
                return entry
        return None

    def latest_ok_before(self, url: str, order: tuple[str, int, int]) -> IndexEntry | None:
        """The last successful (2xx) response record of ``url`` captured before ``order``."""
        best = None
        for entry in self.captures(url):
            if entry.revisit or not 200 <= entry.status < 300 or entry.order >= order:
                continue
            best = entry
        return best
