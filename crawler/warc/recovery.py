"""Recovery of ``.warc.gz.open`` files left behind by a killed crawl.

Each record is its own gzip member, and a member's trailer (CRC and size) is
written last, so a member that decompresses to its end with a good CRC holds
a complete record. A leftover file is scanned member by member, cut back to
the end of its last complete record and renamed; a file with no complete
record is removed. Files another live process still holds a lock on are left
alone.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from crawler.warc.writer import NEW_SUFFIX, OPEN_SUFFIX, try_lock

logger = logging.getLogger(__name__)

_READ_SIZE = 1 << 20
_HEAD_KEEP = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)


@dataclass(frozen=True)
class RecoveredFile:
    open_path: Path
    final_path: Path | None
    records_kept: int
    bytes_cut: int


def _record_is_complete(head: bytes, tail: bytes, total: int) -> bool:
    """Whether a decompressed member is exactly one whole WARC record."""
    if not head.startswith(b"WARC/"):
        return False
    header_end = head.find(b"\r\n\r\n")
    if header_end < 0:
        return False
    match = _CONTENT_LENGTH.search(head[: header_end + 2])
    if match is None:
        return False
    expected = header_end + 4 + int(match.group(1)) + 4
    return total == expected and tail.endswith(b"\r\n\r\n")


def complete_records_end(path: Path) -> tuple[int, int]:
    """Offset just after the last complete record, and how many records precede it.

    Streams the file: memory use does not depend on record size.
    """
    good_end = 0
    records = 0
    with open(path, "rb") as handle:
        position = 0  # file offset of the first byte of ``data``
        decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
        head = bytearray()
        tail = b""
        total = 0
        while True:
            data = handle.read(_READ_SIZE)
            if not data:
                return good_end, records
            while data:
                try:
                    out = decompressor.decompress(data)
                except zlib.error:
                    return good_end, records
                if len(head) < _HEAD_KEEP:
                    head += out[: _HEAD_KEEP - len(head)]
                if out:
                    tail = (tail + out)[-4:]
                total += len(out)
                if not decompressor.eof:
                    position += len(data)
                    break
                consumed = len(data) - len(decompressor.unused_data)
                member_end = position + consumed
                if not _record_is_complete(bytes(head), tail, total):
                    return good_end, records
                good_end = member_end
                records += 1
                data = decompressor.unused_data
                position = member_end
                decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
                head = bytearray()
                tail = b""
                total = 0


def recover_open_file(open_path: Path) -> RecoveredFile | None:
    """Cut one leftover file back to its last complete record and close it.

    Returns None when another process is still writing the file.
    """
    open_path = Path(open_path)
    with open(open_path, "r+b") as handle:
        if not try_lock(handle):
            logger.info("Not recovering %s: another crawl is writing it", open_path)
            return None
        size = os.fstat(handle.fileno()).st_size
        end, records = complete_records_end(open_path)
        if end < size:
            handle.truncate(end)
    final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])
    if records == 0:
        open_path.unlink()
        logger.warning("Removed %s: no complete WARC record in it", open_path)
        return RecoveredFile(open_path, None, 0, size)
    if final.exists():
        logger.error("Cannot rename recovered %s: %s already exists", open_path, final)
        return RecoveredFile(open_path, None, records, size - end)
    os.replace(open_path, final)
    logger.warning(
        "Recovered %s: kept %d complete records, cut %d trailing bytes",
        final, records, size - end,
    )
    return RecoveredFile(open_path, final, records, size - end)


def recover_directory(directory: Path) -> list[RecoveredFile]:
    """Recover every ``*.warc.gz.open`` in ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    for fresh in sorted(directory.glob("*.warc.gz" + OPEN_SUFFIX + NEW_SUFFIX)):
        # a name a writer uses only for the instant between creating and locking a file
        try:
            with open(fresh, "rb") as handle:
                if try_lock(handle):
                    fresh.unlink()
        except OSError:
            logger.exception("Cannot remove the stale %s", fresh)
    results = []
    for open_path in sorted(directory.glob("*.warc.gz" + OPEN_SUFFIX)):
        try:
            result = recover_open_file(open_path)
        except OSError:
            logger.exception("Cannot recover %s", open_path)
            continue
        if result is not None:
            results.append(result)
    return results
