"""The shared state store of distributed crawls: the same :class:`StateStore` in Redis.

Selected by ``REDIS_URL`` (crawler/distributed/addon.py). Every worker of
every seed using the same Redis and ``REDIS_KEY_PREFIX`` shares it, as the
seeds of one OUTPUT_DIR share the SQLite file. Writes are immediate; their
durability is the server's (AOF, docs/distributed.md), so :meth:`flush` has
nothing to do. Ids, digests and URL keys are 20-byte binary hash fields.

Two workers may extract the same article at once (two URLs with one canonical
URL, or two ids with one body). A single process keeps such decisions apart
in memory (``Deduplicator``); across workers :meth:`RedisStateStore.lookup`
takes a short *claim* on the article id and the body digest, and a claim held
by another live worker makes the article a duplicate within the run. Claims
end when the article is recorded, when their holder stops beating, or after
``REDIS_CLAIM_SECONDS``.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import redis

from crawler.dedup.sqlite import _blob, _hex, _url_key
from crawler.dedup.state import (
    ArticleState,
    KilledSession,
    ListPageState,
    StateStore,
    StateStoreError,
    Validators,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_TIMES = struct.Struct("<dd")
_SEP = "\x1f"
_BAND = struct.Struct("<q")
# Near-duplicate band keys live in hashes of hashes: bucket = band key mod BAND_BUCKETS, field =
# the 8-byte band key, value = the 20-byte ids sharing it. Small hashes are stored compactly by
# the server, a few times smaller than one set per band key. Part of the key layout.
BAND_BUCKETS = 1 << 18

# KEYS: signatures. ARGV: id, signature, then bucket, field pairs. Stores a signature and adds the id to its bands.
_ADD_BANDS = """
local id = ARGV[1]
redis.call('HSET', KEYS[1], id, ARGV[2])
for i = 3, #ARGV, 2 do
  local ids = redis.call('HGET', ARGV[i], ARGV[i + 1])
  if not ids then
    redis.call('HSET', ARGV[i], ARGV[i + 1], id)
  else
    local found = false
    for j = 1, #ids, 20 do
      if string.sub(ids, j, j + 19) == id then found = true; break end
    end
    if not found then redis.call('HSET', ARGV[i], ARGV[i + 1], ids .. id) end
  end
end
return 1
"""

# KEYS: signatures. ARGV: id, then bucket, field pairs. Removes a signature and the id from its bands.
_DELETE_BANDS = """
local id = ARGV[1]
redis.call('HDEL', KEYS[1], id)
for i = 2, #ARGV, 2 do
  local ids = redis.call('HGET', ARGV[i], ARGV[i + 1])
  if ids then
    local kept = {}
    for j = 1, #ids, 20 do
      local other = string.sub(ids, j, j + 19)
      if other ~= id then table.insert(kept, other) end
    end
    if #kept == 0 then redis.call('HDEL', ARGV[i], ARGV[i + 1])
    else redis.call('HSET', ARGV[i], ARGV[i + 1], table.concat(kept)) end
  end
end
return 1
"""

_LOOKUP = """
local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function live(holder)
  local w = string.sub(holder, 1, (string.find(holder, '\\n', 1, true) or 0) - 1)
  if w == ARGV[4] then return false end
  local beat = redis.call('ZSCORE', KEYS[3], w)
  return beat and tonumber(beat) >= now - tonumber(ARGV[5])
end
local article = redis.call('HGET', KEYS[1], ARGV[1])
local first = redis.call('HGET', KEYS[2], ARGV[2])
local mine = ARGV[4] .. '\\n' .. ARGV[1]
local article_claim = ARGV[3] .. 'a:' .. ARGV[1]
local holder = redis.call('GET', article_claim)
local taken = 0
if holder and live(holder) then taken = 1 else redis.call('SET', article_claim, mine, 'PX', ARGV[6]) end
local other = false
if not first then
  local body_claim = ARGV[3] .. 'b:' .. ARGV[2]
  local body_holder = redis.call('GET', body_claim)
  if body_holder and live(body_holder) then
    other = string.sub(body_holder, string.find(body_holder, '\\n', 1, true) + 1)
  else
    redis.call('SET', body_claim, mine, 'PX', ARGV[6])
  end
end
return {article or false, first or false, taken, other}
"""


# ARGV: bucket, field pairs. The ids of every band, in one round trip.
_BAND_IDS = """
local found = {}
for i = 1, #ARGV, 2 do
  found[#found + 1] = redis.call('HGET', ARGV[i], ARGV[i + 1]) or ''
end
return found
"""


def _pack_article(article: ArticleState, now: float) -> bytes:
    duplicate = _blob(article.duplicate_of) if article.duplicate_of else b""
    text = _SEP.join((article.site, article.last_run, article.canonical_url)).encode("utf-8")
    times = _TIMES.pack(article.first_seen or now, article.last_seen or now)
    return _blob(article.body_sha1) + bytes([len(duplicate)]) + duplicate + times + text


def _unpack_article(article_id: str, value: bytes) -> ArticleState:
    body, size = value[:20], value[20]
    duplicate = value[21 : 21 + size] or None
    first, last = _TIMES.unpack_from(value, 21 + size)
    site, run, url = value[21 + size + _TIMES.size :].decode("utf-8").split(_SEP, 2)
    return ArticleState(article_id, url, body.hex(), site, _hex(duplicate), first, last, run)


class RedisStateStore(StateStore):
    """:class:`StateStore` in Redis hashes and sets under ``<prefix>:state:``."""

    def __init__(self, client: redis.Redis, prefix: str, *, worker: str = "", workers_key: str = "",
                 visibility_timeout: float = 60.0, claim_seconds: float = 300.0, run_id: str = "") -> None:
        self.client = client
        self.base = f"{prefix}:state:"
        self.worker = worker or f"pid-{os.getpid()}"
        self.workers_key = workers_key or f"{prefix}:workers"
        self.visibility_timeout = visibility_timeout
        self.claim_ms = int(claim_seconds * 1000)
        self.run_id = run_id
        self._lookup = client.register_script(_LOOKUP)
        self._add_bands = client.register_script(_ADD_BANDS)
        self._delete_bands = client.register_script(_DELETE_BANDS)
        self._band_ids = client.register_script(_BAND_IDS)
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from crawler.distributed.connection import check_schema, connect, settings_prefix
        from crawler.distributed.run import run_context
        from crawler.runinfo import run_id

        settings = crawler.settings
        context = run_context(crawler)
        if context is not None:
            client, worker, workers_key = context.client, context.worker, context.keys.workers
        else:  # a store without a distributed run (tools, tests)
            client, worker, workers_key = connect(settings["REDIS_URL"]), "", ""
        prefix = settings_prefix(settings)
        check_schema(client, prefix, settings.get("REDIS_URL") or "")
        return cls(client, prefix, worker=worker, workers_key=workers_key,
                   visibility_timeout=settings.getfloat("REDIS_VISIBILITY_TIMEOUT", 60.0),
                   claim_seconds=settings.getfloat("REDIS_CLAIM_SECONDS", 300.0), run_id=run_id(crawler))

    def _key(self, name: str) -> str:
        return self.base + name

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        if self._closed:
            raise StateStoreError("Redis state store is closed")
        try:
            return function(*args, **kwargs)
        except redis.RedisError as exc:
            raise StateStoreError(f"Redis state store failed: {exc}") from exc

    def _pipeline(self, commands: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        def run() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            for name, args in commands:
                getattr(pipe, name)(*args)
            return pipe.execute()

        return self._call(run) if commands else []

    # -- articles --------------------------------------------------------------
    def get_article(self, article_id: str) -> ArticleState | None:
        value = self._call(self.client.hget, self._key("articles"), _blob(article_id))
        return _unpack_article(article_id, value) if value is not None else None

    def put_article(self, article: ArticleState) -> None:
        self.record_article(article, first_with_body=False)

    def record_article(self, article: ArticleState, first_with_body: bool) -> None:
        article_key = _blob(article.id)
        commands: list[tuple[str, tuple[Any, ...]]] = [
            ("hset", (self._key("articles"), article_key, _pack_article(article, time.time()))),
            ("delete", (self._key("claim:a:") .encode() + article_key, self._key("claim:b:").encode() + _blob(article.body_sha1))),
        ]
        if first_with_body:
            commands.append(("hsetnx", (self._key("bodies"), _blob(article.body_sha1), article_key)))
        self._pipeline(commands)

    def lookup(self, article_id: str, body_sha1: str) -> tuple[ArticleState | None, str | None]:
        article, first, taken, other = self._call(
            self._lookup,
            keys=[self._key("articles"), self._key("bodies"), self.workers_key],
            args=[_blob(article_id), _blob(body_sha1), self._key("claim:"), self.worker,
                  self.visibility_timeout, self.claim_ms],
        )
        if taken:
            # Another live worker is deciding about this article in this run: the same article twice.
            return ArticleState(article_id, "", body_sha1, last_run=self.run_id), None
        state = _unpack_article(article_id, article) if article else None
        first_id = first.hex() if first else (other.hex() if other else None)
        return state, first_id

    def known_articles(self, article_ids: Sequence[str]) -> set[str]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return set()
        found = self._call(self.client.hmget, self._key("articles"), [_blob(i) for i in ids])
        return {article_id for article_id, value in zip(ids, found) if value is not None}

    def find_body(self, body_sha1: str) -> str | None:
        value = self._call(self.client.hget, self._key("bodies"), _blob(body_sha1))
        return value.hex() if value is not None else None

    def add_body(self, body_sha1: str, article_id: str) -> None:
        self._call(self.client.hsetnx, self._key("bodies"), _blob(body_sha1), _blob(article_id))

    def put_link(self, url: str, article_id: str) -> None:
        self._call(self.client.hset, self._key("links"), _url_key(url), _blob(article_id))

    def known_links(self, urls: Sequence[str]) -> set[str]:
        by_key = {_url_key(url): url for url in urls}
        if not by_key:
            return set()
        keys = list(by_key)
        articles, links = self._pipeline([("hmget", (self._key("articles"), keys)), ("hmget", (self._key("links"), keys))])
        return {by_key[key] for key, a, b in zip(keys, articles, links) if a is not None or b is not None}

    # -- near-duplicate signatures -----------------------------------------------
    def get_signature(self, article_id: str) -> bytes | None:
        return self._call(self.client.hget, self._key("signatures"), _blob(article_id))

    def _bands(self, band_keys: Sequence[int]) -> list[bytes | str]:
        pairs: list[bytes | str] = []
        for key in band_keys:
            pairs += [self._key(f"bands:{key % BAND_BUCKETS}"), _BAND.pack(key)]
        return pairs

    def put_signature(self, article_id: str, signature: bytes, band_keys: Sequence[int]) -> None:
        self._call(self._add_bands, keys=[self._key("signatures")],
                   args=[_blob(article_id), signature, *self._bands(band_keys)])

    def delete_signature(self, article_id: str, band_keys: Sequence[int]) -> None:
        self._call(self._delete_bands, keys=[self._key("signatures")], args=[_blob(article_id), *self._bands(band_keys)])

    def band_candidates(self, band_keys: Sequence[int], limit: int = 50) -> list[str]:
        if not band_keys:
            return []
        found = self._call(self._band_ids, keys=[], args=self._bands(band_keys))
        shared = Counter(ids[j : j + 20] for ids in found if ids for j in range(0, len(ids), 20))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return [member.hex() for member, _ in ranked[: int(limit)]]

    # -- conditional requests ------------------------------------------------------
    def get_validators(self, url: str) -> Validators | None:
        value = self._call(self.client.hget, self._key("validators"), _url_key(url))
        return Validators(*json.loads(value)) if value is not None else None

    def put_validators(self, url: str, validators: Validators) -> None:
        body = validators.body_sha1
        if body is None:  # a response without a new body (a 304) keeps the stored digest
            stored = self.get_validators(url)
            body = stored.body_sha1 if stored else None
        value = json.dumps([validators.etag, validators.last_modified, body])
        self._call(self.client.hset, self._key("validators"), _url_key(url), value)

    # -- list pages ------------------------------------------------------------------
    def get_list_page(self, url: str) -> ListPageState | None:
        value = self._call(self.client.hget, self._key("list_pages"), _url_key(url))
        return ListPageState(url, *json.loads(value)) if value is not None else None

    def put_list_page(self, page: ListPageState) -> None:
        value = json.dumps([page.site, page.last_seen, page.article_count, page.new_count])
        self._call(self.client.hset, self._key("list_pages"), _url_key(page.url), value)

    def mark_listed(self, urls: Sequence[str], run_id: str) -> None:
        self._pipeline([("hsetnx", (self._key("listed"), _url_key(url), run_id)) for url in urls])

    def listed_before(self, urls: Sequence[str], run_id: str) -> set[str]:
        by_key = {_url_key(url): url for url in urls}
        if not by_key:
            return set()
        keys = list(by_key)
        runs = self._call(self.client.hmget, self._key("listed"), keys)
        return {by_key[key] for key, run in zip(keys, runs) if run is not None and run.decode() != run_id}

    # -- sessions --------------------------------------------------------------------
    def _sessions(self, site: str) -> list[tuple[str, dict[str, Any]]]:
        found = self._call(self.client.hgetall, self._key(f"sessions:{site}"))
        return sorted(((run.decode(), json.loads(value)) for run, value in found.items()), key=lambda s: s[1]["started"])

    def begin_session(self, run_id: str, site: str) -> list[KilledSession]:
        killed = [KilledSession(run, site, info["started"]) for run, info in self._sessions(site)
                  if run != run_id and info.get("ended") is None]
        key = self._key(f"sessions:{site}")
        # Workers of one distributed run share its session: the first one records it.
        self._call(self.client.hsetnx, key, run_id, json.dumps({"started": time.time(), "ended": None, "outcome": None}))
        return killed

    def end_session(self, run_id: str, site: str, outcome: str = "finished") -> None:
        key = self._key(f"sessions:{site}")
        value = self._call(self.client.hget, key, run_id)
        info = json.loads(value) if value else {"started": time.time()}
        info.update(ended=time.time(), outcome=outcome)
        self._call(self.client.hset, key, run_id, json.dumps(info))

    def last_outcome(self, site: str, before_run: str) -> str | None:
        others = [info for run, info in self._sessions(site) if run != before_run]
        return (others[-1].get("outcome") or "running") if others else None

    # -- small per-site notes -------------------------------------------------------
    def get_site_note(self, site: str, key: str) -> str | None:
        value = self._call(self.client.hget, self._key(f"notes:{site}"), key)
        return value.decode() if value is not None else None

    def put_site_note(self, site: str, key: str, value: str) -> None:
        self._call(self.client.hset, self._key(f"notes:{site}"), key, value)

    # -- lifecycle ---------------------------------------------------------------------
    def flush(self) -> None:
        """Nothing to do: every write reached the server when it returned."""

    def close(self) -> None:
        self._closed = True
