"""State files written by older schemas (1: clustered by digest, 2: key-prefix index) keep working after the upgrade to 3."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import struct
from pathlib import Path

import pytest

from crawler.dedup.sqlite import SCHEMA_VERSION, SQLiteStateStore
from crawler.dedup.state import StateStoreError
from crawler.dedup.decide import Deduplicator
from crawler.dedup.fingerprint import body_digest

# The tables that kept their layout in every schema.
COMMON = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
# Schema 1: articles and bodies clustered by their 20-byte digests.
SCHEMA_1 = COMMON + """
CREATE TABLE articles (
    id BLOB PRIMARY KEY, body_sha1 BLOB NOT NULL, duplicate_of BLOB, site TEXT NOT NULL,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_run TEXT NOT NULL, canonical_url TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE bodies (body_sha1 BLOB PRIMARY KEY, id BLOB NOT NULL) WITHOUT ROWID;
"""
# Schema 2: rows appended, found through an index on the digest's first 8 bytes.
SCHEMA_2 = COMMON + """
CREATE TABLE articles (
    id_key INTEGER NOT NULL, id BLOB NOT NULL, body_sha1 BLOB NOT NULL, duplicate_of BLOB, site TEXT NOT NULL,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_run TEXT NOT NULL, canonical_url TEXT NOT NULL
);
CREATE INDEX articles_by_key ON articles (id_key);
CREATE TABLE bodies (body_key INTEGER NOT NULL, body_sha1 BLOB NOT NULL, id BLOB NOT NULL);
CREATE INDEX bodies_by_key ON bodies (body_key);
"""


def digest_key(digest: bytes) -> int:
    return struct.unpack(">q", digest[:8])[0]


ARTICLES = [
    (f"http://www.mca.gov.cn/article/xw/{n}.shtml", f"第{n}篇。民政部召开会议，部署养老服务工作。" * 3) for n in range(300)
]
REPUBLISHED_URL = "http://www.gov.cn/xinwen/republished.htm"


def sha1(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def write_old_store(path: Path, version: int) -> None:
    """A store as schema-``version`` code left it after one finished run of "mca"."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1 if version == 1 else SCHEMA_2)
    db.execute("PRAGMA application_id = 1296974129")  # "MNA1"
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))

    def article(id_: bytes, body: bytes, dup: bytes | None, site: str, first: float, last: float, url: str) -> None:
        if version == 1:
            db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, 'r1', ?)", (id_, body, dup, site, first, last, url))
        else:
            db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, 'r1', ?)",
                       (digest_key(id_), id_, body, dup, site, first, last, url))

    def first_body(digest: bytes, id_: bytes) -> None:
        if version == 1:
            db.execute("INSERT INTO bodies VALUES (?, ?)", (digest, id_))
        else:
            db.execute("INSERT INTO bodies VALUES (?, ?, ?)", (digest_key(digest), digest, id_))

    for n, (url, body) in enumerate(ARTICLES):
        digest = bytes.fromhex(body_digest(body))
        article(sha1(url), digest, None, "mca", 1000.0 + n, 2000.0, url)
        first_body(digest, sha1(url))
    # A republication recorded as a duplicate, and a redirect source.
    article(sha1(REPUBLISHED_URL), bytes.fromhex(body_digest(ARTICLES[0][1])), sha1(ARTICLES[0][0]), "gov", 3000, 3000,
            REPUBLISHED_URL)
    if version == 2:
        # Schema 2 could hold a later row for an id (two writers at once): the later state wins, the first sighting stays;
        # and a later row for a body, whose first owner stays.
        article(sha1(ARTICLES[9][0]), bytes.fromhex(body_digest(ARTICLES[9][1])), None, "mca", 5000, 5000, ARTICLES[9][0])
        first_body(bytes.fromhex(body_digest(ARTICLES[5][1])), sha1(REPUBLISHED_URL))
    db.execute("INSERT INTO links VALUES (?, ?)", (sha1("http://www.mca.gov.cn/old/1.htm"), sha1(ARTICLES[1][0])))
    db.execute("INSERT INTO sessions VALUES ('r1', 'mca', 1, 1000, 2000, 'finished')")
    db.commit()
    db.close()


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_is_upgraded_and_answers_as_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, version: int
) -> None:
    path = tmp_path / "state.sqlite"
    write_old_store(path, version)
    caplog.set_level(logging.INFO, logger="crawler.dedup.sqlite")
    store = SQLiteStateStore(path)
    assert SCHEMA_VERSION == 3
    assert sum(f"upgrading schema {version}" in record.getMessage() for record in caplog.records) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "3"
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(ARTICLES) + 1
        assert db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0] == len(ARTICLES)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {"articles_old", "bodies_old"} & tables
        assert [row[1] for row in db.execute("PRAGMA table_info(articles)")][:2] == ["id", "body_sha1"]

    first_id = sha1(ARTICLES[0][0]).hex()
    article = store.get_article(first_id)
    assert article is not None and article.site == "mca" and article.first_seen == 1000.0 and article.last_run == "r1"
    ninth = store.get_article(sha1(ARTICLES[9][0]).hex())
    assert ninth is not None and ninth.first_seen == 1009.0
    assert ninth.last_seen == (5000.0 if version == 2 else 2000.0)
    republished = store.get_article(sha1(REPUBLISHED_URL).hex())
    assert republished is not None and republished.duplicate_of == first_id
    assert store.find_body(body_digest(ARTICLES[5][1])) == sha1(ARTICLES[5][0]).hex()  # the first owner
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

    # Reopened: no second upgrade, the change kept, first_seen kept from the old schema.
    caplog.clear()
    store = SQLiteStateStore(path)
    assert not [record for record in caplog.records if "upgrad" in record.getMessage()]
    updated = store.get_article(sha1(ARTICLES[3][0]).hex())
    assert updated is not None and updated.body_sha1 == body_digest("全文更正。" * 30)
    assert updated.first_seen == 1003.0 and updated.last_run == "r2"
    store.close()


def test_new_store_is_created_at_the_current_schema(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.sqlite"
    caplog.set_level(logging.INFO, logger="crawler.dedup.sqlite")
    for _ in range(2):
        SQLiteStateStore(path).close()
    assert not [record for record in caplog.records if "upgrad" in record.getMessage()]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


@pytest.mark.parametrize("version", [1, 2])
def test_failed_upgrade_leaves_the_old_file_as_it_was(tmp_path: Path, version: int) -> None:
    path = tmp_path / "state.sqlite"
    write_old_store(path, version)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles_old (x)")  # in the way of the rename: the upgrade must fail
    before = sqlite3.connect(path).execute("SELECT id, body_sha1 FROM articles ORDER BY id").fetchall()
    with pytest.raises(StateStoreError):
        SQLiteStateStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(version)
        assert db.execute("SELECT id, body_sha1 FROM articles ORDER BY id").fetchall() == before
