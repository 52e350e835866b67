"""The JSONL writer's fast schema check never passes a record the full validator rejects."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from crawler.schema import validator
from pipelines.jsonl import Unsupported, compile_check, fast_check_for

VALID: dict[str, Any] = {
    "url": "http://www.mca.gov.cn/article/xw/202312/t20231219_1.html",
    "site": "mca",
    "language": "zh",
    "schema_version": 3,
    "id": "0" * 40,
    "canonical_url": "http://www.mca.gov.cn/article/xw/202312/t20231219_1.html",
    "title": "标题",
    "published_date": "2023-12-19",
    "published_at": "2023-12-19T10:30+08:00",
    "source": "中国社会报",
    "author": None,
    "section": None,
    "body": "正文",
    "attachments": [{"url": "http://www.mca.gov.cn/a.pdf", "title": "附件"}],
    "body_sha1": "a" * 40,
    "near_duplicate_of": None,
    "spam_removed": [{"text": "博彩", "where": "title", "rule": "lexicon"}],
    "cloaked": None,
    "fetched_at": "2023-12-19T02:30:00Z",
    "encoding": "utf-8",
    "extractor_version": "extract-1.0",
    "warc": {"file": "a.warc.gz", "offset": 0, "record_id": "<urn:uuid:1>", "payload_digest": "sha1:X"},
}
ODD_VALUES: list[Any] = [None, True, False, 0, 1, -1, 2, 2.0, 1.5, "", "x", "2", "http://x", [], [1], {}, {"a": 1},
                         "0" * 40, "2023-12-19", [{"url": "u"}], [{"text": "t", "where": "nowhere", "rule": "r"}]]


@pytest.fixture(scope="module")
def full() -> Any:
    return validator()


@pytest.fixture(scope="module")
def fast(full: Any) -> Any:
    check = fast_check_for(full)
    assert check is not None, "the shipped schema should compile to a fast check"
    return check


def test_a_valid_record_passes_the_fast_check(fast: Any, full: Any) -> None:
    assert full.is_valid(VALID)
    assert fast(VALID)


def test_every_single_field_change_is_judged_soundly(fast: Any, full: Any) -> None:
    passed_fast = 0
    for name in VALID:
        for value in ODD_VALUES:
            record = copy.deepcopy(VALID)
            record[name] = value
            if fast(record):
                passed_fast += 1
                assert full.is_valid(record), (name, value)
        missing = copy.deepcopy(VALID)
        del missing[name]
        assert not fast(missing) and not full.is_valid(missing)
    extra = {**VALID, "unknown": 1}
    assert not fast(extra) and not full.is_valid(extra)
    assert passed_fast > 20  # the check is not simply "always fall back"


@pytest.mark.parametrize("seed", range(10))
def test_random_nested_changes_are_judged_soundly(fast: Any, full: Any, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        record = copy.deepcopy(VALID)
        for _ in range(rng.randint(1, 3)):
            target = rng.choice(["warc", "attachments", "spam_removed", "top"])
            if target == "warc":
                record["warc"] = dict(record["warc"]) if isinstance(record["warc"], dict) else dict(VALID["warc"])
                record["warc"][rng.choice(["file", "offset", "record_id", "payload_digest", "other"])] = rng.choice(ODD_VALUES)
            elif target == "top":
                record[rng.choice(list(VALID))] = rng.choice(ODD_VALUES)
            else:
                entry = dict(VALID[target][0])
                entry[rng.choice([*entry, "extra"])] = rng.choice(ODD_VALUES)
                record[target] = [entry]
        if fast(record):
            assert full.is_valid(record), record


def test_unknown_keywords_are_left_to_the_full_validator() -> None:
    with pytest.raises(Unsupported):
        compile_check({"type": "object", "patternProperties": {"^x": {"type": "string"}}})
    with pytest.raises(Unsupported):
        compile_check({"type": "string", "format": "date"})
    assert compile_check({"description": "anything"})(object())
