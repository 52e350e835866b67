"""pipelines/load.py: live loading into a real PostgreSQL as items are emitted, and what happens when it goes away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from tests.synthetic_articles import make_record
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.signals import manifest_entry
from pipelines.load import LoadPipeline


def item(number: int) -> ArticleItem:
    record = make_record(number)
    return ArticleItem(**record)


def pipeline_for(settings: dict[str, Any]) -> tuple[LoadPipeline, list[dict[str, Any]]]:
    crawler = get_crawler(settings_dict=settings)
    entries: list[dict[str, Any]] = []
    crawler.signals.connect(lambda kind, entry: entries.append({"kind": kind, **entry}), signal=manifest_entry, weak=False)
    pipeline = LoadPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline, entries


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def test_off_without_load_url() -> None:
    with pytest.raises(NotConfigured):
        LoadPipeline.from_crawler(get_crawler(settings_dict={"LOAD_URL": ""}))


def test_items_are_upserted_in_batches_and_a_lost_connection_is_reported_then_reopened(
    postgres_url: str, pg_table: str
) -> None:
    pipeline, entries = pipeline_for({"LOAD_URL": postgres_url, "LOAD_TABLE": pg_table, "LOAD_BATCH_SIZE": 3})
    stats = pipeline.crawler.stats
    for number in range(4):
        assert pipeline.process_item(item(number)) is not None
    assert count(postgres_url, pg_table) == 3  # one full batch so far

    # The database drops the connection (a restart, a failover): the next batch is not loaded.
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        assert pipeline.target is not None
        admin.execute("SELECT pg_terminate_backend(%s)", [pipeline.target.connection.info.backend_pid])
    for number in range(4, 6):
        assert pipeline.process_item(item(number)) is not None  # the items go on to be written as JSONL
    assert stats.get_value("load/failed") == 3
    assert [entry["kind"] for entry in entries] == ["load_failed"]
    assert entries[0]["urls"] == [make_record(n)["url"] for n in range(3, 6)]

    for number in range(6, 9):  # a fresh connection for the next batch
        pipeline.process_item(item(number))
    pipeline.close_spider()
    assert count(postgres_url, pg_table) == 6
    assert stats.get_value("load/new") == 6 and stats.get_value("load/failed") == 3


def test_an_unreachable_database_fails_the_batches_not_the_crawl(tmp_path: Path) -> None:
    pipeline, entries = pipeline_for({"LOAD_URL": "postgresql://127.0.0.1:1/test", "LOAD_BATCH_SIZE": 2})
    for number in range(3):
        assert pipeline.process_item(item(number)) is not None
    pipeline.close_spider()
    assert pipeline.crawler.stats.get_value("load/failed") == 3
    assert [(entry["kind"], entry["records"]) for entry in entries] == [("load_failed", 2), ("load_failed", 1)]


def test_a_record_failing_the_schema_is_rejected_with_the_reason(tmp_path: Path) -> None:
    pipeline, entries = pipeline_for({"LOAD_URL": f"duckdb:///{tmp_path / 'a.duckdb'}"})
    bad = ArticleItem(**make_record(1, published_date="March 15"))
    assert pipeline.process_item(bad) is bad
    pipeline.process_item(item(2))
    pipeline.close_spider()
    assert pipeline.crawler.stats.get_value("load/rejected") == 1
    assert entries[0]["kind"] == "load_rejected" and "published_date" in entries[0]["problem"]
    assert pipeline.crawler.stats.get_value("load/new") == 1



def test_after_the_jsonl_writer_the_loaded_row_has_the_resolved_warc_pointer(tmp_path: Path) -> None:
    import asyncio
    from concurrent.futures import Future
    from types import SimpleNamespace

    from crawler.settings import ITEM_PIPELINES
    from pipelines.jsonl import JsonLinesWriter

    assert ITEM_PIPELINES["pipelines.load.LoadPipeline"] > ITEM_PIPELINES["pipelines.jsonl.JsonLinesWriter"]
    database = tmp_path / "a.duckdb"
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "run1", "LOAD_URL": f"duckdb:///{database}"})
    crawler.spider = SimpleNamespace(name="mca", seed=SimpleNamespace(name="mca"))
    writer, loader = JsonLinesWriter.from_crawler(crawler), LoadPipeline.from_crawler(crawler)
    writer.open_spider()
    loader.open_spider()
    pointer: Future[dict[str, Any]] = Future()
    pointer.set_result({"file": "mca-run1-00000.warc.gz", "offset": 512, "record_id": "<urn:uuid:1>",
                        "payload_digest": "sha1:ABC"})
    article = item(0)
    article.warc = pointer  # what the capture middleware leaves: a Future of the pointer
    loader.process_item(asyncio.run(writer.process_item(article)))
    writer.close_spider()
    loader.close_spider()
    with duckdb.connect(str(database)) as connection:
        assert connection.execute("SELECT warc.offset, warc.file FROM articles").fetchall() == [(512, "mca-run1-00000.warc.gz")]


def test_with_the_database_gone_the_jsonl_is_still_written(tmp_path: Path) -> None:
    import asyncio
    from types import SimpleNamespace

    from pipelines.jsonl import JsonLinesWriter

    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "run1",
                                         "LOAD_URL": "postgresql://127.0.0.1:1/test", "LOAD_BATCH_SIZE": 1})
    crawler.spider = SimpleNamespace(name="mca", seed=SimpleNamespace(name="mca"))
    writer, loader = JsonLinesWriter.from_crawler(crawler), LoadPipeline.from_crawler(crawler)
    writer.open_spider()
    loader.open_spider()
    for number in range(2):
        loader.process_item(asyncio.run(writer.process_item(item(number))))
    writer.close_spider()
    loader.close_spider()
    lines = (tmp_path / "jsonl" / "mca-run1.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 2
    assert crawler.stats.get_value("load/failed") == 2 and crawler.stats.get_value("jsonl/records") == 2
