"""Evidence from our own archive: the sentences an article gained since its earlier capture.

Government articles rarely change after publication, so a sentence that was not in
the article's last clean body is a suspect: the spam check (crawler/spam/units.py)
removes a suspect sentence at EVIDENCE_PROBABILITY instead of SPAM_PROBABILITY and
names the evidence in the rule (``body:sentence:history+register``).  A correction
an editor adds reads as news and stays.

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

from crawler.dedup.state import StateStore
from crawler.spam.units import EVIDENCE_PROBABILITY, MIN_UNIT_CHARS, sentence_bounds, significant_length

__all__ = ["EVIDENCE_PROBABILITY", "ArchiveHistory", "Evidence", "body_fingerprints", "sentence_key"]
FINGERPRINT_BYTES = 8
_NOT_LETTERS_RE = re.compile(r"[\W_]+")


def sentence_key(sentence: str) -> bytes:
    """A sentence's fingerprint: its letters and digits, NFKC, case-folded, hashed."""
    letters = _NOT_LETTERS_RE.sub("", unicodedata.normalize("NFKC", sentence)).casefold()
    return hashlib.sha1(letters.encode("utf-8")).digest()[:FINGERPRINT_BYTES]


def body_sentences(body: str) -> list[str]:
    """The sentences of a body the classifier scores (paragraphs split as clean_body splits them)."""
    out = []
    for paragraph in re.split(r"\n\s*\n", body):
        for start, end in sentence_bounds(paragraph):
            sentence = paragraph[start:end]
            if significant_length(sentence) >= MIN_UNIT_CHARS:
                out.append(sentence)
    return out


def body_fingerprints(body: str) -> bytes:
    """Fingerprints of a body's sentences, sorted and concatenated, for the state store."""
    return b"".join(sorted({sentence_key(sentence) for sentence in body_sentences(body)}))


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
    """The history evidence kept in a state store, keyed by the URL an article was fetched from.

    The spam check runs before dedup gives the record its id, so the fingerprints are
    kept under the fetched URL's digest: an article seen again at the same URL.
    """

    NAME = "history"

    def __init__(self, store: StateStore) -> None:
        self.store = store

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha1(f"spam-history:{url}".encode()).hexdigest()

    def evidence(self, url: str) -> Evidence | None:
        """What the earlier capture of ``url`` said (raises StateStoreError)."""
        blob = self.store.get_sentence_fingerprints(self.key(url)) if url else None
        return Evidence.from_fingerprints(self.NAME, blob) if blob else None

    def remember(self, url: str, clean_body: str) -> None:
        """Keep the sentences of the body as written out (raises StateStoreError)."""
        fingerprints = body_fingerprints(clean_body)
        if url and fingerprints:
            self.store.put_sentence_fingerprints(self.key(url), fingerprints)
