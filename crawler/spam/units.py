"""Units of a body: what goes from each paragraph, and the audit entry for each removal.

Each sentence (and a paragraph of several) is scored by the register classifier
(crawler/spam/classifier.py): an advert sentence goes whole, a paragraph whose
sentences all read as adverts goes whole.  In a sentence that reads as news, a
lexicon span (crawler/spam/spans.py) is cut and the sentence stays, when it was
visibly inserted (a Chinese run in English prose, a chunk set off by spaces, a
domain, a contact) or reads as solicitation on its own; a bare term in a news
sentence ("降低对博彩业的过度依赖") stays.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.spam.classifier import SPAM_PROBABILITY, RegisterModel, default_model
from crawler.spam.lexicon import CJK_RE, Lexicon, default_lexicon, topic_counts
from crawler.spam.spans import SENTENCE_END_RE, TOPIC_MIN_CHARS, SpamSpan, find_spam_spans, may_hold_spans

if TYPE_CHECKING:
    from crawler.spam.history import Evidence

NEWS_PROBABILITY = 0.1  # below: the sentence reads as news
OFFICIAL_PROBABILITY = 0.01  # below: official news outright (a meeting, a ministry), never part of an advert
MIN_UNIT_CHARS = 6  # a sentence or segment with fewer letters is not scored (headings, column names)
SPAN_PROBABILITY = 0.25  # a lexicon span that reads at least this much like an advert is cut
MIN_SPAN_CHARS = 4  # a bare term shorter than this ("赌球") is not confirmed by the classifier
EVIDENCE_PROBABILITY = 0.25  # a sentence our archive makes a suspect goes at this (crawler/spam/history.py)


def _is_cjk(char: str) -> bool:
    return bool(CJK_RE.match(char))


_INSIGNIFICANT_RE = re.compile(r"[\W_]+")


def significant_length(text: str) -> int:
    """Letters, digits and Chinese characters in ``text``."""
    return len(_INSIGNIFICANT_RE.sub("", text))


def _is_wide(char: str) -> bool:
    """Chinese characters and full-width punctuation: no space needed beside them."""
    return _is_cjk(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef" or char in "“”‘’《》"


def cut(text: str, spans: Sequence[SpamSpan]) -> str:
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


def removal(text: str, where: str, rule: str, score: float) -> dict[str, Any]:
    """One ``spam_removed`` entry; ``score`` is the register classifier's probability of the removed text."""
    return {"text": text.strip(), "where": where, "rule": rule, "score": round(score, 3)}


def register_probability(text: str, model: RegisterModel) -> float:
    return model.probability(text) if significant_length(text) >= MIN_UNIT_CHARS else 0.0


def confirmed(span: SpamSpan, model: RegisterModel) -> bool:
    """Is a lexicon span removed? Visible insertion evidence is enough; otherwise the
    span itself must read as solicitation: a bare term in a news sentence is news."""
    if span.hard:
        return True
    # The lexicon rules already call it spam: the classifier only has to not read it as news.
    return significant_length(span.text) >= MIN_SPAN_CHARS and model.probability(span.text) >= SPAN_PROBABILITY


@dataclass
class CleanResult:
    text: str
    removals: list[dict[str, Any]]
    removed_chars: int
    original_chars: int
    scores: list[float] = field(default_factory=list)


def _inserted(span: SpamSpan) -> bool:
    """Was the span visibly dropped into its sentence (a Chinese run in English prose, a chunk set off by spaces)?"""
    return any(reason in {"cjk-in-english", "space-delimited"} for reason in span.reasons)


def _without(sentence: str, spans: Sequence[SpamSpan]) -> str:
    for span in spans:
        sentence = sentence.replace(span.text, "")
    return sentence


def sentence_bounds(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence that has letters."""
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for match in SENTENCE_END_RE.finditer(paragraph):
        bounds.append((cursor, match.end()))
        cursor = match.end()
    if cursor < len(paragraph):
        bounds.append((cursor, len(paragraph)))
    return [(s, e) for s, e in bounds if significant_length(paragraph[s:e])]


def _paragraphs(body: str) -> list[str]:
    return re.split(r"\n\s*\n", body)


def body_units(body: str) -> list[str]:
    """The sentences of ``body`` the classifier reads: the batch an article starts with
    (RegisterModel.prime), so that clean_paragraph finds their scores cached."""
    return [unit for paragraph in _paragraphs(body) for s, e in sentence_bounds(paragraph)
            if significant_length(unit := paragraph[s:e]) >= MIN_UNIT_CHARS]


def clean_paragraph(
    paragraph: str,
    lexicon: Lexicon | None = None,
    *,
    model: RegisterModel | None = None,
    language: str | None = None,
    where: str = "body",
    topics: dict[str, int] | None = None,
    evidence: Evidence | None = None,
    spans_possible: bool = True,
) -> CleanResult:
    """Remove injected units from one paragraph.

    A sentence the classifier reads as solicitation goes whole (``<where>:sentence:register``);
    so does one that lexicon spans cover for 60% or more, or that holds two spans one with
    a domain, contact or bonus.  When every sentence goes, the paragraph goes as one entry
    (``<where>:paragraph``).  Otherwise confirmed spans are cut and their sentences stay.
    A sentence ``evidence`` makes a suspect (new since the article's earlier capture) goes
    at EVIDENCE_PROBABILITY (``<where>:sentence:<evidence>+register``).
    ``spans_possible=False``: the caller knows the paragraph holds no lexicon span
    (crawler/spam/spans.py, ``may_hold_spans``); only the classifier reads it.
    """
    lexicon = lexicon or default_lexicon()
    model = model or default_model()
    original_chars = significant_length(paragraph)
    sentences = sentence_bounds(paragraph)
    if not sentences:
        return CleanResult(paragraph, [], 0, original_chars)
    spans: list[SpamSpan] = []
    if spans_possible:
        if topics is None and original_chars >= TOPIC_MIN_CHARS:
            topics = topic_counts(paragraph, lexicon)
        spans = [s for s in find_spam_spans(paragraph, lexicon, language=language, topics=topics) if confirmed(s, model)]
    inside = [[span for span in spans if s <= span.start < e] for s, e in sentences]
    # A sentence is read without the phrases visibly dropped into it: a brand in a news
    # sentence must not make the sentence read as an advert.
    units = [_without(paragraph[s:e], [span for span in own if _inserted(span)]) for (s, e), own in zip(sentences, inside)]
    if spans:  # the sentences without inserted spans, which the article's batch did not read
        model.probabilities(unit for unit in units if significant_length(unit) >= MIN_UNIT_CHARS)
    probabilities = [register_probability(unit, model) for unit in units]
    flagged = sum(p >= SPAM_PROBABILITY for p in probabilities)
    # An advert paragraph: a sentence reads as an advert, none clearly as news, and the whole does;
    # or most of its sentences read as adverts, none as official news outright, and the one that
    # describes goes with them.
    floor = NEWS_PROBABILITY if 2 * flagged <= len(sentences) else OFFICIAL_PROBABILITY
    if len(sentences) > 1 and flagged and min(probabilities) >= floor:
        whole = register_probability(paragraph, model)
        if whole >= SPAM_PROBABILITY:
            return CleanResult("", [removal(paragraph, where, f"{where}:paragraph:register", whole)],
                               original_chars, original_chars)
    cut_spans: list[SpamSpan] = []
    removals: list[dict[str, Any]] = []
    whole_sentences: list[tuple[int, int, str, float]] = []
    for (s_start, s_end), probability, own in zip(sentences, probabilities, inside):
        sentence = paragraph[s_start:s_end]
        if probability >= SPAM_PROBABILITY:
            whole_sentences.append((s_start, s_end, "register", probability))
            continue
        if evidence is not None and probability >= EVIDENCE_PROBABILITY and evidence.suspect(sentence):
            whole_sentences.append((s_start, s_end, f"{evidence.name}+register", probability))
            continue
        if not own:
            continue
        covered = sum(significant_length(s.text) for s in own)
        hard = any(any(r in {"domain", "contact", "bonus"} for r in s.reasons) for s in own)
        if (covered / max(significant_length(sentence), 1) >= 0.6 or (len(own) >= 2 and hard)
                or significant_length(_without(sentence, own)) <= 2):
            whole_sentences.append((s_start, s_end, own[0].rule, register_probability(sentence, model)))
        else:
            for s in own:
                cut_spans.append(s)
                removals.append(removal(s.text, where, f"{where}:{s.rule}", model.probability(s.text)))
    if whole_sentences and len(whole_sentences) == len(sentences):
        score = max(p for *_, p in whole_sentences)
        return CleanResult("", [removal(paragraph, where, f"{where}:paragraph", score)], original_chars, original_chars)
    for s_start, s_end, rule, probability in whole_sentences:
        cut_spans.append(SpamSpan(s_start, s_end, paragraph[s_start:s_end], 0.0, True, "sentence"))
        removals.append(removal(paragraph[s_start:s_end], where, f"{where}:sentence:{rule}", probability))
    if not cut_spans:
        return CleanResult(paragraph, [], 0, original_chars)
    cleaned = cut(paragraph, cut_spans)
    removed = original_chars - significant_length(cleaned)
    return CleanResult(cleaned, removals, removed, original_chars)


def clean_body(
    body: str, lexicon: Lexicon | None = None, *, model: RegisterModel | None = None, language: str | None = None,
    evidence: Evidence | None = None, primed: bool = False,
) -> CleanResult:
    """Clean a body whose paragraphs are separated by blank lines (``evidence``: see clean_paragraph;
    ``primed``: the caller has primed ``model`` with ``body_units(body)``)."""
    lexicon = lexicon or default_lexicon()
    if not body:
        return CleanResult(body, [], 0, 0)
    # Too short a text says nothing about its subject.
    topics = topic_counts(body, lexicon) if significant_length(body) >= TOPIC_MIN_CHARS else None
    # One screen over the whole body: most articles hold no lexicon term at all.
    spans_possible = may_hold_spans(body, lexicon)
    if not primed:
        (model or default_model()).prime(body_units(body))
    kept: list[str] = []
    removals: list[dict[str, Any]] = []
    removed_chars = 0
    original_chars = 0
    for paragraph in _paragraphs(body):
        result = clean_paragraph(paragraph, lexicon, model=model, language=language, topics=topics, evidence=evidence,
                                 spans_possible=spans_possible)
        removals.extend(result.removals)
        removed_chars += result.removed_chars
        original_chars += result.original_chars
        if result.text.strip():
            kept.append(result.text)
    return CleanResult("\n\n".join(kept), removals, removed_chars, original_chars)
