"""The JSON Schema of JSONL records, generated from :class:`crawler.items.ArticleItem`.

The shipped file for the current version (``article-v3.json``) is the output
of :func:`build_schema`; a test keeps the two identical. Regenerate it with
``python -m crawler.schema``. Files of earlier versions (``article-v1.json``, ``article-v2.json``)
are frozen: records written under them must keep validating, so readers can
load old JSONL next to new (:func:`validator_for`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from itemadapter import ItemAdapter

from crawler.items import SCHEMA_VERSION, ArticleItem, exported_field_names

SCHEMA_FILE = f"article-v{SCHEMA_VERSION}.json"


def build_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for one JSONL record."""
    schema = ItemAdapter.get_json_schema(ArticleItem)
    exported = exported_field_names()
    properties = {name: schema["properties"][name] for name in exported}
    for prop in properties.values():
        prop.pop("default", None)  # every field is always written
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ministry-news-archive.invalid/schema/{SCHEMA_FILE}",
        "title": f"Ministry News Archive article record, schema_version {SCHEMA_VERSION}",
        "type": "object",
        "additionalProperties": False,
        "required": exported,
        "properties": properties,
    }


SUPPORTED_VERSIONS = tuple(range(1, SCHEMA_VERSION + 1))


@cache
def load_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The schema file of ``version`` shipped inside the package."""
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unknown schema_version {version!r} (known: {', '.join(map(str, SUPPORTED_VERSIONS))})")
    return json.loads(resources.files(__package__).joinpath(f"article-v{version}.json").read_text("utf-8"))


@cache
def validator(version: int = SCHEMA_VERSION) -> Any:
    """A jsonschema-rs validator for records of ``version`` (``is_valid``, ``iter_errors``)."""
    return jsonschema_rs.validator_for(load_schema(version), validate_formats=False)


def validator_for(record: dict[str, Any]) -> Any:
    """The validator for the version a record declares (old JSONL keeps reading)."""
    return validator(record.get("schema_version", SCHEMA_VERSION))

