"""MinHash signatures and LSH band keys of normalised bodies, for near-duplicate search.

A body is cut into overlapping ``shingle_size``-character shingles, each
hashed to 32 bits. A signature holds, for each of ``num_perm`` random
permutations ``h -> a * mix(h) + b (mod 2**32)`` (``a`` odd, so a bijection;
``mix`` is MurmurHash3's 32-bit finaliser), the lowest permuted value over the
shingles. Two bodies agree on a permutation with probability equal to the
Jaccard similarity of their shingle sets, so the share of equal positions
estimates it. This is the "affine32" scheme of the datasketch library with
its seed 1, so signatures equal datasketch's; ``tests/dedup/test_minhash.py``
checks both against datasketch.

For search, the signature is cut into ``bands`` bands of ``rows`` rows; bodies
sharing any band key are candidates. :func:`band_layout` picks the layout
that minimises the equally weighted areas of false positives (similarity
below the threshold but sharing a band) and false negatives (above it, but no
band shared).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

_SHINGLE_BASE, _GOLDEN = np.uint64(1_000_003), np.uint64(0x9E3779B97F4A7C15)
# Shingle hashes permuted at once: bounds the temporary (num_perm x 8,192) array for very long bodies.
_CHUNK = 8192


def shingle_hashes(normalised: str, size: int) -> np.ndarray:
    """32-bit hashes of every ``size``-character shingle: a polynomial hash of the code points, then mixed."""
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - size + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint32)
    value = codes[:count].copy()
    for offset in range(1, size):
        value = value * _SHINGLE_BASE + codes[offset : offset + count]
    value ^= value >> np.uint64(31)
    value *= _GOLDEN
    value ^= value >> np.uint64(29)
    return (value >> np.uint64(32)).astype(np.uint32)


def _mix32(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, a bijection that spreads the input bits."""
    hashes = hashes ^ (hashes >> np.uint32(16))
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    return hashes ^ (hashes >> np.uint32(16))


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The permutations' multipliers (odd) and offsets, drawn as datasketch draws them."""
    generator = np.random.RandomState(seed)
    multipliers = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return multipliers, offsets


def signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """The MinHash signature (``num_perm`` uint32 values) of a non-empty array of shingle hashes."""
    multipliers, offsets = permutations(num_perm)
    mixed = _mix32(hashes)
    lowest = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(mixed), _CHUNK):
        permuted = np.multiply.outer(multipliers, mixed[start : start + _CHUNK])  # wraps: mod 2**32
        permuted += offsets[:, np.newaxis]
        lowest = np.minimum(lowest, permuted.min(axis=1))
    return lowest


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def _area(probability: np.ndarray, grid: np.ndarray) -> float:
    return float(np.sum((probability[1:] + probability[:-1]) * np.diff(grid)) / 2)


@lru_cache(maxsize=32)
def band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)``, ``bands * rows <= num_perm``, with the least false positive + false negative area."""
    below = np.linspace(0.0, threshold, 2001)
    above = np.linspace(threshold, 1.0, 2001)
    best, best_error = (1, 1), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = _area(1 - (1 - below**rows) ** bands, below)
            false_negative = _area((1 - above**rows) ** bands, above)
            error = (false_positive + false_negative) / 2
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


@lru_cache(maxsize=32)
def _band_seeds(num_perm: int, shingle_size: int, bands: int, rows: int) -> np.ndarray:
    # Band keys depend on the whole configuration, so signatures stored under other settings never collide.
    tag = f"minhash-affine32/{num_perm}/{shingle_size}/{bands}x{rows}".encode()
    return np.array(
        [int.from_bytes(hashlib.blake2b(tag + band.to_bytes(2, "big"), digest_size=8).digest(), "big") for band in range(bands)],
        dtype=np.uint64,
    )


def band_keys(signature_: np.ndarray, bands: int, rows: int, shingle_size: int) -> list[int]:
    """One signed 64-bit key per band: an FNV-style hash of the band's rows from a per-band seed, then mixed."""
    matrix = signature_[: bands * rows].astype(np.uint64).reshape(bands, rows)
    value = _band_seeds(len(signature_), shingle_size, bands, rows).copy()
    for column in range(rows):
        value = (value ^ matrix[:, column]) * np.uint64(0x100000001B3)
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    return value.view(np.int64).tolist()
