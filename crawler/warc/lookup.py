"""Finding the original response for a URL in earlier runs' archives.

A ``304 Not Modified`` in an incremental run answers a conditional request
whose original response was archived by an earlier run. The revisit record
must name that original, so it is looked up in the sorted per-file CDXJ
indexes beside the WARC files (binary search, no index held in memory) and
its record read at the indexed offset. If the newest capture found is itself
a revisit, the original it refers to is used instead: a revisit never refers
to another revisit.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

logger = logging.getLogger(__name__)


def url_key(url: str) -> str:
    """The SURT key cdxj-indexer sorts by."""
    import surt  # imported when first needed: it pulls in tldextract and requests (~0.1 s)

    try:
        return surt.surt(url)
    except Exception:
        return url


def _scan_start(handle: IO[bytes], prefix: bytes, size: int) -> int:
    """An offset from which a forward scan meets every line >= ``prefix`` (lines are sorted).

    Binary search on byte offsets: ``low`` always has its next full line
    sorting before ``prefix`` (or is 0), so no match starts before it.
    """
    low, high = 0, size
    while high - low > 1:
        middle = (low + high) // 2
        handle.seek(middle)
        handle.readline()  # skip the line ``middle`` falls in
        line = handle.readline()
        if not line or line >= prefix:
            high = middle
        else:
            low = middle
    handle.seek(low)
    if low:
        handle.readline()
    return handle.tell()


def index_entries(index_path: Path, url: str) -> list[tuple[str, dict[str, Any]]]:
    """All (timestamp, fields) lines of ``index_path`` for ``url``."""
    prefix = (url_key(url) + " ").encode("utf-8")
    entries = []
    size = os.path.getsize(index_path)
    with open(index_path, "rb") as handle:
        handle.seek(_scan_start(handle, prefix, size))
        for line in handle:
            if not line.startswith(prefix):
                if line > prefix:
                    break
                continue
            _, timestamp, fields = line.decode("utf-8").split(" ", 2)
            entries.append((timestamp, json.loads(fields)))
    return entries


class ArchiveLookup:
    """Looks URLs up in the ``*.cdxj`` indexes of a WARC directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def latest_original(self, url: str) -> dict[str, str] | None:
        """``{record_id, url, date, digest}`` of the newest original response for ``url``."""
        candidates: list[tuple[str, Path, dict[str, Any]]] = []
        for index_path in sorted(self.directory.glob("*.cdxj")):
            try:
                for timestamp, fields in index_entries(index_path, url):
                    if fields.get("url") != url:
                        continue
                    if fields.get("mime") != "warc/revisit" and not str(fields.get("status", "")).startswith("2"):
                        continue
                    candidates.append((timestamp, index_path, fields))
            except (OSError, ValueError):
                logger.exception("Cannot read the CDXJ index %s", index_path)
        for timestamp, index_path, fields in sorted(candidates, key=lambda c: c[0], reverse=True):
            found = self._read_original(index_path.with_name(fields["filename"]), int(fields["offset"]))
            if found is not None:
                return found
        return None

    @staticmethod
    def _read_original(warc_path: Path, offset: int) -> dict[str, str] | None:
        try:
            with open(warc_path, "rb") as handle:
                handle.seek(offset)
                record = next(iter(ArchiveIterator(handle)))
                headers = record.rec_headers
                if record.rec_type == "response":
                    return {
                        "record_id": headers.get_header("WARC-Record-ID"),
                        "url": headers.get_header("WARC-Target-URI"),
                        "date": headers.get_header("WARC-Date"),
                        "digest": headers.get_header("WARC-Payload-Digest"),
                    }
                if record.rec_type == "revisit" and headers.get_header("WARC-Refers-To-Target-URI"):
                    return {
                        "record_id": headers.get_header("WARC-Refers-To") or "",
                        "url": headers.get_header("WARC-Refers-To-Target-URI"),
                        "date": headers.get_header("WARC-Refers-To-Date"),
                        "digest": headers.get_header("WARC-Payload-Digest"),
                    }
        except (OSError, StopIteration, ValueError):
            logger.exception("Cannot read the record at %s:%d", warc_path, offset)
        return None
