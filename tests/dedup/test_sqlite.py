"""SQLite state store (crawler/dedup/sqlite.py): durable, shared, and never overwritten when damaged."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.dedup.sqlite import SQLiteStateStore
from crawler.dedup.state import (
    ArticleState,
    ListPageState,
    StateStoreCorrupt,
    StateStoreError,
    StateStoreLocked,
    Validators,
    default_state_path,
    open_state_store,
)

A = "a" * 40
B = "b" * 40
C = "c" * 40


def _article(article_id: str = A, body: str = B, **kwargs) -> ArticleState:
    return ArticleState(id=article_id, canonical_url=f"http://www.mca.gov.cn/{article_id[:4]}", body_sha1=body, **kwargs)


def test_articles_round_trip_and_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state" / "state.sqlite"
    store = SQLiteStateStore(path)
    store.put_article(_article(site="mca", last_run="r1"))
    store.put_article(_article(C, B, duplicate_of=A, site="gov", last_run="r1"))
    store.close()
    store = SQLiteStateStore(path)
    got = store.get_article(A)
    assert got is not None and got.body_sha1 == B and got.site == "mca" and got.duplicate_of is None
    dup = store.get_article(C)
    assert dup is not None and dup.duplicate_of == A
    assert store.get_article("d" * 40) is None
    assert store.known_articles([A, C, "e" * 40]) == {A, C}
    store.close()


def test_update_keeps_first_seen(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.put_article(_article(first_seen=100.0, last_seen=100.0, last_run="r1"))
    store.put_article(_article(body=C, first_seen=200.0, last_seen=200.0, last_run="r2"))
    got = store.get_article(A)
    assert got is not None and got.first_seen == 100.0 and got.last_seen == 200.0 and got.body_sha1 == C
    store.close()


def test_first_body_owner_wins(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.add_body(B, A)
    store.add_body(B, C)
    assert store.find_body(B) == A
    assert store.find_body(C) is None
    store.close()


def test_signatures_and_band_candidates(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.put_signature(A, b"\x01" * 16, [1, 2, 3])
    store.put_signature(C, b"\x02" * 16, [3, 4])
    assert store.get_signature(A) == b"\x01" * 16
    # most shared bands first
    assert store.band_candidates([1, 2, 3]) == [A, C]
    assert store.band_candidates([4]) == [C]
    assert store.band_candidates([]) == []
    store.delete_signature(A, [1, 2, 3])
    assert store.get_signature(A) is None and store.band_candidates([1, 2]) == []
    store.close()


def test_validators_and_list_pages(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    url = "http://www.mca.gov.cn/article/xw/a.shtml"
    assert store.get_validators(url) is None
    store.put_validators(url, Validators(etag='"abc"', last_modified="Tue, 07 Nov 2023 08:00:00 GMT", body_sha1=B))
    store.put_validators(url, Validators(etag='"def"', last_modified=None))
    got = store.get_validators(url)
    assert got == Validators(etag='"def"', last_modified=None, body_sha1=B)  # digest kept when not re-sent
    page = ListPageState(url="http://www.mca.gov.cn/article/xw/", site="mca", last_seen=5.0, article_count=20, new_count=0)
    store.put_list_page(page)
    assert store.get_list_page(page.url) == page
    store.close()


def test_reads_see_the_open_batch_without_committing_it(tmp_path: Path) -> None:
    """get_validators runs before every article request: it must not end the batch (one commit per article)."""
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=1000, commit_interval=1e9)
    url, other = "http://www.mca.gov.cn/article/xw/a.shtml", "http://www.mca.gov.cn/article/xw/b.shtml"
    store.put_validators(url, Validators(etag='"v1"', last_modified=None, body_sha1=B))
    store.flush()  # stored: etag v1 with a body digest
    store.put_validators(url, Validators(etag='"v2"', last_modified="Wed, 08 Nov 2023 08:00:00 GMT"))
    store.put_validators(other, Validators(etag='"o1"', last_modified=None))
    store.put_article(_article(C, B))
    assert store.get_validators(url) == Validators('"v2"', "Wed, 08 Nov 2023 08:00:00 GMT", B)  # digest kept by SQL
    assert store.get_validators(other) == Validators('"o1"', None, None)
    assert store.get_article(C) is not None and store.known_articles([C]) == {C}
    reader = sqlite3.connect(path)
    assert [row[0] for row in reader.execute("SELECT etag FROM validators")] == ['"v1"']  # the batch is still open
    assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    store.close()
    rows = dict(reader.execute("SELECT url, etag FROM validators").fetchall())
    assert rows == {url: '"v2"', other: '"o1"'}
    reader.close()


def test_sessions_report_killed_runs_per_site(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path)
    assert store.begin_session("r1", "mca") == []
    assert store.begin_session("g1", "gov") == []
    store.end_session("g1", "gov")
    store.close()  # r1 never ended: as if killed
    store = SQLiteStateStore(path)
    killed = store.begin_session("r2", "mca")
    assert [k.run_id for k in killed] == ["r1"]
    assert store.last_outcome("mca", "r2") == "running"  # r1 never said how it ended
    assert store.begin_session("g2", "gov") == []
    store.close()  # r2 killed too, before dealing with r1
    store = SQLiteStateStore(path)
    assert [k.run_id for k in store.begin_session("r3", "mca")] == ["r1", "r2"]  # still reported
    store.end_session("r1", "mca", "killed")
    store.end_session("r2", "mca", "killed")
    store.end_session("r3", "mca", "shutdown")
    store.close()
    store = SQLiteStateStore(path)
    assert store.begin_session("r4", "mca") == []
    assert store.last_outcome("mca", "r4") == "shutdown"
    assert store.last_outcome("nobody", "r4") is None
    store.close()


def test_record_article_counts_the_body_as_a_second_write(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=2, commit_interval=3600)
    other = sqlite3.connect(path)
    store.record_article(_article(), True)  # an article and its body: the batch of two is full
    assert other.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 1
    store.record_article(_article(C, C), False)  # one write: still buffered
    assert other.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    store.record_article(_article(), False)
    assert other.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2
    assert other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 1
    store.close()
    other.close()
    with pytest.raises(StateStoreError, match="closed"):
        store.record_article(_article(), True)


def test_writes_are_batched_then_committed(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=3, commit_interval=3600)
    other = sqlite3.connect(path)

    def visible() -> int:
        return other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]

    store.add_body(A, A)
    store.add_body(B, B)
    assert visible() == 0
    store.add_body(C, C)  # third write commits the batch
    assert visible() == 3
    store.add_body("d" * 40, A)
    assert visible() == 3
    store.flush()
    assert visible() == 4
    other.close()
    store.close()


def test_an_old_batch_is_committed_without_waiting_for_another_write(tmp_path: Path) -> None:
    """What a crawl killed during a quiet spell keeps: writes older than commit_interval."""
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=1000, commit_interval=0.2)
    other = sqlite3.connect(path)

    def visible() -> int:
        return other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]

    store.add_body(A, A)
    store.commit_if_due()  # too young: stays in the batch
    assert visible() == 0
    time.sleep(0.25)
    store.commit_if_due()
    assert visible() == 1
    other.close()
    store.close()


def test_crawl_commits_old_batches_on_a_timer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twisted.internet import task

    clock = task.Clock()

    class ClockedLoopingCall(task.LoopingCall):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.clock = clock

    monkeypatch.setattr(task, "LoopingCall", ClockedLoopingCall)
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path), "STATE_COMMIT_INTERVAL": 0.3})
    store = open_state_store(crawler)
    calls: list[float] = []
    monkeypatch.setattr(store, "commit_if_due", lambda: calls.append(clock.seconds()))
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    clock.advance(0.16)
    clock.advance(0.16)
    assert len(calls) == 2  # every half interval
    crawler.signals.send_catch_log(signals.engine_stopped)
    clock.advance(1.0)
    assert len(calls) == 2  # stopped with the engine


def test_wal_mode(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.close()
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_corrupt_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    garbage = b"this is not a database\x00" * 300
    path.write_bytes(garbage)
    with pytest.raises(StateStoreCorrupt, match="refusing to overwrite"):
        SQLiteStateStore(path)
    assert path.read_bytes() == garbage


def test_damaged_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = SQLiteStateStore(path)
    for n in range(200):
        store.add_body(f"{n:040x}", A)
    store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    with pytest.raises(StateStoreCorrupt):
        SQLiteStateStore(path)
    assert path.read_bytes() == bytes(data)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(StateStoreCorrupt, match="something else"):
        SQLiteStateStore(path)
    assert path.read_bytes() == before


def test_locked_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SQLiteStateStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StateStoreLocked, match="locked by another process"):
            SQLiteStateStore(path, lock_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    SQLiteStateStore(path).close()  # usable again once released


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateStoreError, match="newer"):
        SQLiteStateStore(path)


def test_directory_in_place_of_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite").mkdir()
    with pytest.raises(StateStoreCorrupt):
        SQLiteStateStore(tmp_path / "state.sqlite")


def test_default_path_is_under_output_dir(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path / "out")})
    assert default_state_path(crawler.settings) == tmp_path / "out" / "state" / "state.sqlite"
    store = open_state_store(crawler)
    assert open_state_store(crawler) is store  # one store per crawler, shared by components
    store.add_body(B, A)
    store.close()
    assert (tmp_path / "out" / "state" / "state.sqlite").exists()
    crawler = get_crawler(settings_dict={"STATE_PATH": str(tmp_path / "elsewhere.sqlite")})
    assert default_state_path(crawler.settings) == tmp_path / "elsewhere.sqlite"


def test_links_make_redirect_sources_known(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    def url_id(url: str) -> str:
        return hashlib.sha1(url.encode()).hexdigest()

    article_url = "http://www.mca.gov.cn/n152/c11/content.html"
    old_url = "http://www.mca.gov.cn/n152/c10/content.html"
    store.put_article(ArticleState(id=url_id(article_url), canonical_url=article_url, body_sha1=B, last_run="r1"))
    store.put_link(old_url, url_id(article_url))
    unknown = "http://www.mca.gov.cn/n152/c12/content.html"
    assert store.known_links([article_url, old_url, unknown]) == {article_url, old_url}
    store.flush()
    assert store.known_links([unknown]) == set()
    store.close()


def test_lookup_after_reopen_finds_stored_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path)
    store.put_article(_article(last_run="r1"))
    store.add_body(B, A)
    store.close()
    store = SQLiteStateStore(path)
    article, first = store.lookup(A, C)
    assert article is not None and article.body_sha1 == B and first is None
    article, first = store.lookup(C, B)  # unknown id, known body
    assert article is None and first == A
    assert store.lookup(C, C) == (None, None)
    store.close()


def test_crawlers_in_one_process_share_one_store_per_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    # Two connections in one thread: the second waits for a write lock only the first could release.
    first, second = SQLiteStateStore(path, lock_timeout=0.2), SQLiteStateStore(path, lock_timeout=0.2)
    first.add_body(A, A)
    with pytest.raises(StateStoreLocked):
        second.add_body(B, B)
    first.close()
    second.close()
    mca, gov = SQLiteStateStore.shared(path, lock_timeout=0.2), SQLiteStateStore.shared(path, lock_timeout=0.2)
    assert mca is gov
    mca.add_body(A, A)
    gov.add_body(B, B)
    mca.close()  # gov still uses it: committed, not closed
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 2
    gov.add_body(C, C)
    gov.close()
    with pytest.raises(StateStoreError, match="closed"):
        gov.add_body(A, B)
    assert SQLiteStateStore.shared(path) is not gov  # closed by its last user: the next opens afresh


def test_a_batch_asks_for_its_commit_when_it_starts(tmp_path: Path) -> None:
    """A crawl commits each batch at the end of the reactor turn that began it: the lock is never held long."""
    path = tmp_path / "s.sqlite"
    store = SQLiteStateStore(path, commit_every=1000, commit_interval=3600)
    scheduled: list[object] = []
    store.schedule_commit = scheduled.append
    store.add_body(A, A)
    store.add_body(B, B)
    assert len(scheduled) == 1  # once per batch
    other = sqlite3.connect(path)
    assert other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 0
    scheduled[0]()  # the reactor runs it
    assert other.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == 2
    store.add_body(C, C)
    assert len(scheduled) == 2
    other.close()
    store.close()
