"""Fast paths of exact dedup (pipelines/dedup.py, crawler/state.py) give the same answers as the slow ones."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata

from crawler.state import DigestFilter
from pipelines.dedup import _CASEFOLD_INVARIANT, _INVISIBLE_MARKS, normalise_for_digest


def reference_normalise(body: str) -> str:
    """normalise_for_digest without any shortcut: NFKC, casefold, marks and whitespace removed."""
    text = unicodedata.normalize("NFKC", body).casefold()
    for mark in _INVISIBLE_MARKS:
        text = text.replace(mark, "")
    return "".join(text.split())


def test_casefold_invariant_class_holds_only_characters_casefold_keeps() -> None:
    pattern = re.compile(_CASEFOLD_INVARIANT.pattern.rstrip("*"))
    changed = [
        hex(code) for code in range(0x110000) if pattern.match(chr(code)) and chr(code).casefold() != chr(code)
    ]
    assert changed == []


def test_normalise_matches_reference_on_mixed_text() -> None:
    rng = random.Random(3)
    pieces = [
        "国务院新闻办公室", "GDP增长", "ＡＢＣ１２３", "Straße", "ΣΊΣΥΦΟΣ", "ﬁnance", "①②", "　\u3000", "\u200b",
        "\ufeff", "İstanbul", "ǅ", "e\u0301", "Ω", "\U00010400", "第12号。", "\n\n", " \t", "ｶﾞ", "㍿", "µ",
    ]
    for _ in range(2000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert normalise_for_digest(body) == reference_normalise(body), body
    assert normalise_for_digest("") == ""


def test_digest_filter_three_probes_never_miss_and_rarely_lie_when_full() -> None:
    digest_filter = DigestFilter(100_000)
    stored = [hashlib.sha1(f"in-{n}".encode()).digest() for n in range(digest_filter.capacity)]
    for digest in stored:
        digest_filter.add(digest)
    assert all(digest in digest_filter for digest in stored)
    false_positives = sum(hashlib.sha1(f"out-{n}".encode()).digest() in digest_filter for n in range(100_000))
    assert false_positives < 200  # under 1 in 500 at capacity
