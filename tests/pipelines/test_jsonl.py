from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.dedup.fingerprint import body_digest
from crawler.items import ArticleItem, exported_field_names
from crawler.schema import build_schema, load_schema, validator, validator_for
from crawler.signals import manifest_entry
from pipelines.jsonl import JsonLinesWriter, recover_partial_file


def make_item(**overrides):
    url = "http://www.mca.gov.cn/n152/n165/c1662004999979993926/content.html"
    values = dict(
        url=url,
        site="mca",
        language="zh",
        id=hashlib.sha1(url.encode()).hexdigest(),
        canonical_url=url,
        title="民政部召开全国民政工作会议",
        published_date="2023-12-19",
        published_at="2023-12-19T10:30:00+08:00",
        source="中国社会报",
        body="第一段。\n\n第二段。",
        fetched_at="2023-12-19T03:00:00Z",
        encoding="utf-8",
        extractor_version="1",
        extra={"title_candidates": [["title", "x"]]},
    )
    values.update(overrides)
    return ArticleItem(**values)


def make_record_dict(**overrides):
    from pipelines.jsonl import record_from_item

    record = record_from_item(make_item())
    record.update(overrides)
    return record


@pytest.fixture
def writer(tmp_path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "run1"})
    crawler.spider = SimpleNamespace(name="mca", seed=SimpleNamespace(name="mca"))
    pipeline = JsonLinesWriter.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def read_lines(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_records_are_written_in_schema_order_flushed_and_renamed(writer, tmp_path):
    part = tmp_path / "jsonl" / "mca-run1.jsonl.part"
    asyncio.run(writer.process_item(make_item()))
    # Flushed per record: a reader of the .part file sees the complete line already.
    (record,) = read_lines(part)
    assert list(record) == exported_field_names()
    assert "extra" not in record
    # No dedup stage set it: the digest dedup would have given, of the normalised body.
    assert record["body_sha1"] == body_digest("第一段。\n\n第二段。") == body_digest("第一段。第二段。")
    assert "民政部" in part.read_text("utf-8")  # UTF-8, not \u escapes
    assert not (tmp_path / "jsonl" / "mca-run1.jsonl").exists()
    writer.close_spider()
    assert not part.exists()
    assert read_lines(tmp_path / "jsonl" / "mca-run1.jsonl") == [record]
    assert writer.crawler.stats.get_value("jsonl/records") == 1
    assert not list(validator().iter_errors(record))


def test_warc_pointer_future_is_awaited(writer, tmp_path):
    future: concurrent.futures.Future = concurrent.futures.Future()
    pointer = {"file": "MNA-x.warc.gz", "offset": 123, "record_id": "<urn:uuid:1>", "payload_digest": "sha1:AAAA"}

    async def run():
        task = asyncio.ensure_future(writer.process_item(make_item(warc=future)))
        await asyncio.sleep(0.01)
        assert not task.done()  # never written before the WARC record is complete
        future.set_result(pointer)
        return await task

    asyncio.run(run())
    writer.close_spider()
    (record,) = read_lines(tmp_path / "jsonl" / "mca-run1.jsonl")
    assert record["warc"] == pointer


def test_failed_warc_write_is_never_written_nor_counted_as_stored(tmp_path, caplog):
    """A record whose WARC write failed is not written with "warc": null, and the
    dedup state does not count it as stored: the next run writes it, with its pointer."""
    from scrapy import Spider, signals

    from crawler.commands.crawl import EXIT_FAILED, RunOutcome, exit_status
    from pipelines.dedup import DedupPipeline

    def run(run_id, warc):
        crawler = get_crawler(Spider, {"OUTPUT_DIR": str(tmp_path), "RUN_ID": run_id})
        crawler.spider = Spider.from_crawler(crawler, name="mca")
        crawler.stats.open_spider()
        entries = []
        crawler.signals.connect(lambda kind, entry: entries.append((kind, entry)), signal=manifest_entry, weak=False)
        dedup, jsonl = DedupPipeline.from_crawler(crawler), JsonLinesWriter.from_crawler(crawler)
        dedup.open_spider()
        jsonl.open_spider()
        item = dedup.process_item(make_item(warc=warc))
        try:  # what Scrapy's engine does with the JSONL writer's outcome
            asyncio.run(jsonl.process_item(item))
        except DropItem as exc:
            crawler.signals.send_catch_log(signals.item_dropped, item=item, response=None, exception=exc, spider=crawler.spider)
        else:
            crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=crawler.spider)
        jsonl.close_spider()
        dedup.spider_closed("finished")
        dedup.store.close()
        return crawler.stats.get_stats(), entries, read_lines(tmp_path / "jsonl" / f"mca-{run_id}.jsonl")

    failed: concurrent.futures.Future = concurrent.futures.Future()
    failed.set_exception(OSError(28, "No space left on device"))
    stats, entries, lines = run("run1", failed)
    assert lines == []
    assert stats["jsonl/warc_write_failed"] == 1
    assert entries == [("warc_write_failed", {"url": make_item().url, "problem": "OSError: [Errno 28] No space left on device"})]
    assert make_item().url in caplog.text
    assert exit_status(RunOutcome(finish_reason="finished", stats=stats, start_url_count=1))[0] == EXIT_FAILED

    pointer = {"file": "MNA-x.warc.gz", "offset": 0, "record_id": "<urn:uuid:1>", "payload_digest": "sha1:AAAA"}
    stats, _, lines = run("run2", pointer)
    assert [line["warc"] for line in lines] == [pointer]  # not skipped as "unchanged"
    assert stats["dedup/new"] == 1


def test_invalid_record_is_dropped_logged_and_counted(writer, tmp_path, caplog):
    with pytest.raises(DropItem):
        asyncio.run(writer.process_item(make_item(published_date="19 Dec 2023")))
    writer.close_spider()
    assert read_lines(tmp_path / "jsonl" / "mca-run1.jsonl") == []
    assert writer.crawler.stats.get_value("jsonl/invalid") == 1
    assert "c1662004999979993926/content.html" in caplog.text and "published_date" in caplog.text


def test_line_is_compact_utf8_json_in_schema_order(writer, tmp_path):
    asyncio.run(writer.process_item(make_item(title='引号"与\\反斜杠\u2028', body="第一段。\x1f")))
    writer.close_spider()
    line = (tmp_path / "jsonl" / "mca-run1.jsonl").read_bytes()
    record = json.loads(line)
    assert line == (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    assert record["title"] == '引号"与\\反斜杠\u2028' and record["body"] == "第一段。\x1f"


def test_record_json_cannot_hold_is_dropped_logged_and_counted(writer, tmp_path, caplog):
    entries = []
    writer.crawler.signals.connect(lambda kind, entry: entries.append((kind, entry)), signal=manifest_entry, weak=False)
    with pytest.raises(DropItem):
        asyncio.run(writer.process_item(make_item(source="\ud800")))  # a lone surrogate has no UTF-8
    asyncio.run(writer.process_item(make_item(url="http://www.mca.gov.cn/n152/n165/c2/content.html")))
    writer.close_spider()
    assert [r["url"] for r in read_lines(tmp_path / "jsonl" / "mca-run1.jsonl")] == [
        "http://www.mca.gov.cn/n152/n165/c2/content.html"
    ]
    assert writer.crawler.stats.get_value("jsonl/unencodable") == 1
    assert [kind for kind, _ in entries] == ["unencodable_record"] and entries[0][1]["url"] == make_item().url
    assert "c1662004999979993926/content.html" in caplog.text


def test_leftover_part_file_is_recovered_without_partial_line(tmp_path):
    part = tmp_path / "mca-old.jsonl.part"
    part.write_bytes(b'{"a":1}\n{"a":2}\n{"a":')
    assert recover_partial_file(part) == 2
    assert (tmp_path / "mca-old.jsonl").read_bytes() == b'{"a":1}\n{"a":2}\n'
    assert not part.exists()


def test_writer_recovers_leftovers_of_its_site_on_open(tmp_path):
    (tmp_path / "jsonl").mkdir()
    (tmp_path / "jsonl" / "mca-killed.jsonl.part").write_bytes(b'{"a":1}\n{"a')
    (tmp_path / "jsonl" / "gov-other.jsonl.part").write_bytes(b'{"a":1}\n')
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "RUN_ID": "run2"})
    crawler.spider = SimpleNamespace(name="mca", seed=SimpleNamespace(name="mca"))
    JsonLinesWriter.from_crawler(crawler).open_spider()
    assert (tmp_path / "jsonl" / "mca-killed.jsonl").read_bytes() == b'{"a":1}\n'
    assert (tmp_path / "jsonl" / "gov-other.jsonl.part").exists()  # another seed's run is not touched


def test_shipped_schema_is_generated_from_the_item():
    assert load_schema() == build_schema()
    assert load_schema()["required"] == exported_field_names()
    assert load_schema()["properties"]["schema_version"]["const"] == 3


def test_version_1_records_still_validate_and_version_2_adds_only_cloaked():
    v1_record = make_record_dict(schema_version=1)
    del v1_record["cloaked"]
    assert not list(validator_for(v1_record).iter_errors(v1_record))
    assert list(validator().iter_errors(v1_record))  # not a valid v2 record: cloaked is missing
    v1, v2 = load_schema(1), load_schema(2)
    assert set(v2["properties"]) - set(v1["properties"]) == {"cloaked"}
    assert {k: v for k, v in v2["properties"].items() if k not in ("cloaked", "schema_version")} == {
        k: v for k, v in v1["properties"].items() if k != "schema_version"
    }
    with pytest.raises(ValueError, match="unknown schema_version 4"):
        validator_for({"schema_version": 4})


def test_version_3_adds_only_the_score_of_a_spam_removal():
    v2, v3 = load_schema(2), load_schema(3)
    v2_items, v3_items = v2["properties"]["spam_removed"]["items"], v3["properties"]["spam_removed"]["items"]
    assert set(v3_items["properties"]) - set(v2_items["properties"]) == {"score"}
    assert {k: v for k, v in v3["properties"].items() if k not in ("spam_removed", "schema_version")} == {
        k: v for k, v in v2["properties"].items() if k not in ("spam_removed", "schema_version")
    }
    scored = make_record_dict(spam_removed=[{"text": "澳门新葡京", "where": "title", "rule": "title:title:register", "score": 0.93}])
    assert not list(validator().iter_errors(scored))
    scored["schema_version"] = 2
    assert list(validator_for(scored).iter_errors(scored))  # a number is no string in version 2


def test_cloaked_comes_from_the_probe_verdict(writer, tmp_path):
    item = make_item()
    item.extra["cloaked"] = True
    asyncio.run(writer.process_item(item))
    asyncio.run(writer.process_item(make_item(url="http://www.mca.gov.cn/n152/n165/c2/content.html")))
    writer.close_spider()
    first, second = read_lines(tmp_path / "jsonl" / "mca-run1.jsonl")
    assert first["cloaked"] is True
    assert second["cloaked"] is None
