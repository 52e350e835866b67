"""Facts about the current run that several components share."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_RUN_ID_ATTRIBUTE = "_ministry_news_run_id"
_WORKER_ATTRIBUTE = "_ministry_news_worker"

# warcinfo fields that make a WARC file describe its run (written by the capture
# middleware, read by crawler/replay/inputs.py): which run wrote the file, and
# the seed file the run crawled from, as it was then.
WARCINFO_RUN_ID = "run-id"
WARCINFO_SEED_TOML = "seed-toml"


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


def warcinfo_text(text: str) -> str:
    """A multi-line text as one warc-fields value: a JSON string (warc-fields are one line each)."""
    return json.dumps(text, ensure_ascii=True)


def text_from_warcinfo(value: str) -> str:
    """The text :func:`warcinfo_text` encoded; ``ValueError`` when ``value`` is not such a string."""
    text = json.loads(value)
    if not isinstance(text, str):
        raise ValueError("not a JSON string")
    return text
