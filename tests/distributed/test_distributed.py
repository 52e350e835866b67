"""crawler/distributed/: the Redis side of a distributed run, in-process against a real Redis.

Joining and ending runs, pending requests and their return after a worker
dies, the scheduler on scrapy-redis, the shared politeness window, and the
add-on that leaves a crawl without REDIS_URL unchanged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.distributed import scripts
from crawler.distributed.addon import Distributed
from crawler.distributed.connection import Keys, RedisUnavailable, connect, redacted
from crawler.distributed.politeness import window_for
from crawler.distributed.run import RunContext
from crawler.distributed.scheduler import DistributedScheduler


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def join(client: redis.Redis, keys: Keys, worker: str, proposed: str, visibility: float = 5.0) -> tuple[str, int]:
    run, fresh = client.register_script(scripts.JOIN)(
        keys=[keys.run, keys.requests, keys.dupefilter, keys.workers], args=[proposed, worker, visibility, keys.pending_prefix]
    )
    return run.decode(), fresh


def beat(client: redis.Redis, keys: Keys, worker: str, *acked: str, visibility: float = 5.0) -> list[Any]:
    return client.register_script(scripts.BEAT)(
        keys=[keys.workers, keys.requests], args=[worker, visibility, keys.pending_prefix, *acked]
    )


def leave(client: redis.Redis, keys: Keys, worker: str, run: str, visibility: float = 5.0) -> int:
    return client.register_script(scripts.LEAVE)(
        keys=[keys.run, keys.requests, keys.dupefilter, keys.workers], args=[worker, visibility, keys.pending_prefix, run]
    )


class NewsLike(Spider):
    name = "seed"

    def parse_list(self, response: Any) -> None: ...

    def on_error(self, failure: Any) -> None: ...


def scheduler_for(client: redis.Redis, url: str, keys: Keys, worker: str, run: str = "run-1",
                  spider: Spider | None = None) -> DistributedScheduler:
    crawler = get_crawler(NewsLike)
    context = RunContext(client, url, keys, run, worker, fresh=False, visibility_timeout=5.0)
    scheduler = DistributedScheduler(context, crawler)
    scheduler.open(spider or NewsLike())
    return scheduler


def test_workers_join_one_run_until_it_is_over(client: redis.Redis, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    assert join(client, keys, "a", "run-1") == ("run-1", 1)
    assert join(client, keys, "b", "run-2") == ("run-1", 0)  # a is alive: b joins run-1
    assert leave(client, keys, "a", "run-1") == 0  # b still crawls
    assert leave(client, keys, "b", "run-1") == 1  # the last worker of a finished run removes it
    assert join(client, keys, "c", "run-3") == ("run-3", 1)


def test_requests_left_by_killed_workers_are_resumed_by_the_next_start(client: redis.Redis, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    join(client, keys, "a", "run-1")
    client.zadd(keys.requests, {b"queued request": 0})
    client.zadd(keys.workers, {"a": 0})  # a was killed long ago
    assert join(client, keys, "b", "run-2") == ("run-1", 0)  # work left: the run goes on


def test_a_popped_request_stays_pending_until_acknowledged(client: redis.Redis, redis_url: str, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    join(client, keys, "a", "run-1")
    scheduler = scheduler_for(client, redis_url, keys, "a")
    assert scheduler.enqueue_request(Request("http://x.gov.cn/1.html"))
    assert not scheduler.enqueue_request(Request("http://x.gov.cn/1.html"))  # the shared duplicate filter
    request = scheduler.next_request()
    assert request.url == "http://x.gov.cn/1.html"
    assert scheduler.next_request() is None
    token = scheduler.context.taken[request]
    assert beat(client, keys, "a") == [0, 1, []]  # nothing queued, one pending
    assert beat(client, keys, "a", token) == [0, 0, []]


def test_a_dead_workers_requests_go_back_after_the_visibility_timeout(
    client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    keys = Keys(redis_prefix, "seed")
    join(client, keys, "dead", "run-1")
    join(client, keys, "alive", "run-1")
    dying = scheduler_for(client, redis_url, keys, "dead")
    for number in range(3):
        dying.enqueue_request(Request(f"http://x.gov.cn/{number}.html", priority=number))
    taken = [dying.next_request() for _ in range(2)]
    assert beat(client, keys, "alive", visibility=60) == [1, 2, []]  # "dead" still counts as alive
    seconds, micro = client.time()
    client.zadd(keys.workers, {"dead": seconds + micro / 1e6 - 61})  # silent for longer than the timeout
    assert beat(client, keys, "alive", visibility=60) == [1, 2, [b"dead"]]
    requeue = client.register_script(scripts.REQUEUE)
    assert requeue(keys=[keys.workers, keys.requests], args=[60, keys.pending_prefix, "alive"]) == 0  # alive: kept
    assert requeue(keys=[keys.workers, keys.requests], args=[60, keys.pending_prefix, "dead"]) == 2
    assert beat(client, keys, "alive", visibility=60) == [3, 0, []]
    survivor = scheduler_for(client, redis_url, keys, "alive")
    again = [survivor.next_request() for _ in range(3)]
    # Back in the queue in priority order, the requests the dead worker had taken included.
    assert [r.url for r in again] == ["http://x.gov.cn/2.html", "http://x.gov.cn/1.html", "http://x.gov.cn/0.html"]
    assert {r.url for r in taken} <= {r.url for r in again}


def test_a_leaving_worker_puts_back_what_it_did_not_finish(client: redis.Redis, redis_url: str, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    join(client, keys, "a", "run-1")
    join(client, keys, "b", "run-1")
    scheduler = scheduler_for(client, redis_url, keys, "a")
    scheduler.enqueue_request(Request("http://x.gov.cn/1.html"))
    scheduler.next_request()
    assert leave(client, keys, "a", "run-1") == 0
    assert client.zcard(keys.requests) == 1
    assert leave(client, keys, "b", "run-1") == 0  # work is left: the run stays for the next start
    assert client.get(keys.run) == b"run-1"


def test_unpicklable_meta_of_a_response_is_not_sent_to_redis(client: redis.Redis, redis_url: str, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    scheduler = scheduler_for(client, redis_url, keys, "a")
    request = Request("http://x.gov.cn/moved.html", meta={"warc": lambda: None, "page_kind": "article"})
    assert scheduler.enqueue_request(request)
    assert scheduler.next_request().meta == {"page_kind": "article"}


def test_the_politeness_window_never_grants_more_than_the_rate(client: redis.Redis, redis_prefix: str) -> None:
    assert window_for(2) == (2, 1.0)
    assert window_for(0.5) == (1, 2.0)
    acquire = client.register_script(scripts.ACQUIRE)
    keys = [f"{redis_prefix}:host:x:grants", f"{redis_prefix}:host:x:leases", f"{redis_prefix}:host:x:throttle"]
    waits = [float(acquire(keys=keys, args=[f"t{n}", 2, 1.0, 0, 30, 0, 60])) for n in range(3)]
    assert waits[:2] == [0, 0]
    assert 0.9 < waits[2] <= 1.0  # the third must wait for the first to leave the window
    # Concurrency: two leases, the third waits until one is released.
    leases = [f"{redis_prefix}:host:y:grants", f"{redis_prefix}:host:y:leases", f"{redis_prefix}:host:y:throttle"]
    assert [float(acquire(keys=leases, args=[f"l{n}", 0, 0, 2, 30, 0, 60])) for n in range(3)] == [0, 0, 0.05]
    client.zrem(leases[1], "l0")
    assert float(acquire(keys=leases, args=["l3", 0, 0, 2, 30, 0, 60])) == 0


def test_without_redis_url_the_addon_changes_nothing() -> None:
    settings = Settings({"STATE_STORE_CLASS": None})
    before = {name: settings[name] for name in settings}
    Distributed().update_settings(settings)
    assert {name: settings[name] for name in settings} == before


def test_with_redis_url_the_addon_switches_the_shared_parts(redis_url: str) -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("REDIS_URL", redis_url, priority="cmdline")
    settings.set("RUN_OUTPUTS_ENABLED", True, priority="command")  # as `scrapy crawl` sets it
    Distributed().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.distributed.scheduler.DistributedScheduler"
    assert settings["STATE_STORE_CLASS"] == "crawler.dedup.redis.RedisStateStore"
    assert settings.getbool("RUNLOCK_ENABLED") is False
    assert "crawler.distributed.run.DistributedRun" in settings.getdict("EXTENSIONS")


def test_an_unreachable_redis_is_one_clear_error() -> None:
    with pytest.raises(RedisUnavailable, match=r"Redis at redis://u:\*\*\*@127.0.0.1:1/0 is unreachable"):
        connect("redis://u:secret@127.0.0.1:1/0", timeout=1)
    assert redacted("redis://127.0.0.1:6379/2") == "redis://127.0.0.1:6379/2"


def test_a_live_workers_jsonl_part_file_is_not_taken_over(tmp_path: Any) -> None:
    from pipelines.jsonl import recover_partial_file
    from crawler.warc.writer import try_lock

    part = tmp_path / "mca-run-host-1.jsonl.part"
    with open(part, "ab") as live:
        assert try_lock(live)
        live.write(b'{"id": "1"}\n{"id": "2"')
        live.flush()
        assert recover_partial_file(part) is None  # another worker is writing it
        assert part.exists()
    assert recover_partial_file(part) == 1  # its writer is gone: recovered
    assert (tmp_path / "mca-run-host-1.jsonl").read_bytes() == b'{"id": "1"}\n'


def test_requests_travel_with_the_spiders_callbacks(client: redis.Redis, redis_url: str, redis_prefix: str) -> None:
    keys = Keys(redis_prefix, "seed")
    spider = NewsLike()
    scheduler = scheduler_for(client, redis_url, keys, "a", spider=spider)
    sent = Request("http://x.gov.cn/list.html", callback=spider.parse_list, errback=spider.on_error, priority=3,
                   meta={"page_kind": "list"}, headers={"Referer": "http://x.gov.cn/"}, cb_kwargs={"n": 1})
    assert scheduler.enqueue_request(sent)
    received = scheduler.next_request()
    assert (received.callback, received.errback) == (spider.parse_list, spider.on_error)
    assert received.to_dict(spider=spider) == sent.to_dict(spider=spider)
    # A callback that is no method of the spider cannot travel: logged, counted, not queued.
    assert not scheduler.enqueue_request(Request("http://x.gov.cn/other.html", callback=lambda response: None))
    assert scheduler.stats.get_value("distributed/unserializable_request") == 1


def test_scrapy_runs_reports_an_unreadable_manifest_and_decides_an_old_ones_exit_status(tmp_path: Any) -> None:
    from crawler.commands.runs import list_runs

    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    (runs_dir / "broken.json").write_text('{"run_id": ', encoding="utf-8")
    lost = {"run_id": "r1", "worker": "box-7", "seed": "mca", "finish_reason": "redis_lost",
            "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:01:00Z",
            "counts": {"records_written": 3}, "stats": {}}
    (runs_dir / "r1-box-7.json").write_text(json.dumps(lost), encoding="utf-8")
    [run], problems = list_runs(tmp_path)
    assert len(problems) == 1 and "broken.json: unreadable manifest" in problems[0]
    # A manifest without exit_status (written before it was recorded): decided from its finish reason.
    assert [(row["host"], row["pid"], row["exit_status"]) for row in run["workers"]] == [("box", 7, 1)]
    assert run["status"] == "failed (1 failed of 1 workers)" and run["items"] == 3


def test_a_busy_worker_stays_alive_and_a_departed_one_is_not_brought_back(
    client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    from crawler.distributed.run import Liveness

    keys = Keys(redis_prefix, "seed")
    join(client, keys, "busy", "run-1")
    seconds, micro = client.time()
    client.zadd(keys.workers, {"busy": seconds + micro / 1e6 - 100})  # its last heartbeat long ago
    context = RunContext(client, redis_url, keys, "run-1", "busy", fresh=False, visibility_timeout=5.0)
    liveness = Liveness(context, interval=0.05)
    liveness.start()
    try:
        deadline = time.monotonic() + 10
        while beat(client, keys, "other", visibility=5)[2] and time.monotonic() < deadline:
            time.sleep(0.05)  # this thread busy, as a reactor in a long callback: the liveness thread beats
        assert beat(client, keys, "other", visibility=5)[2] == []  # "busy" is not dead to the others
        client.zrem(keys.workers, "busy")  # it left (or was put back by the others)
        time.sleep(0.2)
        assert client.zscore(keys.workers, "busy") is None  # the thread never re-adds it
    finally:
        liveness.stop()
        liveness.join(timeout=5)
    assert not liveness.is_alive()
