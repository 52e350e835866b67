"""CDXJ index of closed WARC files, written with cdxj-indexer.

Layout: one sorted index per WARC file, beside it, named after it
(``MNA-…-host.warc.gz`` → ``MNA-…-host.cdxj``). A per-file index is written
once, when its file is closed, so a scheduled crawl never re-reads the
archives of earlier runs; pywb and other CDXJ readers accept a folder of
them. cdxj-indexer streams records and sorts with a bounded buffer that
spills to temporary files, so memory use does not grow with the archive.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

from crawler.warc.writer import WARC_SUFFIX

logger = logging.getLogger(__name__)

SORT_BUFFER_BYTES = 8 * 1024 * 1024


def index_path_for(warc_path: Path) -> Path:
    name = warc_path.name
    stem = name[: -len(WARC_SUFFIX)] if name.endswith(WARC_SUFFIX) else name
    return warc_path.with_name(stem + ".cdxj")


def write_cdxj_index(warc_path: Path, output: Path | None = None) -> Path:
    """Index one WARC file into a sorted CDXJ file (written atomically)."""
    warc_path = Path(warc_path)
    output = Path(output) if output is not None else index_path_for(warc_path)
    temporary = output.with_name(output.name + ".tmp")
    indexer = CDXJIndexer(
        str(temporary),
        [str(warc_path)],
        sort=True,
        max_sort_buff_size=SORT_BUFFER_BYTES,
        post_append=False,
    )
    indexer.process_all()
    os.replace(temporary, output)
    return output
