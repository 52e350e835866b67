"""The article table's columns and their types in PostgreSQL, DuckDB and Arrow.

Everything here is derived from the JSON Schema that :mod:`crawler.schema`
builds from :class:`crawler.items.ArticleItem`, so the item stays the one
source of types: a string field whose metadata says ``column="date"`` is a
date column, ``column="timestamptz"`` a timestamp with time zone (the JSON
Schema keeps them strings with a pattern), lists and objects are
``jsonb`` in PostgreSQL and typed lists and structs in DuckDB and Arrow,
and a field whose schema admits ``null`` is a nullable column. A column
therefore has its type even when every value in a file is null or an empty
list. ``python -m crawler.schema`` writes the generated DDL and Arrow
schema next to the JSON Schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from typing import TYPE_CHECKING, Any

from crawler.items import ArticleItem
from crawler.schema import build_schema

if TYPE_CHECKING:
    import pyarrow

DEFAULT_TABLE = "articles"
# Columns the loader adds to the item's fields.
LOADED_AT = "loaded_at"  # when this version of the row was written
SAVED_AT = "saved_at"  # when a version was moved into the history table
# Fields that record how and when a page was fetched, not what it says: a
# record that differs only in these is the same version of the article.
FETCH_FIELDS = frozenset(("fetched_at", "warc", "extractor_version", "schema_version"))

_PLAIN_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_RESERVED = frozenset(("where", "order", "group", "user", "table", "select", "from", "to", "offset", "limit"))


@dataclass(frozen=True)
class Column:
    """One exported field: its name, JSON Schema, whether it may be null, and its declared column type."""

    name: str
    schema: dict[str, Any]
    nullable: bool
    declared: str | None = None  # the item field's metadata "column": date or timestamptz

    @property
    def kind(self) -> str:
        """text, bigint, double, boolean, date, timestamptz or json."""
        return self.declared or _kind(self.schema)


def _types(node: dict[str, Any]) -> list[str]:
    """The JSON types ``node`` admits (from ``type`` and ``anyOf``)."""
    declared = node.get("type")
    names = [declared] if isinstance(declared, str) else list(declared or [])
    for option in node.get("anyOf", ()):
        names.extend(_types(option))
    return names


def _kind(node: dict[str, Any]) -> str:
    names = [name for name in _types(node) if name != "null"]
    if "properties" in node or "object" in names or "array" in names:
        return "json"
    if not names:
        raise ValueError(f"schema node without a type: {node!r}")
    name = names[0]
    if name == "string":
        return "text"
    return {"integer": "bigint", "number": "double", "boolean": "boolean"}[name]


@cache
def article_columns() -> tuple[Column, ...]:
    """The exported fields in schema order."""
    schema = build_schema()
    declared = {item_field.name: item_field.metadata.get("column") for item_field in fields(ArticleItem)}
    return tuple(
        Column(name, node, "null" in _types(node), declared.get(name)) for name, node in schema["properties"].items()
    )


def column_names() -> list[str]:
    return [column.name for column in article_columns()]


def content_columns() -> list[str]:
    """The fields whose change makes a new version of an article."""
    return [name for name in column_names() if name not in FETCH_FIELDS]


def versions_table(table: str) -> str:
    """The history table of ``table``: ``article_versions`` for ``articles``, else ``<table>_versions``."""
    schema, _, name = table.rpartition(".")
    history = "article_versions" if name == DEFAULT_TABLE else f"{name}_versions"
    return f"{schema}.{history}" if schema else history


def quote(name: str) -> str:
    """A SQL identifier, quoted only when it has to be."""
    if _PLAIN_NAME.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_table(table: str) -> str:
    """``schema.table`` or ``table``, each part quoted as needed."""
    return ".".join(quote(part) for part in table.split("."))


# -- PostgreSQL --------------------------------------------------------------------

_POSTGRES = {"text": "text", "bigint": "bigint", "double": "double precision", "boolean": "boolean",
             "date": "date", "timestamptz": "timestamptz", "json": "jsonb"}


def postgres_type(column: Column) -> str:
    return _POSTGRES[column.kind]


def postgres_ddl(table: str = DEFAULT_TABLE) -> str:
    """CREATE statements for the article table, its indexes and its history table."""
    history = versions_table(table)
    bare = table.rpartition(".")[2]
    lines = [f"    {quote(c.name)} {postgres_type(c)}{'' if c.nullable else ' NOT NULL'}," for c in article_columns()]
    body = "\n".join(lines)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_table(table)} (\n{body}\n"
        f"    {LOADED_AT} timestamptz NOT NULL DEFAULT now(),\n    PRIMARY KEY (id)\n);\n"
        f"CREATE INDEX IF NOT EXISTS {quote(bare + '_site_published_date_idx')} "
        f"ON {quote_table(table)} (site, published_date);\n"
        f"CREATE INDEX IF NOT EXISTS {quote(bare + '_canonical_url_idx')} ON {quote_table(table)} (canonical_url);\n"
        f"CREATE TABLE IF NOT EXISTS {quote_table(history)} (\n{body}\n"
        f"    {LOADED_AT} timestamptz NOT NULL,\n    {SAVED_AT} timestamptz NOT NULL DEFAULT now(),\n"
        f"    PRIMARY KEY (id, fetched_at)\n);\n"
    )


# -- DuckDB ------------------------------------------------------------------------

_DUCKDB = {"text": "VARCHAR", "bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN",
           "date": "DATE", "timestamptz": "TIMESTAMPTZ"}


def duckdb_type(node: dict[str, Any]) -> str:
    """The DuckDB type of a JSON Schema node: nested lists and structs keep their shape."""
    names = [name for name in _types(node) if name != "null"]
    if "array" in names:
        return duckdb_type(node.get("items", {"type": "string"})) + "[]"
    if "properties" in node:
        members = ", ".join(f"{quote(name)} {duckdb_type(sub)}" for name, sub in node["properties"].items())
        return f"STRUCT({members})"
    if "enum" in node and not names:
        return "VARCHAR"
    return _DUCKDB[_kind(node)]


def duckdb_column_type(column: Column) -> str:
    return _DUCKDB.get(column.kind) or duckdb_type(column.schema)


def duckdb_ddl(table: str = DEFAULT_TABLE) -> str:
    """CREATE statements for the article table and its history table in DuckDB."""
    lines = [f"    {quote(c.name)} {duckdb_column_type(c)}{'' if c.nullable else ' NOT NULL'},"
             for c in article_columns()]
    body = "\n".join(lines)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_table(table)} (\n{body}\n"
        f"    {LOADED_AT} TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,\n    PRIMARY KEY (id)\n);\n"
        f"CREATE TABLE IF NOT EXISTS {quote_table(versions_table(table))} (\n{body}\n"
        f"    {LOADED_AT} TIMESTAMPTZ NOT NULL,\n    {SAVED_AT} TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,\n"
        f"    PRIMARY KEY (id, fetched_at)\n);\n"
    )


# -- Arrow -------------------------------------------------------------------------

def arrow_type(node: dict[str, Any]) -> pyarrow.DataType:
    """The Arrow type of a JSON Schema node (the same shapes as :func:`duckdb_type`)."""
    import pyarrow as pa

    names = [name for name in _types(node) if name != "null"]
    if "array" in names:
        return pa.list_(arrow_type(node.get("items", {"type": "string"})))
    if "properties" in node:
        return pa.struct([pa.field(name, arrow_type(sub)) for name, sub in node["properties"].items()])
    if "enum" in node and not names:
        return pa.string()
    return {
        "text": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "boolean": pa.bool_(),
        "date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC"),
    }[_kind(node)]


@cache
def arrow_schema() -> pyarrow.Schema:
    """The Arrow schema of one article row (Parquet files, polars frames)."""
    import pyarrow as pa

    scalar = {"date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC")}
    return pa.schema([
        pa.field(c.name, scalar.get(c.kind) or arrow_type(c.schema), nullable=c.nullable) for c in article_columns()
    ])


def shipped_files() -> dict[str, bytes]:
    """The generated table definitions that ship in ``crawler/schema/``, by file name.

    ``article-v<N>.arrow`` is the Arrow schema in IPC form: ``pyarrow.ipc.read_schema(path)``.
    """
    from crawler.items import SCHEMA_VERSION

    stem = f"article-v{SCHEMA_VERSION}"
    return {
        f"{stem}.postgresql.sql": postgres_ddl().encode("utf-8"),
        f"{stem}.duckdb.sql": duckdb_ddl().encode("utf-8"),
        f"{stem}.arrow": arrow_schema().serialize().to_pybytes(),
    }
