"""JSONL writer: one record per line, in the schema of docs/schema.md.

Records go to ``OUTPUT_DIR/jsonl/<site>-<run_id>.jsonl.part``, flushed after
each record, and the file is renamed to ``.jsonl`` when the spider closes:
a reader never sees a half-written file, and a crash loses at most the
record being written. Each record is validated against the shipped JSON
Schema first (jsonschema-rs) and encoded with orjson; one that is invalid,
or that JSON cannot hold, is logged with its URL, counted
(``jsonl/invalid``, ``jsonl/unencodable``), listed in the run manifest and
dropped rather than written.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, Self

import orjson
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.dedup.fingerprint import body_digest
from crawler.items import SCHEMA_VERSION, exported_field_names
from crawler.runinfo import output_dir, run_id, worker_suffix
from crawler.schema import validator
from crawler.signals import manifest_entry
from crawler.warc.pointer import WarcPointerError, resolve_warc_pointer
from crawler.warc.writer import try_lock

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
        # With dedup off nothing set it: the same digest dedup would have (docs/schema.md).
        record["body_sha1"] = body_digest(record.get("body") or "")
    return record


def encode_record(record: dict[str, Any]) -> bytes:
    """One JSONL line: UTF-8, no ASCII escaping, no embedded newlines.

    Raises TypeError for a value JSON cannot hold (a lone surrogate, say)."""
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


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
        if self._validator is not None and not self._validator.is_valid(record):
            errors = sorted(self._validator.iter_errors(record), key=lambda e: [str(p) for p in e.instance_path])
            problem = "; ".join(f"{'/'.join(map(str, e.instance_path)) or '(record)'}: {e.message}" for e in errors[:3])
            self._drop(record, "invalid", "invalid_record", f"does not match schema v{SCHEMA_VERSION}", problem)
        try:
            line = encode_record(record)
        except TypeError as exc:
            self._drop(record, "unencodable", "unencodable_record", "cannot be written as JSON", str(exc))
        assert self._file is not None
        self._file.write(line)
        self._file.flush()
        self.crawler.stats.inc_value("jsonl/records")
        self.crawler.stats.inc_value("jsonl/bytes", len(line))
        for name, value in record.items():  # feed exports after this pipeline get the record as written
            adapter[name] = value
        return item

    def _drop(self, record: dict[str, Any], stat: str, kind: str, reason: str, problem: str) -> NoReturn:
        """Log, count and list a record that is not written, then drop it."""
        url = record.get("url")
        self.crawler.stats.inc_value(f"jsonl/{stat}")
        logger.error("Record for %s %s, not written: %s", url, reason, problem)
        self.crawler.signals.send_catch_log(manifest_entry, kind=kind, entry={"url": url, "problem": problem})
        raise DropItem(f"record for {url} {reason}: {problem}")

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
