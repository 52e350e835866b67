"""Regenerate the shipped schema files: ``python -m crawler.schema``.

Writes the JSON Schema and the table definitions derived from it (PostgreSQL
and DuckDB DDL, Arrow schema; see :mod:`crawler.load.columns`).
"""

from __future__ import annotations

import json
from importlib import resources

from crawler.load.columns import shipped_files
from crawler.schema import SCHEMA_FILE, build_schema

files = {SCHEMA_FILE: (json.dumps(build_schema(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"), **shipped_files()}
for name, content in files.items():
    with resources.as_file(resources.files("crawler.schema").joinpath(name)) as path:
        path.write_bytes(content)
        print(path)
