"""Headlines: spam segments out of each title candidate, and the headline to publish.

A title is split at its separators (``_``, ``|``, `` - ``, ``——``) and each segment is
judged on its own, so the real headline's words cannot excuse the spam glued in
front of it.  A segment the register classifier reads as solicitation goes whole;
a lexicon span goes when it carries insertion evidence or the segment does not
read as news.  The published headline is the most trusted clean candidate, or the
clean segments of the most trusted tampered one, without the site name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from crawler.spam.classifier import SPAM_PROBABILITY, RegisterModel, default_model
from crawler.spam.lexicon import STRONG_WEIGHT, Lexicon, default_lexicon
from crawler.spam.spans import SpamSpan, score_spans
from crawler.spam.units import MIN_UNIT_CHARS, cut, removal, significant_length

# Below this a headline segment reads as news, and a lexicon term in it is reported, not advertised.
NEWS_HEADLINE_PROBABILITY = 0.2
# A segment that nothing else on the page repeats (not the body, not another title
# candidate, not a site name) is suspect: at or above this it goes.
SUSPECT_PROBABILITY = 0.25
CORROBORATED_SHARE = 0.3  # share of a segment's character pairs the page repeats
# A segment the page does not repeat at all (a brand put in as the only <title>, a Chinese
# one on an English page) goes unless it reads clearly as news or names an organisation.
UNREPEATED_PROBABILITY = 0.1
MIN_PAGE_CHARS = 20  # a page with less text says nothing about its headline
# An organisation's name (a site name the item does not list) is no brand put in as a title.
_ORGANISATION_RE = re.compile("政府|部|厅|局|委员会|办公室|法院|检察院|网站|英文|门户")
_TITLE_SEPARATOR_RE = re.compile(r"\s*(?:[_|｜]|--|——|\s[-–—]\s)\s*")
_STRIP = " _-|｜—–:："


def title_segments(title: str) -> list[tuple[int, str]]:
    segments = []
    cursor = 0
    for match in _TITLE_SEPARATOR_RE.finditer(title):
        segments.append((cursor, title[cursor : match.start()]))
        cursor = match.end()
    segments.append((cursor, title[cursor:]))
    return [(start, text) for start, text in segments if text.strip()]


def _pairs(text: str) -> set[str]:
    compact = "".join(text.split()).casefold()
    return {compact[i:i + 2] for i in range(len(compact) - 1)}


def corroborated(segment: str, page_pairs: Callable[[], set[str]] | None, share: float = CORROBORATED_SHARE) -> bool:
    """Does the rest of the page repeat ``segment`` (a real headline is repeated by the text and the other sources)?

    ``share``: of the segment's character pairs; above 0, "not at all" when 0."""
    if page_pairs is None:
        return True
    pairs = _pairs(segment)
    if not pairs:
        return True
    found = len(pairs & page_pairs())
    return found > 0 if share == 0 else found >= share * len(pairs)


def unrepeated(segment: str, page_text: Callable[[], str] | None) -> bool:
    """Does the page repeat not one character pair of ``segment``, while it has text enough to?

    Read as substring searches in the page's compacted text, which stop at the first pair
    found: a real headline's first pair is found at once, and no set of the page's pairs is built."""
    if page_text is None:
        return False
    text = page_text()
    compact = "".join(segment.split()).casefold()
    return len(text) >= MIN_PAGE_CHARS and not any(compact[i:i + 2] in text for i in range(len(compact) - 1))


def title_spam_spans(
    title: str, lexicon: Lexicon | None = None, *, model: RegisterModel | None | bool = None,
    language: str | None = None, page_pairs: Callable[[], set[str]] | None = None,
    page_text: Callable[[], str] | None = None,
) -> list[SpamSpan]:
    """Spam spans in a headline (``model=False``: by the lexicon rules alone).

    ``page_pairs``: the character pairs of the body and the other title sources; a
    segment they do not repeat is judged at SUSPECT_PROBABILITY; ``page_text``: the same
    text compacted, and a whole title it shares not one pair with at UNREPEATED_PROBABILITY."""
    lexicon = lexicon or default_lexicon()
    register = None if model is False else (model if isinstance(model, RegisterModel) else default_model())
    result = []
    segments = title_segments(title)
    for segment_start, segment in segments:
        # Without the classifier every segment counts as possibly spam (the lexicon rules decide).
        # Too short a segment to read, like a headline without the classifier, is left to the lexicon rules.
        probability = NEWS_HEADLINE_PROBABILITY
        scored = bool(register) and significant_length(segment) >= MIN_UNIT_CHARS
        if scored:
            probability = register.probability(segment)  # type: ignore[union-attr]
        lead = len(segment) - len(segment.lstrip())
        whole = segment.strip()
        threshold = SPAM_PROBABILITY
        if SUSPECT_PROBABILITY <= probability < SPAM_PROBABILITY and not corroborated(whole, page_pairs):
            threshold = SUSPECT_PROBABILITY
        elif (scored and len(segments) == 1 and UNREPEATED_PROBABILITY <= probability < SPAM_PROBABILITY
              and not _ORGANISATION_RE.search(whole) and unrepeated(whole, page_text)):
            # A whole candidate the page does not echo at all: the headline was replaced.
            threshold = UNREPEATED_PROBABILITY
        if register and probability >= threshold:
            rule = "register" if threshold == SPAM_PROBABILITY else "register-uncorroborated"
            result.append(SpamSpan(segment_start + lead, segment_start + lead + len(whole), whole, probability, True,
                                   rule, [f"p={probability:.3f}"], False))
            continue
        found = []
        for span in score_spans(segment, lexicon, language=language):
            if span.hard and span.is_spam:
                found.append(span)
            elif span.in_context or probability < NEWS_HEADLINE_PROBABILITY:
                # "警方提醒：网络私彩是陷阱", "澳门博彩业收入回升": the headline reports on the word.
                continue
            elif span.is_spam or span.score >= STRONG_WEIGHT:
                span.is_spam = True
                found.append(span)
        covered = sum(significant_length(span.text) for span in found)
        if found and covered * 2 >= significant_length(segment):
            # A segment that is mostly spam is the injected unit ("澳门六合彩开奖记录").
            found = [SpamSpan(lead, lead + len(whole), whole, max(s.score for s in found), True,
                              found[0].rule, [r for s in found for r in s.reasons], any(s.hard for s in found))]
        for span in found:
            span.start += segment_start
            span.end += segment_start
            result.append(span)
    return result


def lexicon_title_spans(title: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> list[SpamSpan]:
    """Spam spans in a headline by the lexicon rules alone (no classifier): what the DOM
    stage uses to judge hidden text and link anchors."""
    return title_spam_spans(title, lexicon, model=False, language=language)


def _is_site_name(text: str, site_names: Sequence[str]) -> bool:
    folded = " ".join(text.split()).casefold()
    return any(folded == " ".join(name.split()).casefold() for name in site_names if name)


def without_site_name(title: str, site_names: Sequence[str]) -> str:
    """``title`` without leading or trailing segments that are a site name ("…_中华人民共和国民政部");
    empty when nothing else is left."""
    segments = title_segments(title)
    kept = [(start, text) for start, text in segments if not _is_site_name(text.strip(_STRIP), site_names)]
    if not kept:
        return ""
    start, end = kept[0][0], kept[-1][0] + len(kept[-1][1])
    return title[start:end].strip(_STRIP)


def headline_units(current: str, candidates: Sequence[Sequence[str]]) -> list[str]:
    """The segments title_spam_spans reads in every candidate and the current headline (see body_units)."""
    texts = [pair[1].strip() for pair in candidates if len(pair) == 2 and isinstance(pair[1], str)]
    return [segment for text in [*texts, current] for _, segment in title_segments(text)
            if significant_length(segment) >= MIN_UNIT_CHARS]


def choose_title(
    current: str,
    candidates: Sequence[Sequence[str]],
    lexicon: Lexicon | None = None,
    *,
    model: RegisterModel | None = None,
    language: str | None = None,
    site_names: Sequence[str] = (),
    body: str | None = None,
    primed: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The headline to publish and the title removals to record.

    Every tampered candidate is recorded (the audit shows that the page was
    tampered with even when a clean source exists).  When ``current`` is
    tampered the most trusted clean candidate replaces it; when none is clean
    the clean segments of the most trusted one are used; site names are dropped
    from a replacement, and when nothing but a site name is left the headline is empty.
    ``primed``: the caller has primed ``model`` with ``headline_units(current, candidates)``.
    """
    lexicon = lexicon or default_lexicon()
    model = model or default_model()
    removals: list[dict[str, Any]] = []
    seen: set[str] = set()
    clean: list[str] = []
    cleaned_fallback: list[str] = []

    def note(source: str, spans: list[SpamSpan]) -> None:
        for span in spans:
            text = span.text.strip()
            if text and text not in seen:
                seen.add(text)
                removals.append(removal(text, "title", f"title:{source}:{span.rule}", model.probability(text)))

    texts = [str(pair[1]) for pair in candidates if len(pair) == 2 and isinstance(pair[1], str)]
    if not primed:
        model.prime(headline_units(current, candidates))
    page: dict[str, set[str]] = {}

    def other_text(own: str) -> Callable[[], str] | None:
        """The rest of the page as one compacted text (None: no body to compare with)."""
        if body is None:
            return None
        return lambda: "".join(" ".join([body, *site_names, *(t for t in texts if t.strip() != own)]).split()).casefold()

    def others(own: str) -> Callable[[], set[str]] | None:
        """What the rest of the page says, for a candidate's segments (None: no body to compare with)."""
        if body is None:
            return None

        def pairs() -> set[str]:
            if own not in page:
                if "" not in page:
                    page[""] = _pairs(body).union(*(_pairs(name) for name in site_names))
                page[own] = page[""].union(*(_pairs(text) for text in texts if text.strip() != own))
            return page[own]
        return pairs

    judged: dict[str, list[SpamSpan]] = {}

    def spans_of(text: str) -> list[SpamSpan]:
        """title_spam_spans of a candidate, read once per distinct text: the sources of a page
        (meta, og:title, h1, <title>) usually repeat one headline, and what the rest of the
        page says about a text depends only on the text."""
        if text not in judged:
            judged[text] = title_spam_spans(text, lexicon, model=model, language=language, page_pairs=others(text),
                                            page_text=other_text(text))
        return judged[text]

    for pair in candidates:
        if len(pair) != 2 or not isinstance(pair[1], str):
            continue
        source, text = str(pair[0]), pair[1].strip()
        if not text:
            continue
        spans = spans_of(text)
        if spans:
            note(source, spans)
            remainder = without_site_name(cut(text, spans).strip(_STRIP), site_names)
            if significant_length(remainder) >= 4:
                cleaned_fallback.append(remainder)
        else:
            clean.append(text)
    current_spans = spans_of(current) if current else []
    if current_spans:
        note("item", current_spans)
    if not current_spans and current:
        return current, removals
    for text in clean:
        headline = without_site_name(text, site_names)
        if headline:
            return headline, removals
    if cleaned_fallback:
        return cleaned_fallback[0], removals
    if current_spans:
        return without_site_name(cut(current, current_spans).strip(_STRIP), site_names), removals
    return current, removals
