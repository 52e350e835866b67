"""Units: what goes from a title and a body, and the audit entry for each removal.

A brand dropped into a legitimate sentence is cut and the sentence stays; an
advert sentence or paragraph goes whole; a spam headline segment goes and the
headline comes from a clean candidate.  Doorway pages (wholly spam) are
recognised here too.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crawler.spam.lexicon import CJK_RE, STRONG_WEIGHT, Lexicon, default_lexicon, topic_counts
from crawler.spam.spans import (
    SENTENCE_END_RE,
    TOPIC_MIN_CHARS,
    SpamSpan,
    find_spam_spans,
    score_spans,
)


def _is_cjk(char: str) -> bool:
    return bool(CJK_RE.match(char))


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
    for match in SENTENCE_END_RE.finditer(paragraph):
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
    if not body:
        return CleanResult(body, [], 0, 0)
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

