"""Facts about the current run that several components share."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_RUN_ID_ATTRIBUTE = "_ministry_news_run_id"
_WORKER_ATTRIBUTE = "_ministry_news_worker"


def run_id(crawler: Any) -> str:
    """The run id: setting ``RUN_ID`` if given, else ``<UTC time>-<pid>``, fixed per crawler."""
    existing = getattr(crawler, _RUN_ID_ATTRIBUTE, None)
    if existing:
        return existing
    value = crawler.settings.get("RUN_ID") or (
        datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"
    )
    setattr(crawler, _RUN_ID_ATTRIBUTE, value)
    return value


def set_run_identity(crawler: Any, run: str, worker: str) -> None:
    """Make ``crawler`` one worker (``<host>-<pid>``) of the distributed run ``run`` (crawler/distributed/)."""
    setattr(crawler, _RUN_ID_ATTRIBUTE, run)
    setattr(crawler, _WORKER_ATTRIBUTE, worker)


def worker_suffix(crawler: Any) -> str:
    """``-<host>-<pid>`` for a worker of a distributed run, else empty: keeps the workers' file names apart."""
    worker = getattr(crawler, _WORKER_ATTRIBUTE, "")
    return f"-{worker}" if worker else ""


def output_dir(settings: Any) -> Path:
    """``OUTPUT_DIR`` as a path (default ``./out``)."""
    return Path(settings.get("OUTPUT_DIR") or "out")


def utc_now_iso() -> str:
    """Current UTC time, ISO 8601 with a ``Z`` suffix and second precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
