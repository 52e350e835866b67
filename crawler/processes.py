"""Helpers for the worker processes a crawl spawns (the extraction pool).

A worker belongs to the crawl: it ignores the stop signals the crawl handles
(Ctrl-C sends SIGINT, and ``systemctl stop`` SIGTERM, to every process of the
group, workers included), so only the crawl decides when and how to stop,
and it dies with the crawl if the crawl is killed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# What Scrapy's CrawlerProcess turns into a graceful stop (SIGBREAK exists on Windows only).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name))


@contextmanager
def worker_start() -> Iterator[None]:
    """Start spawned workers inside this (``ProcessPoolExecutor`` starts them on ``submit``).

    - The stop signals stay blocked in this thread meanwhile, so a worker is
      born with them blocked and cannot die of one before
      :func:`worker_initialise` ignores them (a signal sent to the whole
      group then is handled by another thread of the crawl, as usual).
    - A spawned child imports the parent's ``__main__`` by path when it was
      run as a file; a crawl script without an ``if __name__ == "__main__"``
      guard (common with ``CrawlerProcess``) would then start a second crawl
      in the worker. Without ``__file__`` the child skips that import.
      (``python -m`` mains are imported by name, under a guard, and are left alone.)
    """
    main = sys.modules.get("__main__")
    hidden = None
    if main is not None and getattr(main, "__spec__", None) is None:
        hidden = main.__dict__.pop("__file__", None)
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if hidden is not None:
            main.__file__ = hidden  # type: ignore[union-attr]


def worker_initialise(parent_pid: int) -> None:
    """In a worker, first thing: leave stop signals to the crawl, and die with it."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _die_with_parent(parent_pid)


def _die_with_parent(parent_pid: int) -> None:
    """A killed crawl must not leave its workers running (they ignore SIGTERM)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError, TypeError):
        pass

    def watch() -> None:  # everywhere else: notice the parent is gone within half a second
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)
