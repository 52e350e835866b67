"""The default state store: one SQLite file in WAL mode, shared by the seeds of an OUTPUT_DIR.

Every write runs at once inside one open write transaction, which is
committed every ``commit_every`` writes or ``commit_interval`` seconds,
whichever comes first, and on :meth:`SQLiteStateStore.flush` and
:meth:`~SQLiteStateStore.close`. Reads use the same connection, so they see
the uncommitted writes; the upserts in SQL are the only rules for merging a
row with what is stored. A crawl killed with ``kill -9`` loses at most the
open transaction, which the next run re-derives (docs/scheduling.md).

Other processes (other seeds writing into the same OUTPUT_DIR) wait up to
``lock_timeout`` seconds for the write lock; longer is an error
(:class:`StateStoreLocked`), never a silent skip. Ids and digests are kept as
20-byte blobs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from crawler.dedup.state import (ArticleState, KilledSession, ListPageState, StateStore, StateStoreCorrupt,
                                 StateStoreError, StateStoreLocked, Validators)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# "MNA1": marks the SQLite file as ours, so a foreign database is never taken over.
APPLICATION_ID = 0x4D4E4131
SQLITE_HEADER = b"SQLite format 3\x00"
_CHUNK = 400  # keys per IN (…) query, well under SQLite's variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id BLOB PRIMARY KEY, body_sha1 BLOB NOT NULL, duplicate_of BLOB, site TEXT NOT NULL,
    first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_run TEXT NOT NULL, canonical_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bodies (body_sha1 BLOB PRIMARY KEY, id BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS links (url_key BLOB PRIMARY KEY, id BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS listed_links (url_key BLOB PRIMARY KEY, first_run TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signatures (id BLOB PRIMARY KEY, signature BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lsh_bands (band_key INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (band_key, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validators (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT, body_sha1 BLOB, updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_pages (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, site TEXT NOT NULL, last_seen REAL NOT NULL,
    article_count INTEGER NOT NULL, new_count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentence_fingerprints (id BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
    run_id TEXT NOT NULL, site TEXT NOT NULL, pid INTEGER NOT NULL, started REAL NOT NULL, ended REAL, outcome TEXT,
    PRIMARY KEY (run_id, site)
);
"""

# A stored article keeps its first sighting; everything else is the latest.
_UPSERT_ARTICLE = (
    "INSERT INTO articles (id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url) "
    "{select} ON CONFLICT (id) DO UPDATE SET body_sha1 = excluded.body_sha1, duplicate_of = excluded.duplicate_of, "
    "site = excluded.site, last_seen = excluded.last_seen, last_run = excluded.last_run, "
    "canonical_url = excluded.canonical_url"
)
# The first record seen with a body keeps it.
_INSERT_BODY = "INSERT OR IGNORE INTO bodies (body_sha1, id) {select}"

# Schemas 1 and 2 kept articles and bodies in other layouts (1: clustered by
# digest; 2: appended rows found through an index on an 8-byte key prefix);
# their rows are copied in the order they were written, so the latest state
# of an article and the first owner of a body win as they did.
_ARTICLE_COLUMNS = "id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url"
_UPGRADE_ORDER = {1: "first_seen", 2: "rowid"}


def _blob(hexdigest: str) -> bytes:
    return bytes.fromhex(hexdigest)


def _hex(blob: bytes | None) -> str | None:
    return blob.hex() if blob is not None else None


def _url_key(url: str) -> bytes:
    """Key of a canonical URL: its SHA-1, the same digest as an article id."""
    return hashlib.sha1(url.encode("utf-8")).digest()


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    yield from (items[start : start + _CHUNK] for start in range(0, len(items), _CHUNK))


class SQLiteStateStore(StateStore):
    """:class:`StateStore` in one SQLite file (WAL mode, writes committed in batches)."""

    # One open store per state file in a process (see shared()): two connections
    # in one thread would each wait for the other's write lock, and the thread
    # that could commit is the one waiting.
    _shared: dict[Path, SQLiteStateStore] = {}

    def __init__(
        self, path: str | Path, *, commit_every: int = 50000, commit_interval: float = 2.0, lock_timeout: float = 30.0
    ) -> None:
        self.path = Path(path)
        self._users = 1
        # Called with commit_if_open when a batch starts; a crawl passes a
        # reactor.callLater(0, …) so the write lock is held for one reactor turn,
        # not until the batch fills, and other processes writing the same file never wait long.
        self.schedule_commit: Callable[[Callable[[], None]], Any] | None = None
        self.commit_every = max(1, int(commit_every))
        self.commit_interval = float(commit_interval)
        self.lock_timeout = float(lock_timeout)
        self._pending_writes = 0
        self._batch_started = 0.0
        self._closed = False
        self._check_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(self.path), timeout=self.lock_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StateStoreError(f"cannot open state store {self.path}: {exc}") from exc
        try:
            self._setup()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def shared(cls, path: str | Path, **options: Any) -> SQLiteStateStore:
        """The process's open store for ``path`` (opened now if none is); each caller closes it once."""
        key = Path(path).resolve()
        store = cls._shared.get(key)
        if store is not None and not store._closed:
            store._users += 1
            return store
        store = cls._shared[key] = cls(path, **options)
        return store

    # -- opening -------------------------------------------------------------
    def _check_file(self) -> None:
        if not self.path.exists():
            return
        if not self.path.is_file():
            raise StateStoreCorrupt(f"state store {self.path} is not a regular file")
        try:
            with self.path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StateStoreError(f"cannot read state store {self.path}: {exc}") from exc
        if header and header != SQLITE_HEADER:
            raise StateStoreCorrupt(
                f"state store {self.path} is not an SQLite database (corrupt?); "
                "refusing to overwrite it — move it aside or set STATE_PATH"
            )

    def _tables(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _setup(self) -> None:
        db = self._db
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
            # Check the file is ours before changing anything in it (even the journal mode).
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            if self._tables() and app_id != APPLICATION_ID:
                raise StateStoreCorrupt(
                    f"state store {self.path} is an SQLite database of something else "
                    f"(application_id={app_id}); refusing to use it"
                )
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("State store %s: WAL mode unavailable (journal_mode=%s)", self.path, mode)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            tables = self._tables()  # again, inside the transaction: another process may have set it up meanwhile
            if not tables:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            version = self._stored_schema_version(tables)
            if version is not None and version > SCHEMA_VERSION:
                db.execute("ROLLBACK")
                raise StateStoreError(
                    f"state store {self.path} has schema version {version}, newer than this code "
                    f"({SCHEMA_VERSION}); upgrade the crawler"
                )
            if version in _UPGRADE_ORDER:
                self._upgrade_from(version)
            self._run_script(_SCHEMA)
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )
            db.execute("COMMIT")
        except StateStoreError:
            raise
        except sqlite3.OperationalError as exc:
            raise self._translate(exc) from exc
        except sqlite3.DatabaseError as exc:
            raise StateStoreCorrupt(
                f"state store {self.path} is corrupt ({exc}); refusing to overwrite it — "
                "move it aside or set STATE_PATH"
            ) from exc

    def _stored_schema_version(self, tables: set[str]) -> int | None:
        """The file's schema version; None for a new file. Before versions were recorded, 1."""
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None:
                return int(row[0])
        return 1 if "articles" in tables else None

    def _upgrade_from(self, version: int) -> None:
        """Copy an older schema's articles and bodies into schema 3 (inside the open transaction)."""
        started = time.monotonic()
        count = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        logger.info("State store %s: upgrading schema %d to %d (%d articles)", self.path, version, SCHEMA_VERSION, count)
        body_order = "ORDER BY rowid" if version == 2 else ""  # schema 1's bodies had one row per digest
        self._run_script(
            "ALTER TABLE articles RENAME TO articles_old; ALTER TABLE bodies RENAME TO bodies_old;"
            + _SCHEMA
            + _UPSERT_ARTICLE.format(
                select=f"SELECT {_ARTICLE_COLUMNS} FROM articles_old WHERE true ORDER BY {_UPGRADE_ORDER[version]}"
            )
            + ";"
            + _INSERT_BODY.format(select=f"SELECT body_sha1, id FROM bodies_old {body_order}")
            + "; DROP TABLE articles_old; DROP TABLE bodies_old;"
        )
        logger.info("State store %s: upgraded in %.1fs", self.path, time.monotonic() - started)

    def _run_script(self, script: str) -> None:
        """Run ``;``-separated statements inside the open transaction (``executescript`` would commit it)."""
        for statement in script.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def _translate(self, exc: sqlite3.Error) -> StateStoreError:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return StateStoreLocked(
                f"state store {self.path} is locked by another process (waited {self.lock_timeout:g}s): {exc}"
            )
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text and "not a database" not in text:
            return StateStoreError(f"state store {self.path} failed: {exc}")
        return StateStoreCorrupt(f"state store {self.path} is corrupt: {exc}")

    # -- statements ------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a write for each row inside the open batch; commit the batch when it is full or old."""
        self._check_open()
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
                self._batch_started = time.monotonic()
                if self.schedule_commit is not None:
                    self.schedule_commit(self.flush)
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        self._pending_writes += len(rows)
        if self._pending_writes >= self.commit_every or time.monotonic() - self._batch_started >= self.commit_interval:
            self.flush()

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_open()
        try:
            return self._db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    def commit_if_due(self) -> None:
        """Commit the open batch once it is ``commit_interval`` old, even if no write follows.

        :func:`~crawler.dedup.state.open_state_store` calls it from a reactor
        timer, so a crawl killed after a quiet spell keeps what it wrote before.
        """
        if not self._closed and self._db.in_transaction and time.monotonic() - self._batch_started >= self.commit_interval:
            self.flush()

    def flush(self) -> None:
        if self._closed:
            return
        if self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc
        self._pending_writes = 0

    def close(self) -> None:
        if self._closed:
            return
        self._users -= 1
        if self._users > 0:
            self.flush()  # another crawler in this process still uses it
            return
        self._shared.pop(self.path.resolve(), None)
        try:
            self.flush()
        finally:
            self._closed = True
            self._db.close()

    # -- articles ------------------------------------------------------------
    def get_article(self, article_id: str) -> ArticleState | None:
        rows = self._read(
            "SELECT canonical_url, body_sha1, site, duplicate_of, first_seen, last_seen, last_run FROM articles WHERE id = ?",
            (_blob(article_id),),
        )
        if not rows:
            return None
        url, body, site, duplicate_of, first, last, run = rows[0]
        return ArticleState(article_id, url, body.hex(), site, _hex(duplicate_of), first, last, run)

    def put_article(self, article: ArticleState) -> None:
        now = time.time()
        row = (
            _blob(article.id),
            _blob(article.body_sha1),
            _blob(article.duplicate_of) if article.duplicate_of else None,
            article.site,
            article.first_seen or now,
            article.last_seen or now,
            article.last_run,
            article.canonical_url,
        )
        self._write(_UPSERT_ARTICLE.format(select="VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), [row])

    def known_articles(self, article_ids: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(article_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._read(f"SELECT id FROM articles WHERE id IN ({marks})", [_blob(i) for i in chunk])
            known.update(row[0].hex() for row in rows)
        return known

    def find_body(self, body_sha1: str) -> str | None:
        rows = self._read("SELECT id FROM bodies WHERE body_sha1 = ?", (_blob(body_sha1),))
        return rows[0][0].hex() if rows else None

    def add_body(self, body_sha1: str, article_id: str) -> None:
        self._write(_INSERT_BODY.format(select="VALUES (?, ?)"), [(_blob(body_sha1), _blob(article_id))])

    def put_link(self, url: str, article_id: str) -> None:
        self._write(
            "INSERT INTO links (url_key, id) VALUES (?, ?) ON CONFLICT (url_key) DO UPDATE SET id = excluded.id",
            [(_url_key(url), _blob(article_id))],
        )

    def known_links(self, urls: Sequence[str]) -> set[str]:
        # An article's id is the digest of its canonical URL, so both tables are keyed alike.
        by_key = {_url_key(url): url for url in urls}
        known: set[str] = set()
        for chunk in _chunks(list(by_key)):
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT id FROM articles WHERE id IN ({marks}) UNION SELECT url_key FROM links WHERE url_key IN ({marks})",
                [*chunk, *chunk],
            )
            known.update(by_key[bytes(row[0])] for row in rows)
        return known

    # -- signatures ----------------------------------------------------------
    def get_signature(self, article_id: str) -> bytes | None:
        rows = self._read("SELECT signature FROM signatures WHERE id = ?", (_blob(article_id),))
        return bytes(rows[0][0]) if rows else None

    def put_signature(self, article_id: str, signature: bytes, band_keys: Sequence[int]) -> None:
        blob = _blob(article_id)
        self._write(
            "INSERT INTO signatures (id, signature) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET signature = excluded.signature",
            [(blob, signature)],
        )
        self._write("INSERT OR IGNORE INTO lsh_bands (band_key, id) VALUES (?, ?)", [(key, blob) for key in band_keys])

    def delete_signature(self, article_id: str, band_keys: Sequence[int]) -> None:
        blob = _blob(article_id)
        self._write("DELETE FROM lsh_bands WHERE band_key = ? AND id = ?", [(key, blob) for key in band_keys])
        self._write("DELETE FROM signatures WHERE id = ?", [(blob,)])

    def band_candidates(self, band_keys: Sequence[int], limit: int = 50) -> list[str]:
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self._read(
            f"SELECT id, COUNT(*) AS shared FROM lsh_bands WHERE band_key IN ({marks}) "
            "GROUP BY id ORDER BY shared DESC, id LIMIT ?",
            [*band_keys, int(limit)],
        )
        return [row[0].hex() for row in rows]

    # -- conditional requests ----------------------------------------------
    def get_validators(self, url: str) -> Validators | None:
        rows = self._read("SELECT etag, last_modified, body_sha1 FROM validators WHERE url_key = ?", (_url_key(url),))
        return Validators(rows[0][0], rows[0][1], _hex(rows[0][2])) if rows else None

    def put_validators(self, url: str, validators: Validators) -> None:
        # A response without a new body (a 304) keeps the stored body digest.
        self._write(
            "INSERT INTO validators (url_key, url, etag, last_modified, body_sha1, updated) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url_key) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
            "body_sha1 = COALESCE(excluded.body_sha1, validators.body_sha1), updated = excluded.updated",
            [(
                _url_key(url),
                url,
                validators.etag,
                validators.last_modified,
                _blob(validators.body_sha1) if validators.body_sha1 else None,
                time.time(),
            )],
        )

    # -- list pages ------------------------------------------------------------
    def get_list_page(self, url: str) -> ListPageState | None:
        rows = self._read(
            "SELECT url, site, last_seen, article_count, new_count FROM list_pages WHERE url_key = ?", (_url_key(url),)
        )
        return ListPageState(*rows[0]) if rows else None

    def put_list_page(self, page: ListPageState) -> None:
        self._write(
            "INSERT INTO list_pages (url_key, url, site, last_seen, article_count, new_count) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url_key) DO UPDATE SET site = excluded.site, last_seen = excluded.last_seen, "
            "article_count = excluded.article_count, new_count = excluded.new_count",
            [(_url_key(page.url), page.url, page.site, page.last_seen, page.article_count, page.new_count)],
        )

    def mark_listed(self, urls: Sequence[str], run_id: str) -> None:
        if urls:
            self._write(
                "INSERT OR IGNORE INTO listed_links (url_key, first_run) VALUES (?, ?)",
                [(_url_key(url), run_id) for url in urls],
            )

    def listed_before(self, urls: Sequence[str], run_id: str) -> set[str]:
        by_key = {_url_key(url): url for url in urls}
        found: set[str] = set()
        for chunk in _chunks(list(by_key)):
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT url_key FROM listed_links WHERE first_run != ? AND url_key IN ({marks})", [run_id, *chunk]
            )
            found.update(by_key[bytes(row[0])] for row in rows)
        return found

    # -- sessions --------------------------------------------------------------
    def begin_session(self, run_id: str, site: str) -> list[KilledSession]:
        rows = self._read(
            "SELECT run_id, started FROM sessions WHERE site = ? AND ended IS NULL AND run_id != ? ORDER BY started",
            (site, run_id),
        )
        self._write(
            "INSERT INTO sessions (run_id, site, pid, started) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id, site) DO UPDATE SET pid = excluded.pid, ended = NULL, outcome = NULL",
            [(run_id, site, os.getpid(), time.time())],
        )
        self.flush()
        return [KilledSession(run_id=run, site=site, started=started) for run, started in rows]

    def end_session(self, run_id: str, site: str, outcome: str = "finished") -> None:
        self._write(
            "UPDATE sessions SET ended = ?, outcome = ? WHERE run_id = ? AND site = ?",
            [(time.time(), outcome, run_id, site)],
        )
        self.flush()

    def last_outcome(self, site: str, before_run: str) -> str | None:
        rows = self._read(
            "SELECT COALESCE(outcome, 'running') FROM sessions WHERE site = ? AND run_id != ? ORDER BY started DESC LIMIT 1",
            (site, before_run),
        )
        return rows[0][0] if rows else None

    # -- site notes ------------------------------------------------------------
    # In the ``meta`` table under "site:<site>:<key>": no table of their own.
    def get_site_note(self, site: str, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (f"site:{site}:{key}",))
        return rows[0][0] if rows else None

    def put_site_note(self, site: str, key: str, value: str) -> None:
        self._write(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(f"site:{site}:{key}", value)],
        )

    def get_sentence_fingerprints(self, article_id: str) -> bytes | None:  # an additive table: no schema bump
        rows = self._read("SELECT data FROM sentence_fingerprints WHERE id = ?", (_blob(article_id),))
        return bytes(rows[0][0]) if rows else None

    def put_sentence_fingerprints(self, article_id: str, fingerprints: bytes) -> None:
        self._write("INSERT OR REPLACE INTO sentence_fingerprints VALUES (?, ?)", [(_blob(article_id), fingerprints)])
