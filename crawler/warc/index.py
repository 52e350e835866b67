"""CDXJ index of closed WARC files, written with cdxj-indexer.

Layout: one sorted index per WARC file, beside it, named after it
(``MNA-…-host.warc.gz`` → ``MNA-…-host.cdxj``). A per-file index is written
once, when its file is closed, so a scheduled crawl never re-reads the
archives of earlier runs; pywb and other CDXJ readers accept a folder of
them. cdxj-indexer streams records and sorts with a bounded buffer that
spills to temporary files, so memory use does not grow with the archive.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from pathlib import Path
from typing import IO, Any

from crawler.warc.writer import WARC_SUFFIX

logger = logging.getLogger(__name__)

SORT_BUFFER_BYTES = 8 * 1024 * 1024


def index_path_for(warc_path: Path) -> Path:
    name = warc_path.name
    stem = name[: -len(WARC_SUFFIX)] if name.endswith(WARC_SUFFIX) else name
    return warc_path.with_name(stem + ".cdxj")


def _index_into(temporary: Path, source: str | IO[bytes], filename: str | None = None) -> None:
    """Run cdxj-indexer over one WARC (a path, or a readable stream named ``filename``)."""
    from cdxj_indexer.main import CDXJIndexer  # imported when needed: it pulls in pkg_resources (~0.1 s)

    CDXJIndexer(
        str(temporary),
        [source],
        sort=True,
        max_sort_buff_size=SORT_BUFFER_BYTES,
        post_append=False,
        filename=filename,
    ).process_all()


def write_cdxj_index(warc_path: Path, output: Path | None = None) -> Path:
    """Index one WARC file into a sorted CDXJ file (written atomically)."""
    warc_path = Path(warc_path)
    output = Path(output) if output is not None else index_path_for(warc_path)
    temporary = output.with_name(output.name + ".tmp")
    _index_into(temporary, str(warc_path))
    os.replace(temporary, output)
    return output


class _CommittedBytes(io.RawIOBase):
    """The part of a WARC file being written that holds whole records.

    Reads never go past the last record boundary the writer has reported, and
    wait (rather than hit end-of-file) until the writer reports more or says
    the file is finished. A record the writer later cuts back after a failed
    write is never reported, so it is never read.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fd = os.open(path, os.O_RDONLY)
        self._position = 0
        self._committed = 0
        self._finished = False
        self._changed = threading.Condition()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._changed:
            while self._position >= self._committed and not self._finished:
                self._changed.wait()
            available = self._committed - self._position
        if available <= 0:
            return 0
        data = os.pread(self._fd, min(len(buffer), available), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    @property
    def position(self) -> int:
        return self._position

    def commit(self, size: int, finished: bool = False) -> None:
        with self._changed:
            self._committed = max(self._committed, size)
            self._finished = self._finished or finished
            self._changed.notify_all()

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


class FollowingIndexer:
    """Indexes a WARC file while it is written, so closing it does not wait for a re-read.

    cdxj-indexer reads the file's committed records on a thread of its own as
    the writer appends them (on a spare core this costs the crawl nothing);
    when the file is closed only its last records remain to index. The index
    is the one :func:`write_cdxj_index` writes for the closed file (a test
    compares them), under the file's final name.
    """

    def __init__(self, open_path: Path, final_path: Path) -> None:
        self.final_path = Path(final_path)
        self.output = index_path_for(self.final_path)
        self._temporary = self.output.with_name(self.output.name + ".tmp")
        self._source = _CommittedBytes(open_path)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="warc-index-follow", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _index_into(self._temporary, self._source, self.final_path.name)
        except BaseException as exc:  # reported by finish(); the caller falls back to a full index
            self._error = exc
            self._source.commit(0, finished=True)
        finally:
            self._source.close()

    @property
    def bytes_indexed(self) -> int:
        """How far into the file the indexer has read."""
        return self._source.position

    def commit(self, size: int) -> None:
        """The first ``size`` bytes of the file are whole records."""
        self._source.commit(size)

    def finish(self, size: int) -> Path:
        """The file is closed at ``size`` bytes: index the rest, write the index, return its path."""
        self._source.commit(size, finished=True)
        self._thread.join()
        if self._error is not None:
            self._temporary.unlink(missing_ok=True)
            raise self._error
        os.replace(self._temporary, self.output)
        return self.output

    def abandon(self) -> None:
        """Stop following without writing an index (the file went away)."""
        self._source.commit(0, finished=True)
        self._thread.join()
        self._temporary.unlink(missing_ok=True)
