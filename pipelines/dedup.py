"""Dedup: one record per article, across URLs, sites and runs.

Each article is classified against the state store (``crawler/state.py``):

* ``new``       — never seen: emitted;
* ``changed``   — same canonical URL (same ``id``), different body: emitted
  again with the new ``body_sha1`` so downstream upserts see the change;
* ``unchanged`` — same ``id`` and body as stored: not emitted again;
* ``duplicate`` — its normalised body was first seen under another id (the
  same article at two URLs, or republished by a second ministry), or its
  canonical URL was already handled in this run: not emitted, counted and
  listed in the run manifest with the id it duplicates.

New and changed records also get ``near_duplicate_of`` when a MinHash LSH
search over character shingles of the normalised body finds an earlier
record at or above ``NEAR_DUP_THRESHOLD`` estimated Jaccard similarity.

A record is written to the store only once the JSONL writer has written it
(``item_scraped``); lines written by a run that was killed before its state
was committed are read back from that run's JSONL file at the next start, so
a killed and restarted crawl emits every article exactly once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from hashlib import sha1
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.canonical import (
    Canonicalizer,
    CanonicalURLError,
    choose_canonical,
    load_tracking_params,
)
from crawler.precomputed import precomputed_result
from crawler.state import ArticleState, StateStore, StateStoreError, open_state_store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Chosen with tests/corpus/neardup (see tests/test_dedup.py::test_default_threshold_on_corpus).
DEFAULT_NEAR_DUP_THRESHOLD = 0.4
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_SIZE = 5
DEFAULT_MIN_CHARS = 80

_INVISIBLE_MARKS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


# Characters that str.casefold() leaves alone (ASCII other than letters,
# punctuation, CJK, kana, Hangul, full-width marks; checked over every code
# point by tests/test_dedup_speed.py). Bodies made only of them, as most
# Chinese news is, skip casefold(): the check costs under half of it.
_CASEFOLD_INVARIANT = re.compile(
    "[\x00-\x40\x5b-\x60\x7b-\xb4\xb6-\xbf"
    "\u2000-\u2125\u2184-\u24b5\u24d0-\u2bff\u2cf3-\ua63f\uabc0-\ufaff\ufb18-\uff20\uff3b-\uffff]*"
)


# The same class without the invisible marks: one scan answers both "no
# casefold needed" and "no mark to remove" for ordinary Chinese text.
_PLAIN_TEXT = re.compile(
    "[\x00-\x40\x5b-\x60\x7b-\xac\xae-\xb4\xb6-\xbf"
    "\u2000-\u200a\u200e-\u205f\u2061-\u2125\u2184-\u24b5\u24d0-\u2bff\u2cf3-\ua63f\uabc0-\ufaff"
    "\ufb18-\ufefe\uff00-\uff20\uff3b-\uffff]*"
)


# The same class again without whitespace other than the space and the line
# break: text made only of it (ordinary Chinese paragraphs) drops its
# whitespace with two str.replace() calls, at half the cost of split() and
# join(). Checked over every code point by tests/test_dedup_speed.py.
_PLAIN_LINES = re.compile(
    "[\x00-\x08\n\x0e-\x1b\x20-\x40\x5b-\x60\x7b-\x84\x86-\x9f\xa1-\xac\xae-\xb4\xb6-\xbf"
    "\u200e-\u2027\u202a-\u202e\u2030-\u205e\u2061-\u2125\u2184-\u24b5\u24d0-\u2bff\u2cf3-\u2fff"
    "\u3001-\ua63f\uabc0-\ufaff\ufb18-\ufefe\uff00-\uff20\uff3b-\uffff]*"
)


# NFKC maps full-width ASCII (the ，：（） of Chinese text) and the ideographic
# space to their plain forms, one character for one. Replacing those first and
# checking the rest is already NFKC gives NFKC's exact result (both
# decompose to the same string) at a fraction of unicodedata.normalize's cost.
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
_FULL_WIDTH_PLAIN = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


# Characters Chinese news is full of that NFKC replaces: the full-width marks
# of its sentences, the ideographic space, the ellipsis; with their NFKC forms.
# Replacing these by name is a few fast substring scans; finding arbitrary
# full-width characters takes a regex search that costs several times more,
# so rarer ones (full-width digits) are left to that.
_SIMPLE_REPLACEMENTS = [(char, unicodedata.normalize("NFKC", char)) for char in "，：；（）！？％\u3000\u2026"]


def _replaced(text: str) -> str:
    for wide, plain in _SIMPLE_REPLACEMENTS:
        if wide in text:
            text = text.replace(wide, plain)
    return text


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, cheaper for Chinese text."""
    # is_normalized is exact and, unlike normalize(), cheap for text already in NFKC.
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = _replaced(text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    for char in set(_FULL_WIDTH.findall(text)):
        text = text.replace(char, _FULL_WIDTH_PLAIN[char])
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


# Characters normalise_for_digest keeps exactly as they are wherever they
# stand (besides ASCII letters): in _PLAIN_LINES, unchanged by NFKC alone, not
# combining and not composing with a character before them (so a string of
# them is NFKC too); drawn from the blocks of Chinese and English news (ASCII,
# Latin-1, general punctuation, CJK punctuation and ideographs). Checked over
# every code point by tests/test_dedup_speed.py.
_KEPT = (
    "\x00-\x08\x0a\x0e-\x1b\x20-\x40\x5b-\x60\x7b-\x84\x86-\x9f\xa1-\xa7\xa9\xab-\xac\xae\xb0-\xb1\xb6-\xb7\xbb\xbf"
    "\u200e-\u2010\u2012-\u2016\u2018-\u2023\u2027\u202a-\u202e\u2030-\u2032\u2035\u2038-\u203b\u203d\u203f-\u2046"
    "\u204a-\u2056\u2058-\u205e\u2061-\u206f\u3001-\u3029\u3030-\u3035\u3037\u303b-\u303f\u3400-\u4dbf\u4e00-\u9fff"
)
# A body made only of _KEPT characters, ASCII letters and the replaced ones
# (most Chinese news, and English) is normalised on its UTF-8 bytes: the
# replacements made, ASCII lowercased (casefold() changes nothing else in it),
# spaces (the ideographic space's too) and line breaks removed. One regex
# scan decides, and its two groups say which replacements are needed: the
# first, whether any of the marks of nearly every Chinese sentence is there
# (_COMMON_REPLACED); the second, whether any of the rarer ones is. Each
# replacement looked for in vain costs a scan of the whole body, as much as
# the regex's extra group. A body without capitals (most Chinese news) skips
# the lowercasing, at the cost of a second scan for one with them.
_COMMON_REPLACED = "，：；（）"
_RARE_REPLACED = "".join(char for char, _ in _SIMPLE_REPLACEMENTS if char not in _COMMON_REPLACED)
_REPLACED = _COMMON_REPLACED + _RARE_REPLACED
_SIMPLE_CHARS = f"{_KEPT}a-z{_REPLACED}"  # (as regex class contents)
_SIMPLE_CASED_CHARS = f"{_KEPT}A-Za-z{_REPLACED}"


def _simple_body(letters: str) -> re.Pattern[str]:
    """Kept characters and ``letters``, then (group 1) common marks too, then (group 2) any replaced one."""
    return re.compile(
        f"[{_KEPT}{letters}]*(?:([{_COMMON_REPLACED}])[{_KEPT}{letters}{_COMMON_REPLACED}]*)?"
        f"(?:([{_RARE_REPLACED}])[{_KEPT}{letters}{_REPLACED}]*)?"
    )


_SIMPLE_BODY = _simple_body("a-z")
_SIMPLE_CASED_BODY = _simple_body("A-Za-z")


def _replaced_common(text: str) -> str:
    """``_replaced(text)`` for text with none of the rarer replaced marks (written out: one call, no loop).

    No ``in`` test first: replacing a character that is not there is one scan
    that returns the text itself, as cheap as the test, and most of these
    marks are in most bodies.
    """
    return text.replace("，", ",").replace("：", ":").replace("；", ";").replace("（", "(").replace("）", ")")


def normalised_utf8(body: str) -> bytes:
    """``normalise_for_digest(body)`` as UTF-8, what ``body_sha1`` hashes; cheapest for Chinese news."""
    text = body or ""
    # Text made of the classes above is normalised on its UTF-8 bytes; other text takes _normalise().
    match = _SIMPLE_BODY.fullmatch(text)
    cased = match is None
    if cased:
        match = _SIMPLE_CASED_BODY.fullmatch(text)
        if match is None:
            return _normalise(text).encode("utf-8")
    if match.start(2) >= 0:
        text = _replaced(text)
    elif match.start(1) >= 0:
        text = _replaced_common(text)
    data = text.encode("utf-8")
    return (data.lower() if cased else data).replace(b" ", b"").replace(b"\n", b"")


def normalise_for_digest(body: str) -> str:
    """The body as compared for duplicates: NFKC, case-folded, no whitespace or zero-width marks.

    Two sites republishing one article differ in layout whitespace, full-width
    digits and paragraph breaks, never in the words: all of that is dropped.
    The result is that of ``"".join(casefold(NFKC(body)).split())`` (minus
    the marks); the checks below only skip steps that would change nothing.
    """
    return normalised_utf8(body).decode("utf-8")


def _normalise(text: str) -> str:
    """:func:`normalise_for_digest` for any text."""
    text = _nfkc(text)
    if _PLAIN_LINES.fullmatch(text) is not None:
        return text.replace(" ", "").replace("\n", "")
    if _PLAIN_TEXT.fullmatch(text) is not None:
        return "".join(text.split())
    if _CASEFOLD_INVARIANT.fullmatch(text) is None:
        text = text.casefold()
    for mark in _INVISIBLE_MARKS:
        if mark in text:
            text = text.replace(mark, "")
    return "".join(text.split())


def body_digest(body: str) -> str:
    """``body_sha1``: SHA-1 hex of :func:`normalise_for_digest`."""
    return hashlib.sha1(normalised_utf8(body)).hexdigest()


_SHINGLE_BASE, _GOLDEN = np.uint64(1_000_003), np.uint64(0x9E3779B97F4A7C15)
_SHIFT_29, _SHIFT_31, _SHIFT_32 = np.uint64(29), np.uint64(31), np.uint64(32)


def shingle_hashes(normalised: str, size: int = DEFAULT_SHINGLE_SIZE, *, distinct: bool = True) -> np.ndarray:
    """Distinct (unless ``distinct`` is false) 32-bit hashes of the ``size``-character shingles of a normalised body.

    A polynomial hash over code points, vectorised with numpy: hashing each
    shingle in Python (datasketch's default SHA-1) would cost more than the
    whole MinHash.
    """
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - size + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint32)
    # In place, one array for the whole computation: at a few hundred shingles
    # numpy's cost is mostly per call and per temporary array.
    value = codes[:count].copy()
    for offset in range(1, size):
        value *= _SHINGLE_BASE
        value += codes[offset : offset + count]
    value ^= value >> _SHIFT_31
    value *= _GOLDEN
    value ^= value >> _SHIFT_29
    value >>= _SHIFT_32
    hashes = value.astype(np.uint32)
    return np.unique(hashes) if distinct else hashes


# MurmurHash3's 32-bit finalizer: datasketch's "affine32" scheme mixes each
# input hash with it before the permutations h -> a * h + b (mod 2**32).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
# Columns of the (permutations x shingles) matrix computed at once: bounds the
# temporary array (128 x 8,192 x 4 bytes = 4 MB) for very long bodies.
_SIGNATURE_ROWS = 8192


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    first_shift, first_factor, second_shift, second_factor, third_shift = _FMIX32
    mixed = hashes ^ (hashes >> first_shift)
    mixed *= first_factor
    mixed ^= mixed >> second_shift
    mixed *= second_factor
    mixed ^= mixed >> third_shift
    return mixed


class NearDuplicateIndex:
    """MinHash signatures and LSH band keys of bodies, kept in the state store."""

    def __init__(
        self,
        store: StateStore,
        *,
        threshold: float = DEFAULT_NEAR_DUP_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        shingle_size: int = DEFAULT_SHINGLE_SIZE,
        min_chars: int = DEFAULT_MIN_CHARS,
        max_candidates: int = 50,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"NEAR_DUP_THRESHOLD must be in (0, 1], got {threshold}")
        self.store = store
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.min_chars = min_chars
        self.max_candidates = max_candidates
        # Imported here: datasketch brings scipy (some 40 MB), which exact dedup alone does not need.
        from datasketch import MinHash, MinHashLSH

        # datasketch picks the band layout (b bands of r rows) that balances
        # false positives and negatives around the threshold.
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.bands, self.rows = lsh.b, lsh.r
        # Shingles arrive already hashed (shingle_hashes), so the hash function is the identity.
        self._template = MinHash(num_perm=num_perm, seed=1, hashfunc=int, scheme="affine32")
        multipliers, offsets = np.asarray(self._template.permutations, dtype=np.uint32)
        self._multipliers, self._offsets = multipliers, offsets[:, np.newaxis]
        # Band keys depend on the whole configuration, so signatures stored
        # under other settings can never collide with these.
        tag = f"minhash-affine32/{num_perm}/{shingle_size}/{self.bands}x{self.rows}".encode()
        self._band_seeds = np.array(
            [int.from_bytes(hashlib.blake2b(tag + band.to_bytes(2, "big"), digest_size=8).digest(), "big")
             for band in range(self.bands)],
            dtype=np.uint64,
        )

    def signature(self, normalised: str) -> np.ndarray | None:
        """MinHash signature of a normalised body; None when it is too short to compare."""
        if len(normalised) < max(self.min_chars, self.shingle_size):
            return None
        # datasketch's MinHash.update_batch(), as one numpy expression over the
        # shingle hashes rather than a Python call per shingle; its result
        # exactly (tests/test_dedup_neardup_speed.py). Repeated shingles cannot
        # change a minimum, so they need not be removed first.
        mixed = _fmix32(shingle_hashes(normalised, self.shingle_size, distinct=False))
        signature = None
        for start in range(0, len(mixed), _SIGNATURE_ROWS):
            # One row per permutation: minima along rows are numpy's fast reduction.
            permuted = np.multiply.outer(self._multipliers, mixed[start : start + _SIGNATURE_ROWS])
            permuted += self._offsets
            lowest = permuted.min(axis=1)
            signature = lowest if signature is None else np.minimum(signature, lowest)
        return signature

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """One 64-bit key per LSH band (vectorised: a polynomial hash of the band's rows, then mixed)."""
        rows = signature[: self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        value = self._band_seeds.copy()
        for column in range(self.rows):
            value = (value ^ rows[:, column]) * np.uint64(0x100000001B3)
        value ^= value >> np.uint64(33)
        value *= np.uint64(0xFF51AFD7ED558CCD)
        value ^= value >> np.uint64(33)
        return value.view(np.int64).tolist()

    @staticmethod
    def similarity(first: np.ndarray, second: np.ndarray) -> float:
        """Estimated Jaccard similarity of two signatures."""
        return float(np.count_nonzero(first == second)) / len(first)

    def decode(self, blob: bytes) -> np.ndarray | None:
        signature = np.frombuffer(blob, dtype=np.uint32)
        return signature if len(signature) == self.num_perm else None

    def find(
        self,
        signature: np.ndarray,
        exclude_id: str,
        extra: Mapping[str, np.ndarray] | None = None,
        *,
        band_keys: Sequence[int] | None = None,
    ) -> tuple[str, float] | None:
        """The most similar earlier record at or above the threshold, if any.

        ``extra`` holds signatures not yet in the store (records in flight).
        """
        best: tuple[str, float] | None = None
        if band_keys is None:
            band_keys = self.band_keys(signature)
        for candidate in self.store.band_candidates(band_keys, self.max_candidates):
            if candidate == exclude_id:
                continue
            blob = self.store.get_signature(candidate)
            other = self.decode(blob) if blob is not None else None
            if other is None:
                continue
            score = self.similarity(signature, other)
            if score >= self.threshold and (best is None or score > best[1]):
                best = (candidate, score)
        for candidate, other in (extra or {}).items():
            if candidate == exclude_id:
                continue
            score = self.similarity(signature, other)
            if score >= self.threshold and (best is None or score > best[1]):
                best = (candidate, score)
        return best

    def add(
        self,
        article_id: str,
        signature: np.ndarray,
        *,
        replacing: bool = True,
        band_keys: Sequence[int] | None = None,
    ) -> None:
        """Index ``signature``; ``replacing=False`` promises no older one is stored (saves a read).

        ``band_keys``: the signature's, when the caller has them already.
        """
        if band_keys is None:
            band_keys = self.band_keys(signature)
        if not replacing:
            self.store.put_signature(article_id, signature.tobytes(), band_keys)
            return
        old = self.store.get_signature(article_id)
        if old is not None:
            previous = self.decode(old)
            if previous is not None and np.array_equal(previous, signature):
                return
            if previous is not None:
                self.store.delete_signature(article_id, self.band_keys(previous))
        self.store.put_signature(article_id, signature.tobytes(), band_keys)


@dataclass(init=False)
class Decision:
    """What dedup decided about one article.

    Built once per article with its first six fields; the others read their
    defaults from the class until set (setting all sixteen, as a generated
    ``__init__`` does, was some 30 of the dedup loop's ~850 interpreted
    operations an article).
    """

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
    band_keys: list[int] | None = None  # the signature's LSH band keys
    canonical_from_link: bool = False
    rejected_link: str | None = None
    previous: ArticleState | None = None
    emit: bool = False  # goes on to the JSONL writer
    empty_body: bool = False

    def __init__(self, kind: str, id: str, canonical_url: str, body_sha1: str, url: str, site: str) -> None:  # noqa: A002
        self.kind = kind
        self.id = id
        self.canonical_url = canonical_url
        self.body_sha1 = body_sha1
        self.url = url
        self.site = site


@dataclass(frozen=True, slots=True)
class BodyFacts:
    """What dedup derives from a body alone (for ``Deduplicator.classify``)."""

    digest: str  # SHA-1 of the normalised body
    empty: bool  # nothing left after normalising
    signature: np.ndarray | None  # MinHash signature; None when too short or near-dup search is off


class BodyFactsStep:
    """Dedup's per-body work as a pipeline step (crawler/precomputed.py), for extraction workers.

    Pickled with the near-duplicate settings only, not the state store.
    """

    name = "dedup"

    def __init__(self, near: NearDuplicateIndex | None) -> None:
        self.near = near

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self.near is None:
            return BodyFactsStep, (None,)
        # The signer's numbers and arrays only: not the store, nor datasketch's objects, so
        # a worker does without importing datasketch and scipy (~0.7 s of CPU at its start).
        state = {name: value for name, value in vars(self.near).items() if isinstance(value, (int, float, np.ndarray))}
        return _body_facts_step, (state,)

    def key(self, adapter: Any) -> str:
        return str(adapter.get("body") or "")

    def compute(self, body: str) -> BodyFacts:
        normalised = normalised_utf8(body)
        signature = self.near.signature(normalised.decode("utf-8")) if self.near is not None and normalised else None
        return BodyFacts(sha1(normalised).hexdigest(), not normalised, signature)

    def apply(self, adapter: Any, facts: BodyFacts) -> bool:
        return True  # the pipeline writes its decision into the item itself


def _body_facts_step(state: dict[str, Any]) -> BodyFactsStep:
    near = NearDuplicateIndex.__new__(NearDuplicateIndex)
    near.__dict__.update(state)
    near.store = None  # type: ignore[assignment]  # a worker computes signatures, it never searches
    return BodyFactsStep(near)


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
        # Decisions emitted but not yet written by the JSONL writer.
        self._in_flight: dict[str, Decision] = {}
        self._in_flight_bodies: dict[str, str] = {}

    def canonicalizer_for(self, url_aliases: Mapping[str, str] | None) -> Canonicalizer:
        if not url_aliases:
            return self.canonicalizer
        key = tuple(sorted(url_aliases.items()))
        found = self._canonicalizers.get(key)
        if found is None:
            found = self._canonicalizers[key] = self.canonicalizer.with_aliases(url_aliases)
        return found

    def classify(
        self,
        *,
        url: str,
        body: str,
        site: str = "",
        link_canonical: str | None = None,
        allowed_domains: Sequence[str] = (),
        url_aliases: Mapping[str, str] | None = None,
        body_sha1: str = "",
        facts: BodyFacts | None = None,
    ) -> Decision:
        """Decide about one article; raises CanonicalURLError for an unusable URL.

        ``facts``: the :class:`BodyFacts` of ``body``, when an extraction worker computed them.
        """
        canonicalizer = self.canonicalizer_for(url_aliases) if url_aliases else self.canonicalizer
        if link_canonical and link_canonical.strip():
            choice = choose_canonical(canonicalizer, url, link_canonical, allowed_domains)
            canonical_url, from_link, rejected_link = choice.canonical_url, choice.from_link, choice.rejected_link
        else:  # most pages: no rel=canonical to weigh
            canonical_url, from_link, rejected_link = canonicalizer.canonicalize(url), False, None
        article_id = sha1(canonical_url.encode("utf-8")).hexdigest()  # url_id(), inlined
        if facts is None:
            normalised = normalised_utf8(body)
            digest, empty = body_sha1 or sha1(normalised).hexdigest(), not normalised
        else:
            normalised, digest, empty = b"", body_sha1 or facts.digest, facts.empty
        # Positional arguments only, the rest set when not the default: keyword
        # arguments made up over half the cost of building a Decision.
        decision = Decision("new", article_id, canonical_url, digest, url, site)
        if from_link or rejected_link is not None or empty:
            decision.canonical_from_link, decision.rejected_link, decision.empty_body = from_link, rejected_link, empty
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
        if not was_emitted and not empty:
            first = self._in_flight_bodies.get(digest) or first_body
            if first is not None and first != article_id:
                decision.kind, decision.duplicate_of = "duplicate", first
                return decision
        decision.kind = "changed" if was_emitted else "new"
        if self.near is not None and not empty:
            decision.signature = self.near.signature(normalised.decode("utf-8")) if facts is None else facts.signature
            if decision.signature is not None:
                pending = {
                    other.id: other.signature for other in self._in_flight.values() if other.signature is not None
                }
                decision.band_keys = self.near.band_keys(decision.signature)
                found = self.near.find(decision.signature, article_id, pending, band_keys=decision.band_keys)
                if found is not None:
                    decision.near_duplicate_of, decision.near_similarity = found
        decision.emit = True
        if decision.emit:
            self._in_flight[article_id] = decision
            if not empty:
                self._in_flight_bodies.setdefault(digest, article_id)
        return decision

    def record(self, decision: Decision) -> None:
        """Write a decision to the store (for emitted ones: after the record is written out)."""
        article_id, kind = decision.id, decision.kind
        if self._in_flight.get(article_id) is decision:  # _forget_in_flight(), inlined: once per article
            del self._in_flight[article_id]
            if self._in_flight_bodies.get(decision.body_sha1) == article_id:
                del self._in_flight_bodies[decision.body_sha1]
        if kind == "duplicate" and decision.duplicate_of == article_id:
            return  # the same URL twice in one run: the first sighting is already stored
        now = time.time()
        previous = decision.previous
        fresh = kind == "new" or kind == "changed"
        self.store.record_article(
            ArticleState(  # id, canonical_url, body_sha1, site, duplicate_of, first_seen, last_seen, last_run
                article_id,
                decision.canonical_url,
                decision.body_sha1,
                decision.site,
                None if fresh else decision.duplicate_of,
                previous.first_seen if previous else now,
                now,
                self.run_id,
            ),
            fresh and not decision.empty_body,
        )
        if fresh:
            if self.near is not None and decision.signature is not None:
                self.near.add(
                    decision.id, decision.signature, replacing=kind == "changed", band_keys=decision.band_keys
                )

    def forget(self, decision: Decision) -> None:
        """An emitted record was not written after all (dropped later): leave no trace."""
        self._forget_in_flight(decision)

    def in_flight(self, article_id: str) -> Decision | None:
        return self._in_flight.get(article_id)

    def _forget_in_flight(self, decision: Decision) -> None:
        if self._in_flight.get(decision.id) is decision:
            del self._in_flight[decision.id]
            if self._in_flight_bodies.get(decision.body_sha1) == decision.id:
                del self._in_flight_bodies[decision.body_sha1]

    def reconcile(self, record: Mapping[str, Any], run_id: str) -> bool:
        """Store a record found in a killed run's JSONL file if the store missed it.

        Returns True when the store was updated.
        """
        article_id = record.get("id")
        digest = record.get("body_sha1")
        canonical = record.get("canonical_url")
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


def _spider_site(spider: Any) -> str:
    seed = getattr(spider, "seed", None)
    return str(getattr(seed, "name", None) or getattr(spider, "name", "") or "")


class DedupPipeline:
    """Item pipeline (priority 300): fills ``canonical_url``/``id``/``body_sha1``, drops repeats."""

    def __init__(self, crawler: Crawler, store: StateStore, deduplicator: Deduplicator):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        self.dedup = deduplicator
        self.site = ""
        self._closing = False
        self.body_step = BodyFactsStep(deduplicator.near)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from crawler.runinfo import run_id

        settings = crawler.settings
        tracking = load_tracking_params(settings.get("CANONICAL_TRACKING_PARAMS_FILE") or None)
        tracking += [str(name) for name in settings.getlist("CANONICAL_TRACKING_PARAMS")]
        store = open_state_store(crawler)  # raises StateStoreError: the run cannot start
        near = None
        if settings.getbool("NEAR_DUP_ENABLED", True):
            near = NearDuplicateIndex(
                store,
                threshold=settings.getfloat("NEAR_DUP_THRESHOLD", DEFAULT_NEAR_DUP_THRESHOLD),
                num_perm=settings.getint("NEAR_DUP_NUM_PERM", DEFAULT_NUM_PERM),
                shingle_size=settings.getint("NEAR_DUP_SHINGLE_SIZE", DEFAULT_SHINGLE_SIZE),
                min_chars=settings.getint("NEAR_DUP_MIN_CHARS", DEFAULT_MIN_CHARS),
            )
        deduplicator = Deduplicator(
            store,
            run_id=run_id(crawler),
            canonicalizer=Canonicalizer(tracking),
            near_duplicates=near,
            emit_unchanged=settings.getbool("DEDUP_EMIT_UNCHANGED", False),
        )
        pipeline = cls(crawler, store, deduplicator)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- lifecycle -------------------------------------------------------------
    def open_spider(self) -> None:
        self.site = _spider_site(self.crawler.spider)
        try:
            killed = self.store.begin_session(self.dedup.run_id, self.site)
            for session in killed:
                self._reconcile_killed_run(session.run_id)
                self.store.flush()
                # Only now: a run killed while reconciling must find the old run again.
                self.store.end_session(session.run_id, self.site, "killed")
        except StateStoreError as exc:
            self._state_failed(exc, url=None)

    def spider_closed(self, reason: str) -> None:
        # After every pipeline closed; the finish reason tells the next run
        # whether this one saw the whole site (see PaginationStopMiddleware).
        try:
            self.store.end_session(self.dedup.run_id, self.site, "state_store_error" if self._closing else reason)
        except StateStoreError as exc:
            logger.error("Could not record the end of run %s: %s", self.dedup.run_id, exc)
            self.stats.inc_value("dedup/state_error")

    def _reconcile_killed_run(self, killed_run: str) -> None:
        from crawler.runinfo import output_dir

        directory = output_dir(self.crawler.settings) / "jsonl"
        files = sorted(directory.glob(f"*-{killed_run}.jsonl")) + sorted(directory.glob(f"*-{killed_run}.jsonl.part"))
        logger.warning(
            "Run %s of %s ended without closing the state store (killed?); re-reading %d JSONL file(s)",
            killed_run,
            self.site,
            len(files),
        )
        self.stats.inc_value("dedup/killed_runs")
        for path in files:
            for record in _read_records(path, self.stats):
                if self.dedup.reconcile(record, killed_run):
                    self.stats.inc_value("dedup/reconciled")

    def derivation(self) -> BodyFactsStep:
        """The digest and signature of a body, as a step extraction workers run ahead."""
        return self.body_step

    # -- items -------------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = str(adapter.get("url") or "")
        body = str(adapter.get("body") or "")
        spider = self.crawler.spider
        extra = adapter.get("extra") or {}
        seed = getattr(spider, "seed", None)
        # The pipeline owns canonical_url: the page's URL, or its on-site rel=canonical link.
        link_canonical = extra.get("link_canonical")
        try:
            decision = self.dedup.classify(
                url=url,
                body=body,
                site=str(adapter.get("site") or self.site),
                link_canonical=link_canonical,
                allowed_domains=list(getattr(spider, "allowed_domains", None) or ()),
                url_aliases=getattr(seed, "url_aliases", None),
                body_sha1=str(adapter.get("body_sha1") or ""),
                facts=precomputed_result(self.body_step, adapter, body, self.stats),
            )
        except CanonicalURLError as exc:
            logger.warning("Dropping item with unusable URL %r: %s", url, exc)
            self.stats.inc_value("dedup/bad_url")
            raise DropItem(f"unusable URL {url!r}", log_level="DEBUG") from exc
        except StateStoreError as exc:
            self._state_failed(exc, url)
            raise DropItem(f"state store failed for {url}", log_level="DEBUG") from exc
        self._count_canonical(decision)
        extra["dedup_kind"] = decision.kind  # lets later components (conditional requests) see the outcome
        adapter["extra"] = extra
        adapter["canonical_url"] = decision.canonical_url
        adapter["id"] = decision.id
        adapter["body_sha1"] = decision.body_sha1
        self.stats.inc_value(f"dedup/{decision.kind}")
        if decision.emit:
            if decision.empty_body:
                self.stats.inc_value("dedup/empty_body")
            if decision.near_duplicate_of:
                adapter["near_duplicate_of"] = decision.near_duplicate_of
                self.stats.inc_value("dedup/near_duplicate")
                self._manifest(
                    "near_duplicate",
                    {
                        "url": url,
                        "id": decision.id,
                        "near_duplicate_of": decision.near_duplicate_of,
                        "similarity": round(decision.near_similarity or 0.0, 3),
                    },
                )
            return item
        try:
            self.dedup.record(decision)
        except StateStoreError as exc:
            self._state_failed(exc, url)
        if decision.kind == "duplicate":
            logger.info("Duplicate of %s: %s", decision.duplicate_of, url)
            self._manifest("duplicate", {"url": url, "id": decision.id, "duplicate_of": decision.duplicate_of})
            raise DropItem(f"duplicate of {decision.duplicate_of}: {url}", log_level="DEBUG")
        raise DropItem(f"unchanged since an earlier run: {url}", log_level="DEBUG")

    def item_scraped(self, item: Any, response: Any = None) -> None:
        decision = self.dedup.in_flight(str(ItemAdapter(item).get("id") or ""))
        if decision is None:
            return
        try:
            self.dedup.record(decision)
            self._remember_links(item, response)
        except StateStoreError as exc:
            self._state_failed(exc, decision.url)

    def item_not_written(self, item: Any, response: Any = None) -> None:
        adapter = ItemAdapter(item)
        decision = self.dedup.in_flight(str(adapter.get("id") or ""))
        if decision is not None and decision.url == adapter.get("url"):
            self.dedup.forget(decision)
            return
        if (adapter.get("extra") or {}).get("dedup_kind") in ("unchanged", "duplicate"):
            try:
                self._remember_links(item, response)
            except StateStoreError as exc:
                self._state_failed(exc, str(adapter.get("url")))

    def _remember_links(self, item: Any, response: Any) -> None:
        """Every URL that led to this article (redirect sources, a page naming another canonical)."""
        adapter = ItemAdapter(item)
        article_id = str(adapter.get("id") or "")
        canonical = adapter.get("canonical_url")
        if not article_id:
            return
        urls = [str(adapter.get("url") or "")]
        meta = getattr(response, "meta", None) if response is not None else None
        if meta:
            urls += [str(u) for u in meta.get("redirect_urls") or ()]
        canonicalizer = self.dedup.canonicalizer_for(getattr(getattr(self.crawler.spider, "seed", None), "url_aliases", None))
        for url in urls:
            try:
                link = canonicalizer.canonicalize(url)
            except CanonicalURLError:
                continue
            if link != canonical:
                self.store.put_link(link, article_id)

    # -- helpers -------------------------------------------------------------------
    def _count_canonical(self, decision: Decision) -> None:
        if decision.canonical_from_link:
            self.stats.inc_value("dedup/canonical_from_link")
        if decision.rejected_link:
            self.stats.inc_value(f"dedup/canonical_{decision.rejected_link}")
            logger.info("Ignoring %s rel=canonical link on %s", decision.rejected_link, decision.url)

    def _manifest(self, kind: str, entry: dict[str, Any]) -> None:
        from crawler.signals import manifest_entry

        self.crawler.signals.send_catch_log(manifest_entry, kind=kind, entry=entry)

    def _state_failed(self, exc: StateStoreError, url: str | None) -> None:
        logger.error("State store unusable%s: %s", f" while handling {url}" if url else "", exc)
        self.stats.inc_value("dedup/state_error")
        self.stats.set_value("dedup/state_error_message", str(exc))
        try:
            engine = self.crawler.engine
        except RuntimeError:  # the crawl has not started (or was never started, as in tests)
            return
        if engine is not None and engine.spider is not None and not self._closing:
            self._closing = True
            deferred_from_coro(engine.close_spider_async(reason="state_store_error"))


def _read_records(path: Path, stats: Any) -> Iterable[dict[str, Any]]:
    """Complete JSON records of a JSONL file; a cut-off or garbled line is skipped and counted."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        logger.warning("Cannot read %s to reconcile state: %s", path, exc)
        return
    with handle:
        for line in handle:
            if not line.endswith(b"\n"):
                stats.inc_value("dedup/reconcile_bad_line")
                continue
            try:
                record = json.loads(line)
            except ValueError:
                stats.inc_value("dedup/reconcile_bad_line")
                continue
            if isinstance(record, dict):
                yield record
