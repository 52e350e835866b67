"""The spam lexicon: terms, affixes, allow-list and context words, compiled for matching.

Data lives in ``crawler/spam/data/`` (``spam_lexicon.txt``, ``spam_allowlist.txt``,
``spam_variants.txt``).  Text is *folded* before matching, keeping every
character's position: traditional -> simplified, full-width -> ASCII, Cyrillic and
Greek look-alikes -> Latin, lower case.  Up to two separator characters (space,
``* . - _ | / ★`` …, zero-width characters) may stand between the characters of a
term.  In the text-level check a lexicon hit is one piece of evidence among
several (docs/spam.md).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_LEXICON_FILES = (DATA_DIR / "spam_lexicon.txt",)
DEFAULT_ALLOWLIST_FILES = (DATA_DIR / "spam_allowlist.txt",)
VARIANTS_FILE = DATA_DIR / "spam_variants.txt"

STRONG_WEIGHT = 3.0
WEAK_WEIGHT = 1.0
CATEGORIES = ("gambling", "lottery", "cards", "porn", "fake")
# The category of terms an operator declares spam (SPAM_EXTRA_TERMS): a verdict, not a clue.
DECLARED = "declared"

# Characters a spammer puts between the characters of a term to dodge keyword
# filters, zero-width ones included.  Chinese sentence punctuation is not among
# them: "博。彩" is two sentences, not an obfuscated word.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SEPARATOR_CLASS = "[ \\t\\u00a0\\u3000" + ZERO_WIDTH + "\\*\\.\\-_\\|/\\\\·•★☆●○◆◇■□~`'\\\"+=#@&\\^%$!,;:<>、]"
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Letters from other scripts that look like Latin ones (a homoglyph brand name
# such as "bеt365" with a Cyrillic е).
HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "Х": "x",
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u",
    "Α": "a", "Β": "b", "Ε": "e", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Χ": "x",
}


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # strong, weak, hard-affix, soft-affix
    category: str = ""

    @property
    def weight(self) -> float:
        return {"strong": STRONG_WEIGHT, "weak": WEAK_WEIGHT}.get(self.kind, 0.0)


@dataclass
class Lexicon:
    """Compiled spam terms, allow-list and context words."""

    terms: dict[str, Term]
    allowed: set[str]
    context: dict[str, set[str]]
    domain_patterns: list[re.Pattern[str]]
    contact_patterns: list[re.Pattern[str]]
    bonus_patterns: list[re.Pattern[str]]
    fold_table: dict[int, str]
    term_re: re.Pattern[str] = field(init=False)
    seed_re: re.Pattern[str] = field(init=False)
    hard_affix_re: re.Pattern[str] = field(init=False)
    allow_re: re.Pattern[str] | None = field(init=False)
    context_res: dict[str, re.Pattern[str]] = field(init=False)
    allowed_categories: dict[str, str] = field(init=False)
    # The same words as term_re and seed_re, one regex per script of their first character:
    # for asking only whether a text holds any (see ``holds``).
    term_screens: tuple[re.Pattern[str], ...] = field(init=False)
    seed_screens: tuple[re.Pattern[str], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.term_re = trie_regex(self.terms, separators=True)
        # Spam terms only (no affixes): what makes a span.
        seeds = [t for t, term in self.terms.items() if term.kind in {"strong", "weak"}]
        self.seed_re = trie_regex(seeds, separators=True)
        self.term_screens = screen_regexes(list(self.terms), separators=True)
        self.seed_screens = screen_regexes(seeds, separators=True)
        # The subject an allow-listed phrase speaks of (福利彩票 -> lottery):
        # evidence that an article is about the lottery, cards or gambling.
        self.allowed_categories = {}
        for phrase in self.allowed:
            for match in self.seed_re.finditer(phrase):
                term = self.terms.get(strip_separators(match.group()))
                if term is not None:
                    self.allowed_categories[phrase] = term.category
                    break
        self.hard_affix_re = trie_regex([t for t, term in self.terms.items() if term.kind == "hard-affix"], separators=True)
        self.allow_re = trie_regex(self.allowed, separators=False) if self.allowed else None
        self.context_res = {name: trie_regex(words, separators=False) for name, words in self.context.items() if words}
        # The characters the table maps to something else than lower() would: a page holds
        # few of them, and a regex finds those in C where str.translate looks up every character.
        changed = sorted(chr(code) for code, target in self.fold_table.items()
                         if target != chr(code).lower() or not chr(code).isascii())
        self._foldable_re = re.compile("[" + "".join(map(re.escape, changed)) + "]") if changed else None
        self._foldable_ascii = any(char.isascii() for char in changed)

    @staticmethod
    def holds(folded: str, screens: Sequence[re.Pattern[str]]) -> bool:
        """Does ``folded`` hold any word of ``screens`` (``term_screens``, ``seed_screens``)?"""
        return any(screen.search(folded) for screen in screens)

    def fold(self, text: str) -> str:
        """Same-length folded copy of ``text``: simplified, half-width, Latin look-alikes, lower-case
        (``text.translate(fold_table)``, then lower-cased)."""
        mapped = text
        if self._foldable_re is not None and (self._foldable_ascii or not text.isascii()):
            mapped = self._foldable_re.sub(self._fold_match, text)
        lowered = mapped.lower()
        # lower() may grow a few exotic letters (U+0130); offsets must not move.
        return lowered if len(lowered) == len(mapped) else text.translate(self.fold_table)

    def _fold_match(self, match: re.Match[str]) -> str:
        return self.fold_table[ord(match.group())]

    def without(self, categories: Iterable[str]) -> Lexicon:
        """A copy without the terms of ``categories`` (the leave-one-family-out check)."""
        dropped = set(categories)
        terms = {text: term for text, term in self.terms.items() if term.category not in dropped or not term.category}
        return Lexicon(terms, set(self.allowed), {k: set(v) for k, v in self.context.items()}, list(self.domain_patterns),
                       list(self.contact_patterns), list(self.bonus_patterns), dict(self.fold_table))


_SEPARATOR_RE = re.compile(SEPARATOR_CLASS)


def strip_separators(text: str) -> str:
    return _SEPARATOR_RE.sub("", text)


def build_fold_table(variant_lines: Iterable[str]) -> dict[int, str]:
    """traditional -> simplified, full-width -> ASCII, look-alikes -> Latin, A-Z -> a-z."""
    table: dict[int, str] = {}
    # Full-width letters, digits and the symbols spammers put between
    # characters; not full-width sentence punctuation (，：！？).
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):
        table[code] = chr(code - 0xFEE0)
    for char in "．＊－＿｜／＼＠＃＆＋＝～％＄＾":
        table[ord(char)] = chr(ord(char) - 0xFEE0)
    for char, latin in HOMOGLYPHS.items():
        table[ord(char)] = latin
    for line in variant_lines:
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[ord(parts[0])] = parts[1]
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code, target in list(table.items()):
        if "A" <= target <= "Z":
            table[code] = target.lower()
    return table


def _word_trie(words: Iterable[str]) -> dict[str, Any]:
    """Nested dicts, one level a character; ``""`` marks the end of a word."""
    trie: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True
    return trie


def _trie_pattern(node: dict[str, Any], previous: str, gap: str) -> str:
    """Regex for the rest of the words below ``node``, which follows the character ``previous``."""
    branches = []
    terminal = "" in node
    for char in sorted(k for k in node if k):
        joiner = gap if previous else ""
        branches.append(joiner + re.escape(char) + _trie_pattern(node[char], char, gap))
    if terminal:
        # A Latin word must not continue into more letters: "sex" is not in "Sussex".
        end = "(?![a-z])" if previous.isascii() and previous.isalpha() else ""
        if not branches:
            return end
        branches.append(end)
    if not branches:
        return ""
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def trie_regex(words: Iterable[str], *, separators: bool) -> re.Pattern[str]:
    """One regex matching any of ``words``, built from a trie so Python's engine
    checks one character class per position instead of every word."""
    trie = _word_trie(words)
    gap = f"{SEPARATOR_CLASS}{{0,2}}" if separators else ""
    if not any(trie):
        return re.compile(r"(?!x)x")
    # Every top-level branch starts with its literal first character, so the engine
    # skips in C the positions where no word starts. A Latin word must also start at
    # a word boundary, checked just after its first letter.
    branches = []
    for char in sorted(c for c in trie if c):
        boundary = r"(?<![a-z][\s\S])" if char.isascii() and char.isalpha() else ""
        branches.append(re.escape(char) + boundary + _trie_pattern(trie[char], char, gap))
    return re.compile("|".join(branches))


def screen_regexes(words: Sequence[str], *, separators: bool) -> tuple[re.Pattern[str], ...]:
    """``trie_regex(words)`` split by the first character's script (ASCII or not), for
    asking whether a text holds any of ``words`` (``Lexicon.holds``).

    Where a word's branch fails, Python's regex engine goes on to try every other
    alternative of the top-level alternation, so each position that starts a word costs
    as many steps as there are first characters.  A text's common Latin letters then pay
    for the Chinese first characters and the other way round; two regexes, each asked
    whether it finds anything, match the same texts in about half the time."""
    groups = ([w for w in words if w[:1].isascii()], [w for w in words if not w[:1].isascii()])
    return tuple(trie_regex(group, separators=separators) for group in groups if group)


def _read_sections(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
            continue
        if not current:
            logger.warning("spam data file %s: entry %r before any [section]; ignored", path, line)
            continue
        sections[current].append(line)
    return sections
def load_lexicon(
    lexicon_files: Sequence[str | Path] = DEFAULT_LEXICON_FILES,
    allowlist_files: Sequence[str | Path] = DEFAULT_ALLOWLIST_FILES,
    *,
    extra_terms: Sequence[str] = (),
    extra_allowed: Sequence[str] = (),
    variants_file: str | Path = VARIANTS_FILE,
) -> Lexicon:
    """Read lexicon, allow-list and variant files into a compiled ``Lexicon``."""
    fold_table = build_fold_table(Path(variants_file).read_text(encoding="utf-8").splitlines())

    def fold(text: str) -> str:
        return text.strip().translate(fold_table)

    terms: dict[str, Term] = {}
    domain_patterns: list[re.Pattern[str]] = []
    contact_patterns: list[re.Pattern[str]] = []
    bonus_patterns: list[re.Pattern[str]] = []
    for path in lexicon_files:
        for section, entries in _read_sections(Path(path)).items():
            kind, _, category = section.partition(":")
            if kind in {"domain", "contact", "bonus"}:
                target = {"domain": domain_patterns, "contact": contact_patterns, "bonus": bonus_patterns}[kind]
                for entry in entries:
                    try:
                        target.append(re.compile(entry))
                    except re.error as exc:
                        logger.warning("spam lexicon %s: bad %s pattern %r: %s", path, kind, entry, exc)
                continue
            if kind not in {"strong", "weak", "hard-affix", "soft-affix"}:
                logger.warning("spam lexicon %s: unknown section [%s]; ignored", path, section)
                continue
            for entry in entries:
                term = Term(fold(entry), kind, category)
                existing = terms.get(term.text)
                # When a word is listed twice, the heavier listing wins.
                if existing is None or term.weight > existing.weight:
                    terms[term.text] = term
    for entry in extra_terms:
        if entry.strip():
            terms[fold(entry)] = Term(fold(entry), "strong", DECLARED)

    allowed: set[str] = set()
    context: dict[str, set[str]] = {}
    for path in allowlist_files:
        for section, entries in _read_sections(Path(path)).items():
            if section == "terms":
                allowed.update(fold(e) for e in entries)
            elif section.startswith("embed:"):
                context.setdefault(section, set()).update(fold(e) for e in entries)
            elif section.startswith("context:"):
                context.setdefault(section.partition(":")[2], set()).update(fold(e) for e in entries)
            else:
                logger.warning("spam allow-list %s: unknown section [%s]; ignored", path, section)
    allowed.update(fold(e) for e in extra_allowed if e.strip())
    return Lexicon(terms, allowed, context, domain_patterns, contact_patterns, bonus_patterns, fold_table)


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded once per process (read-only afterwards)."""
    return load_lexicon()



def is_government_domain(domain: str) -> bool:
    return bool(re.search(r"\.(?:gov|edu|org)\.cn\b|\.gov\b", domain))


_DOMAIN_HINT_RE = re.compile(r"[a-z0-9]\.[a-z]")
# Host-like tokens; attempts start only at a token boundary and never
# backtrack, so the scan stays linear on long texts.
_HOST_TOKEN_RE = re.compile(r"(?<![a-z0-9-])[a-z0-9-]++(?:\.[a-z0-9-]++)+")


def spam_domain_spans(folded: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Where spam-shaped host names stand in folded text."""
    if "." not in folded or not _DOMAIN_HINT_RE.search(folded):
        return []
    spans = []
    for match in _HOST_TOKEN_RE.finditer(folded):
        host = match.group()
        if is_government_domain(host):
            continue
        padded = " " + host + " "
        if any(p.search(padded) for p in lexicon.domain_patterns):
            spans.append(match.span())
    return spans


def has_spam_candidates(text: str, lexicon: Lexicon | None = None) -> bool:
    """Does ``text`` hold any lexicon term or spam-shaped domain?"""
    lexicon = lexicon or default_lexicon()
    folded = lexicon.fold(text)
    return lexicon.holds(folded, lexicon.seed_screens) or bool(spam_domain_spans(folded, lexicon))


def topic_counts(text: str, lexicon: Lexicon | None = None) -> dict[str, int]:
    """How often each category's vocabulary occurs in ``text``: allow-listed
    phrases (福利彩票, 中国象棋, 打击赌博) and spam terms alike.  An article about
    the welfare lottery has lottery vocabulary throughout; one about elderly
    care has none, so a lottery phrase in it stands out."""
    lexicon = lexicon or default_lexicon()
    folded = lexicon.fold(text)
    counts: dict[str, int] = {}
    # An allow-listed phrase has a subject only through the spam term inside it: a text
    # without any term has neither (the usual article).
    if not lexicon.holds(folded, lexicon.seed_screens):
        return counts
    if lexicon.allow_re is not None:
        for match in lexicon.allow_re.finditer(folded):
            category = lexicon.allowed_categories.get(match.group())
            if category:
                counts[category] = counts.get(category, 0) + 1
    for match in lexicon.seed_re.finditer(folded):
        term = lexicon.terms.get(strip_separators(match.group()))
        if term is not None:
            counts[term.category] = counts.get(term.category, 0) + 1
    return counts
