"""The article item: one news article as it flows through the pipelines.

Fields mirror JSONL schema v1 (DESIGN.md, contract 3). ``extra`` carries
working data between components (title candidates, extraction notes) and is
never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class ArticleItem:
    url: str
    site: str
    language: str
    schema_version: int = SCHEMA_VERSION
    id: str = ""
    canonical_url: str = ""
    title: str = ""
    published_date: str | None = None
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    section: str | None = None
    body: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)
    body_sha1: str = ""
    near_duplicate_of: str | None = None
    spam_removed: list[dict[str, str]] = field(default_factory=list)
    fetched_at: str = ""
    encoding: str = ""
    extractor_version: str = ""
    warc: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict, metadata={"exported": False})


def exported_field_names() -> list[str]:
    """Names of the fields written to JSONL, in schema order."""
    return [f.name for f in fields(ArticleItem) if f.metadata.get("exported", True)]
