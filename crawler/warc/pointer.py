"""Pointers from JSONL records to the WARC response record they came from."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any


class WarcPointerError(Exception):
    """The WARC record a pointer was promised for was not written."""


async def resolve_warc_pointer(value: Any) -> dict[str, Any] | None:
    """Wait until the record behind ``value`` is fully written; return its pointer.

    Capture writes records off the reactor thread, so a response carries a
    future of its pointer. A record must never point at a WARC record that
    was not completely written, nor be written without the pointer it was
    promised: a failed write raises :class:`WarcPointerError`. ``None`` (no
    capture, e.g. ``WARC_ENABLED = False``) stays ``None``.
    """
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, concurrent.futures.Future):
        value = asyncio.wrap_future(value)
    try:
        result = await value
    except Exception as exc:
        raise WarcPointerError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, dict):
        raise WarcPointerError(f"the WARC writer gave no pointer ({result!r})")
    return result
