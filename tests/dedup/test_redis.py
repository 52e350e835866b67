"""crawler/dedup/redis.py: the Redis state store answers as the SQLite one does, and keeps workers apart.

Every test runs against a real Redis server (``redis_url`` fixture) under a
key prefix of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.dedup.decide import Deduplicator
from crawler.dedup.redis import RedisStateStore
from crawler.dedup.sqlite import SQLiteStateStore
from crawler.dedup.state import ArticleState, ListPageState, StateStore, Validators
from crawler.distributed.connection import RedisSchemaMismatch, check_schema


def sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def redis_store(client: redis.Redis, prefix: str, worker: str = "w1", run_id: str = "run-1") -> RedisStateStore:
    return RedisStateStore(client, prefix, worker=worker, workers_key=f"{prefix}:seed:workers", run_id=run_id)


def exercise(store: StateStore) -> dict[str, Any]:
    """The same calls on any store; what it answers."""
    a, b, c = sha("http://x.gov.cn/a"), sha("http://x.gov.cn/b"), sha("http://x.gov.cn/c")
    body1, body2 = sha("body one"), sha("body two")
    store.record_article(ArticleState(a, "http://x.gov.cn/a", body1, "mca", None, 10.0, 11.0, "r1"), True)
    store.record_article(ArticleState(b, "http://x.gov.cn/b", body1, "mca", a, 12.0, 12.0, "r1"), True)  # body taken
    store.put_article(ArticleState(a, "http://x.gov.cn/a", body2, "mca", None, 10.0, 20.0, "r2"))  # changed
    store.put_link("http://x.gov.cn/a?from=list", a)
    store.put_signature(a, b"\x01" * 16, [1, 2, 3])
    store.put_signature(b, b"\x02" * 16, [2, 3, 4])
    store.put_signature(c, b"\x03" * 16, [3, 9])
    store.delete_signature(c, [3, 9])
    store.put_validators("http://x.gov.cn/a", Validators('"e1"', "Mon, 01 Jan 2024 00:00:00 GMT", body1))
    store.put_validators("http://x.gov.cn/a", Validators('"e2"', None, None))  # a 304: keeps the digest
    store.put_list_page(ListPageState("http://x.gov.cn/list", "mca", 30.0, 20, 3))
    store.mark_listed(["http://x.gov.cn/a", "http://x.gov.cn/b"], "r1")
    store.mark_listed(["http://x.gov.cn/b", "http://x.gov.cn/c"], "r2")
    killed_first = store.begin_session("r1", "mca")
    killed_second = store.begin_session("r2", "mca")
    store.end_session("r2", "mca", "finished")
    store.flush()
    article = store.get_article(a)
    return {
        "article": (article.canonical_url, article.body_sha1, article.duplicate_of, article.first_seen, article.last_run),
        "duplicate": store.get_article(b).duplicate_of,
        "missing": store.get_article(c),
        "known": store.known_articles([a, b, c]),
        "bodies": (store.find_body(body1), store.find_body(body2)),
        "links": store.known_links(["http://x.gov.cn/a?from=list", "http://x.gov.cn/b", "http://x.gov.cn/zzz"]),
        "signature": store.get_signature(a),
        "candidates": store.band_candidates([2, 3, 9]),
        "validators": store.get_validators("http://x.gov.cn/a"),
        "list_page": store.get_list_page("http://x.gov.cn/list"),
        "listed_before": store.listed_before(["http://x.gov.cn/b", "http://x.gov.cn/c"], "r2"),
        "killed": ([s.run_id for s in killed_first], [s.run_id for s in killed_second]),
        "outcomes": (store.last_outcome("mca", "r3"), store.last_outcome("mca", "r2")),
        "lookup": store.lookup(a, body2)[0].body_sha1,
    }


def test_redis_store_answers_as_the_sqlite_store(tmp_path: Path, client: redis.Redis, redis_prefix: str) -> None:
    sqlite_store = SQLiteStateStore(tmp_path / "state.sqlite")
    expected = exercise(sqlite_store)
    sqlite_store.close()
    assert exercise(redis_store(client, redis_prefix)) == expected
    assert expected["candidates"][0] == sha("http://x.gov.cn/b")  # shares bands 2 and 3
    assert expected["killed"] == ([], ["r1"])


def test_state_is_shared_by_every_store_on_the_prefix(client: redis.Redis, redis_prefix: str) -> None:
    first, second = redis_store(client, redis_prefix, "w1"), redis_store(client, redis_prefix, "w2")
    a = sha("http://x.gov.cn/a")
    first.record_article(ArticleState(a, "http://x.gov.cn/a", sha("b"), "mca", last_run="r1"), True)
    assert second.get_article(a).canonical_url == "http://x.gov.cn/a"
    assert second.find_body(sha("b")) == a
    other = redis_store(client, redis_prefix + "-other")
    assert other.get_article(a) is None


def live(client: redis.Redis, prefix: str, *workers: str) -> None:
    seconds, micro = client.time()
    client.zadd(f"{prefix}:seed:workers", {worker: seconds + micro / 1e6 for worker in workers})


def test_an_article_two_live_workers_extract_at_once_is_emitted_by_one(client: redis.Redis, redis_prefix: str) -> None:
    live(client, redis_prefix, "w1", "w2")
    one = Deduplicator(redis_store(client, redis_prefix, "w1"), run_id="run-1")
    two = Deduplicator(redis_store(client, redis_prefix, "w2"), run_id="run-1")
    # Two URLs with one canonical URL (a tracking parameter), on two workers.
    first = one.classify(url="http://x.gov.cn/a.html", body="正文" * 50)
    second = two.classify(url="http://x.gov.cn/a.html?utm_source=feed", body="正文" * 50)
    assert (first.kind, first.emit) == ("new", True)
    assert (second.kind, second.emit) == ("duplicate", False)
    # Another id with the same body, while the first is still being decided: a duplicate of it.
    third = two.classify(url="http://x.gov.cn/b.html", body="正文" * 50)
    assert (third.kind, third.duplicate_of) == ("duplicate", first.id)


def test_a_claim_of_a_dead_worker_does_not_hold_the_article_back(client: redis.Redis, redis_prefix: str) -> None:
    live(client, redis_prefix, "w1", "w2")
    one = Deduplicator(redis_store(client, redis_prefix, "w1"), run_id="run-1")
    assert one.classify(url="http://x.gov.cn/a.html", body="正文" * 50).emit
    client.zrem(f"{redis_prefix}:seed:workers", "w1")  # w1 died and was reaped before recording it
    two = Deduplicator(redis_store(client, redis_prefix, "w2"), run_id="run-1")
    again = two.classify(url="http://x.gov.cn/a.html", body="正文" * 50)
    assert (again.kind, again.emit) == ("new", True)


def test_a_recorded_article_releases_its_claims(client: redis.Redis, redis_prefix: str) -> None:
    live(client, redis_prefix, "w1", "w2")
    one = Deduplicator(redis_store(client, redis_prefix, "w1"), run_id="run-1")
    decision = one.classify(url="http://x.gov.cn/a.html", body="正文" * 50)
    one.record(decision)
    assert list(client.scan_iter(match=f"{redis_prefix}:state:claim:*")) == []
    later = Deduplicator(redis_store(client, redis_prefix, "w2", run_id="run-2"), run_id="run-2")
    assert later.classify(url="http://x.gov.cn/a.html", body="正文" * 50).kind == "unchanged"


def test_site_notes_are_kept_per_site(client: redis.Redis, redis_prefix: str) -> None:
    store = redis_store(client, redis_prefix)
    assert store.get_site_note("mca", "cloaking") is None
    store.put_site_note("mca", "cloaking", "probe")
    store.put_site_note("gov", "cloaking", "skip")
    assert redis_store(client, redis_prefix, "w2").get_site_note("mca", "cloaking") == "probe"


def test_mixed_schema_versions_are_refused(client: redis.Redis, redis_prefix: str) -> None:
    check_schema(client, redis_prefix)
    check_schema(client, redis_prefix)  # the same version again is fine
    client.set(f"{redis_prefix}:schema", "999")
    with pytest.raises(RedisSchemaMismatch, match="schema version 999"):
        check_schema(client, redis_prefix)
