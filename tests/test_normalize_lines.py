"""normalize_lines (one pass over a whole article) must equal normalize_line line by line."""

from __future__ import annotations

import random

import pytest

from crawler.extract.text import normalize_body, normalize_line, normalize_lines

# Characters each normalisation step acts on, and ordinary text around them.
ALPHABET = (
    "民政部召开会议，。：ab Z9"
    " \t\xa0\u3000\u2003\u202f"  # spaces
    "\n\r\u2028\x85"  # line breaks
    "\u200b\u200d\ufeff\u00ad\x07\x1c\x1e\x1f\x9f"  # zero-width and controls (the mark \x1e too)
    "e\u0301\u0308A\u030a"  # NFC compositions
    "０１９．：ｈｔｐｓ／ｗＷ"  # full-width data and URLs
)


def reference(lines: list[str]) -> list[str]:
    return [line for line in map(normalize_line, lines) if line]


@pytest.mark.parametrize("seed", range(40))
def test_random_lines_match_line_by_line(seed: int) -> None:
    rng = random.Random(seed)
    lines = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(0, 25))]
    assert normalize_lines(lines) == reference(lines)


def test_lines_without_the_mark_take_the_joined_path_and_agree() -> None:
    lines = [" 2019年１２月１９日 ", "", "\u3000\u3000访问ｈｔｔｐ：／／ｗｗｗ．ｍｃａ．ｇｏｖ．ｃｎ", "e\u0301", "\u0301x", "\u200b"]
    assert normalize_lines(lines) == reference(lines) == ["2019年12月19日", "访问http://www.mca.gov.cn", "é", "\u0301x"]


def test_a_line_holding_the_mark_is_handled_like_line_by_line() -> None:
    lines = ["a\x1eb", "  c  "]
    assert normalize_lines(lines) == ["ab", "c"]


def test_full_width_comma_alone_is_left_as_written() -> None:
    # The gate must not skip real work: a digit after the comma is still converted.
    assert normalize_line("一，二") == "一，二"
    assert normalize_line("第１，２００人") == "第1,200人"


@pytest.mark.parametrize("seed", range(20))
def test_normalize_body_matches_paragraph_by_paragraph(seed: int) -> None:
    rng = random.Random(1000 + seed)
    body = "".join(rng.choice(ALPHABET + "\n\n\n") for _ in range(rng.randint(0, 300)))
    import re

    text = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", body)
    expected = "\n\n".join(reference([block.replace("\n", " ") for block in re.split(r"\n\s*\n[\s\n]*", text)]))
    assert normalize_body(body) == expected


def test_the_quick_gates_cover_every_character_the_substitutions_touch() -> None:
    from crawler.extract.text import _LINE_BREAK_CHARS, _LINE_BREAKS, _SPACES, _SPACES_BUT_BLANK

    for code in range(0x10000):
        character = chr(code)
        if _SPACES.fullmatch(character):
            assert character == " " or character in _SPACES_BUT_BLANK, hex(code)
        if _LINE_BREAKS.match(character):
            assert character in _LINE_BREAK_CHARS, hex(code)


# The short cut for lines with nothing but plain text, "\n" and " " to normalise: lines of
# plain prose, some with one character of each kind a step acts on.
PLAIN = "民政部召开全国养老服务工作会议，部署推进。ab Z9\n"
ONE_OF_EACH = [
    "\u3000", "\xa0", "\t", "\u2003", "\r", "\u2028", "\x85", "\u200b", "\ufeff", "\x07", "\x1f", "\x9f",
    "０", "ｈ", "Ｗ", "e\u0301", "A\u030a", "\u212b", "  ",
]


@pytest.mark.parametrize("seed", range(30))
def test_plain_lines_and_lines_with_one_special_character(seed: int) -> None:
    rng = random.Random(seed)
    lines = ["".join(rng.choice(PLAIN) for _ in range(rng.randint(0, 40))) for _ in range(rng.randint(1, 20))]
    assert normalize_lines(lines) == reference(lines)
    special = rng.choice(ONE_OF_EACH)
    index = rng.randrange(len(lines))
    position = rng.randint(0, len(lines[index]))
    lines[index] = lines[index][:position] + special + lines[index][position:]
    assert normalize_lines(lines) == reference(lines), repr(special)


def test_nfc_changes_plain_looking_text() -> None:
    # U+212B (Angstrom sign) is in none of the step classes, yet NFC makes it U+00C5.
    assert normalize_lines(["\u212b ab", "x"]) == ["\u00c5 ab", "x"] == reference(["\u212b ab", "x"])
