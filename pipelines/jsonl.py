"""JSONL writer: one record per line, in the schema of docs/schema.md.

Records go to ``OUTPUT_DIR/jsonl/<site>-<run_id>.jsonl.part``, flushed after
each record, and the file is renamed to ``.jsonl`` when the spider closes:
a reader never sees a half-written file, and a crash loses at most the
record being written. Each record is validated against the shipped JSON
Schema first; an invalid one is logged with its URL, counted and dropped
rather than written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, Self

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import exported_field_names
from crawler.runinfo import output_dir, run_id, worker_suffix
from crawler.schema import validator
from crawler.signals import manifest_entry
from crawler.warc.pointer import resolve_warc_pointer
from crawler.warc.writer import try_lock
from crawler.warc.pointer import WarcPointerError, resolve_warc_pointer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def record_from_item(item: Any) -> dict[str, Any]:
    """The exported fields of ``item``, in schema order."""
    adapter = ItemAdapter(item)
    record = {name: adapter.get(name) for name in exported_field_names()}
    if record.get("cloaked") is None:
        # The cloaking probe leaves its verdict in extra; absent means "not probed".
        record["cloaked"] = (adapter.get("extra") or {}).get("cloaked")
    if not record.get("body_sha1"):
        record["body_sha1"] = hashlib.sha1((record.get("body") or "").encode("utf-8")).hexdigest()
    return record


def encode_record(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no ASCII escaping, no embedded newlines."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# -- a fast "certainly valid" check compiled from the schema --------------------------
# jsonschema walks the schema anew for every record (~1 ms a record here). The check
# below is compiled once from the same schema and is strict: it answers True only for
# records it can prove valid, never for an invalid one; anything else (a float where
# an integer is wanted, a keyword it does not know) goes to the full validator, which
# also gives the error messages. So the records written are exactly those jsonschema
# accepts.

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset(("description", "title", "$schema", "$id", "$comment", "default", "examples"))
_TYPES: dict[str, Check] = {
    "string": lambda value: type(value) is str,
    "null": lambda value: value is None,
    "boolean": lambda value: type(value) is bool,
    "integer": lambda value: type(value) is int,
    "number": lambda value: type(value) in (int, float),
    "array": lambda value: type(value) is list,
    "object": lambda value: type(value) is dict,
}
_SCALARS = (str, int, bool, type(None))


class Unsupported(Exception):
    """The schema uses something the fast check does not handle."""


def compile_check(schema: Any) -> Check:
    """A function that returns True only for instances ``schema`` certainly accepts."""
    if schema is True or schema == {}:
        return lambda value: True
    if schema is False or not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    checks: list[Check] = []
    for keyword, argument in schema.items():
        if keyword in _ANNOTATIONS or keyword in ("properties", "additionalProperties"):
            continue
        checks.append(_keyword_check(keyword, argument, schema))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_object_check(schema.get("properties", {}), schema.get("additionalProperties", True)))
    return lambda value: all(check(value) for check in checks)


def _keyword_check(keyword: str, argument: Any, schema: dict[str, Any]) -> Check:
    if keyword == "type":
        names = [argument] if isinstance(argument, str) else list(argument)
        if any(name not in _TYPES for name in names):
            raise Unsupported(f"type {argument!r}")
        tests = [_TYPES[name] for name in names]
        return lambda value: any(test(value) for test in tests)
    if keyword == "pattern":
        pattern = re.compile(argument)
        return lambda value: type(value) is not str or pattern.search(value) is not None
    if keyword == "minLength":
        return lambda value: type(value) is not str or len(value) >= argument
    if keyword == "minimum":
        return lambda value: type(value) not in (int, float) or value >= argument
    if keyword == "const":
        if type(argument) not in _SCALARS:
            raise Unsupported("const of a non-scalar")
        return lambda value: type(value) is type(argument) and value == argument
    if keyword == "enum":
        if any(type(option) not in _SCALARS for option in argument):
            raise Unsupported("enum of non-scalars")
        options = list(argument)
        return lambda value: any(type(value) is type(option) and value == option for option in options)
    if keyword == "required":
        names = list(argument)
        return lambda value: type(value) is not dict or all(name in value for name in names)
    if keyword == "items":
        item_check = compile_check(argument)
        return lambda value: type(value) is not list or all(item_check(item) for item in value)
    if keyword == "anyOf":
        options_checks = [compile_check(option) for option in argument]
        return lambda value: any(check(value) for check in options_checks)
    raise Unsupported(f"keyword {keyword!r}")


def _object_check(properties: dict[str, Any], additional: Any) -> Check:
    property_checks = {name: compile_check(sub) for name, sub in properties.items()}
    extra_check = None if additional is False else compile_check(additional)

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return True
        for name, item in value.items():
            property_check = property_checks.get(name)
            if property_check is not None:
                if not property_check(item):
                    return False
            elif extra_check is None or not extra_check(item):
                return False
        return True

    return check


def fast_check_for(validator: Any) -> Check | None:
    """The fast check for a jsonschema validator's schema, or None when it cannot be built."""
    try:
        return compile_check(validator.schema)
    except (Unsupported, re.error, TypeError) as exc:
        logger.info("JSONL: every record goes through the full JSON Schema validator (%s)", exc)
        return None


def jsonl_path(out_dir: Path, site: str, run: str) -> Path:
    return out_dir / "jsonl" / f"{site}-{run}.jsonl"


def recover_partial_file(part: Path) -> int | None:
    """Close a ``.part`` file left by a killed run: drop a cut-off last line, rename it.

    Returns the number of complete records kept; None, leaving the file alone,
    when a live writer (another worker of a distributed run) holds its lock.
    """
    with open(part, "r+b") as file:
        if not try_lock(file):
            return None
        data = file.read()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            file.truncate(len(complete))
        os.replace(part, part.with_name(part.name.removesuffix(".part")))
    return complete.count(b"\n")


class JsonLinesWriter:
    """Writes items as schema-v1 JSONL records, one file per spider run."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.validate = crawler.settings.getbool("JSONL_VALIDATE", True)
        self._validator = validator() if self.validate else None
        self._certainly_valid = fast_check_for(self._validator) if self._validator is not None else None
        self.path: Path | None = None
        self._file: IO[bytes] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        site = getattr(getattr(spider, "seed", None), "name", None) or spider.name
        self.path = jsonl_path(output_dir(self.crawler.settings), site, run_id(self.crawler) + worker_suffix(self.crawler))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in sorted(self.path.parent.glob(f"{site}-*.jsonl.part")):
            kept = recover_partial_file(leftover)
            if kept is None:  # another worker of a distributed run is writing it
                continue
            self.crawler.stats.inc_value("jsonl/recovered_files")
            logger.warning("Recovered %s left by an interrupted run (%d complete records kept)", leftover, kept)
        self._file = open(self.part_path, "ab")
        try_lock(self._file)  # marks the file as live for other workers sharing this OUTPUT_DIR

    @property
    def part_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".part")

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        try:
            adapter["warc"] = await resolve_warc_pointer(adapter.get("warc"))
        except WarcPointerError as exc:
            self._warc_missing(adapter.get("url"), exc)
        record = record_from_item(item)
        if self._validator is not None and not (self._certainly_valid is not None and self._certainly_valid(record)):
            errors = sorted(self._validator.iter_errors(record), key=lambda e: list(e.path))
            if errors:
                stats = self.crawler.stats
                stats.inc_value("jsonl/invalid")
                problem = "; ".join(f"{'/'.join(map(str, e.path)) or '(record)'}: {e.message}" for e in errors[:3])
                logger.error("Record for %s does not match schema v1, not written: %s", record.get("url"), problem)
                self.crawler.signals.send_catch_log(
                    manifest_entry, kind="invalid_record", entry={"url": record.get("url"), "problem": problem}
                )
                raise DropItem(f"invalid record for {record.get('url')}: {problem}")
        line = encode_record(record)
        assert self._file is not None
        self._file.write(line)
        self._file.flush()
        self.crawler.stats.inc_value("jsonl/records")
        self.crawler.stats.inc_value("jsonl/bytes", len(line))
        for name, value in record.items():  # feed exports after this pipeline get the record as written
            adapter[name] = value
        return item

    def _warc_missing(self, url: Any, error: WarcPointerError) -> NoReturn:
        """A record whose WARC write failed is not written: without its evidence it
        must not count as stored (the dedup state forgets a dropped item), and the
        run's exit status says it failed (``jsonl/warc_write_failed``)."""
        self.crawler.stats.inc_value("jsonl/warc_write_failed")
        logger.error("Record for %s not written: its WARC record was not written (%s)", url, error)
        self.crawler.signals.send_catch_log(
            manifest_entry, kind="warc_write_failed", entry={"url": url, "problem": str(error)}
        )
        raise DropItem(f"WARC record not written for {url}: {error}")

    def close_spider(self) -> None:
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.part_path, self.path)
        self.crawler.stats.set_value("jsonl/file", str(self.path))
        logger.info("Wrote %s records to %s", self.crawler.stats.get_value("jsonl/records", 0), self.path)
