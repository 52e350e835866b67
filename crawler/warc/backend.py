"""Where WARC records get written: on one writer thread of the crawl process, or inline.

:class:`ArchiveBackend` is everything that lives next to the open WARC file:
the writer, the crawl's revisit state, start-up recovery and the CDXJ
indexing of closed files. The capture middleware never touches it directly;
it calls backend methods by name through a :class:`ThreadRunner`, which
returns ``concurrent.futures.Future`` objects and runs the calls in order on
one worker thread (``WARC_WRITER = "thread"``, the default) or inline in the
caller's thread (``"inline"``).

The backend stays in the crawl process: a polite crawl waits about 600 ms
between pages of a site, so the writer has time to spare, and a process of
the crawl's own is stopped with it (a stop signal to the process group, or
a graceful stop, leaves no writer behind to fail the records still queued).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.warc.archiver import ExchangeArchiver, WarcPointer, _InlineExecutor
from crawler.warc.index import FollowingIndexer, write_cdxj_index
from crawler.warc.lookup import ArchiveLookup
from crawler.warc.records import CapturedExchange
from crawler.warc.recovery import recover_directory
from crawler.warc.writer import WarcFileWriter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackendConfig:
    """What a backend needs to start."""

    directory: Path
    prefix: str = "MNA"
    max_size: int = 1024**3
    gzip_level: int = 6
    write_index: bool = True


class ArchiveBackend:
    """The open WARC file and everything that must live beside it; one thread at a time."""

    def __init__(self, config: BackendConfig) -> None:
        self.config = config
        self.writer = WarcFileWriter(
            config.directory,
            prefix=config.prefix,
            max_size=config.max_size,
            gzip_level=config.gzip_level,
            on_close=self._file_closed,
            on_open=self._file_opened if config.write_index else None,
            on_append=self._file_appended if config.write_index else None,
        )
        self.archiver = ExchangeArchiver(
            self.writer, lookup=ArchiveLookup(config.directory) if config.write_index else None
        )
        # Indexing a full-size file takes a while: a thread of its own, so writing goes on.
        self._indexer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-index")
        self._index_counts: Counter[str] = Counter()
        self._follower: FollowingIndexer | None = None

    def set_warcinfo(self, fields: dict[str, str]) -> None:
        self.writer.warcinfo = dict(fields)

    def recover(self) -> None:
        """Close leftover ``.open`` files of a killed run."""
        try:
            recovered = recover_directory(self.config.directory)
        except Exception:
            logger.exception("Recovery of leftover WARC files in %s failed", self.config.directory)
            self.archiver.counts["warc/recovery_errors"] += 1
            return
        for item in recovered:
            self.archiver.counts["warc/recovered_files"] += 1
            if item.final_path is not None:
                self._file_closed(item.final_path, count=False)

    def _file_opened(self, open_path: Path, final_path: Path) -> None:
        """Index the new file as it is written (see :class:`FollowingIndexer`)."""
        self._drop_follower()
        try:
            self._follower = FollowingIndexer(open_path, final_path)
        except Exception:
            logger.exception("Cannot index %s while writing it; it will be indexed when closed", final_path)

    def _file_appended(self, size: int) -> None:
        if self._follower is not None:
            self._follower.commit(size)

    def _drop_follower(self) -> None:
        follower, self._follower = self._follower, None
        if follower is not None:
            follower.abandon()

    def _file_closed(self, path: Path, count: bool = True) -> None:
        if count:
            self.archiver.counts["warc/files"] += 1
        follower = None
        if self._follower is not None and self._follower.final_path == path:
            follower, self._follower = self._follower, None
        if self.config.write_index:
            self._indexer.submit(self._index, path, follower)

    def _index(self, path: Path, follower: FollowingIndexer | None = None) -> None:
        try:
            if follower is not None:
                try:
                    follower.finish(path.stat().st_size)
                    self._index_counts["warc/indexes"] += 1
                    return
                except Exception:
                    logger.exception("Indexing %s while it was written failed; indexing it again", path)
            write_cdxj_index(path)
        except Exception:
            self._index_counts["warc/index_errors"] += 1
            logger.exception("Cannot write the CDXJ index of %s", path)
        else:
            self._index_counts["warc/indexes"] += 1

    def archive(self, exchange: CapturedExchange) -> WarcPointer:
        return self.archiver.archive(exchange)

    def archive_fetch_error(self, exchange: CapturedExchange, error: str) -> None:
        self.archiver.archive_fetch_error(exchange, error)

    def counts(self) -> dict[str, int]:
        counts = dict(self.archiver.counts)
        counts.update(dict(self._index_counts))
        counts["warc/bytes"] = self.writer.bytes_written
        counts["warc/records/warcinfo"] = self.writer.warcinfo_records
        counts["warc/records"] = counts.get("warc/records", 0) + self.writer.warcinfo_records
        return counts

    def close(self) -> dict[str, Any]:
        """Close the current file and wait for every index; return counts and closed files."""
        self.writer.close()
        self._drop_follower()  # a file that went away without being closed
        self._indexer.shutdown(wait=True)
        return {"counts": self.counts(), "files": [str(p) for p in self.writer.closed_files]}


class ThreadRunner:
    """Calls backend methods on one worker thread, or inline in the caller's thread."""

    def __init__(self, config: BackendConfig, threaded: bool = True) -> None:
        self.backend = ArchiveBackend(config)
        self.executor: concurrent.futures.Executor = (
            concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
            if threaded
            else _InlineExecutor()
        )

    def call(self, method: str, *args: Any) -> concurrent.futures.Future[Any]:
        return self.executor.submit(getattr(self.backend, method), *args)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False)


def make_runner(config: BackendConfig, mode: str) -> ThreadRunner:
    """A runner for ``WARC_WRITER``: ``"thread"`` or ``"inline"``."""
    return ThreadRunner(config, threaded=mode != "inline")
