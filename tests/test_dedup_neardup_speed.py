"""The vectorised MinHash of NearDuplicateIndex gives datasketch's signatures exactly."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from crawler.state import SQLiteStateStore
from pipelines.dedup import NearDuplicateIndex, normalise_for_digest, shingle_hashes

CHARACTERS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"


def datasketch_signature(index: NearDuplicateIndex, normalised: str) -> np.ndarray:
    """What the index computed before: datasketch's MinHash over the distinct shingle hashes."""
    minhash = MinHash(num_perm=index.num_perm, seed=1, hashfunc=int, scheme="affine32")
    minhash.update_batch(shingle_hashes(normalised, index.shingle_size).tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


@pytest.mark.parametrize("num_perm", [128, 64])
def test_signature_equals_datasketch_minhash(tmp_path: Path, num_perm: int) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    index = NearDuplicateIndex(store, num_perm=num_perm)
    rng = random.Random(num_perm)
    texts = ["".join(rng.choices(CHARACTERS, k=rng.randint(80, 3000))) for _ in range(60)]
    texts.append("重复" * 200)  # few distinct shingles, many repeats
    texts.append("".join(rng.choices(CHARACTERS + "ABCabc123", k=40_000)))  # more rows than one block
    for text in texts:
        normalised = normalise_for_digest(text)
        signature = index.signature(normalised)
        assert signature is not None and signature.dtype == np.uint32 and len(signature) == num_perm
        assert np.array_equal(signature, datasketch_signature(index, normalised))
    assert index.signature("短文") is None
    store.close()


def test_undeduplicated_shingle_hashes_hold_the_same_values() -> None:
    text = normalise_for_digest("民政部召开会议。" * 40 + "部署养老服务工作。")
    every = shingle_hashes(text, distinct=False)
    assert len(every) == len(text) - 4
    assert np.array_equal(np.unique(every), shingle_hashes(text))
