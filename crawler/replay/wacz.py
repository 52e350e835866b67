"""Packaging a run's WARC files as a WACZ, with the ``wacz`` package.

WACZ is a zip of the WARC files plus a CDXJ index, a page list and a
datapackage manifest with digests; ReplayWeb.page and pywb open it as one
file. ``wacz create`` copies each WARC into the zip from disk in blocks and
writes the index compressed as it goes, so a large archive is never held in
memory. The page list is the run's articles: every URL in the JSONL, with
its cleaned title, so a reader of the WACZ starts from the news, not from
list pages and robots.txt.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

import orjson

from crawler.replay.inputs import find_inputs

logger = logging.getLogger(__name__)

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


def collect_warcs(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """WARC files among ``paths``; an OUTPUT_DIR contributes its ``warc/`` folder."""
    inputs, skipped = find_inputs(paths)
    return [item.path for item in inputs], skipped


def article_pages(jsonl_files: Sequence[Path], archived_urls: set[str] | None = None) -> list[dict[str, str]]:
    """One page entry per article URL in the JSONL files (first title wins); bad lines are skipped."""
    pages: dict[str, dict[str, str]] = {}
    for path in jsonl_files:
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    record = orjson.loads(line)
                    url = str(record["url"])
                except (ValueError, KeyError, TypeError):
                    logger.warning("Skipping line %d of %s: not a JSONL record", number, path)
                    continue
                if archived_urls is not None and url not in archived_urls:
                    continue
                pages.setdefault(url, {"url": url, "title": str(record.get("title") or url)})
    return list(pages.values())


def build_wacz(
    warcs: Sequence[Path],
    output: Path,
    *,
    pages: Sequence[dict[str, str]] = (),
    title: str | None = None,
    description: str | None = None,
) -> int:
    """Write ``output`` from ``warcs``; returns the exit status of ``wacz create``."""
    from wacz.main import main as wacz_main

    if not warcs:
        raise ValueError("no WARC files to package")
    output.parent.mkdir(parents=True, exist_ok=True)
    arguments = ["create", "-o", str(output)]
    if title:
        arguments += ["--title", title]
    if description:
        arguments += ["--desc", description]
    with tempfile.TemporaryDirectory(prefix="wacz-pages-") as scratch:
        if pages:
            pages_file = Path(scratch) / "pages.jsonl"
            with open(pages_file, "w", encoding="utf-8") as handle:
                for entry in [PAGES_HEADER, *pages]:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            arguments += ["-p", str(pages_file)]
        else:
            arguments += ["--detect-pages"]
        arguments += [str(path) for path in warcs]
        status = wacz_main(arguments)
    return int(status or 0)
