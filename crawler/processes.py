"""Helpers for the worker processes a crawl spawns (WARC writer, extraction pool)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def main_file_hidden() -> Iterator[None]:
    """Start spawned workers inside this, so they do not re-run the crawl's main script.

    A spawned child imports the parent's ``__main__`` by path when it was run
    as a file; a crawl script without an ``if __name__ == "__main__"`` guard
    (common with ``CrawlerProcess``) would then start a second crawl in the
    worker. Without ``__file__`` the child skips that import. (``python -m``
    mains are imported by name, under a guard, and are left alone.)
    ``ProcessPoolExecutor`` launches its workers on the first ``submit``.
    """
    main = sys.modules.get("__main__")
    hidden = None
    if main is not None and getattr(main, "__spec__", None) is None:
        hidden = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if hidden is not None:
            main.__file__ = hidden  # type: ignore[union-attr]
