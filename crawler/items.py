"""The article item: one news article as it flows through the pipelines.

Fields are those of the JSONL record (docs/schema.md); the JSON Schema that
ships in ``crawler/schema/`` is generated from this class (see
:mod:`crawler.schema`), so the two cannot drift apart. ``extra`` carries
working data between components (title candidates, extraction notes) and is
never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 2
# Version 2 = version 1 plus ``cloaked``. Version 1 records stay valid against
# the frozen ``article-v1.json``; see docs/schema.md.

_HEX40 = {"pattern": "^[0-9a-f]{40}$"}
_DATE = {"pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DATETIME_OFFSET = {"pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?[+-]\d{2}:\d{2}$"}
_URL = {"pattern": "^https?://", "minLength": 8}


def _schema(column: str | None = None, **extra: Any) -> dict[str, Any]:
    """Field metadata: JSON Schema keywords, and the database column type where a string holds a date or time."""
    return {"json_schema_extra": extra, **({"column": column} if column else {})}


@dataclass
class ArticleItem:
    url: str = field(metadata=_schema(description="final URL the article was fetched from (after redirects)", **_URL))
    site: str = field(metadata=_schema(description="seed name, e.g. mca", minLength=1))
    language: str = field(metadata=_schema(description="language of the article: zh, en, …", minLength=2))
    schema_version: int = field(default=SCHEMA_VERSION, metadata=_schema(const=SCHEMA_VERSION))
    id: str = field(default="", metadata=_schema(description="hex SHA-1 of canonical_url", **_HEX40))
    canonical_url: str = field(default="", metadata=_schema(description="canonical form used for dedup", **_URL))
    title: str = field(default="", metadata=_schema(description="headline, spam removed"))
    published_date: str | None = field(default=None, metadata=_schema("date", description="YYYY-MM-DD", **_DATE))
    published_at: str | None = field(
        default=None, metadata=_schema("timestamptz", description="ISO 8601 with offset; null when no time of day is known", **_DATETIME_OFFSET)
    )
    source: str | None = field(default=None, metadata=_schema(description="publishing outlet (来源 / ContentSource)"))
    author: str | None = field(default=None, metadata=_schema(description="reporter or author"))
    section: str | None = field(default=None, metadata=_schema(description="column / breadcrumb leaf"))
    body: str = field(default="", metadata=_schema(description="clean text, paragraphs separated by one blank line"))
    attachments: list[dict[str, str]] = field(
        default_factory=list,
        metadata=_schema(
            description="linked files (PDF, DOC, XLS, …)",
            items={"type": "object", "required": ["url", "title"], "properties": {"url": {"type": "string"}, "title": {"type": "string"}}},
        ),
    )
    body_sha1: str = field(default="", metadata=_schema(description="hex SHA-1 of the normalised body", **_HEX40))
    near_duplicate_of: str | None = field(
        default=None, metadata=_schema(description="id of an earlier record with nearly the same body", **_HEX40)
    )
    spam_removed: list[dict[str, str]] = field(
        default_factory=list,
        metadata=_schema(
            description="every piece of injected spam removed",
            items={
                "type": "object",
                "required": ["text", "where", "rule"],
                "properties": {
                    "text": {"type": "string"},
                    "where": {"enum": ["title", "body", "hidden", "link", "script", "meta"]},
                    "rule": {"type": "string"},
                },
            },
        ),
    )
    cloaked: bool | None = field(
        default=None,
        metadata=_schema(
            description="true when a search-engine crawler was shown materially different content (cloaking probe); "
            "false when probed and the same; null when not probed or the probe failed"
        ),
    )
    fetched_at: str = field(default="", metadata=_schema("timestamptz", description="ISO 8601 UTC", pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$"))
    encoding: str = field(default="", metadata=_schema(description="charset the page was decoded with", minLength=1))
    extractor_version: str = field(default="", metadata=_schema(description="version of extraction and spam rules", minLength=1))
    warc: dict[str, Any] | None = field(
        default=None,
        metadata=_schema(
            description="the WARC response record this record was derived from",
            properties={
                "file": {"type": "string"},
                "offset": {"type": "integer", "minimum": 0},
                "record_id": {"type": "string"},
                "payload_digest": {"type": "string"},
            },
            required=["file", "offset", "record_id", "payload_digest"],
        ),
    )
    extra: dict[str, Any] = field(default_factory=dict, metadata={"exported": False})


def exported_field_names() -> list[str]:
    """Names of the fields written to JSONL, in schema order."""
    return [f.name for f in fields(ArticleItem) if f.metadata.get("exported", True)]
