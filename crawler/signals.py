"""Signals of our own, sent through Scrapy's signal manager.

``manifest_entry`` lets any component add a line to the run manifest
(``OUTPUT_DIR/runs/<run_id>.json``) without knowing about the manifest
extension: ``crawler.signals.send_catch_log(manifest_entry, kind="doorway",
entry={"url": ...})``. Entries are grouped by ``kind`` in the manifest.

``output_file`` (kwargs ``kind``, ``path``) names a file a component finished
writing, e.g. ``kind="warc"``; the manifest lists them under ``outputs``.
"""

from __future__ import annotations

manifest_entry = object()
output_file = object()
