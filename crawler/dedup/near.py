"""Near-duplicate search: MinHash signatures and LSH band keys kept in the state store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from crawler.dedup import minhash
from crawler.dedup.state import StateStore

# Chosen with tests/corpus/neardup (see tests/dedup/test_decide.py::test_default_threshold_on_corpus).
DEFAULT_NEAR_DUP_THRESHOLD = 0.4
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_SIZE = 5
DEFAULT_MIN_CHARS = 80


class NearDuplicateIndex:
    """Finds the earlier record most similar to a body, at or above ``threshold`` estimated Jaccard similarity."""

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
        self.bands, self.rows = minhash.band_layout(threshold, num_perm)

    @classmethod
    def from_settings(cls, store: StateStore, settings: Any) -> NearDuplicateIndex:
        """An index configured by the ``NEAR_DUP_*`` settings."""
        return cls(
            store,
            threshold=settings.getfloat("NEAR_DUP_THRESHOLD", DEFAULT_NEAR_DUP_THRESHOLD),
            num_perm=settings.getint("NEAR_DUP_NUM_PERM", DEFAULT_NUM_PERM),
            shingle_size=settings.getint("NEAR_DUP_SHINGLE_SIZE", DEFAULT_SHINGLE_SIZE),
            min_chars=settings.getint("NEAR_DUP_MIN_CHARS", DEFAULT_MIN_CHARS),
        )

    def signature(self, normalised: str) -> np.ndarray | None:
        """MinHash signature of a normalised body; None when it is too short to compare."""
        if len(normalised) < max(self.min_chars, self.shingle_size):
            return None
        return minhash.signature(minhash.shingle_hashes(normalised, self.shingle_size), self.num_perm)

    def band_keys(self, signature: np.ndarray) -> list[int]:
        return minhash.band_keys(signature, self.bands, self.rows, self.shingle_size)

    def decode(self, blob: bytes) -> np.ndarray | None:
        signature = np.frombuffer(blob, dtype=np.uint32)
        return signature if len(signature) == self.num_perm else None

    def find(
        self, signature: np.ndarray, exclude_id: str, pending: Mapping[str, np.ndarray] | None = None
    ) -> tuple[str, float] | None:
        """The most similar earlier record at or above the threshold, if any.

        ``pending`` holds signatures not yet in the store (records in flight).
        """
        candidates: dict[str, np.ndarray] = {}
        for candidate in self.store.band_candidates(self.band_keys(signature), self.max_candidates):
            blob = self.store.get_signature(candidate)
            other = self.decode(blob) if blob is not None else None
            if other is not None:
                candidates[candidate] = other
        candidates.update(pending or {})
        best: tuple[str, float] | None = None
        for candidate, other in candidates.items():
            score = minhash.similarity(signature, other)
            if candidate != exclude_id and score >= self.threshold and (best is None or score > best[1]):
                best = (candidate, score)
        return best

    def add(self, article_id: str, signature: np.ndarray) -> None:
        """Index ``signature`` for ``article_id``, replacing the one stored for it before."""
        old = self.store.get_signature(article_id)
        previous = self.decode(old) if old is not None else None
        if previous is not None:
            if np.array_equal(previous, signature):
                return
            self.store.delete_signature(article_id, self.band_keys(previous))
        self.store.put_signature(article_id, signature.tobytes(), self.band_keys(signature))

