"""Dedup decisions: one record per article, across URLs, sites and runs (plain logic over a state store).

Each article is classified against the state store:

* ``new``       — never seen: emitted;
* ``changed``   — same canonical URL (same ``id``), different body: emitted
  again with the new ``body_sha1`` so downstream upserts see the change;
* ``unchanged`` — same ``id`` and body as stored: not emitted again;
* ``duplicate`` — its normalised body was first seen under another id (the
  same article at two URLs, or republished by a second ministry), or its
  canonical URL was already handled in this run: not emitted.

New and changed records also get ``near_duplicate_of`` when the
:class:`~crawler.dedup.near.NearDuplicateIndex` finds an earlier record at or
above its threshold. A decision is written to the store with
:meth:`Deduplicator.record` once the record is written out; a killed run's
JSONL lines are read back with :meth:`Deduplicator.reconcile`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha1
from pathlib import Path
from typing import Any, Self

import numpy as np

from crawler.dedup.canonical import Canonicalizer, CanonicalURLError, choose_canonical, load_tracking_params
from crawler.dedup.fingerprint import normalise_for_digest
from crawler.dedup.near import NearDuplicateIndex
from crawler.dedup.state import ArticleState, StateStore

logger = logging.getLogger(__name__)


@dataclass
class Decision:
    """What dedup decided about one article."""

    kind: str  # "new", "changed", "unchanged" or "duplicate"
    id: str
    canonical_url: str
    body_sha1: str
    url: str
    site: str
    duplicate_of: str | None = None
    near_duplicate_of: str | None = None
    near_similarity: float | None = None
    signature: np.ndarray | None = None
    canonical_from_link: bool = False
    rejected_link: str | None = None
    previous: ArticleState | None = None
    emit: bool = False  # goes on to the JSONL writer
    empty_body: bool = False


class Deduplicator:
    """Plain dedup logic over a :class:`StateStore`; no Scrapy needed."""

    def __init__(
        self,
        store: StateStore,
        *,
        run_id: str,
        canonicalizer: Canonicalizer | None = None,
        near_duplicates: NearDuplicateIndex | None = None,
        emit_unchanged: bool = False,
    ) -> None:
        self.store = store
        self.emit_unchanged = emit_unchanged
        self.run_id = run_id
        self.canonicalizer = canonicalizer or Canonicalizer()
        self.near = near_duplicates
        self._canonicalizers: dict[tuple[tuple[str, str], ...], Canonicalizer] = {}
        # Decisions emitted but not yet written out, and the first of them with each body.
        self._in_flight: dict[str, Decision] = {}
        self._in_flight_bodies: dict[str, str] = {}

    @classmethod
    def from_settings(cls, store: StateStore, settings: Any, run_id: str) -> Self:
        """A crawl's deduplicator, configured by the ``CANONICAL_TRACKING_*``, ``NEAR_DUP_*`` and ``DEDUP_*`` settings."""
        tracking = load_tracking_params(settings.get("CANONICAL_TRACKING_PARAMS_FILE") or None)
        tracking += [str(name) for name in settings.getlist("CANONICAL_TRACKING_PARAMS")]
        near = NearDuplicateIndex.from_settings(store, settings) if settings.getbool("NEAR_DUP_ENABLED", True) else None
        return cls(store, run_id=run_id, canonicalizer=Canonicalizer(tracking), near_duplicates=near,
                   emit_unchanged=settings.getbool("DEDUP_EMIT_UNCHANGED", False))

    def canonicalizer_for(self, url_aliases: Mapping[str, str] | None) -> Canonicalizer:
        if not url_aliases:
            return self.canonicalizer
        key = tuple(sorted(url_aliases.items()))
        if key not in self._canonicalizers:
            self._canonicalizers[key] = self.canonicalizer.with_aliases(url_aliases)
        return self._canonicalizers[key]

    def classify(
        self,
        *,
        url: str,
        body: str,
        site: str = "",
        link_canonical: str | None = None,
        allowed_domains: Sequence[str] = (),
        url_aliases: Mapping[str, str] | None = None,
    ) -> Decision:
        """Decide about one article; raises CanonicalURLError for an unusable URL."""
        canonicalizer = self.canonicalizer_for(url_aliases)
        if link_canonical and link_canonical.strip():
            choice = choose_canonical(canonicalizer, url, link_canonical, allowed_domains)
            canonical_url, from_link, rejected_link = choice.canonical_url, choice.from_link, choice.rejected_link
        else:
            canonical_url, from_link, rejected_link = canonicalizer.canonicalize(url), False, None
        article_id = sha1(canonical_url.encode("utf-8")).hexdigest()
        normalised = normalise_for_digest(body)
        digest = sha1(normalised.encode("utf-8")).hexdigest()
        decision = Decision(
            "new", article_id, canonical_url, digest, url, site,
            canonical_from_link=from_link, rejected_link=rejected_link, empty_body=not normalised,
        )
        if article_id in self._in_flight:
            decision.kind, decision.duplicate_of = "duplicate", article_id
            return decision
        stored, first_body = self.store.lookup(article_id, digest)
        decision.previous = stored
        if stored is not None and stored.last_run == self.run_id:
            decision.kind, decision.duplicate_of = "duplicate", stored.duplicate_of or article_id
            return decision
        if stored is not None and stored.body_sha1 == digest:
            decision.kind, decision.duplicate_of = "unchanged", stored.duplicate_of
            if self.emit_unchanged and stored.duplicate_of is None:
                decision.emit = True
                self._in_flight[article_id] = decision
            return decision
        was_emitted = stored is not None and stored.duplicate_of is None
        if not was_emitted and normalised:
            first = self._in_flight_bodies.get(digest) or first_body
            if first is not None and first != article_id:
                decision.kind, decision.duplicate_of = "duplicate", first
                return decision
        decision.kind = "changed" if was_emitted else "new"
        if self.near is not None and normalised:
            decision.signature = self.near.signature(normalised)
            if decision.signature is not None:
                pending = {other.id: other.signature for other in self._in_flight.values() if other.signature is not None}
                found = self.near.find(decision.signature, article_id, pending)
                if found is not None:
                    decision.near_duplicate_of, decision.near_similarity = found
        decision.emit = True
        self._in_flight[article_id] = decision
        if normalised:
            self._in_flight_bodies.setdefault(digest, article_id)
        return decision

    def record(self, decision: Decision) -> None:
        """Write a decision to the store (for emitted ones: after the record is written out)."""
        self.forget(decision)
        if decision.kind == "duplicate" and decision.duplicate_of == decision.id:
            return  # the same URL twice in one run: the first sighting is already stored
        now = time.time()
        fresh = decision.kind in ("new", "changed")
        previous = decision.previous
        self.store.put_article(
            ArticleState(
                id=decision.id,
                canonical_url=decision.canonical_url,
                body_sha1=decision.body_sha1,
                site=decision.site,
                duplicate_of=None if fresh else decision.duplicate_of,
                first_seen=previous.first_seen if previous else now,
                last_seen=now,
                last_run=self.run_id,
            )
        )
        if fresh and not decision.empty_body:
            self.store.add_body(decision.body_sha1, decision.id)
        if fresh and self.near is not None and decision.signature is not None:
            self.near.add(decision.id, decision.signature)

    def forget(self, decision: Decision) -> None:
        """Drop a decision from the in-flight set (recorded, or its record was not written after all)."""
        if self._in_flight.get(decision.id) is decision:
            del self._in_flight[decision.id]
            if self._in_flight_bodies.get(decision.body_sha1) == decision.id:
                del self._in_flight_bodies[decision.body_sha1]

    def in_flight(self, article_id: str) -> Decision | None:
        return self._in_flight.get(article_id)

    def remember_links(
        self, article_id: str, canonical_url: str, urls: Sequence[str], url_aliases: Mapping[str, str] | None = None
    ) -> None:
        """Remember every URL that led to an article (redirect sources, a page naming another canonical)."""
        if not article_id:
            return
        canonicalizer = self.canonicalizer_for(url_aliases)
        for url in urls:
            try:
                link = canonicalizer.canonicalize(str(url))
            except CanonicalURLError:
                continue
            if link != canonical_url:
                self.store.put_link(link, article_id)

    def reconcile(self, record: Mapping[str, Any], run_id: str) -> bool:
        """Store a record found in a killed run's JSONL file if the store missed it; True when it did."""
        article_id, digest, canonical = record.get("id"), record.get("body_sha1"), record.get("canonical_url")
        if not (isinstance(article_id, str) and isinstance(digest, str) and isinstance(canonical, str)):
            return False
        stored = self.store.get_article(article_id)
        if stored is not None and stored.body_sha1 == digest:
            return False
        now = time.time()
        self.store.put_article(
            ArticleState(
                id=article_id,
                canonical_url=canonical,
                body_sha1=digest,
                site=str(record.get("site") or ""),
                first_seen=stored.first_seen if stored else now,
                last_seen=now,
                last_run=run_id,
            )
        )
        self.store.add_body(digest, article_id)
        if self.near is not None:
            signature = self.near.signature(normalise_for_digest(str(record.get("body") or "")))
            if signature is not None:
                self.near.add(article_id, signature)
        return True


def run_jsonl_files(directory: Path, run: str) -> list[Path]:
    """The JSONL files a run wrote to ``directory``, finished or ``.part``; a distributed run's
    workers add ``-<host>-<pid>`` to the run id (``crawler/runinfo.py``)."""
    patterns = (f"*-{run}{worker}.jsonl{part}" for worker in ("", "-*") for part in ("", ".part"))
    return [path for pattern in patterns for path in sorted(directory.glob(pattern))]


def read_jsonl_records(path: Path, on_bad_line: Callable[[], None]) -> Iterator[dict[str, Any]]:
    """Complete JSON records of a JSONL file; a cut-off or garbled line is skipped and reported."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        logger.warning("Cannot read %s to reconcile state: %s", path, exc)
        return
    with handle:
        for line in handle:
            try:
                record = json.loads(line) if line.endswith(b"\n") else None
            except ValueError:
                record = None
            if isinstance(record, dict):
                yield record
            else:
                on_bad_line()
