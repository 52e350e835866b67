"""Spans: lexicon hits grown to the unit an injector inserted, scored in their sentence.

A lexicon hit is never removed for being a word.  Hits that touch form a span
with the affixes glued to them; the span grows to the inserted unit (a Chinese
run dropped into English prose, a chunk set off by spaces in Chinese prose, a
brand number or domain glued on) and is scored on its own evidence and its
sentence's (context words, quotes, contacts, bonuses).  docs/spam.md lists the
rules; crawler/spam/units.py decides what to remove.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.spam.lexicon import (
    CJK,
    CJK_RE,
    DECLARED,
    SEPARATOR_CLASS,
    Lexicon,
    default_lexicon,
    is_government_domain,
    spam_domain_spans,
    strip_separators,
)

SPAM_THRESHOLD = 3.0
TOPIC_MIN_CHARS = 100  # an article shorter than this is not judged on its subject
# A chunk of 4-24 characters set off by spaces between Chinese characters
# (an insertion; "记者 黄蕾 通讯员" has only short chunks).
_SPACEDCJK_RE = re.compile(f"[{CJK}，、：；][ \\t\\u3000]+[^\\s]{{4,24}}[ \\t\\u3000]+[{CJK}，。、：；]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")
SENTENCE_END_RE = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_OPENING_BRACKETS = "(（《〈「『“\"'【[‘"
_CLOSING_BRACKETS = ")）》〉」』”\"'】]’"
_HARD_TOKEN_KINDS = {"hard-affix", "domain", "contact", "bonus"}


def has_spaced_chunk(text: str) -> bool:
    return bool(_SPACEDCJK_RE.search(text))


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


def _tokens(
    text: str, folded: str, lexicon: Lexicon, *, affix_spans: bool = False
) -> tuple[list[Token], list[tuple[int, int]]]:
    allowed_spans: list[tuple[int, int]] = []
    tokens: list[Token] = []
    domains = spam_domain_spans(folded, lexicon)
    if not affix_spans and not domains and not lexicon.holds(folded, lexicon.seed_screens):
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
        term_key = strip_separators(match.group())
        term = lexicon.terms.get(term_key) or lexicon.terms.get(match.group())
        if term is None:
            position = start + 1
            continue
        if not any(a <= start and end <= b for a, b in allowed_spans):
            tokens.append(Token(start, end, term.kind, term.category, term.weight))
            position = end
        else:
            position = start + 1
    for start, end in domains:
        tokens.append(Token(start, end, "domain", "gambling", 2.0))
    # Contacts and bonuses only matter next to a term or a spam domain; skip
    # the scan on the (usual) clean text.
    if tokens:
        _pattern_tokens(folded, "contact", lexicon.contact_patterns, tokens)
        _pattern_tokens(folded, "bonus", lexicon.bonus_patterns, tokens)
    tokens.sort(key=lambda t: (t.start, -t.end))
    return tokens, allowed_spans


def _pattern_tokens(folded: str, kind: str, patterns: list[re.Pattern[str]], tokens: list[Token]) -> None:
    for pattern in patterns:
        for match in pattern.finditer(folded):
            start, end = match.span()
            # Domain patterns anchor on a non-domain character; do not eat it.
            while start < end and not (folded[start].isalnum() or CJK_RE.match(folded[start])):
                start += 1
            if kind == "domain" and is_government_domain(folded[start:end]):
                continue
            tokens.append(Token(start, end, kind, "gambling", 2.0))


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in SENTENCE_END_RE.finditer(text, 0, start):
        left = match.end()
    match = SENTENCE_END_RE.search(text, end)
    right = match.end() if match else len(text)
    return left, right


def _is_cjk(char: str) -> bool:
    return bool(CJK_RE.match(char))


def _mostly_latin(text: str) -> bool:
    letters = len(_LATIN_LETTER_RE.findall(text))
    cjk = len(CJK_RE.findall(text))
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
            if token.start <= last_end or (len(gap) <= 2 and re.fullmatch(rf"(?:{SEPARATOR_CLASS}|[0-9a-zA-Z])*", gap)):
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
            new_start > 1 and re.match(SEPARATOR_CLASS, text[new_start - 1]) and text[new_start - 1] != " "
            and _is_cjk(text[new_start - 2]))):
            new_start -= 1
        while new_end < len(text) and (_is_cjk(text[new_end]) or (
            new_end + 1 < len(text) and re.match(SEPARATOR_CLASS, text[new_end]) and text[new_end] != " "
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
            if chunk and all(_is_cjk(c) or c.isalnum() or re.match(SEPARATOR_CLASS, c) for c in chunk):
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
    affix_spans = bool(CJK_RE.search(text)) and (latin_block or has_spaced_chunk(text))
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
                hard = hard or token.category == DECLARED
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


def may_hold_spans(text: str, lexicon: Lexicon | None = None) -> bool:
    """Could ``score_spans`` find a span in ``text`` or in any block of it?

    Every span grows from a token: a lexicon term (affixes included) or a spam-shaped
    domain.  When the folded text holds neither, no block of it does either: folding is
    per character (lower-casing too, unless a character would grow under it, the one
    case answered True), and the text's blocks are separated by white space, which no
    term, domain or boundary check reads across."""
    lexicon = lexicon or default_lexicon()
    if len(text.lower()) != len(text):
        return True
    folded = lexicon.fold(text)
    return lexicon.holds(folded, lexicon.term_screens) or bool(spam_domain_spans(folded, lexicon))


def find_spam_spans(
    text: str, lexicon: Lexicon | None = None, *, language: str | None = None, topics: dict[str, int] | None = None
) -> list[SpamSpan]:
    """Only the spans judged to be spam."""
    return [s for s in score_spans(text, lexicon, language=language, topics=topics) if s.is_spam]


def text_spam_score(text: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> float:
    """Sum of spam-span scores in ``text`` (0 when nothing is spam)."""
    return sum(s.score for s in find_spam_spans(text, lexicon, language=language))

