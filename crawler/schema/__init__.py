"""The JSON Schema of JSONL records, generated from :class:`crawler.items.ArticleItem`.

The shipped file ``article-v1.json`` is the output of :func:`build_schema`;
a test keeps the two identical. Regenerate with ``python -m crawler.schema``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

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


@cache
def load_schema() -> dict[str, Any]:
    """The schema file shipped inside the package."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


def validator() -> Any:
    """A jsonschema validator for records (with format checks)."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema())

