"""Regenerate the shipped schema file: ``python -m crawler.schema``."""

from __future__ import annotations

import json
from importlib import resources

from crawler.schema import SCHEMA_FILE, build_schema

with resources.as_file(resources.files("crawler.schema").joinpath(SCHEMA_FILE)) as path:
    path.write_text(json.dumps(build_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(path)
