"""Text-level spam removal: injected phrases out of titles and bodies.

Hacked government pages carry gambling, porn and fake-certificate phrases that
black-hat SEO puts into the ``<title>``, into a sentence ("Another
连线棋牌游戏大厅 recently, …") or as whole paragraphs.  The functions here find
those spans, decide on *context* whether each is spam (a lottery word in a
report on welfare-lottery sales is news), remove them keeping the surrounding
sentence, and record every removal.  ``SpamPipeline`` wires them into Scrapy,
swaps a tampered headline for the most trusted clean title candidate and drops
doorway pages (pages that are wholly spam).  The rules are documented in
docs/spam.md.

Settings (all optional):

``SPAM_ENABLED`` (bool, default True)
    Switch the pipeline off (raises NotConfigured).
``SPAM_LEXICON_FILES`` (list of paths, default: the shipped
    ``pipelines/data/spam_lexicon.txt``)
    Lexicon files; replaces the shipped list.  Use ``SPAM_EXTRA_LEXICON_FILES``
    to add files to the shipped one instead.
``SPAM_EXTRA_LEXICON_FILES`` (list of paths, default ``[]``)
``SPAM_ALLOWLIST_FILES`` (list of paths, default: the shipped
    ``pipelines/data/spam_allowlist.txt``)
``SPAM_EXTRA_ALLOWLIST_FILES`` (list of paths, default ``[]``)
``SPAM_EXTRA_TERMS`` (list of str, default ``[]``)
    Extra strong spam terms (weight 3, category "gambling").
``SPAM_EXTRA_ALLOWED`` (list of str, default ``[]``)
    Extra allow-listed phrases.
``SPAM_DOORWAY_MIN_SPAM_RATIO`` (float, default 0.6)
    Share of a page's text (title excluded) that must be spam for the page to
    count as a doorway when little clean text is left.
``SPAM_DOORWAY_MAX_CLEAN_CHARS`` (int, default 200)
    A page with more clean body text than this is never a doorway.

Stats: ``spam/items_checked``, ``spam/items_with_spam``, ``spam/removed/<where>``,
``spam/title_replaced``, ``spam/doorway``, ``spam/errors``.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from crawler import signals as our_signals
from crawler.precomputed import step_result

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "crawler" / "spam" / "data"
DEFAULT_LEXICON_FILES = (DATA_DIR / "spam_lexicon.txt",)
DEFAULT_ALLOWLIST_FILES = (DATA_DIR / "spam_allowlist.txt",)
VARIANTS_FILE = DATA_DIR / "spam_variants.txt"

STRONG_WEIGHT = 3.0
WEAK_WEIGHT = 1.0
SPAM_THRESHOLD = 3.0
TOPIC_MIN_CHARS = 100  # an article shorter than this is not judged on its subject
CATEGORIES = ("gambling", "lottery", "cards", "porn", "fake")

# Characters a spammer puts between the characters of a term to dodge keyword
# filters.  Chinese sentence punctuation is not among them: "博。彩" is two
# sentences, not an obfuscated word.
_SEPARATOR_CLASS = r"[ \t\u00a0\u3000\*\.\-_\|/\\·•★☆●○◆◇■□~`'\"+=#@&\^%$!,;:<>、]"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
# A chunk of 4-24 characters set off by spaces between Chinese characters
# (an insertion; "记者 黄蕾 通讯员" has only short chunks).
_SPACED_CJK_RE = re.compile(f"[{_CJK}，、：；][ \t\u3000]+[^\\s]{{4,24}}[ \t\u3000]+[{_CJK}，。、：；]")
# The same test, started from the spaces: _SPACED_CJK_RE's first class matches at
# nearly every position of Chinese prose, so its search costs about a microsecond per
# ten characters; spaces are few there.
_SPACE_RUN_RE = re.compile("[ \t\u3000]+")
_SPACED_CHUNK_BEFORE_RE = re.compile(f"[{_CJK}，、：；]")
_SPACED_CHUNK_REST_RE = re.compile(f"[ \t\u3000]+[^\\s]{{4,24}}[ \t\u3000]+[{_CJK}，。、：；]")


def _has_spaced_chunk(text: str) -> bool:
    """``bool(_SPACED_CJK_RE.search(text))``, found from the runs of spaces."""
    if " " not in text and "\t" not in text and "\u3000" not in text:
        return False  # ``in`` runs at memchr speed; the regex scan ~20 ns a character
    for run in _SPACE_RUN_RE.finditer(text):
        start = run.start()
        if start and _SPACED_CHUNK_BEFORE_RE.match(text, start - 1) and _SPACED_CHUNK_REST_RE.match(text, start):
            return True
    return False
# Four or more single letters or digits in a row: "b.e.t.3.6.5", "c a s i n o".
# Runs of letters and digits; those with at least one letter are words (numbers are
# not Latin spam terms).
_ALNUM_RUN_RE = re.compile(r"[a-z0-9]+")


def _latin_words(folded: str) -> list[str]:
    """The maximal runs of [a-z0-9] that hold a letter. (Found as plain runs: a pattern
    that may start with a digit or a letter has no first-character class for the
    engine to skip Chinese text with, and cost three times as much.)"""
    return [run for run in _ALNUM_RUN_RE.findall(folded) if not run.isdigit()]
# Starts with a character class, so the engine skips Chinese text quickly.
_SPELLED_OUT_GATE_RE = re.compile("[a-z][^a-z0-9\n\u3400-\u9fff]{1,2}[a-z][^a-z0-9\n\u3400-\u9fff]{1,2}[a-z]")
_SPELLED_OUT_RE = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[^a-z0-9\n\u3400-\u9fff]{1,2}[a-z0-9](?![a-z0-9])){3,}")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")
_SENTENCE_END_RE = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_OPENING_BRACKETS = "(（《〈「『“\"'【[‘"
_CLOSING_BRACKETS = ")）》〉」』”\"'】]’"


# --------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------


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
    latin_seed_re: re.Pattern[str] = field(init=False)
    latin_projection_re: re.Pattern[bytes] = field(init=False)
    hard_affix_re: re.Pattern[str] = field(init=False)
    latin_first_words: frozenset[str] = field(init=False)
    allow_re: re.Pattern[str] | None = field(init=False)
    context_res: dict[str, re.Pattern[str]] = field(init=False)
    fold_chars_re: re.Pattern[str] = field(init=False)
    fold_screen_re: re.Pattern[str] = field(init=False)
    fold_replacements: dict[str, str] | None = field(init=False)
    cjk_screen_re: re.Pattern[str] = field(init=False)
    allowed_categories: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        non_ascii = sorted(chr(code) for code in self.fold_table if code > 127)
        self.fold_chars_re = re.compile("[" + "".join(re.escape(c) for c in non_ascii) + "]" if non_ascii else r"(?!x)x")
        # Everything fold() can change: a text without any of these folds to itself. Only
        # characters of the BMP: a set with one beyond it is checked item by item by the
        # engine (1,400 comparisons a character); text beyond the BMP takes the long way.
        changing = set(non_ascii) | set(_lower_changing_characters())
        self.fold_screen_re = re.compile("[" + "".join(re.escape(c) for c in sorted(changing) if c <= "\uffff") + "]")
        self.fold_replacements = _single_character_folds(self.fold_table, changing)
        self.term_re = _trie_regex(self.terms, separators=True)
        # Spam terms only (no affixes): the cheap screen every text goes through.
        seeds = [t for t, term in self.terms.items() if term.kind in {"strong", "weak"}]
        self.seed_re = _trie_regex(seeds, separators=True)
        # The screen in two halves: Chinese terms by a regex tried only where a rare
        # character of a term stands (the same yes/no answer as their trie regex), Latin terms
        # only when the text holds one of their first words or a spelled-out run (b.e.t).
        latin = [t for t in seeds if t[:1].isascii()]
        self.cjk_screen_re = _anchored_screen_regex([t for t in seeds if not t[:1].isascii()], _common_hanzi_ranks())
        self.latin_seed_re = _trie_regex(latin, separators=True)
        self.latin_projection_re = _ascii_projection_regex(latin)
        # The subject an allow-listed phrase speaks of (福利彩票 -> lottery):
        # evidence that an article is about the lottery, cards or gambling.
        self.allowed_categories = {}
        for phrase in self.allowed:
            for match in self.seed_re.finditer(phrase):
                term = self.terms.get(re.sub(_SEPARATOR_CLASS, "", match.group()))
                if term is not None:
                    self.allowed_categories[phrase] = term.category
                    break
        self.hard_affix_re = _trie_regex([t for t, term in self.terms.items() if term.kind == "hard-affix"], separators=True)
        self.latin_first_words = frozenset(_ASCII_WORD_RE.findall(t)[0] for t in latin if _ASCII_WORD_RE.findall(t))
        self.allow_re = _trie_regex(self.allowed, separators=False) if self.allowed else None
        self.context_res = {
            name: _trie_regex(words, separators=False) for name, words in self.context.items() if words
        }

    def fold(self, text: str) -> str:
        """Same-length folded copy of ``text``: simplified, half-width, lower-case."""
        # One class scan instead of two (the table's characters, then lower() at ~8 ns a
        # character on Chinese text): most text has nothing to fold.
        first = self.fold_screen_re.search(text)
        beyond_bmp = _beyond_bmp(text)
        if first is None and not beyond_bmp:
            return text
        if first is not None and not beyond_bmp and self.fold_replacements is not None:
            # A few characters to fold (the "ICP" in a footer): replaced one by one.
            pieces: list[str] = []
            last = 0
            for count, match in enumerate(self.fold_screen_re.finditer(text, first.start())):
                replacement = self.fold_replacements.get(match.group())
                if replacement is None or count * 64 > len(text):
                    break  # context-dependent, or so many that lower() on the whole is cheaper
                pieces += (text[last:match.start()], replacement)
                last = match.end()
            else:
                pieces.append(text[last:])
                return "".join(pieces)
        if self.fold_chars_re.search(text):
            text = text.translate(self.fold_table)
        lowered = text.lower()
        # lower() may grow a few exotic letters (U+0130); offsets must not move.
        return lowered if len(lowered) == len(text) else text


def _build_fold_table(variant_lines: Iterable[str]) -> dict[int, str]:
    table: dict[int, str] = {}
    # Full-width letters, digits and the symbols spammers put between
    # characters; not full-width sentence punctuation (，：！？), which stays
    # as written so ordinary Chinese text needs no folding at all.
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):
        table[code] = chr(code - 0xFEE0)
    for char in "．＊－＿｜／＼＠＃＆＋＝～％＄＾":
        table[ord(char)] = chr(ord(char) - 0xFEE0)
    for line in variant_lines:
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[ord(parts[0])] = parts[1]
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    # Fold already-mapped upper-case targets too (full-width Ａ -> A -> a).
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


def _trie_regex(words: Iterable[str], *, separators: bool) -> re.Pattern[str]:
    """One regex matching any of ``words``, built from a trie so Python's
    engine checks one character class per position instead of every word."""
    trie = _word_trie(words)
    gap = f"{_SEPARATOR_CLASS}{{0,2}}" if separators else ""
    if not any(trie):
        return re.compile(r"(?!x)x")
    # Every top-level branch starts with its literal first character: from such a
    # pattern the engine takes the set of first characters and skips, in C, the
    # positions where no word starts (a leading lookahead or lookbehind would enter
    # the pattern at every position of the text). A Latin word must also start at a
    # word boundary, checked just after its first letter.
    branches = []
    for char in sorted(c for c in trie if c):
        boundary = r"(?<![a-z][\s\S])" if char.isascii() and char.isalpha() else ""
        branches.append(re.escape(char) + boundary + _trie_pattern(trie[char], char, gap))
    return re.compile("|".join(branches))


def _single_character_folds(table: dict[int, str], characters: Iterable[str]) -> dict[str, str] | None:
    """What fold() turns each of ``characters`` into, where that does not depend on the rest
    of the text; None when a character-by-character fold cannot equal the whole-text one."""
    for code, target in table.items():
        if code < 128 and target.lower() != chr(code).lower():
            return None  # an ASCII entry is applied only when the text holds a non-ASCII one
    replacements: dict[str, str] = {}
    for char in characters:
        mapped = table.get(ord(char), char)
        lowered = mapped.lower()
        # Not U+03A3: lower() makes it σ or ς by its neighbours. Not a letter lower() makes
        # two (U+0130): fold() then gives up lower-casing the whole text.
        if len(mapped) == 1 and len(lowered) == 1 and mapped != "\u03a3":
            replacements[char] = lowered
    return replacements


def _ascii_projection_regex(words: Iterable[str]) -> re.Pattern[bytes]:
    """A bytes regex that finds a match in ``text.encode("ascii", "ignore")`` whenever
    ``_trie_regex(words, separators=True)`` finds one in ``text`` (words all ASCII).

    The text's ASCII characters are all a match of an ASCII word is made of but for the
    separators between its characters, and those left are at most two: the same words
    with up to two ASCII separators between characters, and no word-boundary checks
    (deleting characters may bring letters together), match there. Encoding drops
    Chinese text at memcpy speed; the regex then scans a few hundred bytes, not a page.
    """
    separators = "".join(char for char in map(chr, range(128)) if re.fullmatch(_SEPARATOR_CLASS, char))
    gap = "[" + re.escape(separators) + "]{0,2}"
    alternatives = sorted({gap.join(re.escape(char) for char in word) for word in words if word and word.isascii()})
    if not alternatives:
        return re.compile(rb"(?!x)x")
    return re.compile("|".join(alternatives).encode("ascii"))


def _beyond_bmp(text: str) -> bool:
    """Does ``text`` hold a character beyond U+FFFF? (An encoding runs at memcpy speed, a regex
    class ~10 ns a character.)"""
    return not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


@functools.lru_cache(maxsize=1)
def _lower_changing_characters() -> tuple[str, ...]:
    """Every character of the BMP that ``str.lower()`` changes (upper- and title-case letters)."""
    return tuple(char for char in map(chr, range(0x10000)) if char.lower() != char)


COMMON_HANZI_FILE = DATA_DIR / "common_hanzi.txt"


@functools.lru_cache(maxsize=1)
def _common_hanzi_ranks() -> dict[str, int]:
    """Frequency rank of common characters (0 = most common); unlisted ones are rarer than all."""
    ranks: dict[str, int] = {}
    try:
        lines = COMMON_HANZI_FILE.read_text(encoding="utf-8").splitlines()
    except OSError as exc:  # only the screen's speed depends on it
        logger.warning("spam: cannot read %s (%s); the quick screen picks characters without it", COMMON_HANZI_FILE, exc)
        return ranks
    for line in lines:
        if line.startswith("#"):
            continue
        for char in line.strip():
            ranks.setdefault(char, len(ranks))
    return ranks


def _anchored_screen_regex(words: Iterable[str], ranks: dict[str, int]) -> re.Pattern[str]:
    """A regex that finds a match in a text exactly when ``_trie_regex(words, separators=True)`` does.

    Each word is looked for from its rarest character (its *anchor*, by ``ranks``), not
    its first: the engine skips, in C, every position that holds no anchor, whereas the
    first characters of spam terms (中, 大, 新, 一 …) stand at nearly every position of
    Chinese prose, each a try of the whole trie. What comes before the anchor is checked
    by lookbehinds, one per way of putting zero to two separator characters in each gap
    (Python's lookbehinds have a fixed width). Only *whether* there is a match is the
    same as the trie's; where the match starts is not.
    """
    gap_choices = ("", _SEPARATOR_CLASS, _SEPARATOR_CLASS * 2)
    by_anchor: dict[str, list[str]] = {}
    for word in dict.fromkeys(words):
        if not word:
            continue
        if word[0].isascii() and word[0].isalpha():
            index = 0  # the trie checks a word boundary before a Latin first letter
        else:
            # Lookbehinds grow threefold per character before the anchor: only the first three
            # are candidates. ASCII (digits, mostly) counts as common.
            index = min(range(min(len(word), 3)),
                        key=lambda i: (0 if word[i].isascii() else -ranks.get(word[i], len(ranks)), i))
        anchor = word[index]
        behind = r"(?<![a-z][\s\S])" if index == 0 and anchor.isascii() and anchor.isalpha() else ""
        if index:
            options = [
                "(?<=" + "".join(re.escape(char) + gap for char, gap in zip(word[:index], gaps)) + re.escape(anchor) + ")"
                for gaps in itertools.product(gap_choices, repeat=index)
            ]
            behind = "(?:" + "|".join(options) + ")"
        ahead = "".join(f"{_SEPARATOR_CLASS}{{0,2}}" + re.escape(char) for char in word[index + 1:])
        if word[-1].isascii() and word[-1].isalpha():
            ahead += "(?![a-z])"  # as in the trie: "sex" is not in "Sussex"
        by_anchor.setdefault(anchor, []).append(behind + ahead)
    if not by_anchor:
        return re.compile(r"(?!x)x")
    branches = []
    # At every anchor it stops at, the engine tries the branches in turn: common anchors first.
    for anchor in sorted(by_anchor, key=lambda char: (ranks.get(char, len(ranks)), char)):
        rests = by_anchor[anchor]
        branches.append(re.escape(anchor) + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")"))
    return re.compile("|".join(branches))


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
    fold_table = _build_fold_table(Path(variants_file).read_text(encoding="utf-8").splitlines())

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
            terms[fold(entry)] = Term(fold(entry), "strong", "gambling")

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


# --------------------------------------------------------------------------
# Spans
# --------------------------------------------------------------------------


@dataclass
class Token:
    start: int
    end: int
    kind: str  # strong, weak, hard-affix, soft-affix, domain, contact, bonus
    category: str = ""
    weight: float = 0.0


@dataclass
class SpamSpan:
    """A scored candidate span; ``is_spam`` says whether it is to be removed."""

    start: int
    end: int
    text: str
    score: float
    is_spam: bool
    rule: str
    reasons: list[str] = field(default_factory=list)
    hard: bool = False  # carries evidence no context excuses (a domain, a call to action …)
    in_context: bool = False  # legitimate context words share its sentence


_HARD_TOKEN_KINDS = {"hard-affix", "domain", "contact", "bonus"}


def _tokens(
    text: str, folded: str, lexicon: Lexicon, *, affix_spans: bool = False
) -> tuple[list[Token], list[tuple[int, int]]]:
    allowed_spans: list[tuple[int, int]] = []
    tokens: list[Token] = []
    domain_hint = "." in folded and bool(_DOMAIN_HINT_RE.search(folded))
    if not affix_spans and not domain_hint and not _seed_search(folded, lexicon):
        return tokens, allowed_spans
    if lexicon.allow_re is not None:
        allowed_spans = [(m.start(), m.end()) for m in lexicon.allow_re.finditer(folded)]
    position = 0
    while position < len(folded):
        match = lexicon.term_re.search(folded, position)
        if match is None:
            break
        start, end = match.start(), match.end()
        # Separator characters may trail into the match only between characters.
        term_key = re.sub(_SEPARATOR_CLASS, "", match.group())
        term = lexicon.terms.get(term_key) or lexicon.terms.get(match.group())
        if term is None:
            position = start + 1
            continue
        if not any(a <= start and end <= b for a, b in allowed_spans):
            tokens.append(Token(start, end, term.kind, term.category, term.weight))
            position = end
        else:
            position = start + 1
    if domain_hint:
        for start, end in _spam_domain_spans(folded, lexicon):
            tokens.append(Token(start, end, "domain", "gambling", 2.0))
    # Contacts and bonuses only matter next to a term or a spam domain; skip
    # the scan on the (usual) clean text.
    if tokens:
        _pattern_tokens(folded, "contact", lexicon.contact_patterns, tokens)
        _pattern_tokens(folded, "bonus", lexicon.bonus_patterns, tokens)
    tokens.sort(key=lambda t: (t.start, -t.end))
    return tokens, allowed_spans


_DOMAIN_HINT_RE = re.compile(r"[a-z0-9]\.[a-z]")
# Host-like tokens; attempts start only at a token boundary and never
# backtrack, so the scan stays linear on long texts.
_HOST_TOKEN_RE = re.compile(r"(?<![a-z0-9-])[a-z0-9-]++(?:\.[a-z0-9-]++)+")


def _spam_domain_spans(folded: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    spans = []
    for match in _HOST_TOKEN_RE.finditer(folded):
        host = match.group()
        if _is_government_domain(host):
            continue
        padded = " " + host + " "
        if any(p.search(padded) for p in lexicon.domain_patterns):
            spans.append(match.span())
    return spans


def _pattern_tokens(folded: str, kind: str, patterns: list[re.Pattern[str]], tokens: list[Token]) -> None:
    for pattern in patterns:
        for match in pattern.finditer(folded):
            start, end = match.span()
            # Domain patterns anchor on a non-domain character; do not eat it.
            while start < end and not (folded[start].isalnum() or _CJK_RE.match(folded[start])):
                start += 1
            if kind == "domain" and _is_government_domain(folded[start:end]):
                continue
            tokens.append(Token(start, end, kind, "gambling", 2.0))


def _seed_search(folded: str, lexicon: Lexicon) -> bool:
    if lexicon.cjk_screen_re.search(folded):
        return True
    if not lexicon.latin_first_words:
        return False
    # Both must hold; the regexes go first: the projection drops Chinese text (~1 ns a
    # character), the trie is one class scan (~8 ns), the word list ~20.
    if not lexicon.latin_projection_re.search(folded.encode("ascii", "ignore")):
        return False
    if not lexicon.latin_seed_re.search(folded):
        return False
    return not lexicon.latin_first_words.isdisjoint(_latin_words(folded)) or bool(
        _SPELLED_OUT_GATE_RE.search(folded) and _SPELLED_OUT_RE.search(folded)
    )


def _may_hold_spam(text: str, lexicon: Lexicon, language: str | None) -> bool:
    """Could ``score_spans`` find anything in ``text``? (No false negatives.)"""
    if has_spam_candidates(text, lexicon):
        return True
    # Insertions recognised by the text flow alone (see score_spans): Chinese
    # in English prose, or a spaced chunk in Chinese prose with a call to action.
    if not _CJK_RE.search(text):
        return False
    if language == "en" or (language != "zh" and _mostly_latin(text)):
        return True
    return _has_spaced_chunk(text) and bool(lexicon.hard_affix_re.search(lexicon.fold(text)))


def has_spam_candidates(text: str, lexicon: Lexicon | None = None) -> bool:
    """Cheap screen: does ``text`` hold any lexicon term or spam-shaped domain?"""
    lexicon = lexicon or default_lexicon()
    folded = lexicon.fold(text)
    if _seed_search(folded, lexicon):
        return True
    # The hint needs a ".": ``in`` finds one at memchr speed, the regex scan is ~20 ns a character.
    return "." in folded and bool(_DOMAIN_HINT_RE.search(folded)) and bool(_spam_domain_spans(folded, lexicon))


def topic_counts(text: str, lexicon: Lexicon | None = None) -> dict[str, int]:
    """How often each category's vocabulary occurs in ``text``: allow-listed
    phrases (福利彩票, 中国象棋, 打击赌博) and spam terms alike.  An article about
    the welfare lottery has lottery vocabulary throughout; one about elderly
    care has none, so a lottery phrase in it stands out."""
    lexicon = lexicon or default_lexicon()
    folded = lexicon.fold(text)
    counts: dict[str, int] = {}
    if lexicon.allow_re is not None:
        for match in lexicon.allow_re.finditer(folded):
            category = lexicon.allowed_categories.get(match.group())
            if category:
                counts[category] = counts.get(category, 0) + 1
    for match in lexicon.seed_re.finditer(folded):
        term = lexicon.terms.get(re.sub(_SEPARATOR_CLASS, "", match.group()))
        if term is not None:
            counts[term.category] = counts.get(term.category, 0) + 1
    return counts


def _is_government_domain(domain: str) -> bool:
    return bool(re.search(r"\.(?:gov|edu|org)\.cn\b|\.gov\b", domain))


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in _SENTENCE_END_RE.finditer(text, 0, start):
        left = match.end()
    match = _SENTENCE_END_RE.search(text, end)
    right = match.end() if match else len(text)
    return left, right


def _is_cjk(char: str) -> bool:
    return bool(_CJK_RE.match(char))


def _mostly_latin(text: str) -> bool:
    letters = len(_LATIN_LETTER_RE.findall(text))
    cjk = len(_CJK_RE.findall(text))
    return letters > 3 * cjk and letters >= 20


def _cluster(tokens: list[Token], text: str, *, affix_spans: bool = False) -> list[list[Token]]:
    """Group tokens that touch (at most one separator or digit apart) into spans.

    Affixes only join a span that has a term, domain or bonus seed: "官网" on
    its own is not a span - unless ``affix_spans`` (Chinese dropped into
    English prose, or set off by spaces), where the caller decides.
    """
    clusters: list[list[Token]] = []
    for token in tokens:
        if clusters:
            last = clusters[-1]
            last_end = max(t.end for t in last)
            gap = text[last_end : token.start] if token.start > last_end else ""
            if token.start <= last_end or (len(gap) <= 2 and re.fullmatch(rf"(?:{_SEPARATOR_CLASS}|[0-9a-zA-Z])*", gap)):
                last.append(token)
                continue
        clusters.append([token])
    seeded = []
    for cluster in clusters:
        if affix_spans or any(t.kind in {"strong", "weak", "domain", "bonus"} for t in cluster):
            seeded.append(cluster)
    return seeded


def _expand(text: str, start: int, end: int, latin_context: bool) -> tuple[int, int, str]:
    """Grow a span to the unit the injector inserted.

    In English prose the unit is the whole run of Chinese characters (an
    injected phrase is written in one piece).  In Chinese prose a span that
    stands between spaces is one unit too ("部署 澳门新葡京娱乐场 工作").
    Adjacent ASCII brand numbers and domains ("8888娱乐城", "bet365") join.
    """
    how = ""
    while start > 0 and re.match(r"[0-9A-Za-z]", text[start - 1]) and not latin_context:
        start -= 1
    if not latin_context:
        run_end = end
        while run_end < len(text) and re.match(r"[0-9A-Za-z]", text[run_end]):
            run_end += 1
        run = text[end:run_end]
        # "娱乐城8888" takes its number, "大厅12月18日" does not take the date.
        if run and (re.search(r"[A-Za-z]", run) or run_end == len(text) or not _is_cjk(text[run_end])):
            end = run_end
    if latin_context:
        new_start, new_end = start, end
        while new_start > 0 and (_is_cjk(text[new_start - 1]) or (
            new_start > 1 and re.match(_SEPARATOR_CLASS, text[new_start - 1]) and text[new_start - 1] != " "
            and _is_cjk(text[new_start - 2]))):
            new_start -= 1
        while new_end < len(text) and (_is_cjk(text[new_end]) or (
            new_end + 1 < len(text) and re.match(_SEPARATOR_CLASS, text[new_end]) and text[new_end] != " "
            and _is_cjk(text[new_end + 1]))):
            new_end += 1
        if (new_start, new_end) != (start, end):
            how = "latin-run"
        start, end = new_start, new_end
        # A brand's Latin letters or a phone number glued to the Chinese run
        # ("ky开元棋牌", "代开发票13800138000") belong to it.
        if start > 0 and re.match(r"[0-9A-Za-z]", text[start - 1]) and _is_cjk(text[start]):
            while start > 0 and re.match(r"[0-9A-Za-z]", text[start - 1]):
                start -= 1
        if end < len(text) and re.match(r"[0-9A-Za-z]", text[end]) and _is_cjk(text[end - 1]):
            while end < len(text) and re.match(r"[0-9A-Za-z]", text[end]):
                end += 1
    else:
        left = text.rfind(" ", 0, start)
        right = text.find(" ", end)
        if left != -1 and right != -1 and right - left - 1 <= 24:
            chunk = text[left + 1 : right]
            if chunk and all(_is_cjk(c) or c.isalnum() or re.match(_SEPARATOR_CLASS, c) for c in chunk):
                if (left > 0 and _is_cjk(text[left - 1])) or (right + 1 < len(text) and _is_cjk(text[right + 1])):
                    start, end, how = left + 1, right, "space-delimited"
    return start, end, how


def _bracketed(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return bool(before) and bool(after) and before[-1] in _OPENING_BRACKETS and after[0] in _CLOSING_BRACKETS


def score_spans(
    text: str,
    lexicon: Lexicon | None = None,
    *,
    language: str | None = None,
    topics: dict[str, int] | None = None,
) -> list[SpamSpan]:
    """All candidate spans in ``text`` with their scores and verdicts.

    ``text`` is one block (a paragraph or a title).  The verdict uses the span
    (term weights, glued affixes, domains, contacts, bonuses), its sentence
    (other spam spans, legitimate context words) and how it sits in the text
    flow (a Chinese run dropped into English prose, a chunk set off by spaces
    inside Chinese prose).  See docs/spam.md for the rules.
    """
    lexicon = lexicon or default_lexicon()
    if not text:
        return []
    folded = lexicon.fold(text)
    latin_block = language == "en" or _mostly_latin(text)
    # Where the text flow shows an insertion (Chinese in English prose, a
    # chunk between spaces in Chinese prose) an unknown brand with a call to
    # action ("开云app下载") is a span even without a lexicon term.
    affix_spans = bool(_CJK_RE.search(text)) and (latin_block or _has_spaced_chunk(text))
    tokens, _allowed = _tokens(text, folded, lexicon, affix_spans=affix_spans)
    if not tokens:
        return []
    clusters = _cluster(tokens, folded, affix_spans=affix_spans)
    spans: list[SpamSpan] = []
    for cluster in clusters:
        start = min(t.start for t in cluster)
        end = max(t.end for t in cluster)
        reasons: list[str] = []
        has_cjk = any(_is_cjk(c) for c in text[start:end])
        latin_context = latin_block and has_cjk
        start, end, how = _expand(text, start, end, latin_context)
        affix_only = not any(t.kind in {"strong", "weak", "domain", "bonus"} for t in cluster)
        if affix_only:
            run = sum(1 for c in text[start:end] if _is_cjk(c))
            inserted = (latin_context and not _bracketed(text, start, end)) or (
                how == "space-delimited" and any(t.kind == "hard-affix" for t in cluster)
            )
            if run < 4 or not inserted:
                continue
        score = 0.0
        hard = False
        term_weight = 0.0
        categories = set()
        affix_bonus = 0.0
        for token in cluster:
            if token.kind in {"strong", "weak"}:
                term_weight += token.weight
                categories.add(token.category)
            elif token.kind == "hard-affix":
                affix_bonus += 2.0
                hard = True
                reasons.append("affix")
            elif token.kind == "soft-affix":
                affix_bonus += 0.5
            else:
                score += token.weight
                hard = True
                categories.add("gambling")
                reasons.append(token.kind)
        score += term_weight + min(affix_bonus, 3.0)
        product_like = any(t.kind in {"strong", "hard-affix", "soft-affix"} for t in cluster)
        if topics is not None and categories and term_weight and product_like:
            own: dict[str, int] = {}
            for token in cluster:
                if token.kind in {"strong", "weak"}:
                    own[token.category] = own.get(token.category, 0) + 1
            if all(topics.get(category, 0) <= own.get(category, 0) for category in categories):
                # Nothing else in the article speaks of this subject.
                score += 1.5
                reasons.append("off-topic")
        soft_affixes = sum(1 for t in cluster if t.kind == "soft-affix")
        if term_weight and soft_affixes >= 2:
            # A term wrapped in several commercial words ("信誉网投平台",
            # "线上真人棋牌游戏") is a product name, not a word in a sentence.
            score += 1.0
            reasons.append("compound")
        if term_weight:
            reasons.append(f"terms={term_weight:g}")
        bracketed = _bracketed(text, start, end)
        if latin_context and not bracketed:
            score += 2.0
            hard = True
            reasons.append("cjk-in-english")
        elif how == "space-delimited":
            # Chinese prose has no spaces; a chunk set off by them was put there.
            score += 2.0
            hard = hard or any(t.kind == "strong" for t in cluster) or affix_only
            reasons.append("space-delimited")
        sentence_start, sentence_end = _sentence_bounds(text, start, end)
        neighbourhood = folded[sentence_start:start] + " " + folded[end:sentence_end]
        # A run of casino names, domains and bonuses; weak words alone are the
        # ordinary vocabulary of a lottery report and do not make a run.
        others = sum(
            1 for other in clusters if other is not cluster
            and sentence_start <= other[0].start < sentence_end
            and any(t.kind in {"strong", "domain", "contact", "bonus"} for t in other)
        )
        if others:
            score += min(others, 3)
            reasons.append(f"run={others}")
        for kind, patterns in (("contact", lexicon.contact_patterns), ("bonus", lexicon.bonus_patterns)):
            if any(p.search(neighbourhood) for p in patterns):
                score += 1.0
                hard = True
                reasons.append(f"near-{kind}")
        context_names = _context_names(categories)
        legit = [
            name for name in context_names
            if name in lexicon.context_res and lexicon.context_res[name].search(neighbourhood)
        ]
        if bracketed and latin_context:
            legit.append("quoted")
        in_context = bool(legit)
        strong = any(t.kind == "strong" for t in cluster)
        if strong and legit and has_cjk and not latin_context and not _reported_on(text, folded, start, end, lexicon):
            # A strong term is only excused when the sentence reports on it:
            # quoted, or framed by words like 非法 / 取缔 / 等 / 案.
            legit = []
        vetoed = bool(legit) and not hard
        if legit:
            reasons.append("context=" + ",".join(sorted(set(legit))))
        is_spam = score >= SPAM_THRESHOLD and not vetoed
        if is_spam and term_weight == 0 and not affix_only and not any(t.kind in {"domain", "bonus", "contact"} for t in cluster):
            is_spam = False
        rule = _rule_name(cluster, how, latin_context)
        spans.append(SpamSpan(start, end, text[start:end], score, is_spam, rule, reasons, hard, in_context))
    return _merge_overlapping(spans, text)


_QUOTES_OPEN = "“「『\"'‘《"
_QUOTES_CLOSE = "”」』\"'’》"


def _reported_on(text: str, folded: str, start: int, end: int, lexicon: Lexicon) -> bool:
    if _inside_quotes(text, start, end):
        return True
    lead = lexicon.context_res.get("embed:before")
    tail = lexicon.context_res.get("embed:after")
    window_before = folded[max(0, start - 6) : start].rstrip(_QUOTES_OPEN + " ")
    if lead is not None and any(m.end() == len(window_before) for m in lead.finditer(window_before)):
        return True
    after = folded[end:].lstrip(_QUOTES_CLOSE + " ")
    return bool(tail is not None and tail.match(after))


def _inside_quotes(text: str, start: int, end: int, reach: int = 8) -> bool:
    """Is text[start:end] inside a short quotation (“稳赚不赔”, 「百家乐」)?"""
    left = text[max(0, start - reach) : start]
    right = text[end : end + reach]
    opening = max(left.rfind(q) for q in _QUOTES_OPEN)
    if opening == -1 or any(q in left[opening + 1 :] for q in _QUOTES_CLOSE if q not in "\"'"):
        return False
    closing = min((right.find(q) for q in _QUOTES_CLOSE if right.find(q) != -1), default=-1)
    if closing == -1:
        return False
    return not re.search(r"[。！？!?；;\n]", left[opening:] + right[:closing])


def _context_names(categories: set[str]) -> list[str]:
    names = {"anti-gambling"}
    for category in categories:
        if category in {"lottery", "cards", "porn", "fake"}:
            names.add(category)
        if category == "lottery":
            names.add("lottery")
    return sorted(names)


def _rule_name(cluster: list[Token], how: str, latin_context: bool) -> str:
    categories = sorted({t.category for t in cluster if t.kind in {"strong", "weak"}} or {"gambling"})
    shape = "phrase-in-english" if latin_context else ("phrase-spaced" if how == "space-delimited" else "phrase")
    return f"{shape}:{'+'.join(categories)}"


def _merge_overlapping(spans: list[SpamSpan], text: str) -> list[SpamSpan]:
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[SpamSpan] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.is_spam or last.is_spam:
                last.end = max(last.end, span.end)
                last.text = text[last.start : last.end]
                last.is_spam = True
                last.score = max(last.score, span.score)
                last.reasons.extend(span.reasons)
                last.hard = last.hard or span.hard
            continue
        merged.append(span)
    return merged


def find_spam_spans(
    text: str, lexicon: Lexicon | None = None, *, language: str | None = None, topics: dict[str, int] | None = None
) -> list[SpamSpan]:
    """Only the spans judged to be spam."""
    return [s for s in score_spans(text, lexicon, language=language, topics=topics) if s.is_spam]


def text_spam_score(text: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> float:
    """Sum of spam-span scores in ``text`` (0 when nothing is spam)."""
    return sum(s.score for s in find_spam_spans(text, lexicon, language=language))


# --------------------------------------------------------------------------
# Removal
# --------------------------------------------------------------------------


def _significant_length(text: str) -> int:
    return sum(1 for c in text if c.isalnum() or _is_cjk(c))


def _is_wide(char: str) -> bool:
    """Chinese characters and full-width punctuation: no space needed beside them."""
    return _is_cjk(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef" or char in "“”‘’《》"


def _cut(text: str, spans: Sequence[SpamSpan]) -> str:
    """Remove spans, closing the gap the way the sentence reads best."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        pieces.append(text[cursor : span.start])
        cursor = span.end
    pieces.append(text[cursor:])
    out = pieces[0]
    for piece in pieces[1:]:
        left = out.rstrip(" \t\u3000")
        right = piece.lstrip(" \t\u3000")
        if not left or not right or _is_wide(left[-1]) or _is_wide(right[0]) or right[0] in ",.;:!?)":
            out = left + right
        else:
            out = left + " " + right
    return out.strip()


@dataclass
class CleanResult:
    text: str
    removals: list[dict[str, str]]
    removed_chars: int
    original_chars: int


def clean_paragraph(
    paragraph: str,
    lexicon: Lexicon | None = None,
    *,
    language: str | None = None,
    where: str = "body",
    topics: dict[str, int] | None = None,
) -> CleanResult:
    """Remove spam spans from one paragraph; drop whole injected sentences.

    A sentence goes as a whole when spam covers at least 60% of it, or when it
    holds two or more spam spans one of which carries hard evidence (a
    domain, a contact, a bonus) - an injected advertisement, not a sentence
    with a phrase in it.  Otherwise only the spans go.
    """
    lexicon = lexicon or default_lexicon()
    original_chars = _significant_length(paragraph)
    if topics is None and original_chars >= TOPIC_MIN_CHARS:
        topics = topic_counts(paragraph, lexicon)
    spans = find_spam_spans(paragraph, lexicon, language=language, topics=topics)
    if not spans:
        return CleanResult(paragraph, [], 0, original_chars)
    sentences: list[tuple[int, int]] = []
    cursor = 0
    for match in _SENTENCE_END_RE.finditer(paragraph):
        sentences.append((cursor, match.end()))
        cursor = match.end()
    if cursor < len(paragraph):
        sentences.append((cursor, len(paragraph)))
    cut_spans: list[SpamSpan] = []
    removals: list[dict[str, str]] = []
    whole_sentences: list[tuple[int, int]] = []
    for s_start, s_end in sentences:
        inside = [s for s in spans if s_start <= s.start < s_end]
        if not inside:
            continue
        sentence_len = max(_significant_length(paragraph[s_start:s_end]), 1)
        covered = sum(_significant_length(s.text) for s in inside)
        hard = any(any(r in {"domain", "contact", "bonus"} for r in s.reasons) for s in inside)
        leftover = paragraph[s_start:s_end]
        for s in inside:
            leftover = leftover.replace(s.text, "")
        if covered / sentence_len >= 0.6 or (len(inside) >= 2 and hard) or _significant_length(leftover) <= 2:
            whole_sentences.append((s_start, s_end))
            cut_spans.append(SpamSpan(s_start, s_end, paragraph[s_start:s_end], 0.0, True, "sentence"))
        else:
            for s in inside:
                cut_spans.append(s)
                removals.append({"text": s.text.strip(), "where": where, "rule": f"{where}:{s.rule}"})
    if whole_sentences:
        if len(whole_sentences) == len([s for s in sentences if _significant_length(paragraph[s[0]:s[1]])]):
            text = paragraph.strip()
            removals = [{"text": text, "where": where, "rule": f"{where}:paragraph"}]
            return CleanResult("", removals, original_chars, original_chars)
        for s_start, s_end in whole_sentences:
            removals.append({"text": paragraph[s_start:s_end].strip(), "where": where, "rule": f"{where}:sentence"})
    cleaned = _cut(paragraph, cut_spans)
    removed = original_chars - _significant_length(cleaned)
    return CleanResult(cleaned, removals, removed, original_chars)


def clean_body(body: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> CleanResult:
    """Clean a body whose paragraphs are separated by blank lines."""
    lexicon = lexicon or default_lexicon()
    if not body or not _may_hold_spam(body, lexicon, language):
        length = _significant_length(body) if body else 0
        return CleanResult(body, [], 0, length)
    # Too short a text says nothing about its subject.
    topics = topic_counts(body, lexicon) if _significant_length(body) >= TOPIC_MIN_CHARS else None
    paragraphs = re.split(r"\n\s*\n", body)
    kept: list[str] = []
    removals: list[dict[str, str]] = []
    removed_chars = 0
    original_chars = 0
    for paragraph in paragraphs:
        result = clean_paragraph(paragraph, lexicon, language=language, topics=topics)
        removals.extend(result.removals)
        removed_chars += result.removed_chars
        original_chars += result.original_chars
        if result.text.strip():
            kept.append(result.text)
    return CleanResult("\n\n".join(kept), removals, removed_chars, original_chars)


def title_spam_spans(title: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> list[SpamSpan]:
    """Spam spans in a headline.

    A headline is short and has no neighbourhood, so a strong term is enough
    unless the headline itself reads as a legitimate report (context words).
    """
    lexicon = lexicon or default_lexicon()
    result = []
    # Each part of a "<spam>_<headline>_<site>" title is judged on its own:
    # the headline's context words must not excuse the spam glued in front.
    for segment_start, segment in _title_segments(title):
        found = []
        for span in score_spans(segment, lexicon, language=language):
            if span.hard and span.is_spam:
                found.append(span)
            elif span.in_context:
                # "警方提醒：网络私彩是陷阱" reports on the word.
                continue
            elif span.is_spam or span.score >= STRONG_WEIGHT:
                span.is_spam = True
                found.append(span)
        covered = sum(_significant_length(span.text) for span in found)
        if found and covered * 2 >= _significant_length(segment):
            # A segment that is mostly spam is the injected unit ("澳门六合彩开奖记录").
            lead = len(segment) - len(segment.lstrip())
            whole = segment.strip()
            found = [SpamSpan(lead, lead + len(whole), whole, max(s.score for s in found), True,
                              found[0].rule, [r for s in found for r in s.reasons], any(s.hard for s in found))]
        for span in found:
            span.start += segment_start
            span.end += segment_start
            result.append(span)
    return result


_TITLE_SEPARATOR_RE = re.compile(r"\s*(?:[_|｜]|--|——|\s[-–—]\s)\s*")


def _title_segments(title: str) -> list[tuple[int, str]]:
    segments = []
    cursor = 0
    for match in _TITLE_SEPARATOR_RE.finditer(title):
        segments.append((cursor, title[cursor : match.start()]))
        cursor = match.end()
    segments.append((cursor, title[cursor:]))
    return [(start, text) for start, text in segments if text.strip()]


def choose_title(
    current: str,
    candidates: Sequence[Sequence[str]],
    lexicon: Lexicon | None = None,
    *,
    language: str | None = None,
) -> tuple[str, list[dict[str, str]]]:
    """The headline to publish and the title removals to record.

    Every tampered candidate is recorded (the audit shows that the page was
    tampered with even when a clean source exists).  When ``current`` is
    tampered the most trusted clean candidate replaces it; when none is clean
    the most trusted one is cleaned by cutting the spam spans.
    """
    lexicon = lexicon or default_lexicon()
    removals: list[dict[str, str]] = []
    seen: set[str] = set()
    clean: list[tuple[str, str]] = []
    cleaned_fallback: list[tuple[str, str]] = []

    def note(source: str, spans: list[SpamSpan]) -> None:
        for span in spans:
            text = span.text.strip()
            if text and text not in seen:
                seen.add(text)
                removals.append({"text": text, "where": "title", "rule": f"title:{source}:{span.rule}"})

    for pair in candidates:
        if len(pair) != 2 or not isinstance(pair[1], str):
            continue
        source, text = str(pair[0]), pair[1].strip()
        if not text:
            continue
        spans = title_spam_spans(text, lexicon, language=language)
        if spans:
            note(source, spans)
            remainder = _cut(text, spans)
            if _significant_length(remainder) >= 4:
                cleaned_fallback.append((source, remainder.strip(" _-|—–:：")))
        else:
            clean.append((source, text))
    current_spans = title_spam_spans(current, lexicon, language=language) if current else []
    if current_spans:
        note("item", current_spans)
    if not current_spans and current:
        return current, removals
    if clean:
        return clean[0][1], removals
    if cleaned_fallback:
        return cleaned_fallback[0][1], removals
    if current_spans:
        return _cut(current, current_spans), removals
    return current, removals


# --------------------------------------------------------------------------
# Doorway pages
# --------------------------------------------------------------------------


@dataclass
class DoorwayVerdict:
    is_doorway: bool
    reason: str
    spam_ratio: float
    clean_chars: int


def assess_doorway(
    clean_body_text: str,
    removals: Sequence[dict[str, str]],
    title_tampered: bool,
    title_clean_available: bool,
    *,
    min_spam_ratio: float = 0.6,
    max_clean_chars: int = 200,
) -> DoorwayVerdict:
    """Is the page wholly spam?

    Counted against each other: the significant characters of the clean body
    and of everything removed from body, hidden blocks and link farms.  A
    page is a doorway when spam dominates (``min_spam_ratio``) and little
    clean text is left (``max_clean_chars``), or when its body is empty after
    cleaning and its headline was spam with no clean source.
    """
    if not removals and not title_tampered:
        return DoorwayVerdict(False, "", 0.0, -1)
    clean_chars = _significant_length(clean_body_text)
    removed_chars = sum(
        _significant_length(r.get("text", "")) for r in removals if r.get("where") in {"body", "hidden", "link"}
    )
    total = clean_chars + removed_chars
    ratio = removed_chars / total if total else 0.0
    if clean_chars <= max_clean_chars and ratio >= min_spam_ratio:
        return DoorwayVerdict(True, f"spam {ratio:.0%} of the text, {clean_chars} clean characters left", ratio, clean_chars)
    if title_tampered and not title_clean_available and clean_chars <= max_clean_chars and removed_chars:
        return DoorwayVerdict(True, "spam headline with no clean source and almost no clean text", ratio, clean_chars)
    return DoorwayVerdict(False, "", ratio, clean_chars)


# --------------------------------------------------------------------------
# Scrapy component
# --------------------------------------------------------------------------


@dataclass
class ItemVerdict:
    title: str
    body: str
    removals: list[dict[str, str]]
    doorway: DoorwayVerdict


def check_article(
    title: str,
    body: str,
    title_candidates: Sequence[Sequence[str]],
    dom_removals: Sequence[dict[str, str]],
    lexicon: Lexicon | None = None,
    *,
    language: str | None = None,
    min_spam_ratio: float = 0.6,
    max_clean_chars: int = 200,
) -> ItemVerdict:
    """The whole text-level check of one article, as plain data."""
    lexicon = lexicon or default_lexicon()
    texts = [title, body, *(str(pair[1]) for pair in title_candidates if len(pair) == 2 and pair[1])]
    if not dom_removals and not _may_hold_spam("\n".join(texts), lexicon, language):
        # The usual clean article: one screen instead of a check per part.
        return ItemVerdict(title, body, [], DoorwayVerdict(False, "", 0.0, -1))
    new_title, title_removals = choose_title(title, title_candidates, lexicon, language=language)
    body_result = clean_body(body, lexicon, language=language)
    title_tampered = bool(title_removals)
    clean_title_available = bool(new_title) and not title_spam_spans(new_title, lexicon, language=language)
    removals = list(title_removals) + body_result.removals
    verdict = assess_doorway(
        body_result.text,
        list(dom_removals) + body_result.removals,
        title_tampered,
        clean_title_available,
        min_spam_ratio=min_spam_ratio,
        max_clean_chars=max_clean_chars,
    )
    return ItemVerdict(new_title, body_result.text, removals, verdict)


class SpamCheck:
    """The spam pipeline's per-item work as a step (see crawler/precomputed.py).

    ``lexicon`` None means the shipped one; a step sent to an extraction worker
    then carries no lexicon (the worker has it compiled already for the DOM stage).
    """

    name = "spam"

    def __init__(self, lexicon: Lexicon | None, min_spam_ratio: float, max_clean_chars: int) -> None:
        self.lexicon = lexicon
        self.min_spam_ratio = min_spam_ratio
        self.max_clean_chars = max_clean_chars

    def key(self, adapter: Any) -> tuple[Any, ...]:
        extra = adapter.get("extra") or {}
        return (
            adapter.get("title") or "",
            adapter.get("body") or "",
            extra.get("title_candidates") or [],
            adapter.get("spam_removed") or [],
            adapter.get("language"),
        )

    def compute(self, key: tuple[Any, ...]) -> ItemVerdict:
        title, body, candidates, dom_removals, language = key
        return check_article(
            title, body, candidates, dom_removals, self.lexicon or default_lexicon(), language=language,
            min_spam_ratio=self.min_spam_ratio, max_clean_chars=self.max_clean_chars,
        )

    def apply(self, adapter: Any, verdict: ItemVerdict) -> bool:
        adapter["title"] = verdict.title
        adapter["body"] = verdict.body
        adapter["spam_removed"] = [*(adapter.get("spam_removed") or []), *verdict.removals]
        return not verdict.doorway.is_doorway


class SpamPipeline:
    """Removes injected spam from title and body, records it, drops doorways."""

    def __init__(
        self, crawler: Crawler, lexicon: Lexicon, min_spam_ratio: float, max_clean_chars: int,
        *, shipped_lexicon: bool = False,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.lexicon = lexicon
        self.min_spam_ratio = min_spam_ratio
        self.max_clean_chars = max_clean_chars
        self.check = SpamCheck(None if shipped_lexicon else lexicon, min_spam_ratio, max_clean_chars)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpamPipeline:
        settings = crawler.settings
        if not settings.getbool("SPAM_ENABLED", True):
            raise NotConfigured("SPAM_ENABLED is off")
        lexicon_files = list(settings.getlist("SPAM_LEXICON_FILES") or DEFAULT_LEXICON_FILES)
        lexicon_files += settings.getlist("SPAM_EXTRA_LEXICON_FILES")
        allow_files = list(settings.getlist("SPAM_ALLOWLIST_FILES") or DEFAULT_ALLOWLIST_FILES)
        allow_files += settings.getlist("SPAM_EXTRA_ALLOWLIST_FILES")
        extra_terms = settings.getlist("SPAM_EXTRA_TERMS")
        extra_allowed = settings.getlist("SPAM_EXTRA_ALLOWED")
        shipped = (
            [Path(p) for p in lexicon_files] == list(DEFAULT_LEXICON_FILES)
            and [Path(p) for p in allow_files] == list(DEFAULT_ALLOWLIST_FILES)
            and not extra_terms
            and not extra_allowed
        )
        if shipped:
            # The shipped lexicon, already compiled for the DOM-level spam stage (its
            # few hundred trie regexes take ~0.5 s to compile at every start).
            lexicon = default_lexicon()
        else:
            lexicon = load_lexicon(lexicon_files, allow_files, extra_terms=extra_terms, extra_allowed=extra_allowed)
        return cls(
            crawler,
            lexicon,
            settings.getfloat("SPAM_DOORWAY_MIN_SPAM_RATIO", 0.6),
            settings.getint("SPAM_DOORWAY_MAX_CLEAN_CHARS", 200),
            shipped_lexicon=shipped,
        )

    def derivation(self) -> SpamCheck:
        """This pipeline's work as a step, with its lexicon and doorway settings."""
        return self.check

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url", "")
        self.stats.inc_value("spam/items_checked")
        try:
            _, verdict = step_result(self.check, adapter, self.stats)
        except Exception:
            # Bad input must not lose the article: pass it on unchecked, loudly.
            logger.exception("spam check failed for %s; item passed on unchecked", url)
            self.stats.inc_value("spam/errors")
            return item
        if verdict.title != adapter.get("title"):
            self.stats.inc_value("spam/title_replaced")
            logger.info("spam: tampered headline replaced on %s", url)
        self.check.apply(adapter, verdict)
        removed = adapter["spam_removed"]
        for entry in removed:
            self.stats.inc_value(f"spam/removed/{entry.get('where', 'unknown')}")
        if removed:
            self.stats.inc_value("spam/items_with_spam")
        if verdict.doorway.is_doorway:
            self.stats.inc_value("spam/doorway")
            logger.warning("spam: doorway page %s dropped (%s)", url, verdict.doorway.reason)
            self.crawler.signals.send_catch_log(
                our_signals.manifest_entry,
                kind="doorway",
                entry={"url": url, "reason": verdict.doorway.reason},
            )
            raise DropItem(f"doorway page: {verdict.doorway.reason}")
        return item
