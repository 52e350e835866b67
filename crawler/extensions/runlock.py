"""One run per OUTPUT_DIR and seed at a time; clean up after a killed run's JOBDIR.

Schedulers start runs blindly: a slow run and the next cron tick overlap. A
second run of the same seed into the same OUTPUT_DIR would recover the first
run's live ``.jsonl.part`` file and double every record, so it must not
start. The lock is an ``flock`` on ``OUTPUT_DIR/state/locks/<seed>.lock``:
the kernel drops it when the holder dies, even by SIGKILL, so there are no
stale locks to clear by hand. ``scrapy crawl`` (``crawler/commands/crawl.py``)
turns :class:`RunLocked` into exit status 75 (EX_TEMPFAIL).

With ``JOBDIR``, Scrapy persists its request queue and seen-request set only
on a clean shutdown. After a SIGKILL they are stale: requests that were in
the queue are gone while their fingerprints say "seen", so a plain resume
would silently skip articles. A run that finds its predecessor was killed
moves those two files aside and walks the site again from the start URLs;
the state store (``crawler/dedup/state.py``) makes sure every article is still
emitted exactly once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.runinfo import output_dir, run_id

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ACTIVE_MARKER = "run.active"
# Files Scrapy rewrites only on a clean shutdown (scheduler queue, dupefilter).
JOBDIR_VOLATILE = ("requests.queue", "requests.seen")
# Meta keys that describe a response, not a request. Redirect and retry copy
# them into the follow-up request, where a WARC pointer future (not picklable)
# would push the request into the memory queue and lose it at a JOBDIR pause.
RESPONSE_META_KEYS = ("warc",)


class RunLocked(RuntimeError):
    """Another run of this seed into this OUTPUT_DIR is in progress."""


def seed_name(crawler: Crawler) -> str:
    """The name the run lock is taken for; RuntimeError when the crawler has no spider."""
    spider = crawler.spider
    if spider is None:  # Scrapy's shell builds crawlers without one
        raise RuntimeError("the crawler has no spider")
    seed = getattr(spider, "seed", None)
    return str(getattr(seed, "name", None) or spider.name)


def acquire(path: Path, holder: dict[str, Any]) -> IO[str]:
    """Take the lock file at ``path``; raise :class:`RunLocked` naming the holder if taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        current = handle.read().strip()
        handle.close()
        try:
            info = json.loads(current) if current else {}
        except ValueError:
            info = {}
        who = f"pid {info.get('pid', '?')}, run {info.get('run_id', '?')}, started {info.get('started', '?')}"
        raise RunLocked(f"another run holds {path} ({who}); not starting a second one") from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(holder) + "\n")
    handle.flush()
    return handle


def release(handle: IO[str]) -> None:
    try:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def set_aside_killed_jobdir(jobdir: Path) -> list[Path]:
    """If the last run using ``jobdir`` was killed, move its stale queue and seen-set aside."""
    marker = jobdir / ACTIVE_MARKER
    if not marker.exists():
        return []
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    moved = []
    for name in JOBDIR_VOLATILE:
        path = jobdir / name
        if path.exists():
            target = jobdir / f"{name}.killed-{stamp}"
            os.replace(path, target)
            moved.append(target)
    return moved


class RunLock:
    """Extension: holds the per-seed run lock for the whole crawl."""

    def __init__(self, crawler: Crawler, lock_path: Path, handle: IO[str], jobdir: Path | None):
        self.crawler = crawler
        self.lock_path = lock_path
        self.handle: IO[str] | None = handle
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("RUNLOCK_ENABLED", True):
            raise NotConfigured("RUNLOCK_ENABLED is off")
        try:
            site = seed_name(crawler)
        except RuntimeError:  # no spider (e.g. `scrapy fetch`/`shell` outside a crawl): nothing to lock
            raise NotConfigured("no spider to lock a run for") from None
        lock_path = output_dir(settings) / "state" / "locks" / f"{site}.lock"
        holder = {"pid": os.getpid(), "run_id": run_id(crawler), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        handle = acquire(lock_path, holder)  # raises RunLocked: the crawl does not start
        jobdir = Path(settings["JOBDIR"]) if settings.get("JOBDIR") else None
        if jobdir is not None:
            moved = set_aside_killed_jobdir(jobdir)
            if moved:
                crawler.stats.set_value("runlock/jobdir_reset", 1)
                logger.warning(
                    "The previous run using JOBDIR %s was killed; its request queue and seen-set are not "
                    "trustworthy after a kill, so they were moved aside (%s) and the site is walked again "
                    "from the start URLs. Articles already emitted are not emitted again.",
                    jobdir,
                    ", ".join(p.name for p in moved),
                )
            jobdir.mkdir(parents=True, exist_ok=True)
            (jobdir / ACTIVE_MARKER).write_text(json.dumps(holder) + "\n", encoding="utf-8")
        extension = cls(crawler, lock_path, handle, jobdir)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        if jobdir is not None:
            crawler.signals.connect(extension.request_scheduled, signal=signals.request_scheduled)
        logger.debug("Holding run lock %s", lock_path)
        return extension

    def request_scheduled(self, request: Any) -> None:
        for key in RESPONSE_META_KEYS:
            if request.meta.pop(key, None) is not None:
                self.crawler.stats.inc_value("runlock/response_meta_dropped")

    def engine_stopped(self) -> None:
        # The scheduler has saved the JOBDIR queue by now: a resume may trust it.
        if self.jobdir is not None:
            (self.jobdir / ACTIVE_MARKER).unlink(missing_ok=True)
        if self.handle is not None:
            release(self.handle)
            self.handle = None
