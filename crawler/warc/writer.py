"""WARC files on disk: naming, gzip per record, rotation, ``.open`` renaming.

One :class:`WarcFileWriter` owns the file being written. Each record is
serialised by warcio into memory as its own gzip member and then appended in
one write, so a failure can only ever leave a tail that is cut back to the
previous record boundary. Files are written as ``<name>.warc.gz.open`` and
renamed when closed: every ``.warc.gz`` in the folder is complete.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from warcio.warcwriter import WARCWriter

from crawler.warc.records import WARC_VERSION, BuiltRecord, build_warcinfo_record

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
NEW_SUFFIX = ".new"
WARC_SUFFIX = ".warc.gz"


class WarcWriteError(Exception):
    """A record could not be written completely; nothing of it is left in the file."""


try:
    # zlib-ng writes the same gzip format as zlib, at the same level about 2.5x
    # faster (30 KB of ministry HTML at level 6: ~0.4 ms instead of ~1.1 ms, the
    # same size), and compression is most of the CPU a WARC writer uses.
    from zlib_ng import zlib_ng as _deflate

    COMPRESSOR = "zlib-ng"
except ImportError:  # pragma: no cover - a platform without a zlib-ng wheel
    _deflate = zlib
    COMPRESSOR = "zlib"


class GzipMember:
    """File-like sink that compresses everything written until ``flush`` into one gzip member.

    warcio compresses at level 9 with the standard library's zlib and gives no
    way to change either; at level 6 with zlib-ng (see ``COMPRESSOR``) the
    files are a few percent larger and writing is several times faster.
    """

    def __init__(self, out: IO[bytes], level: int) -> None:
        self._out = out
        self._compressor = _deflate.compressobj(level, _deflate.DEFLATED, _deflate.MAX_WBITS + 16)

    def write(self, data: bytes) -> int:
        self._out.write(self._compressor.compress(data))
        return len(data)

    def flush(self) -> None:
        self._out.write(self._compressor.flush())


class _MemberWARCWriter(WARCWriter):
    """warcio's writer, with gzip per record done by :class:`GzipMember`."""

    def __init__(self, level: int) -> None:
        super().__init__(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)
        self.level = min(max(level, 0), 9)

    def serialise(self, record: Any) -> bytes:
        out = io.BytesIO()
        # always a gzip member (level 0 stores without compressing): the files are .warc.gz
        self._write_warc_record(GzipMember(out, self.level), record)
        return out.getvalue()


def safe_host(hostname: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", hostname).strip("-") or "localhost"


def warc_file_name(prefix: str, moment: datetime, serial: int, host: str) -> str:
    """IIPC/Heritrix-style name: ``<prefix>-<17-digit UTC timestamp>-<serial>-<host>.warc.gz``."""
    moment = moment.astimezone(timezone.utc)
    stamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{safe_host(host)}{WARC_SUFFIX}"


Opener = Callable[[Path], IO[bytes]]


def try_lock(handle: IO[bytes]) -> bool:
    """Take an exclusive advisory lock on an open file; False if another process holds it.

    The lock marks a ``.open`` file as live so that recovery in a concurrent
    crawl leaves it alone. Where locking is unavailable, report success.
    """
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except (ImportError, OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return True
    return True


def _exclusive_open(path: Path) -> IO[bytes]:
    return open(path, "xb", buffering=0)


class WarcFileWriter:
    """Appends records to rotating WARC files in ``directory``.

    Not thread-safe: the capture writes from one writer thread.
    ``on_open`` is called with the ``.open`` path and the final path of each
    new file, ``on_append`` with the file's size after each write that
    succeeded (everything before it is whole records), ``on_close`` with the
    final path of each file once it is renamed.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "MNA",
        max_size: int = 1024**3,
        warcinfo: Mapping[str, str] | None = None,
        gzip_level: int = 6,
        hostname: str | None = None,
        on_close: Callable[[Path], None] | None = None,
        on_open: Callable[[Path, Path], None] | None = None,
        on_append: Callable[[int], None] | None = None,
        opener: Opener = _exclusive_open,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.hostname = hostname or socket.gethostname()
        self.on_close = on_close
        self.on_open = on_open
        self.on_append = on_append
        self._opener = opener
        self._serialiser = _MemberWARCWriter(gzip_level)
        self._serial = 0
        self._file: IO[bytes] | None = None
        self._name: str | None = None
        self._size = 0
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self.records_written = 0
        self.warcinfo_records = 0

    def _open_path(self) -> Path:
        assert self._name is not None
        return self.directory / (self._name + OPEN_SUFFIX)

    def _open_new_file(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            name = warc_file_name(self.prefix, datetime.now(timezone.utc), self._serial, self.hostname)
            self._serial += 1
            path = self.directory / (name + OPEN_SUFFIX)
            if (self.directory / name).exists() or path.exists():
                continue
            # Created and locked under a name recovery ignores, then linked into place:
            # a concurrent crawl's recovery never sees an .open file that is not yet locked.
            fresh = self.directory / (name + OPEN_SUFFIX + NEW_SUFFIX)
            try:
                handle = self._opener(fresh)
            except FileExistsError:
                continue
            try_lock(handle)
            try:
                os.link(fresh, path)
            except FileExistsError:
                handle.close()
                fresh.unlink()
                continue
            except OSError:  # no hard links here: a plain rename will do
                os.replace(fresh, path)
            else:
                fresh.unlink()
            self._file = handle
            break
        self._name = name
        self._size = 0
        if self.on_open is not None:
            self.on_open(path, self.directory / name)
        info = build_warcinfo_record(self._serialiser, name, self.warcinfo)
        try:
            self._append([self._serialiser.serialise(info.record)])
        except WarcWriteError:
            self._abandon_file()
            raise
        self.warcinfo_records += 1

    def _append(self, blobs: Sequence[bytes]) -> list[int]:
        """Write serialised records; on any failure cut the file back and raise."""
        assert self._file is not None
        start = self._size
        offsets: list[int] = []
        position = start
        try:
            for blob in blobs:
                offsets.append(position)
                view = memoryview(blob)
                while view:
                    written = self._file.write(view)
                    if not written:
                        raise OSError("short write")
                    view = view[written:]
                position += len(blob)
        except Exception as exc:
            self._roll_back(start)
            raise WarcWriteError(f"{self._name}: {exc}") from exc
        self._size = position
        self.bytes_written += position - start
        self.records_written += len(blobs)
        if self.on_append is not None:
            self.on_append(position)
        return offsets

    def _roll_back(self, offset: int) -> None:
        assert self._file is not None
        try:
            self._file.truncate(offset)
            self._file.seek(offset)
        except Exception:
            logger.exception("Cannot cut %s back to %d; closing it", self._name, offset)
            self._abandon_file(truncate_to=offset)

    def _abandon_file(self, truncate_to: int | None = None) -> None:
        """Close a file after a failure it could not be cut back from in place."""
        path = self._open_path()
        try:
            if self._file is not None:
                self._file.close()
        except Exception:
            logger.exception("Error closing %s", path)
        self._file = None
        try:
            if truncate_to is not None:
                os.truncate(path, truncate_to)
            self._finish(path)
        except OSError:
            logger.exception("Left %s for recovery at the next start", path)
        self._name = None

    def write(self, records: Sequence[BuiltRecord]) -> tuple[str, list[int]]:
        """Append ``records`` to one file; return its final basename and their offsets.

        All records of one exchange land in the same file. Rotation happens
        after the write, so a file may exceed ``max_size`` by one exchange.
        """
        blobs = [self._serialiser.serialise(built.record) for built in records]
        if self._file is None:
            self._open_new_file()
        assert self._name is not None
        name = self._name
        offsets = self._append(blobs)
        if self._size >= self.max_size:
            self.close()
        return name, offsets

    def _finish(self, open_path: Path) -> Path | None:
        final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])
        if os.path.getsize(open_path) == 0:
            open_path.unlink()
            return None
        os.replace(open_path, final)
        self.closed_files.append(final)
        logger.info("Closed WARC file %s", final)
        if self.on_close is not None:
            self.on_close(final)
        return final

    def close(self) -> Path | None:
        """Close and rename the current file, if any."""
        if self._file is None:
            return None
        path = self._open_path()
        self._file.close()
        self._file = None
        self._name = None
        return self._finish(path)
