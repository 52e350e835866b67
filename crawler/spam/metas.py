"""Meta keywords and description: injected items and advert sentences out of them.

Injectors fill ``<meta name="keywords">`` and ``<meta name="description">`` with
brand names and adverts for search engines; a reader never sees them.  Each
keyword item and each description sentence is judged on its own: by the lexicon
rules (a spam span without context words), and by the register classifier
(crawler/spam/classifier.py): an item or sentence that reads as solicitation goes,
and so does one that the page's own text does not repeat and that does not read as
news (SUSPECT_PROBABILITY) — a page's real keywords and summary come from its
text, an injected brand does not.  A lexicon term alone removes a keyword only when
the page's text does not use it, and a description sentence only when it does not
read as news: "博彩业", "赌球" are an official page's subject as often as spam.
Injectors repeat their brand: a keyword that opens with the brand of an advert
removed from the description goes too.  Only what the page does not repeat is scored,
so a clean page's metas cost a substring search each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crawler.spam.classifier import SPAM_PROBABILITY, RegisterModel
from crawler.spam.lexicon import Lexicon, has_spam_candidates
from crawler.spam.spans import score_spans
from crawler.spam.titles import SUSPECT_PROBABILITY
from crawler.spam.units import MIN_UNIT_CHARS, sentence_bounds, significant_length

KEYWORD_SEPARATOR_RE = re.compile(r"\s*[,，、|;；]\s*")
MIN_KEYWORD_CHARS = 6  # a shorter keyword ("彩票", "围棋") is left to the lexicon rules
_SPACES_RE = re.compile(r"\s+")
_LEADING_CJK_RE = re.compile("^[\u4e00-\u9fff]{4}")
BRAND_STEM_CHARS = 4


class PageText:
    """The page's visible text, asked whether it repeats a fragment: verbatim first, then
    without spaces and case-folded (that copy made only when a fragment is not found verbatim)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._compact: str | None = None

    def repeats(self, fragment: str) -> bool:
        if fragment.strip() in self.text:
            return True
        if self._compact is None:
            self._compact = _compact(self.text)
        return _compact(fragment) in self._compact


@dataclass
class MetaVerdict:
    kept: str  # the content without the removed parts
    removed: list[tuple[str, str]]  # (text, rule suffix: "" for the lexicon rules, "register", "register-uncorroborated")


def _compact(text: str) -> str:
    """``text`` as the page's text is compared: without spaces, case-folded."""
    return _SPACES_RE.sub("", text).casefold()


def _lexicon_spam(text: str, lexicon: Lexicon) -> tuple[bool, bool]:
    """(the lexicon rules call ``text`` spam, with visible insertion evidence)."""
    if not has_spam_candidates(text, lexicon):
        return False, False
    spans = [s for s in score_spans(text, lexicon)
             if (s.is_spam or s.score >= 3) and (s.is_spam or not any(r.startswith("context=") for r in s.reasons))]
    return bool(spans), any(s.hard for s in spans)


def _register_rule(text: str, page_text: PageText, model: RegisterModel, min_chars: int) -> str | None:
    """"register" or "register-uncorroborated" when ``text`` goes, None when it stays."""
    if significant_length(text) < min_chars or page_text.repeats(text):
        return None
    probability = model.probability(text)
    if probability >= SPAM_PROBABILITY and significant_length(text) >= MIN_UNIT_CHARS:
        return "register"
    return "register-uncorroborated" if probability >= SUSPECT_PROBABILITY else None


def brand_stems(removed: list[tuple[str, str]]) -> set[str]:
    """The first four Chinese characters of removed texts: the brand an advert opens with."""
    return {match.group(0) for text, _ in removed if (match := _LEADING_CJK_RE.match(text.strip()))}


def judge_keywords(content: str, page_text: PageText, lexicon: Lexicon, model: RegisterModel,
                   brands: set[str] = frozenset()) -> MetaVerdict:  # type: ignore[assignment]
    """Keyword items that are spam; ``page_text``: the page's visible text.

    ``brands``: stems of the adverts removed from the description; an item the page's
    text does not repeat that opens with one of them goes with them (``brand``)."""
    items = [item for item in KEYWORD_SEPARATOR_RE.split(content.strip()) if item]
    verdicts: list[str | None] = []
    for item in items:
        spam, hard = _lexicon_spam(item, lexicon)
        if spam and hard:
            verdicts.append("")
        elif spam and not page_text.repeats(item):
            verdicts.append("term")  # decided below
        elif item.strip()[:BRAND_STEM_CHARS] in brands and not page_text.repeats(item):
            verdicts.append("brand")
        elif item.isascii() and " " not in item.strip():
            verdicts.append(None)  # one English word ("casino") is a topic, too short to read
        else:
            verdicts.append(_register_rule(item, page_text, model, MIN_KEYWORD_CHARS))
    # One bare term the text does not use is a topic word ("赌球" on an anti-gambling page);
    # a run of them is stuffing.
    stuffed = verdicts.count("term") >= 2
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for item, verdict in zip(items, verdicts):
        if verdict == "term":
            verdict = "" if stuffed else (None if item.isascii() and " " not in item.strip()
                                          else _register_rule(item, page_text, model, MIN_KEYWORD_CHARS))
        if verdict is None:
            kept.append(item)
        else:
            removed.append((item, verdict))
    return MetaVerdict(",".join(kept), removed)


def judge_description(content: str, page_text: PageText, lexicon: Lexicon, model: RegisterModel) -> MetaVerdict:
    """Description sentences that are spam; ``page_text`` as for judge_keywords."""
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for start, end in sentence_bounds(content):
        sentence = content[start:end].strip()
        spam, hard = _lexicon_spam(sentence, lexicon)
        if spam and (hard or model.probability(sentence) >= SUSPECT_PROBABILITY):
            removed.append((sentence, ""))
            continue
        rule = _register_rule(sentence, page_text, model, MIN_UNIT_CHARS)
        if rule:
            removed.append((sentence, rule))
        else:
            kept.append(sentence)
    joiner = " " if content.isascii() else ""
    return MetaVerdict(joiner.join(kept).strip(), removed)


def judge_metas(
    metas: Sequence[tuple[str, str]], page_text: PageText, lexicon: Lexicon, model: Callable[[], RegisterModel]
) -> list[MetaVerdict | None]:
    """A verdict for each ``(name, content)`` that is a non-empty keywords or description
    meta (None for the others); descriptions are judged first, for their brands."""
    verdicts: list[MetaVerdict | None] = [None] * len(metas)
    brands: set[str] = set()
    order = sorted(range(len(metas)), key=lambda index: metas[index][0] != "description")
    for index in order:
        name, content = metas[index]
        if name not in {"keywords", "description"} or not content.strip():
            continue
        if name == "description":
            verdicts[index] = judge_description(content, page_text, lexicon, model())
            brands |= brand_stems(verdicts[index].removed)  # type: ignore[union-attr]
        else:
            verdicts[index] = judge_keywords(content, page_text, lexicon, model(), brands)
    return verdicts
