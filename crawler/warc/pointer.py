"""Pointers from JSONL records to the WARC response record they came from."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any


async def resolve_warc_pointer(value: Any) -> dict[str, Any] | None:
    """Wait until the record behind ``value`` is fully written; return its pointer.

    Capture may write records off the reactor thread, so a response carries a
    future of its pointer. A record must never point at a WARC record that
    was not completely written: a failed write resolves to ``None``.
    """
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, concurrent.futures.Future):
        value = asyncio.wrap_future(value)
    try:
        result = await value
    except Exception:
        return None
    return result
