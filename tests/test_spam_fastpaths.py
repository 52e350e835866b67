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


# -- the anchored screen (cjk_screen_re) and the folding short cut ---------------------


def plain_fold(lexicon, text: str) -> str:  # type: ignore[no-untyped-def]
    """Lexicon.fold as it was: translate when a table character is there, then lower()."""
    if lexicon.fold_chars_re.search(text):
        text = text.translate(lexicon.fold_table)
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


_CJK_TRIES: dict[int, tuple[object, re.Pattern[str]]] = {}  # by id, the lexicon kept alive beside its trie


def cjk_seed_re(lexicon) -> re.Pattern[str]:  # type: ignore[no-untyped-def]
    """The Chinese spam terms as one trie regex: the screen before cjk_screen_re (compiled once a lexicon)."""
    if id(lexicon) not in _CJK_TRIES:
        seeds = [t for t, term in lexicon.terms.items() if term.kind in {"strong", "weak"} and not t[:1].isascii()]
        _CJK_TRIES[id(lexicon)] = (lexicon, _trie_regex(seeds, separators=True))
    return _CJK_TRIES[id(lexicon)][1]


def plain_seed_search(lexicon, folded: str) -> bool:  # type: ignore[no-untyped-def]
    """_seed_search as it was: the Chinese trie, then the Latin words gate and trie."""
    from pipelines.spam import _SPELLED_OUT_GATE_RE, _SPELLED_OUT_RE

    if cjk_seed_re(lexicon).search(folded):
        return True
    if lexicon.latin_first_words.isdisjoint(_latin_words(folded)) and not (
        _SPELLED_OUT_GATE_RE.search(folded) and _SPELLED_OUT_RE.search(folded)
    ):
        return False
    return bool(lexicon.latin_seed_re.search(folded))


def near_misses(words: list[str], rng: random.Random, filler: str) -> str:
    """Text made of terms, terms with separators put between their characters, terms cut
    short or with a character swapped, and filler: about half such texts hold a term."""
    separators = ["", " ", "·", "  ", "..", "*", "\u3000", "、", "，", "   "]
    pieces = []
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.35:
            word = rng.choice(words)
            if rng.random() < 0.5:
                # One to three separator characters: three is one too many for the trie.
                word = rng.choice(separators).join(word)
            if rng.random() < 0.4:
                cut = rng.randrange(len(word))
                word = word[:cut] + (rng.choice(filler) if rng.random() < 0.5 else "") + word[cut + 1:]
            pieces.append(word)
        else:
            pieces.append("".join(rng.choice(filler) for _ in range(rng.randint(1, 5))))
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(12))
def test_anchored_screen_finds_what_the_trie_finds(seed: int) -> None:
    lexicon = default_lexicon()
    seeds = [t for t, term in lexicon.terms.items() if term.kind in {"strong", "weak"}]
    cjk = [t for t in seeds if not t[:1].isascii()]
    filler = "".join(sorted(set("".join(cjk)))) + "民政部召开会议 .·、，。abpZ3\n"
    rng = random.Random(seed)
    found = 0
    for _ in range(600):
        text = lexicon.fold(near_misses(cjk, rng, filler))
        expected = bool(cjk_seed_re(lexicon).search(text))
        assert bool(lexicon.cjk_screen_re.search(text)) == expected, text
        found += expected
    assert 100 < found < 500  # both answers are exercised


ANCHOR_WORD_SETS = [
    # Anchors at the first, second and third character; a Latin letter and digits inside
    # Chinese terms; one word a prefix of another; a one-character word.
    ["成人", "成人视频", "平特", "三中三", "棋牌app", "北京pk10", "快3", "增值税发票代开", "赌"],
    ["一码中特", "一夜情", "中奖", "开奖结果", "彩", "xy中文", "a片"],
]


@pytest.mark.parametrize("words", ANCHOR_WORD_SETS)
@pytest.mark.parametrize("seed", range(10))
def test_anchored_screen_on_chosen_words(words: list[str], seed: int) -> None:
    from pipelines.spam import _anchored_screen_regex, _common_hanzi_ranks

    trie = _trie_regex(words, separators=True)
    screen = _anchored_screen_regex(words, _common_hanzi_ranks())
    # Also with no frequency list, and with one that ranks the words' characters the other way round.
    reversed_ranks = {char: rank for rank, char in enumerate(sorted(set("".join(words)), reverse=True))}
    others = [_anchored_screen_regex(words, {}), _anchored_screen_regex(words, reversed_ranks)]
    rng = random.Random(seed)
    filler = "".join(sorted(set("".join(words)))) + "民政 .·、xyzA9\n"
    for _ in range(400):
        text = near_misses(words, rng, filler).lower()
        expected = bool(trie.search(text))
        assert bool(screen.search(text)) == expected, text
        for other in others:
            assert bool(other.search(text)) == expected, text


@pytest.mark.parametrize("seed", range(8))
def test_seed_search_answers_as_before(seed: int) -> None:
    from pipelines.spam import _seed_search

    lexicon = default_lexicon()
    seeds = [t for t, term in lexicon.terms.items() if term.kind in {"strong", "weak"}]
    filler = "".join(sorted(set("".join(seeds)))) + "民政部 .·、，。sussex b.e.t 12 \n"
    rng = random.Random(seed)
    for _ in range(400):
        text = lexicon.fold(near_misses(seeds, rng, filler))
        assert _seed_search(text, lexicon) == plain_seed_search(lexicon, text), text


FOLD_SAMPLES = [
    "", "民政部召开会议", "ABC abc", "ＡＢＣ１２３", "賭場", "İstanbul", "ΣΑΣ", "ǅ", "𐐀𐐨", "中文𐐀",
    "\ud800 lone surrogate", "ß", "ﬁ", "Ⅻ", "ⓐⒶ", "\u3000", "．＊", "民政部 ABC 賭 𝐀",
]


@pytest.mark.parametrize("text", FOLD_SAMPLES)
def test_fold_short_cut_gives_the_plain_fold(text: str) -> None:
    lexicon = default_lexicon()
    assert lexicon.fold(text) == plain_fold(lexicon, text)


def test_fold_short_cut_on_every_bmp_character() -> None:
    lexicon = default_lexicon()
    for start in range(0, 0x10000, 2048):
        block = "".join(map(chr, range(start, start + 2048)))
        for text in (block, "民政部" + block[:7], block[-5:] + "abc"):
            assert lexicon.fold(text) == plain_fold(lexicon, text)
        for char in block:
            assert lexicon.fold(char) == plain_fold(lexicon, char), hex(ord(char))


@pytest.mark.parametrize("seed", range(6))
def test_fold_of_long_text_with_a_few_characters_to_fold(seed: int) -> None:
    # The case the one-by-one replacement is for: a Chinese page with "ICP" in its footer.
    lexicon = default_lexicon()
    rng = random.Random(seed)
    specials = ["ICP", "A", "Ｂ", "賭", "Σ", "ΑΣ ", "İ", "ǅ", "𐐀", "ß", "Ⅻ", "Ⓐ", "．", "Z9"]
    for _ in range(60):
        text = list("民政部召开全国养老服务工作会议，部署推进。" * rng.randint(1, 40))
        for _ in range(rng.randint(1, 6)):
            text.insert(rng.randrange(len(text) + 1), rng.choice(specials))
        joined = "".join(text)
        assert lexicon.fold(joined) == plain_fold(lexicon, joined), joined


@pytest.mark.parametrize("seed", range(10))
def test_ascii_projection_finds_every_latin_match(seed: int) -> None:
    # The projection screen may say yes where the trie says no, never the other way round.
    lexicon = default_lexicon()
    latin = [t for t, term in lexicon.terms.items() if term.kind in {"strong", "weak"} and t[:1].isascii()]
    filler = "民政部 .·、，。sussex b.e.t 12 \u3000\u00a0★x\n"
    rng = random.Random(seed)
    found = 0
    for _ in range(500):
        text = lexicon.fold(near_misses(latin, rng, filler))
        if lexicon.latin_seed_re.search(text):
            found += 1
            assert lexicon.latin_projection_re.search(text.encode("ascii", "ignore")), text
    assert found > 100
