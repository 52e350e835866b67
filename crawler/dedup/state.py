"""State kept across crawl runs: what was seen, with which body, and how to re-check it.

Every seed crawled into one ``OUTPUT_DIR`` shares one store, so an article
republished on a second ministry's site is caught in a later run. The
interface (:class:`StateStore`) is small on purpose: SQLite serves a single
machine; a shared store (Redis, a database server) can implement the same
methods for distributed crawls.

Ids and digests are hex strings at the interface; the SQLite store keeps them
as 20-byte blobs to halve the file and index size.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import json
import logging
import operator
import os
import sqlite3
import queue
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# "MNA1": marks the SQLite file as ours, so a foreign database is never taken over.
APPLICATION_ID = 0x4D4E4131
SQLITE_HEADER = b"SQLite format 3\x00"


class StateStoreError(RuntimeError):
    """The state store cannot be used; the run must stop without touching it."""


class StateStoreCorrupt(StateStoreError):
    """The state file is damaged or is not ours."""


class StateStoreLocked(StateStoreError):
    """Another process holds the state file's write lock for too long."""


class ArticleState(NamedTuple):
    """What the store knows about one canonical URL.

    A named tuple: built once for every article a crawl stores, and that is
    one C call rather than a Python ``__init__``; its fields after the id are
    the row a store buffers (``article[1:]``).
    """

    id: str
    canonical_url: str
    body_sha1: str
    site: str = ""
    duplicate_of: str | None = None  # set when this URL only ever showed another record's body
    first_seen: float = 0.0
    last_seen: float = 0.0
    last_run: str = ""


@dataclass
class Validators:
    """HTTP validators last seen for a fetched URL, for conditional requests."""

    etag: str | None
    last_modified: str | None
    body_sha1: str | None = None


@dataclass
class ListPageState:
    """What a list page held the last time it was crawled."""

    url: str
    site: str
    last_seen: float
    article_count: int
    new_count: int


@dataclass
class KilledSession:
    """A previous run of a site that never closed the store (killed or crashed)."""

    run_id: str
    site: str
    started: float


class StateStore(ABC):
    """Persistent dedup and re-check state, shared by all seeds of an OUTPUT_DIR."""

    # -- articles and exact duplicates -------------------------------------
    @abstractmethod
    def get_article(self, article_id: str) -> ArticleState | None: ...

    @abstractmethod
    def put_article(self, article: ArticleState) -> None: ...

    @abstractmethod
    def known_articles(self, article_ids: Sequence[str]) -> set[str]:
        """Which of ``article_ids`` the store has seen."""

    @abstractmethod
    def find_body(self, body_sha1: str) -> str | None:
        """Id of the first record seen with this body digest."""

    @abstractmethod
    def add_body(self, body_sha1: str, article_id: str) -> None:
        """Remember ``article_id`` as the first record with this body (first writer wins)."""

    def lookup(self, article_id: str, body_sha1: str) -> tuple[ArticleState | None, str | None]:
        """``get_article`` and ``find_body`` together (one round trip where the store allows)."""
        return self.get_article(article_id), self.find_body(body_sha1)

    def record_article(self, article: ArticleState, first_with_body: bool) -> None:
        """``put_article``, then ``add_body(article.body_sha1, article.id)`` when ``first_with_body``: one call."""
        self.put_article(article)
        if first_with_body:
            self.add_body(article.body_sha1, article.id)

    @abstractmethod
    def put_link(self, url: str, article_id: str) -> None:
        """Remember that following ``url`` (a canonical URL) led to ``article_id`` (redirects, rel=canonical)."""

    @abstractmethod
    def known_links(self, urls: Sequence[str]) -> set[str]:
        """Which canonical ``urls`` are known: an article's own canonical URL or a remembered link to one."""

    # -- near-duplicate signatures (LSH buckets) ---------------------------
    @abstractmethod
    def get_signature(self, article_id: str) -> bytes | None: ...

    @abstractmethod
    def put_signature(self, article_id: str, signature: bytes, band_keys: Sequence[int]) -> None:
        """Store a MinHash signature and its LSH band keys (replacing any older ones)."""

    @abstractmethod
    def delete_signature(self, article_id: str, band_keys: Sequence[int]) -> None: ...

    @abstractmethod
    def band_candidates(self, band_keys: Sequence[int], limit: int = 50) -> list[str]:
        """Ids sharing at least one LSH band key, most shared bands first."""

    # -- conditional requests ----------------------------------------------
    @abstractmethod
    def get_validators(self, url: str) -> Validators | None: ...

    @abstractmethod
    def put_validators(self, url: str, validators: Validators) -> None: ...

    # -- list pages ----------------------------------------------------------
    @abstractmethod
    def get_list_page(self, url: str) -> ListPageState | None: ...

    @abstractmethod
    def put_list_page(self, page: ListPageState) -> None: ...

    @abstractmethod
    def mark_listed(self, urls: Sequence[str], run_id: str) -> None:
        """Remember that these article links were listed (on some list page) in run ``run_id``."""

    @abstractmethod
    def listed_before(self, urls: Sequence[str], run_id: str) -> set[str]:
        """Which of ``urls`` were listed in a run other than ``run_id``."""

    # -- sessions ------------------------------------------------------------
    @abstractmethod
    def begin_session(self, run_id: str, site: str) -> list[KilledSession]:
        """Record a run start; return earlier runs of ``site`` that never ended.

        They stay unended until :meth:`end_session` is called for them (with
        outcome ``"killed"``) once whatever they left behind has been dealt with.
        """

    @abstractmethod
    def end_session(self, run_id: str, site: str, outcome: str = "finished") -> None:
        """Record how a run ended: its finish reason, or ``"killed"``."""

    @abstractmethod
    def last_outcome(self, site: str, before_run: str) -> str | None:
        """Outcome of the latest run of ``site`` other than ``before_run`` (None: no earlier run)."""

    # -- lifecycle -----------------------------------------------------------
    @abstractmethod
    def flush(self) -> None:
        """Make every write so far durable."""

    @abstractmethod
    def close(self) -> None: ...


# Called several times per article: the builtin itself, not a wrapper around it.
_blob = bytes.fromhex


def _hex(blob: bytes | None) -> str | None:
    return blob.hex() if blob is not None else None


def _url_key(url: str) -> bytes:
    return hashlib.sha1(url.encode("utf-8")).digest()


# The bit masks of a digest's block: each sets 3 of a block's 16 bits, one
# mask per value of the digest's 12 bits that follow the block index (the 560
# three-bit masks in turn: 176 of them eight times, the others seven).
_BLOCK_MASKS = array.array("H", itertools.islice(
    itertools.cycle(sum(1 << bit for bit in bits) for bits in itertools.combinations(range(16), 3)), 4096
))


class DigestFilter:
    """A Bloom filter over SHA-1 digests: "surely absent" lets a brand-new article skip a lookup.

    Blocked: a digest sets 3 bits of one 16-bit block, picked by its leading
    hex digits (the block) and the 12 bits after them (which 3 bits), so a
    probe is one int() of a slice, one mask from a table, and one block read
    and written. That is half the interpreted work of probing bits spread
    over the whole filter (micro-benchmark: ~0.85 µs a new digest instead of
    ~1.25), and one cache line instead of two. At 16 bits a digest, a full
    filter says "maybe" for about one absent digest in 70 (measured: 1.4 %,
    as the two spread probes it replaced), one in 250 when half full (0.4 %);
    a false "maybe" costs one indexed lookup. Everything comes from the
    digest's first 8 bytes, so the filter can be rebuilt from the stores'
    key indexes without reading a single row.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1 << 16, capacity)
        # A block a digest (16 bits), a power of two: 1 MB at least, 512 MB at most.
        block_bits = min(28, max(19, (self.capacity - 1).bit_length()))
        self.mask = (1 << block_bits) - 1
        self.digits = -(-(block_bits + 12) // 4)  # hex digits a probe reads (at most 10 of the key's 16)
        self.bits = array.array("H", bytes(2 << block_bits))
        self.count = 0

    def add(self, digest: bytes) -> bool:
        """Add a digest; True if it may have been in already."""
        return self.add_hex(digest[:8].hex())

    def add_hex(self, hexdigest: str) -> bool:
        """Add a digest given in hex (what the store's callers hold); True if it may have been in already."""
        # Two or three times per article: the probe is written out here, not
        # shared with __contains__ a call away.
        word = int(hexdigest[: self.digits], 16)
        block = word >> 12 & self.mask
        wanted = _BLOCK_MASKS[word & 4095]
        bits = self.bits
        value = bits[block]
        if value & wanted == wanted:
            return True  # (maybe) in already: nothing to set, nothing to count
        bits[block] = value | wanted
        self.count += 1
        return False

    def add_key(self, key: int) -> bool:
        """Add a digest by its :func:`digest_key`; True if it may have been in already."""
        return self.add(_KEY_PREFIX.pack(key))

    def add_keys(self, keys: Iterable[int]) -> None:
        """Add many digests by their :func:`digest_key` at once: the same bits as :meth:`add_key` on each.

        A rebuild from the key indexes of a store with a million articles sets
        two million digests' bits; in numpy that takes a fraction of a second
        instead of seconds. Counted as that many digests (a key seen twice too).
        """
        import numpy as np  # the crawl has it (near-duplicate search); only a rebuild needs it here

        words = np.fromiter(keys, dtype=np.int64).view(np.uint64)
        if not len(words):
            return
        words = words >> np.uint64(64 - 4 * self.digits)  # the leading hex digits a probe reads
        blocks = (words >> np.uint64(12)) & np.uint64(self.mask)
        wanted = np.frombuffer(_BLOCK_MASKS, dtype=np.uint16)[(words & np.uint64(4095)).astype(np.intp)]
        np.bitwise_or.at(np.frombuffer(self.bits, dtype=np.uint16), blocks.astype(np.intp), wanted)
        self.count += len(words)

    def __contains__(self, digest: bytes) -> bool:
        word = int.from_bytes(digest[:8], "big") >> (64 - 4 * self.digits)
        wanted = _BLOCK_MASKS[word & 4095]
        return self.bits[word >> 12 & self.mask] & wanted == wanted

    @property
    def full(self) -> bool:
        return self.count > self.capacity


# Schema 2: ``articles`` and ``bodies`` are plain rowid tables, appended to in
# arrival order, found through an index on the first 8 bytes of their digest
# (as a signed integer) and confirmed on the whole digest. Schema 1 kept them
# in WITHOUT ROWID tables clustered by the 20-byte digest: every batch of new
# articles then dirtied pages all over a table of whole rows, and past a few
# hundred thousand articles the writes outgrew the page cache. Now the random
# inserts go into two narrow indexes (about 20 bytes an entry), the rows are
# appended at the end of their tables.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id_key INTEGER NOT NULL,
    id BLOB NOT NULL,
    body_sha1 BLOB NOT NULL,
    duplicate_of BLOB,
    site TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    last_run TEXT NOT NULL,
    canonical_url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_key ON articles (id_key);
CREATE TABLE IF NOT EXISTS bodies (body_key INTEGER NOT NULL, body_sha1 BLOB NOT NULL, id BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS bodies_by_key ON bodies (body_key);
CREATE TABLE IF NOT EXISTS links (url_key BLOB PRIMARY KEY, id BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS listed_links (url_key BLOB PRIMARY KEY, first_run TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS signatures (id BLOB PRIMARY KEY, signature BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lsh_bands (
    band_key INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (band_key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validators (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
    body_sha1 BLOB, updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_pages (
    url_key BLOB PRIMARY KEY, url TEXT NOT NULL, site TEXT NOT NULL, last_seen REAL NOT NULL,
    article_count INTEGER NOT NULL, new_count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
    run_id TEXT NOT NULL, site TEXT NOT NULL, pid INTEGER NOT NULL,
    started REAL NOT NULL, ended REAL, outcome TEXT,
    PRIMARY KEY (run_id, site)
);
"""

# Schema 1 -> 2: the two digest-keyed tables are copied into the new layout
# (digest_key() is a Python function registered for the migration only).
_MIGRATE_1_TO_2 = """
ALTER TABLE articles RENAME TO articles_schema1;
ALTER TABLE bodies RENAME TO bodies_schema1;
CREATE TABLE articles (
    id_key INTEGER NOT NULL, id BLOB NOT NULL, body_sha1 BLOB NOT NULL, duplicate_of BLOB,
    site TEXT NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_run TEXT NOT NULL,
    canonical_url TEXT NOT NULL
);
INSERT INTO articles (id_key, id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url)
    SELECT digest_key(id), id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url
    FROM articles_schema1 ORDER BY first_seen;
CREATE TABLE bodies (body_key INTEGER NOT NULL, body_sha1 BLOB NOT NULL, id BLOB NOT NULL);
INSERT INTO bodies (body_key, body_sha1, id) SELECT digest_key(body_sha1), body_sha1, id FROM bodies_schema1;
DROP TABLE articles_schema1;
DROP TABLE bodies_schema1;
"""

_KEY_PREFIX = struct.Struct(">q")


def digest_key(digest: bytes) -> int:
    """The index key of a digest: its first 8 bytes as a signed big-endian integer."""
    if len(digest) >= 8:
        return _KEY_PREFIX.unpack_from(digest)[0]
    return _KEY_PREFIX.unpack(digest.ljust(8, b"\0"))[0]


_ARTICLE_COLUMNS = "body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url"
_UPDATE_ARTICLE = (
    "UPDATE articles SET body_sha1 = ?3, duplicate_of = ?4, site = ?5, last_seen = ?7, last_run = ?8, "
    "canonical_url = ?9 WHERE id_key = ?1 AND id = ?2"
)
_INSERT_ARTICLE = (
    "INSERT INTO articles (id_key, id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url) "
    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS (SELECT 1 FROM articles WHERE id_key = ?1 AND id = ?2)"
)
_INSERT_BODY = (
    "INSERT INTO bodies (body_key, body_sha1, id) SELECT ?1, ?2, ?3 "
    "WHERE NOT EXISTS (SELECT 1 FROM bodies WHERE body_key = ?1 AND body_sha1 = ?2)"
)

# The same statements over a whole batch in one step: digests packed 20 bytes
# apiece into one blob each, the other columns as a JSON array. SQLite runs a
# step without the GIL, executemany holds it between rows; so a background
# writer only overlaps with the crawl when a batch is one step. Rows of ?4:
# [id_key, last_seen, canonical_url, first_seen], and site and last_run at
# [4] and [5] only when the chunk has more than one of them (otherwise they
# are ?5 and ?6). SQLite parses a row's JSON again for every ->>, which was
# half the writer's cost of an insert: columns the chunk shares are statement
# parameters, and duplicate_of is read from its packed blob (?3, zeros for
# none). The times go as whole microseconds: JSON formats an integer at a
# tenth of the cost of a float's shortest repr (which was a quarter of
# preparing a batch). Rounding is stable: a time read back and stored again
# keeps its microsecond.
_BULK_UPDATE_ARTICLES = (
    "UPDATE articles SET body_sha1 = substr(?2, j.key * 20 + 1, 20), "
    "duplicate_of = nullif(substr(?3, j.key * 20 + 1, 20), zeroblob(20)), "
    "site = coalesce(?5, j.value ->> 4), last_seen = (j.value ->> 1) / 1e6, last_run = coalesce(?6, j.value ->> 5), "
    "canonical_url = j.value ->> 2 "
    "FROM json_each(?4) AS j WHERE articles.id_key = j.value ->> 0 AND articles.id = substr(?1, j.key * 20 + 1, 20)"
)
_BULK_INSERT_ARTICLES = (
    "INSERT INTO articles (id_key, id, body_sha1, duplicate_of, site, first_seen, last_seen, last_run, canonical_url) "
    "SELECT j.value ->> 0, substr(?1, j.key * 20 + 1, 20), substr(?2, j.key * 20 + 1, 20), "
    "nullif(substr(?3, j.key * 20 + 1, 20), zeroblob(20)), coalesce(?5, j.value ->> 4), "
    "(j.value ->> 3) / 1e6, (j.value ->> 1) / 1e6, coalesce(?6, j.value ->> 5), j.value ->> 2 "
    "FROM json_each(?4) AS j "
    "WHERE NOT EXISTS (SELECT 1 FROM articles WHERE id_key = j.value ->> 0 AND id = substr(?1, j.key * 20 + 1, 20))"
)
# ?3: the body keys as a JSON array.
_BULK_INSERT_BODIES = (
    "INSERT INTO bodies (body_key, body_sha1, id) "
    "SELECT j.value, substr(?1, j.key * 20 + 1, 20), substr(?2, j.key * 20 + 1, 20) FROM json_each(?3) AS j "
    "WHERE NOT EXISTS (SELECT 1 FROM bodies WHERE body_key = j.value AND body_sha1 = substr(?1, j.key * 20 + 1, 20))"
)


_INSERT_BANDS = "INSERT OR IGNORE INTO lsh_bands (band_key, id) VALUES (?, ?)"
# ?1: the ids packed 20 bytes apiece, ?2: their band keys as a JSON array.
_BULK_INSERT_BANDS = (
    "INSERT OR IGNORE INTO lsh_bands (band_key, id) SELECT j.value, substr(?1, j.key * 20 + 1, 20) FROM json_each(?2) AS j"
)


def _band_statements(rows: list[tuple[int, bytes]]) -> list[_Statement]:
    """LSH band rows as bulk inserts (one step each, no GIL held between rows)."""
    statements: list[_Statement] = []
    for start in range(0, len(rows), _BULK_ROWS * 4):
        chunk = rows[start : start + _BULK_ROWS * 4]
        ids = [article_id for _, article_id in chunk]
        if set(map(len, ids)) == {20}:
            statements.append((_BULK_INSERT_BANDS, (b"".join(ids), json.dumps([key for key, _ in chunk])), False))
        else:
            statements.append((_INSERT_BANDS, chunk, True))
    return statements


# An ArticleState without its id, as the store buffers it: (canonical_url,
# body_sha1, site, duplicate_of, first_seen, last_seen, last_run).
_ArticleRow = tuple[str, str, str, "str | None", float, float, str]

# (sql, parameters, many): one execute, or an executemany when many is true.
_Statement = tuple[str, Any, bool]


# Rows per bulk statement: a batch goes to the writer as a few statements, so
# the temporary lists and JSON text built for it stay a few MB.
_BULK_ROWS = 5000

# Columns of buffered _ArticleRow tuples, for map(): the batch's columns are
# built by C loops, not by a Python loop over its rows (which cost a quarter
# of preparing a batch).
_ROW_URL, _ROW_BODY, _ROW_SITE, _ROW_ORIGINAL = (operator.itemgetter(n) for n in range(4))
_ROW_FIRST_SEEN, _ROW_LAST_SEEN, _ROW_RUN = (operator.itemgetter(n) for n in range(4, 7))
_ROW_SITE_AND_RUN = operator.itemgetter(2, 6)


def _keys_of_packed(packed: bytes) -> tuple[int, ...]:
    """The :func:`digest_key` of every 20-byte digest in ``packed``, in one unpack."""
    return struct.unpack(">" + "q12x" * (len(packed) // 20), packed)


def _microseconds(times: Iterable[float]) -> list[int]:
    """Times in whole microseconds (JSON formats an int at a tenth of a float's cost; SQLite divides them back)."""
    return list(map(round, map(operator.mul, times, itertools.repeat(1e6))))


def _article_statements(
    ids: list[str], rows: list[_ArticleRow], maybe_stored: set[str] | None
) -> list[_Statement]:
    """Upserts of the batch's articles (one row per id: the latest state).

    Rows in ``maybe_stored`` (None: all) may already be in the table and are
    updated first; the insert then adds every row not found.
    """
    statements: list[_Statement] = []
    for start in range(0, len(ids), _BULK_ROWS):
        chunk_ids, chunk = ids[start : start + _BULK_ROWS], rows[start : start + _BULK_ROWS]
        if maybe_stored is not None and maybe_stored:
            # Only the rows that may exist are looked up for an update.
            picked = [n for n, article_id in enumerate(chunk_ids) if article_id in maybe_stored]
            if picked:
                statements += _bulk_article_statements(
                    [chunk_ids[n] for n in picked], [chunk[n] for n in picked], update=True, insert=False
                )
            statements += _bulk_article_statements(chunk_ids, chunk, update=False, insert=True)
        else:
            statements += _bulk_article_statements(chunk_ids, chunk, update=maybe_stored is None, insert=True)
    return statements


def _pack_hex(digests: list[str]) -> bytes | None:
    """SHA-1 hex digests as one blob of 20 bytes apiece; None unless every one is a SHA-1 hex digest.

    One ``bytes.fromhex`` over the joined text costs a fraction of one call per digest.
    """
    if set(map(len, digests)) != {40}:
        return None
    try:
        packed = bytes.fromhex("".join(digests))
    except ValueError:
        return None
    return packed if len(packed) == 20 * len(digests) else None  # fromhex skips blanks


_NO_DIGEST_HEX = "0" * 40


def _bulk_article_statements(
    ids: list[str], rows: list[_ArticleRow], *, update: bool, insert: bool
) -> list[_Statement]:
    originals = list(map(_ROW_ORIGINAL, rows))
    packed_ids = _pack_hex(ids)
    packed_bodies = _pack_hex(list(map(_ROW_BODY, rows)))
    # {None: zeros}.get(original, original): the digest itself, or zeros for none (no Python per row).
    packed_originals = _pack_hex(list(map({None: _NO_DIGEST_HEX}.get, originals, originals)))
    if packed_ids is not None and packed_bodies is not None and packed_originals is not None:
        # Columns: [id_key, last_seen, canonical_url, first_seen] (+ [site, last_run]), as tuples:
        # json's quickest path with ASCII escapes and no cycle check.
        columns = [
            _keys_of_packed(packed_ids),
            _microseconds(map(_ROW_LAST_SEEN, rows)),
            map(_ROW_URL, rows),
            _microseconds(map(_ROW_FIRST_SEEN, rows)),
        ]
        shared = set(map(_ROW_SITE_AND_RUN, rows))
        if len(shared) == 1:  # one site and one run (a crawl's batch): they go as parameters
            ((site, run),) = shared
        else:  # each row carries its own (rare: a batch across runs or seeds)
            site = run = None
            columns += [map(_ROW_SITE, rows), map(_ROW_RUN, rows)]
        text = json.dumps(list(zip(*columns)), check_circular=False)
        parameters = (packed_ids, packed_bodies, packed_originals, text, site, run)
        return [(sql, parameters, False) for sql, wanted in ((_BULK_UPDATE_ARTICLES, update), (_BULK_INSERT_ARTICLES, insert)) if wanted]
    statement_rows = []
    for article_id, (canonical_url, body_sha1, site, duplicate_of, first_seen, last_seen, last_run) in zip(ids, rows):
        id_blob = _blob(article_id)
        original = _blob(duplicate_of) if duplicate_of else None
        statement_rows.append(
            (digest_key(id_blob), id_blob, _blob(body_sha1), original, site, first_seen, last_seen, last_run, canonical_url)
        )
    return [(sql, statement_rows, True) for sql, wanted in ((_UPDATE_ARTICLE, update), (_INSERT_ARTICLE, insert)) if wanted]


def _body_statements(digests: list[str], ids: list[str]) -> list[_Statement]:
    """Inserts of the batch's first record per body digest (an already stored digest keeps its record)."""
    statements: list[_Statement] = []
    for start in range(0, len(digests), _BULK_ROWS):
        chunk, chunk_ids = digests[start : start + _BULK_ROWS], ids[start : start + _BULK_ROWS]
        packed = _pack_hex(chunk)
        packed_ids = _pack_hex(chunk_ids)
        if packed is not None and packed_ids is not None:
            statements.append((_BULK_INSERT_BODIES, (packed, packed_ids, json.dumps(_keys_of_packed(packed))), False))
        else:
            rows = [(digest_key(_blob(digest)), _blob(digest), _blob(article_id)) for digest, article_id in zip(chunk, chunk_ids)]
            statements.append((_INSERT_BODY, rows, True))
    return statements


def _prepare_batch(
    articles: dict[str, _ArticleRow],
    maybe_stored: set[str] | None,
    bodies: dict[str, str],
    buffer: dict[str, list[tuple[Any, ...]]],
) -> list[_Statement]:
    """The buffered writes as statements; articles and bodies become bulk statements.

    Done by the caller, so a background writer runs no Python while it holds the GIL.

    Articles and bodies go in digest order, so each batch walks the key
    indexes' leaf pages once, in order, instead of jumping between them. At
    a million articles (bench/dedup.py's data, two interleaved pairs of
    runs) the writer's CPU per article fell from 27.7 and 27.1 µs to 17.7
    and 17.6; sorting costs the crawl thread ~1.2 µs an article
    (micro-benchmark). The sixth pass undid an earlier version of this on
    wall-clock runs, which on this machine cannot tell the two apart.
    """
    statements: list[_Statement] = []
    if articles:
        ids = sorted(articles)  # digest order: see above
        statements += _article_statements(ids, list(map(articles.__getitem__, ids)), maybe_stored)
    if bodies:
        digests = sorted(bodies)
        statements += _body_statements(digests, list(map(bodies.__getitem__, digests)))
    for sql, rows in buffer.items():
        if sql == _INSERT_BANDS:
            statements += _band_statements(rows)
        else:
            statements.append((sql, rows, True))
    return statements


def _execute_batch(db: sqlite3.Connection, statements: list[_Statement]) -> None:
    for sql, parameters, many in statements:
        if many:
            db.executemany(sql, parameters)
        else:
            db.execute(sql, parameters)


class _BackgroundWriter:
    """Commits write batches on its own connection and thread.

    SQLite releases the GIL while it inserts and commits, so a batch's
    B-tree work and WAL checkpoint overlap with the dedup work on the next
    batch instead of stalling it. One batch is in flight at a time.
    """

    def __init__(self, store: SQLiteStateStore, cache_mb: int) -> None:
        self._translate = store._translate
        try:
            self._db = sqlite3.connect(
                str(store.path), timeout=store.lock_timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {int(store.lock_timeout * 1000)}")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
            # Checkpoint every ~80 MB of WAL rather than SQLite's 4 MB: a batch
            # rewrites most index pages, and a page written to the WAL by
            # several batches between checkpoints is copied into the file once.
            self._db.execute("PRAGMA wal_autocheckpoint = 20000")
        except sqlite3.Error as exc:
            raise store._translate(exc) from exc
        self._batches: queue.SimpleQueue[list[_Statement] | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._error: StateStoreError | None = None
        self._thread = threading.Thread(target=self._run, name=f"state-writer-{store.path.name}", daemon=True)
        self._thread.start()

    def submit(self, batch: list[_Statement]) -> None:
        """Queue a batch once the previous one is committed (raising its error, if any)."""
        self.wait()
        self._idle.clear()
        self._batches.put(batch)

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait(self) -> None:
        """Block until the batch in flight is committed; raise the error it met."""
        self._idle.wait()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._batches.put(None)
            self._thread.join()
            self._db.close()

    def _run(self) -> None:
        while True:
            batch = self._batches.get()
            if batch is None:
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                _execute_batch(self._db, batch)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                try:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                self._error = self._translate(exc)
            finally:
                self._idle.set()


class SQLiteStateStore(StateStore):
    """The default store: one SQLite file in WAL mode, writes committed in batches.

    Writes go into one open transaction that is committed every
    ``commit_every`` writes or ``commit_interval`` seconds, whichever comes
    first, and on :meth:`flush`/:meth:`close`. Other processes (other seeds
    writing into the same OUTPUT_DIR) wait up to ``lock_timeout`` seconds for
    the write lock; longer is an error, never a silent skip.

    With ``background_writes`` a full batch is committed by a writer thread
    on its own connection while work goes on; until it is committed, its
    articles, bodies and signatures are answered from memory. A failed
    background commit is raised by the next batch, :meth:`flush` or
    :meth:`close`. The crawl turns it on (``STATE_BACKGROUND_WRITES``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        commit_every: int = 50000,
        commit_interval: float = 2.0,
        lock_timeout: float = 30.0,
        cache_mb: int = 32,
        memory_filter: bool = True,
        background_writes: bool = False,
    ) -> None:
        self.path = Path(path)
        self._background = background_writes
        self._writer: _BackgroundWriter | None = None
        self._cache_mb = cache_mb
        # Built on first lookup from every stored id and body digest. Rows other
        # processes add later are not in it: a republication written by a
        # concurrent run of another seed at the same moment may go unnoticed.
        self._use_filter = memory_filter
        self._filter: DigestFilter | None = None
        self.commit_every = max(1, int(commit_every))
        # Writes that end the open batch: commit_every, or half of it once the
        # batch holds near-duplicate band rows (see put_signature).
        self._batch_limit = self.commit_every
        self.commit_interval = float(commit_interval)
        self.lock_timeout = float(lock_timeout)
        self._pending_writes = 0
        self._batch_started = 0.0
        # Pending rows by statement, statements in order of first use. Articles
        # and bodies are buffered apart, one entry per id or digest: the
        # latest state of an article, the first record with a body. They also
        # answer reads until committed.
        self._buffer: dict[str, list[tuple[Any, ...]]] = {}
        # Buffered articles as _ArticleRow tuples, not ArticleState objects: a
        # tuple of strings and floats leaves the garbage collector's lists,
        # tens of thousands of objects it would otherwise walk again and again.
        self._recent_articles: dict[str, _ArticleRow] = {}
        # Buffered articles that may already be stored (updated, not only inserted); None: all may be.
        self._maybe_stored: set[str] | None = set() if memory_filter else None
        # Ids and body digests a lookup found surely absent and added to the
        # filter there, so the put_article/add_body that follows need not probe
        # it again (a digest never put leaves a bit that costs one lookup).
        self._unseen_ids: set[str] = set()
        self._unseen_bodies: set[str] = set()
        self._recent_bodies: dict[str, str] = {}
        self._recent_signatures: dict[str, bytes] = {}
        self._recent_bands: dict[int, tuple[str, ...]] = {}
        self._recent_validators: dict[bytes, Validators] = {}
        # The batch the background writer is committing (empty otherwise).
        self._committing_articles: dict[str, _ArticleRow] = {}
        self._committing_bodies: dict[str, str] = {}
        self._committing_signatures: dict[str, bytes] = {}
        self._committing_bands: dict[int, tuple[str, ...]] = {}
        self._committing_validators: dict[bytes, Validators] = {}
        self._closed = False
        self._check_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(self.path), timeout=self.lock_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StateStoreError(f"cannot open state store {self.path}: {exc}") from exc
        try:
            # With a background writer the big page cache is the writer's; this
            # connection only reads, and every commit of the writer empties its cache anyway.
            self._setup(min(cache_mb, 2) if background_writes else cache_mb)
        except BaseException:
            self._db.close()
            raise

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

    def _setup(self, cache_mb: int) -> None:
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
            # Check the file is ours before changing anything in it (even the journal mode).
            app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
            tables = {
                row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables and app_id != APPLICATION_ID:
                raise StateStoreCorrupt(
                    f"state store {self.path} is an SQLite database of something else "
                    f"(application_id={app_id}); refusing to use it"
                )
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                logger.warning("State store %s: WAL mode unavailable (journal_mode=%s)", self.path, mode)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
            self._db.execute("PRAGMA temp_store = MEMORY")
            self._db.execute("BEGIN IMMEDIATE")
            tables = {
                row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }  # again, inside the transaction: another process may have created or migrated it meanwhile
            if not tables:
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            version = self._stored_schema_version(tables)
            if version is not None and version > SCHEMA_VERSION:
                self._db.execute("ROLLBACK")
                raise StateStoreError(
                    f"state store {self.path} has schema version {version}, newer than this code "
                    f"({SCHEMA_VERSION}); upgrade the crawler"
                )
            if version == 1:
                self._migrate_from_1()
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )
            self._db.execute("COMMIT")
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

    def _migrate_from_1(self) -> None:
        """Rewrite a schema-1 store's articles and bodies into the schema-2 layout (inside the open transaction)."""
        started = time.monotonic()
        count = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        logger.info("State store %s: upgrading schema 1 to %d (%d articles)", self.path, SCHEMA_VERSION, count)
        self._db.create_function("digest_key", 1, digest_key, deterministic=True)
        try:
            for statement in _MIGRATE_1_TO_2.split(";"):
                if statement.strip():
                    self._db.execute(statement)
        finally:
            self._db.create_function("digest_key", 1, None)
        logger.info("State store %s: upgraded in %.1fs", self.path, time.monotonic() - started)

    def _translate(self, exc: sqlite3.Error) -> StateStoreError:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return StateStoreLocked(
                f"state store {self.path} is locked by another process "
                f"(waited {self.lock_timeout:g}s): {exc}"
            )
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text and "not a database" not in text:
            return StateStoreError(f"state store {self.path} failed: {exc}")
        return StateStoreCorrupt(f"state store {self.path} is corrupt: {exc}")

    # -- write batching ------------------------------------------------------
    # Writes are buffered in memory and sent with executemany when a read
    # needs them or the batch is committed; recent articles and bodies are
    # answered from the buffer, so the hot path never forces a push.
    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")
        self._buffer.setdefault(sql, []).append(params)
        self._count_write()

    def _write_many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")
        self._buffer.setdefault(sql, []).extend(rows)
        self._count_write(max(1, len(rows)))  # every row is buffered until the batch is committed

    def _take_batch(self) -> list[_Statement]:
        """The buffered writes as statements; the buffers are emptied (the articles and bodies stay readable)."""
        statements = _prepare_batch(self._recent_articles, self._maybe_stored, self._recent_bodies, self._buffer)
        self._buffer = {}
        if self._maybe_stored is not None:
            self._maybe_stored = set()
        self._unseen_ids.clear()  # bounded: a later put only probes the filter again
        self._unseen_bodies.clear()
        self._pending_writes = 0
        self._batch_limit = self.commit_every
        return statements

    def _push(self) -> None:
        """Send buffered writes into the open transaction (in order)."""
        if not self._pending_writes:
            return
        # Buffered statements are inserts/upserts into different tables,
        # so sending them grouped by statement (in order within each) is
        # safe; the buffer is kept grouped so pushing needs no regrouping.
        statements = self._take_batch()
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
            _execute_batch(self._db, statements)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    def _count_write(self, rows: int = 1) -> None:
        """More buffered writes (one by default): end the batch if it is now full or old."""
        now = time.monotonic()
        if not self._pending_writes:
            self._batch_started = now
        self._pending_writes += rows
        if self._pending_writes >= self._batch_limit or now - self._batch_started >= self.commit_interval:
            if self._writer_behind():
                return
            self._end_batch()

    def _writer_behind(self) -> bool:
        """True while a due batch should keep growing instead of waiting for the background writer.

        Handing a batch over while the previous one is still being committed
        would stall the crawl until it is; buffering on costs nothing, and the
        larger batch commits faster per row (its index pages are written once
        for more rows). Up to a quarter of a batch more is buffered, then the
        crawl waits; not with near-duplicate signatures in the batch, whose
        dozen band rows an article fill memory faster than waiting costs
        (bench/dedup.py: +10 MB peak in its near-duplicate pass, over its 200 MB goal).
        """
        writer = self._writer
        return (
            writer is not None
            and writer.busy
            and self._pending_writes < self.commit_every + self.commit_every // 4
            and _INSERT_BANDS not in self._buffer
        )

    def commit_if_due(self) -> None:
        """Commit the open batch if it is older than ``commit_interval``.

        Batches are otherwise ended by the write that finds them too old, so
        without this the last writes before a quiet spell would wait for the
        next write; a crawl killed then would lose them (the validators of
        articles already written to JSONL, say). ``open_state_store`` calls it
        from a reactor timer.
        """
        if self._closed or not self._pending_writes:
            return
        if time.monotonic() - self._batch_started >= self.commit_interval and not self._writer_behind():
            self._end_batch()

    def _end_batch(self) -> None:
        if self._background:
            self._hand_off()
        else:
            self.flush()

    def _hand_off(self) -> None:
        """Give the buffered batch to the background writer; its rows move to the committing layer."""
        if self._writer is None:
            self._writer = _BackgroundWriter(self, self._cache_mb)
        self._writer.wait()
        batch = self._take_batch() if self._pending_writes else []
        self._committing_articles, self._recent_articles = self._recent_articles, {}
        self._committing_bodies, self._recent_bodies = self._recent_bodies, {}
        self._committing_signatures, self._recent_signatures = self._recent_signatures, {}
        self._committing_bands, self._recent_bands = self._recent_bands, {}
        self._committing_validators, self._recent_validators = self._recent_validators, {}
        if batch:
            self._writer.submit(batch)

    def _buffered_article(self, article_id: str) -> ArticleState | None:
        row = self._recent_articles.get(article_id) or self._committing_articles.get(article_id)
        return ArticleState(article_id, *row) if row is not None else None

    def _buffered_body(self, body_sha1: str) -> str | None:
        # The earlier batch first: the first record with a body wins. Asked
        # before the table: a body buffered here was not stored when it was
        # added (add_body follows a lookup that found none), and republications
        # within a run, the common duplicates, are answered without SQL.
        return self._committing_bodies.get(body_sha1) or self._recent_bodies.get(body_sha1)

    def _read(self, sql: str, params: Iterable[Any] = (), *, push: bool = True) -> list[tuple[Any, ...]]:
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")
        if push and (self._pending_writes or (self._writer is not None and self._writer.busy)):
            # Commit rather than leave a write transaction open: another
            # process (another seed) may be waiting for the lock.
            self.flush()
        try:
            return self._db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc

    def flush(self) -> None:
        if self._closed:
            return
        if self._writer is not None or (self._background and self._pending_writes):
            self._hand_off()
            assert self._writer is not None
            self._writer.wait()
            self._committing_articles, self._committing_bodies = {}, {}
            self._committing_signatures, self._committing_bands = {}, {}
            self._committing_validators = {}
        self._push()
        if self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc
        self._pending_writes = 0
        self._recent_articles.clear()
        self._recent_bodies.clear()
        self._recent_signatures.clear()
        self._recent_bands.clear()
        self._recent_validators.clear()

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            try:
                if self._writer is not None:
                    self._writer.close()
            finally:
                self._db.close()

    # -- articles ------------------------------------------------------------
    def _stored_article(self, article_id: str, id_blob: bytes) -> ArticleState | None:
        rows = self._read(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id_key = ? AND id = ? ORDER BY rowid DESC LIMIT 1",
            (digest_key(id_blob), id_blob),
            push=False,
        )
        if not rows:
            return None
        body, dup, site, first, last, run, url = rows[0]
        return ArticleState(
            id=article_id,
            canonical_url=url,
            body_sha1=body.hex(),
            site=site,
            duplicate_of=_hex(dup),
            first_seen=first,
            last_seen=last,
            last_run=run,
        )

    def _stored_body(self, body_blob: bytes) -> str | None:
        rows = self._read(
            "SELECT id FROM bodies WHERE body_key = ? AND body_sha1 = ? ORDER BY rowid LIMIT 1",
            (digest_key(body_blob), body_blob),
            push=False,
        )
        return rows[0][0].hex() if rows else None

    def get_article(self, article_id: str) -> ArticleState | None:
        recent = self._buffered_article(article_id)
        if recent is not None:
            return recent
        return self._stored_article(article_id, _blob(article_id))

    def _load_filter(self) -> DigestFilter:
        self.flush()
        self._unseen_ids.clear()  # added to the old filter only
        self._unseen_bodies.clear()
        count = sum(self._read(f"SELECT COUNT(*) FROM {table}")[0][0] for table in ("articles", "bodies"))
        # Room for two million more digests (4 MB), a million articles: a
        # growing store is rarely rescanned (a rescan reads every key).
        digest_filter = DigestFilter(2 * count + 2_000_000)
        # The key indexes hold the digests' first 8 bytes: all the filter needs.
        for table, column in (("articles", "id_key"), ("bodies", "body_key")):
            try:
                digest_filter.add_keys(key for (key,) in self._db.execute(f"SELECT {column} FROM {table}"))
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc
        return digest_filter

    def lookup(self, article_id: str, body_sha1: str) -> tuple[ArticleState | None, str | None]:
        if not self._use_filter:
            recent = self._buffered_article(article_id)
            if recent is not None:
                return recent, self.find_body(body_sha1)
            article = self._stored_article(article_id, _blob(article_id))
            return article, self._buffered_body(body_sha1) or self._stored_body(_blob(body_sha1))
        digest_filter = self._filter
        if digest_filter is None or digest_filter.full:
            digest_filter = self._filter = self._load_filter()
        # Every digest buffered here or stored is in the filter (put_article
        # and add_body add them; a rebuild follows a flush), so "surely
        # absent" also answers the buffers: the common case, a brand-new
        # article, costs two filter probes and no dict or SQL look-up.
        if digest_filter.add_hex(article_id):
            article = self._buffered_article(article_id) or self._stored_article(article_id, _blob(article_id))
        else:
            self._unseen_ids.add(article_id)
            article = None
        if not digest_filter.add_hex(body_sha1):
            self._unseen_bodies.add(body_sha1)
            return article, None
        return article, self._buffered_body(body_sha1) or self._stored_body(_blob(body_sha1))

    def put_article(self, article: ArticleState) -> None:
        self.record_article(article, False)

    def record_article(self, article: ArticleState, first_with_body: bool) -> None:
        # Once per article in a crawl: put_article and add_body in one call
        # (one batch count, one closed check; docs/scheduling.md, sixth pass).
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")
        article_id = article.id
        recent = self._recent_articles
        previous = recent.get(article_id)
        if previous is None and article.first_seen and article.last_seen:
            recent[article_id] = article[1:]  # the row as buffered: the fields after the id
        else:
            now = time.time()
            recent[article_id] = (
                article.canonical_url, article.body_sha1, article.site, article.duplicate_of,
                (_ROW_FIRST_SEEN(previous) if previous else article.first_seen) or now,  # the first sighting's
                article.last_seen or now,
                article.last_run,
            )
        unseen = self._unseen_ids
        if article_id in unseen:
            unseen.discard(article_id)  # in the filter since its lookup, and not stored
        elif self._filter is None or self._filter.add_hex(article_id):
            if self._maybe_stored is not None:
                self._maybe_stored.add(article_id)
        if first_with_body:
            self._count_write(1 + self._buffer_body(article.body_sha1, article_id))
        else:
            self._count_write()

    def known_articles(self, article_ids: Sequence[str]) -> set[str]:
        wanted = set(article_ids)
        known = {article_id for article_id in wanted if self._buffered_article(article_id) is not None}
        keys = sorted({digest_key(_blob(article_id)) for article_id in wanted - known})
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for (blob,) in self._read(f"SELECT id FROM articles WHERE id_key IN ({marks})", chunk):
                if blob.hex() in wanted:
                    known.add(blob.hex())
        return known

    def find_body(self, body_sha1: str) -> str | None:
        return self._stored_body(_blob(body_sha1)) or self._buffered_body(body_sha1)

    def add_body(self, body_sha1: str, article_id: str) -> None:
        if self._closed:
            raise StateStoreError(f"state store {self.path} is closed")
        if self._buffer_body(body_sha1, article_id):
            self._count_write()

    def _buffer_body(self, body_sha1: str, article_id: str) -> int:
        """Buffer the first record with a body: 1 if buffered, 0 if one already was."""
        if body_sha1 in self._recent_bodies:
            return 0  # the first record with this body is already buffered
        self._recent_bodies[body_sha1] = article_id
        if body_sha1 in self._unseen_bodies:
            self._unseen_bodies.discard(body_sha1)
        elif self._filter is not None:
            self._filter.add_hex(body_sha1)
        return 1

    def put_link(self, url: str, article_id: str) -> None:
        self._write(
            "INSERT INTO links (url_key, id) VALUES (?, ?) ON CONFLICT (url_key) DO UPDATE SET id = excluded.id",
            (_url_key(url), _blob(article_id)),
        )

    def known_links(self, urls: Sequence[str]) -> set[str]:
        # An article's id is the digest of its canonical URL, so both tables are keyed alike.
        by_key = {_url_key(url): url for url in urls}
        keys = list(by_key)
        known: set[str] = set()
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT id FROM articles WHERE id_key IN ({marks}) "
                f"UNION SELECT url_key FROM links WHERE url_key IN ({marks})",
                [*(digest_key(key) for key in chunk), *chunk],
            )
            known.update(by_key[bytes(row[0])] for row in rows if bytes(row[0]) in by_key)
        return known

    # -- signatures ----------------------------------------------------------
    # Buffered signatures and band keys are answered from memory, so a
    # near-duplicate search does not force a commit per article.
    def get_signature(self, article_id: str) -> bytes | None:
        recent = self._recent_signatures.get(article_id) or self._committing_signatures.get(article_id)
        if recent is not None:
            return recent
        rows = self._read("SELECT signature FROM signatures WHERE id = ?", (_blob(article_id),), push=False)
        return bytes(rows[0][0]) if rows else None

    def put_signature(self, article_id: str, signature: bytes, band_keys: Sequence[int]) -> None:
        blob = _blob(article_id)
        self._recent_signatures[article_id] = signature
        bands = self._recent_bands
        for key in band_keys:  # tuples, not lists: no garbage-collector work (see _recent_articles)
            bands[key] = bands.get(key, ()) + (article_id,)
        self._write(
            "INSERT INTO signatures (id, signature) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET signature = excluded.signature",
            (blob, signature),
        )
        # Band rows are a few dozen writes an article, each held three times
        # until committed (row, buffered band, then committing band): a batch
        # with them ends at half the size. bench/dedup.py's near-duplicate
        # pass peaked at 199-203 MB with full batches, 185 MB with half ones.
        self._batch_limit = max(1, self.commit_every // 2)
        self._write_many(_INSERT_BANDS, [(key, blob) for key in band_keys])

    def delete_signature(self, article_id: str, band_keys: Sequence[int]) -> None:
        # Deletes must not be reordered with buffered inserts: run them now.
        blob = _blob(article_id)
        self.flush()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM lsh_bands WHERE band_key = ? AND id = ?", [(k, blob) for k in band_keys])
            self._db.execute("DELETE FROM signatures WHERE id = ?", (blob,))
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise self._translate(exc) from exc

    def band_candidates(self, band_keys: Sequence[int], limit: int = 50) -> list[str]:
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self._read(
            f"SELECT id, COUNT(*) AS shared FROM lsh_bands WHERE band_key IN ({marks}) "
            "GROUP BY id ORDER BY shared DESC LIMIT ?",
            [*band_keys, int(limit)],
            push=False,
        )
        shared = {row[0].hex(): row[1] for row in rows}
        stored = set(shared)
        for key in band_keys:
            for article_id in self._committing_bands.get(key, ()):
                if article_id not in stored:  # not committed yet (or counted from the table)
                    shared[article_id] = shared.get(article_id, 0) + 1
        for key in band_keys:
            for article_id in self._recent_bands.get(key, ()):
                shared[article_id] = shared.get(article_id, 0) + 1
        return sorted(shared, key=lambda article_id: -shared[article_id])[:limit]

    # -- validators ----------------------------------------------------------
    # Buffered validators are answered from memory: the conditional-request
    # middleware asks for them before every article request, and a read that
    # committed the open batch first made every article its own commit, with
    # the crawl waiting for the background writer each time.
    def get_validators(self, url: str) -> Validators | None:
        key = _url_key(url)
        buffered = self._recent_validators.get(key) or self._committing_validators.get(key)
        if buffered is not None and buffered.body_sha1 is not None:
            return Validators(buffered.etag, buffered.last_modified, buffered.body_sha1)
        rows = self._read(
            "SELECT etag, last_modified, body_sha1 FROM validators WHERE url_key = ?", (key,), push=False
        )
        stored = Validators(rows[0][0], rows[0][1], _hex(rows[0][2])) if rows else None
        if buffered is None:
            return stored
        # Stored as an upsert that keeps the stored body digest when given none.
        return Validators(buffered.etag, buffered.last_modified, stored.body_sha1 if stored else None)

    def put_validators(self, url: str, validators: Validators) -> None:
        key = _url_key(url)
        earlier = self._recent_validators.get(key) or self._committing_validators.get(key)
        body_sha1 = validators.body_sha1 or (earlier.body_sha1 if earlier is not None else None)
        self._recent_validators[key] = Validators(validators.etag, validators.last_modified, body_sha1)
        self._write(
            "INSERT INTO validators (url_key, url, etag, last_modified, body_sha1, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url_key) DO UPDATE SET "
            "etag = excluded.etag, last_modified = excluded.last_modified, "
            "body_sha1 = COALESCE(excluded.body_sha1, validators.body_sha1), updated = excluded.updated",
            (
                key,
                url,
                validators.etag,
                validators.last_modified,
                _blob(validators.body_sha1) if validators.body_sha1 else None,
                time.time(),
            ),
        )

    # -- list pages ------------------------------------------------------------
    def get_list_page(self, url: str) -> ListPageState | None:
        rows = self._read(
            "SELECT url, site, last_seen, article_count, new_count FROM list_pages WHERE url_key = ?",
            (_url_key(url),),
        )
        return ListPageState(*rows[0]) if rows else None

    def put_list_page(self, page: ListPageState) -> None:
        self._write(
            "INSERT INTO list_pages (url_key, url, site, last_seen, article_count, new_count) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url_key) DO UPDATE SET site = excluded.site, "
            "last_seen = excluded.last_seen, article_count = excluded.article_count, new_count = excluded.new_count",
            (_url_key(page.url), page.url, page.site, page.last_seen, page.article_count, page.new_count),
        )

    def mark_listed(self, urls: Sequence[str], run_id: str) -> None:
        if urls:
            self._write_many(
                "INSERT OR IGNORE INTO listed_links (url_key, first_run) VALUES (?, ?)",
                [(_url_key(url), run_id) for url in urls],
            )

    def listed_before(self, urls: Sequence[str], run_id: str) -> set[str]:
        by_key = {_url_key(url): url for url in urls}
        keys = list(by_key)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
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
        killed = [KilledSession(run_id=r, site=site, started=s) for r, s in rows]
        now = time.time()
        self._write(
            "INSERT INTO sessions (run_id, site, pid, started) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id, site) DO UPDATE SET pid = excluded.pid, ended = NULL, outcome = NULL",
            (run_id, site, os.getpid(), now),
        )
        self.flush()
        return killed

    def end_session(self, run_id: str, site: str, outcome: str = "finished") -> None:
        self._write(
            "UPDATE sessions SET ended = ?, outcome = ? WHERE run_id = ? AND site = ?",
            (time.time(), outcome, run_id, site),
        )
        self.flush()

    def last_outcome(self, site: str, before_run: str) -> str | None:
        rows = self._read(
            "SELECT COALESCE(outcome, 'running') FROM sessions WHERE site = ? AND run_id != ? "
            "ORDER BY started DESC LIMIT 1",
            (site, before_run),
        )
        return rows[0][0] if rows else None


STATE_STORE_ATTRIBUTE = "_ministry_news_state_store"


def default_state_path(settings: Any) -> Path:
    """``STATE_PATH``, else ``OUTPUT_DIR/state/state.sqlite``."""
    configured = settings.get("STATE_PATH")
    if configured:
        return Path(configured)
    return Path(settings.get("OUTPUT_DIR") or "out") / "state" / "state.sqlite"


def open_state_store(crawler: Crawler) -> StateStore:
    """The crawler's state store, opened on first use and closed when the engine stops.

    Components that need state (dedup pipeline, conditional-request
    middleware) share one store per crawler. ``STATE_STORE_CLASS`` may name
    another :class:`StateStore` whose ``from_crawler`` builds it.
    """
    store = getattr(crawler, STATE_STORE_ATTRIBUTE, None)
    if store is not None:
        return store
    from scrapy import signals
    from scrapy.utils.misc import load_object

    settings = crawler.settings
    store_class = settings.get("STATE_STORE_CLASS")
    if store_class:
        store = load_object(store_class).from_crawler(crawler)
    else:
        store = SQLiteStateStore(
            default_state_path(settings),
            commit_every=settings.getint("STATE_COMMIT_EVERY", 50000),
            commit_interval=settings.getfloat("STATE_COMMIT_INTERVAL", 2.0),
            lock_timeout=settings.getfloat("STATE_LOCK_TIMEOUT", 30.0),
            memory_filter=settings.getbool("STATE_MEMORY_FILTER", True),
            background_writes=settings.getbool("STATE_BACKGROUND_WRITES", True),
        )
    setattr(crawler, STATE_STORE_ATTRIBUTE, store)
    timer: Any = None

    def _commit_if_due() -> None:
        try:
            store.commit_if_due()  # type: ignore[attr-defined]
        except StateStoreError as exc:
            logger.error("Could not commit the state store: %s", exc)
            if crawler.stats is not None:
                crawler.stats.inc_value("state/commit_error")

    def _start_timer() -> None:
        """Commit an open batch once it is ``commit_interval`` old, even if no write follows."""
        nonlocal timer
        interval = float(getattr(store, "commit_interval", 0) or 0)
        if not hasattr(store, "commit_if_due") or interval <= 0:
            return
        from twisted.internet import task

        timer = task.LoopingCall(_commit_if_due)
        timer.start(max(interval / 2, 0.05), now=False)

    def _close() -> None:
        if timer is not None and timer.running:
            timer.stop()
        try:
            store.close()
        except StateStoreError as exc:
            logger.error("Could not close the state store cleanly: %s", exc)
            if crawler.stats is not None:
                crawler.stats.inc_value("state/close_error")

    crawler.signals.connect(_start_timer, signal=signals.spider_opened, weak=False)
    crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store
