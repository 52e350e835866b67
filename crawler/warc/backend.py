"""Where WARC records get written: a writer process, a writer thread, or inline.

:class:`ArchiveBackend` is everything that lives next to the open WARC file:
the writer, the crawl's revisit state, start-up recovery and the CDXJ
indexing of closed files. The capture middleware never touches it directly;
it calls backend methods by name through a runner, which returns
``concurrent.futures.Future`` objects:

- :class:`ProcessRunner` (``WARC_WRITER = "process"``, the default) keeps the
  backend in a child process. Records are built with warcio (pure Python), and
  in a thread that Python work would hold the GIL the reactor thread needs;
  in a process it costs the crawl only the pickling of each exchange. Log
  records from the child are handed to the parent's logging.
- :class:`ThreadRunner` keeps it on one worker thread (``"thread"``) or runs
  every call inline in the reactor thread (``"inline"``, for the benchmark).
"""

from __future__ import annotations

import concurrent.futures
import logging
import logging.handlers
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.processes import main_file_hidden
from crawler.warc.archiver import ExchangeArchiver, WarcPointer, _InlineExecutor
from crawler.warc.index import FollowingIndexer, write_cdxj_index
from crawler.warc.lookup import ArchiveLookup
from crawler.warc.records import CapturedExchange
from crawler.warc.recovery import recover_directory
from crawler.warc.writer import WarcFileWriter, WarcWriteError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackendConfig:
    """What a backend needs to start; picklable, so it can cross into a process."""

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


# -- the child process side -------------------------------------------------

_CHILD_BACKEND: ArchiveBackend | None = None


def _die_with_parent(parent_pid: int) -> None:
    """A killed crawl must not leave its writer running: the file it holds stays
    locked (recovery would skip it) and it would race the next run."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError, TypeError):
        pass

    def watch() -> None:  # everywhere else: notice the parent is gone within half a second
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="warc-parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _child_start(config: BackendConfig, log_queue: Any, level: int, parent_pid: int) -> None:
    global _CHILD_BACKEND
    _die_with_parent(parent_pid)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
    root.setLevel(level)
    _CHILD_BACKEND = ArchiveBackend(config)


def _child_ready() -> bool:
    return _CHILD_BACKEND is not None


def _child_call(method: str, *args: Any) -> Any:
    assert _CHILD_BACKEND is not None
    return getattr(_CHILD_BACKEND, method)(*args)


def _child_archive_many(exchanges: list[CapturedExchange]) -> list[tuple[bool, Any]]:
    """Archive a batch; each exchange succeeds or fails on its own."""
    assert _CHILD_BACKEND is not None
    results: list[tuple[bool, Any]] = []
    for exchange in exchanges:
        try:
            results.append((True, _CHILD_BACKEND.archive(exchange)))
        except Exception as exc:  # already logged with the URL by the archiver
            results.append((False, f"{type(exc).__name__}: {exc}"))
    return results


BATCH_SIZE = 64
BATCH_SECONDS = 0.25


class ProcessRunner:
    """Calls backend methods in a child process, in order (one worker)."""

    def __init__(self, config: BackendConfig) -> None:
        # spawn, not fork: the parent runs threads (Twisted's pool, ours), which fork copies badly
        context = multiprocessing.get_context("spawn")
        self._log_queue = context.Queue()
        self._log_thread = threading.Thread(target=self._forward_logs, name="warc-log", daemon=True)
        self._log_thread.start()
        self._lock = threading.Lock()
        self._batch_waiting = threading.Condition(self._lock)
        self._batch: list[tuple[CapturedExchange, concurrent.futures.Future[Any]]] = []
        self._stopping = False
        self._batch_started = 0.0
        self._flusher = threading.Thread(target=self._flush_batches, name="warc-batch", daemon=True)
        self._flusher.start()
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_child_start,
            initargs=(config, self._log_queue, logging.getLogger().getEffectiveLevel(), os.getpid()),
        )
        self._start_child()

    def _start_child(self) -> None:
        """Start the child now, without letting it re-run the crawl's main script."""
        with main_file_hidden():
            self.executor.submit(_child_ready)

    def _forward_logs(self) -> None:
        """Hands the child's log records to the parent's loggers (Scrapy's handlers)."""
        while True:
            try:
                record = self._log_queue.get()
            except Exception:
                # EOFError/OSError when the child is gone; at interpreter exit this
                # daemon thread can also see the queue half torn down (ValueError,
                # TypeError). Either way there is nothing left to forward.
                return
            if record is None:
                return
            logging.getLogger(record.name).handle(record)

    def call(self, method: str, *args: Any) -> concurrent.futures.Future[Any]:
        """Run a backend method in the child; calls run in the order they are made.

        ``archive`` calls are batched (up to BATCH_SIZE, or BATCH_SECONDS after
        the first): the executor's per-task work runs on Python threads of this
        process, and paying it once per batch instead of once per page keeps it
        off the reactor's GIL.
        """
        with self._lock:
            if method == "archive":
                future: concurrent.futures.Future[Any] = concurrent.futures.Future()
                self._batch.append((args[0], future))
                if len(self._batch) >= BATCH_SIZE:
                    self._submit_batch()
                elif len(self._batch) == 1:
                    self._batch_started = time.monotonic()
                    self._batch_waiting.notify()  # the flusher starts its clock
                return future
            self._submit_batch()
            return self.executor.submit(_child_call, method, *args)

    def _submit_batch(self) -> None:
        """Send the pending ``archive`` calls; the caller holds the lock (keeps calls in order)."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        done = self.executor.submit(_child_archive_many, [exchange for exchange, _ in batch])
        done.add_done_callback(lambda finished: self._resolve(batch, finished))

    @staticmethod
    def _resolve(batch: list[tuple[CapturedExchange, concurrent.futures.Future[Any]]],
                 finished: concurrent.futures.Future[Any]) -> None:
        error = finished.exception()
        results = finished.result() if error is None else [(False, repr(error))] * len(batch)
        for (_, future), (ok, value) in zip(batch, results):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WarcWriteError(value))

    def _flush_batches(self) -> None:
        """Sends a partial batch BATCH_SECONDS after its first exchange (runs on its own thread)."""
        with self._lock:
            while not self._stopping:
                if not self._batch:
                    self._batch_waiting.wait()
                    continue
                remaining = self._batch_started + BATCH_SECONDS - time.monotonic()
                if remaining > 0:
                    self._batch_waiting.wait(remaining)
                    continue  # the batch may have been sent meanwhile, or a new one begun
                self._submit_batch()

    def shutdown(self) -> None:
        """Stop the child once it has run every call (the futures stay valid)."""
        with self._lock:
            self._submit_batch()
            self._stopping = True
            self._batch_waiting.notify()

        def stop(_: Any) -> None:
            self.executor.shutdown(wait=True)
            self._log_queue.put(None)

        threading.Thread(target=stop, args=(None,), name="warc-stop", daemon=True).start()


def make_runner(config: BackendConfig, mode: str) -> ProcessRunner | ThreadRunner:
    if mode == "process":
        return ProcessRunner(config)
    if mode == "inline":
        return ThreadRunner(config, threaded=False)
    return ThreadRunner(config)
