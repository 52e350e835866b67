"""A state file written by schema 1 (before the key-indexed layout) keeps working after the upgrade."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import pytest

from crawler.state import SCHEMA_VERSION, SQLiteStateStore, StateStoreError, digest_key
from pipelines.dedup import Deduplicator, body_digest

# The schema-1 layout as the first release created it (articles and bodies
# clustered by their 20-byte digests); the other tables did not change.
SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id BLOB PRIMARY KEY, body_sha1 BLOB NOT NULL, duplicate_of BLOB, site TEXT NOT NULL,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_run TEXT NOT NULL, canonical_url TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE bodies (body_sha1 BLOB PRIMARY KEY, id BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE links (url_key BLOB PRIMARY KEY, id BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE listed_links (url_key BLOB PRIMARY KEY, first_run TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE signatures (id BLOB PRIMARY KEY, signature BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE lsh_bands (band_key INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (band_key, id)) WITHOUT ROWID;
CREATE TABLE validators (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT, body_sha1 BLOB, updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE list_pages (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, site TEXT NOT NULL, last_seen REAL NOT NULL,
    article_count INTEGER NOT NULL, new_count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sessions (
    run_id TEXT NOT NULL, site TEXT NOT NULL, pid INTEGER NOT NULL, started REAL NOT NULL, ended REAL, outcome TEXT,
    PRIMARY KEY (run_id, site)
);
"""

ARTICLES = [
    (f"http://www.mca.gov.cn/article/xw/{n}.shtml", f"第{n}篇。民政部召开会议，部署养老服务工作。" * 3) for n in range(300)
]
REPUBLISHED_URL = "http://www.gov.cn/xinwen/republished.htm"


def sha1(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def write_schema_1_store(path: Path) -> None:
    """A store as schema-1 code left it after one finished run of "mca"."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1)
    db.execute("PRAGMA application_id = 1296974129")  # "MNA1"
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for n, (url, body) in enumerate(ARTICLES):
        digest = bytes.fromhex(body_digest(body))
        db.execute(
            "INSERT INTO articles VALUES (?, ?, NULL, 'mca', ?, ?, 'r1', ?)", (sha1(url), digest, 1000.0 + n, 2000.0, url)
        )
        db.execute("INSERT INTO bodies VALUES (?, ?)", (digest, sha1(url)))
    # A republication recorded as a duplicate, and a redirect source.
    db.execute(
        "INSERT INTO articles VALUES (?, ?, ?, 'gov', 3000, 3000, 'r1', ?)",
        (sha1(REPUBLISHED_URL), bytes.fromhex(body_digest(ARTICLES[0][1])), sha1(ARTICLES[0][0]), REPUBLISHED_URL),
    )
    db.execute("INSERT INTO links VALUES (?, ?)", (sha1("http://www.mca.gov.cn/old/1.htm"), sha1(ARTICLES[1][0])))
    db.execute("INSERT INTO sessions VALUES ('r1', 'mca', 1, 1000, 2000, 'finished')")
    db.commit()
    db.close()


def test_schema_1_store_is_upgraded_and_answers_as_before(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.sqlite"
    write_schema_1_store(path)
    caplog.set_level(logging.INFO, logger="crawler.state")
    store = SQLiteStateStore(path, background_writes=True)
    assert SCHEMA_VERSION == 2
    assert sum("upgrading schema 1" in record.getMessage() for record in caplog.records) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(ARTICLES) + 1
        assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == len(ARTICLES)
        keys = db.execute("SELECT id_key, id FROM articles").fetchall()
        assert all(key == digest_key(blob) for key, blob in keys)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {"articles_schema1", "bodies_schema1"} & tables

    first_id = sha1(ARTICLES[0][0]).hex()
    article = store.get_article(first_id)
    assert article is not None and article.site == "mca" and article.first_seen == 1000.0 and article.last_run == "r1"
    republished = store.get_article(sha1(REPUBLISHED_URL).hex())
    assert republished is not None and republished.duplicate_of == first_id
    assert store.find_body(body_digest(ARTICLES[5][1])) == sha1(ARTICLES[5][0]).hex()
    assert store.known_articles([first_id, "f" * 40]) == {first_id}
    assert store.known_links(["http://www.mca.gov.cn/old/1.htm", ARTICLES[2][0], "http://x.cn/"]) == {
        "http://www.mca.gov.cn/old/1.htm",
        ARTICLES[2][0],
    }
    assert store.last_outcome("mca", "r2") == "finished"

    # A second run over the same site: every article unchanged, a republication caught.
    dedup = Deduplicator(store, run_id="r2")
    kinds = [dedup.classify(url=url, body=body, site="mca").kind for url, body in ARTICLES]
    assert set(kinds) == {"unchanged"}
    copy = dedup.classify(url="http://www.ndrc.gov.cn/copy.html", body=ARTICLES[7][1], site="ndrc")
    assert copy.kind == "duplicate" and copy.duplicate_of == sha1(ARTICLES[7][0]).hex()
    changed = dedup.classify(url=ARTICLES[3][0], body="全文更正。" * 30, site="mca")
    assert changed.kind == "changed"
    dedup.record(changed)
    store.close()

    # Reopened: no second migration, the change kept, first_seen kept from schema 1.
    with sqlite3.connect(path) as db:
        rowids = db.execute("SELECT rowid, id FROM articles ORDER BY rowid").fetchall()
    caplog.clear()
    store = SQLiteStateStore(path)
    assert not [record for record in caplog.records if "upgrad" in record.getMessage()]
    updated = store.get_article(sha1(ARTICLES[3][0]).hex())
    assert updated is not None and updated.body_sha1 == body_digest("全文更正。" * 30)
    assert updated.first_seen == 1003.0 and updated.last_run == "r2"
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(ARTICLES) + 1
        assert db.execute("SELECT rowid, id FROM articles ORDER BY rowid").fetchall() == rowids  # not copied again


def test_new_store_is_created_at_the_current_schema(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.sqlite"
    caplog.set_level(logging.INFO, logger="crawler.state")
    for _ in range(2):
        SQLiteStateStore(path).close()
    assert not [record for record in caplog.records if "upgrad" in record.getMessage()]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        columns = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
    assert columns[:2] == ["id_key", "id"]


def test_failed_upgrade_leaves_the_schema_1_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    write_schema_1_store(path)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles_schema1 (x)")  # in the way of the rename: the upgrade must fail
    before = sqlite3.connect(path).execute("SELECT id, body_sha1 FROM articles ORDER BY id").fetchall()
    with pytest.raises(StateStoreError):
        SQLiteStateStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
        assert db.execute("SELECT id, body_sha1 FROM articles ORDER BY id").fetchall() == before
