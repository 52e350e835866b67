"""One article's text-level check: headline, body, doorway verdict, as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crawler.spam.classifier import RegisterModel, default_model
from crawler.spam.history import Evidence
from crawler.spam.lexicon import Lexicon, default_lexicon
from crawler.spam.titles import choose_title, headline_units, title_spam_spans
from crawler.spam.units import body_units, clean_body, significant_length


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
    clean_chars = significant_length(clean_body_text)
    removed_chars = sum(
        significant_length(r.get("text", "")) for r in removals if r.get("where") in {"body", "hidden", "link"}
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
    removals: list[dict[str, Any]]
    doorway: DoorwayVerdict


def check_article(
    title: str,
    body: str,
    title_candidates: Sequence[Sequence[str]],
    dom_removals: Sequence[dict[str, str]],
    lexicon: Lexicon | None = None,
    *,
    model: RegisterModel | None = None,
    language: str | None = None,
    site_names: Sequence[str] = (),
    min_spam_ratio: float = 0.6,
    max_clean_chars: int = 200,
    evidence: Evidence | None = None,
) -> ItemVerdict:
    """The whole text-level check of one article, as plain data (``evidence``: crawler/spam/history.py)."""
    lexicon = lexicon or default_lexicon()
    model = model or default_model()
    # Every unit of the article read by the classifier in one batch; the checks below find the scores cached.
    model.prime([*headline_units(title, title_candidates), *body_units(body)])
    new_title, title_removals = choose_title(title, title_candidates, lexicon, model=model, language=language,
                                             site_names=site_names, body=body, primed=True)
    body_result = clean_body(body, lexicon, model=model, language=language, evidence=evidence, primed=True)
    title_tampered = bool(title_removals)
    # Asked only of a tampered headline (assess_doorway reads it for no other).
    clean_title_available = (title_tampered and bool(new_title)
                             and not title_spam_spans(new_title, lexicon, model=model, language=language))
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

