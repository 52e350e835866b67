"""Evidence from our own archive: sentences an article gained since its earlier capture,
or that a copy of it at another URL does not have.

Government articles rarely change after publication, and copies of one article at
two sites say the same: a sentence that was not in the article's last clean body
(history), or not in its nearest copy (siblings), is a suspect.  The spam check
(crawler/spam/units.py) removes a suspect sentence at EVIDENCE_PROBABILITY instead of
SPAM_PROBABILITY and names the evidence in the rule (``body:sentence:history+register``,
``body:sentence:siblings+register``).  A correction an editor adds reads as news and stays.

The earlier body is kept as sentence fingerprints (8 bytes each, a few hundred bytes
an article) in the state store (``StateStore.get/put_sentence_fingerprints``), under
the digest of the URL the article was fetched from (the spam check runs before dedup
gives the record its id); the spam pipeline reads them before checking an article and
writes the clean body's once the record is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.dedup.fingerprint import normalise_for_digest
from crawler.dedup.near import NearDuplicateIndex
from crawler.dedup.state import StateStore, open_state_store
from crawler.spam.units import EVIDENCE_PROBABILITY, body_units

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["EVIDENCE_PROBABILITY", "ArchiveHistory", "Evidence", "body_fingerprints", "sentence_key"]
FINGERPRINT_BYTES = 8
_NOT_LETTERS_RE = re.compile(r"[\W_]+")


def sentence_key(sentence: str) -> bytes:
    """A sentence's fingerprint: its letters and digits, NFKC, case-folded, hashed."""
    letters = _NOT_LETTERS_RE.sub("", unicodedata.normalize("NFKC", sentence)).casefold()
    return hashlib.sha1(letters.encode("utf-8")).digest()[:FINGERPRINT_BYTES]


def body_fingerprints(body: str) -> bytes:
    """Fingerprints of a body's sentences, sorted and concatenated, for the state store."""
    return b"".join(sorted({sentence_key(sentence) for sentence in body_units(body)}))


@dataclass(frozen=True)
class Evidence:
    """Sentences known from an earlier capture; any other sentence is a suspect."""

    name: str  # named in the rule: "history"
    known: frozenset[bytes]

    @classmethod
    def from_fingerprints(cls, name: str, blob: bytes) -> Evidence | None:
        """None for an empty or damaged blob: no evidence rather than every sentence a suspect."""
        if not blob or len(blob) % FINGERPRINT_BYTES:
            return None
        return cls(name, frozenset(blob[i:i + FINGERPRINT_BYTES] for i in range(0, len(blob), FINGERPRINT_BYTES)))

    def suspect(self, sentence: str) -> bool:
        return sentence_key(sentence) not in self.known


class ArchiveHistory:
    """The archive's evidence kept in a state store: history, then siblings.

    *History*: the fingerprints of the body written for a URL, kept under the URL's
    digest (the spam check runs before dedup gives the record its id): an article seen
    again at the same URL.  *Siblings*: when there is no history and a near-duplicate
    index is given, the most similar earlier record it finds (a copy at another URL or
    site); its fingerprints are kept under its record id as well.
    """

    def __init__(self, store: StateStore, near: NearDuplicateIndex | None = None) -> None:
        self.store = store
        self.near = near

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> ArchiveHistory:
        """The crawler's state store, and its near-duplicate index unless NEAR_DUP_ENABLED is off."""
        store = open_state_store(crawler)
        near = NearDuplicateIndex.from_settings(store, crawler.settings)
        return cls(store, near if crawler.settings.getbool("NEAR_DUP_ENABLED", True) else None)

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha1(f"spam-history:{url}".encode()).hexdigest()

    def evidence(self, url: str, body: str = "") -> Evidence | None:
        """What the earlier capture of ``url``, or else a sibling copy, said (raises StateStoreError)."""
        blob = self.store.get_sentence_fingerprints(self.key(url)) if url else None
        if blob:
            return Evidence.from_fingerprints("history", blob)
        if self.near is None or not body:
            return None
        signature = self.near.signature(normalise_for_digest(body))
        found = self.near.find(signature, "") if signature is not None else None
        blob = self.store.get_sentence_fingerprints(found[0]) if found else None
        return Evidence.from_fingerprints("siblings", blob) if blob else None

    def remember(self, url: str, clean_body: str, record_id: str = "") -> None:
        """Keep the sentences of the body as written out (raises StateStoreError)."""
        fingerprints = body_fingerprints(clean_body)
        if not fingerprints:
            return
        if url:
            self.store.put_sentence_fingerprints(self.key(url), fingerprints)
        if record_id:
            self.store.put_sentence_fingerprints(record_id, fingerprints)
