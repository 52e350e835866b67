"""The compiled lexicon: trie regexes, folding, obfuscated terms (crawler/spam/lexicon.py)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

import pytest

from crawler.spam.lexicon import SEPARATOR_CLASS, _trie_pattern, _word_trie, default_lexicon, trie_regex


def lookaheadtrie_regex(words: Iterable[str], *, separators: bool) -> re.Pattern[str]:
    """The same trie assembled the way it was before: one leading lookahead on the
    set of first characters, and Latin words behind a lookbehind."""
    trie = _word_trie(words)
    gap = f"{SEPARATOR_CLASS}{{0,2}}" if separators else ""
    latin = [c for c in trie if c and c.isascii() and c.isalpha()]
    other = [c for c in trie if c and c not in latin]
    if not latin and not other:
        return re.compile(r"(?!x)x")
    first = "".join(re.escape(c) for c in sorted(latin + other))
    alternatives = []
    if latin:
        alternatives.append(
            r"(?<![a-z])(?:" + "|".join(re.escape(c) + _trie_pattern(trie[c], c, gap) for c in sorted(latin)) + ")"
        )
    if other:
        alternatives.append("(?:" + "|".join(re.escape(c) + _trie_pattern(trie[c], c, gap) for c in sorted(other)) + ")")
    return re.compile("(?=[" + first + "])(?:" + "|".join(alternatives) + ")")


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


WORD_SETS = [
    ["博彩", "棋牌游戏", "棋牌", "六合彩", "一夜情", "bet365", "casino", "sex", "a"],
    ["中奖", "中", "x", "xy", "xyz", "彩.票", "赌 场"],
]


@pytest.mark.parametrize("separators", [True, False])
@pytest.mark.parametrize("words", WORD_SETS)
@pytest.mark.parametrize("seed", range(15))
def test_same_matches_as_the_lookahead_form(words: list[str], separators: bool, seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "".join(sorted(set("".join(words)))) + " .·、，。民政部abxZ\n"
    text = "".join(rng.choice(alphabet) for _ in range(400))
    assert spans(trie_regex(words, separators=separators), text) == spans(
        lookaheadtrie_regex(words, separators=separators), text
    )


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("澳\u200b门\u200d赌\u200c场", "澳门赌场"),  # zero-width characters between the characters
        ("澳門賭場", "澳门赌场"),  # traditional characters
        ("ｂｅｔ３６５", "bet365"),  # full-width
        ("b\u0435t365", "bet365"),  # Cyrillic e
        ("百 家 乐", "百家乐"),
    ],
)
def test_obfuscated_spellings_are_found(written: str, term: str) -> None:
    lexicon = default_lexicon()
    assert term in lexicon.terms
    found = [m.group() for m in lexicon.term_re.finditer(lexicon.fold(f"民政部{written}召开"))]
    assert any(SEPARATOR_CLASS and re.sub(SEPARATOR_CLASS, "", f) == term for f in found), found


def test_fold_keeps_every_position() -> None:
    lexicon = default_lexicon()
    text = "澳門ＡＢＣ b\u0435t\u200b365 İstanbul 民政部"
    assert len(lexicon.fold(text)) == len(text)


def test_fold_is_the_table_then_lower_case() -> None:
    """fold() substitutes only the characters the table changes; the result is
    str.translate(fold_table) lower-cased (or not lower-cased when that would move offsets)."""
    lexicon = default_lexicon()
    table = lexicon.fold_table
    alphabet = [chr(code) for code in table] + list("abcXYZ 中国民政部，。!İΣ\u200b")
    rng = random.Random(17)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        translated = text.translate(table)
        lowered = translated.lower()
        assert lexicon.fold(text) == (lowered if len(lowered) == len(translated) else translated), text
    assert lexicon.fold("ÀBC İ") == "ÀBC İ".translate(table)  # lower() would grow İ: table only, A-Z included
    assert lexicon.fold("Bet365 ＢＥＴ") == "bet365 bet"
