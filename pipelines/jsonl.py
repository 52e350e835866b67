"""JSONL writer: one schema-v1 record per line (DESIGN.md, contracts 2 and 3).

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
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import exported_field_names
from crawler.runinfo import output_dir, run_id
from crawler.schema import validator
from crawler.signals import manifest_entry
from crawler.warc.pointer import resolve_warc_pointer

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


def jsonl_path(out_dir: Path, site: str, run: str) -> Path:
    return out_dir / "jsonl" / f"{site}-{run}.jsonl"


def recover_partial_file(part: Path) -> int:
    """Close a ``.part`` file left by a killed run: drop a cut-off last line, rename it.

    Returns the number of complete records kept.
    """
    data = part.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with open(part, "r+b") as file:
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
        self.path = jsonl_path(output_dir(self.crawler.settings), site, run_id(self.crawler))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in sorted(self.path.parent.glob(f"{site}-*.jsonl.part")):
            kept = recover_partial_file(leftover)
            self.crawler.stats.inc_value("jsonl/recovered_files")
            logger.warning("Recovered %s left by an interrupted run (%d complete records kept)", leftover, kept)
        self._file = open(self.part_path, "ab")

    @property
    def part_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".part")

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        adapter["warc"] = await resolve_warc_pointer(adapter.get("warc"))
        record = record_from_item(item)
        if self._validator is not None:
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
        return item

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
