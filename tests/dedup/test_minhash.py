"""MinHash signatures and band layouts (crawler/dedup/minhash.py), checked against datasketch and pinned values."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from crawler.dedup import minhash
from crawler.dedup.fingerprint import body_digest, normalise_for_digest

CHARACTERS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
PINNED = json.loads((Path(__file__).parent / "fingerprints.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("num_perm", [128, 64])
def test_signature_equals_datasketch_minhash(num_perm: int) -> None:
    rng = random.Random(num_perm)
    texts = ["".join(rng.choices(CHARACTERS, k=rng.randint(80, 3000))) for _ in range(40)]
    texts.append("重复" * 200)  # few distinct shingles, many repeats
    texts.append("".join(rng.choices(CHARACTERS + "ABCabc123", k=20_000)))  # more shingles than one chunk
    for text in texts:
        hashes = minhash.shingle_hashes(normalise_for_digest(text), 5)
        reference = MinHash(num_perm=num_perm, seed=1, hashfunc=int, scheme="affine32")
        reference.update_batch(hashes.tolist())
        assert np.array_equal(minhash.signature(hashes, num_perm), np.asarray(reference.hashvalues, dtype=np.uint32))


@pytest.mark.parametrize("threshold", [0.3, 0.4, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_band_layout_is_the_one_datasketch_chooses(threshold: float, num_perm: int) -> None:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert minhash.band_layout(threshold, num_perm) == (lsh.b, lsh.r)


def test_digests_signatures_and_band_keys_are_those_already_stored() -> None:
    """State stores hold these values: a change here would need a migration."""
    bands, rows = minhash.band_layout(PINNED["threshold"], PINNED["num_perm"])
    assert (bands, rows) == (32, 4)
    compared = 0
    for entry in PINNED["bodies"]:
        assert body_digest(entry["body"]) == entry["body_sha1"], entry["body"][:40]
        if entry["signature"] is None:
            continue
        hashes = minhash.shingle_hashes(normalise_for_digest(entry["body"]), PINNED["shingle_size"])
        signature = minhash.signature(hashes, PINNED["num_perm"])
        assert signature.tolist() == entry["signature"]
        assert minhash.band_keys(signature, bands, rows, PINNED["shingle_size"]) == entry["band_keys"]
        compared += 1
    assert compared >= 30


def test_similarity_estimates_jaccard() -> None:
    rng = random.Random(3)
    base = "".join(rng.choices(CHARACTERS, k=3000))
    edited = base[:2000] + "".join(rng.choices(CHARACTERS, k=1000))
    first, second = (minhash.signature(minhash.shingle_hashes(text, 5), 256) for text in (base, edited))

    def shingles(text: str) -> set[str]:
        return {text[i : i + 5] for i in range(len(text) - 4)}

    jaccard = len(shingles(base) & shingles(edited)) / len(shingles(base) | shingles(edited))
    assert abs(minhash.similarity(first, second) - jaccard) < 0.1
    assert minhash.similarity(first, first) == 1.0
