"""Fast paths in the text-level spam screen give exactly what the plain versions gave."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

import pytest

from pipelines.spam import _SEPARATOR_CLASS, _latin_words, _trie_pattern, _trie_regex, _word_trie, default_lexicon


def lookahead_trie_regex(words: Iterable[str], *, separators: bool) -> re.Pattern[str]:
    """The same trie assembled the way it was before: one leading lookahead on the
    set of first characters, and Latin words behind a lookbehind."""
    trie = _word_trie(words)
    gap = f"{_SEPARATOR_CLASS}{{0,2}}" if separators else ""
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
    assert spans(_trie_regex(words, separators=separators), text) == spans(
        lookahead_trie_regex(words, separators=separators), text
    )


def test_shipped_lexicon_screens_as_before() -> None:
    lexicon = default_lexicon()
    seeds = [t for t, term in lexicon.terms.items() if term.kind in {"strong", "weak"}]
    rng = random.Random(7)
    pieces = [*seeds, "民政部召开会议，", "sussex ", "a.b.c ", "博 · 彩", "、", " ", "bet365"]
    for _ in range(30):
        text = lexicon.fold("".join(rng.choice(pieces) for _ in range(30)))
        assert spans(lexicon.seed_re, text) == spans(lookahead_trie_regex(seeds, separators=True), text)


@pytest.mark.parametrize("text", ["", "民政部", "123 abc 12a3 a12 x", "bet365和casino，2024年", "Sussex-9z_8"])
def test_latin_words_are_the_runs_with_a_letter(text: str) -> None:
    assert _latin_words(text) == re.findall(r"[0-9]*[a-z][a-z0-9]*", text)


@pytest.mark.parametrize("seed", range(40))
def test_spaced_chunk_test_agrees_with_the_regex(seed: int) -> None:
    from pipelines.spam import _SPACED_CJK_RE, _has_spaced_chunk

    rng = random.Random(seed)
    pieces = ["民", "政", "，", "。", "、", "：", "；", " ", "  ", "\t", "\u3000", "ab", "棋牌游戏大厅", "x", "\n", "1"]
    for _ in range(100):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert _has_spaced_chunk(text) == bool(_SPACED_CJK_RE.search(text)), text
