"""The shortcuts of the spam check compute what the plain definitions compute.

Screens (does a text hold any term at all?), the body-level span screen, the
advert-word prefilter of the register features and the classifier's n-gram
scoring are each compared here with the straightforward computation they replace.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter

import pytest

from crawler.spam import features
from crawler.spam.classifier import default_model
from crawler.spam.lexicon import default_lexicon, strip_separators, topic_counts
from crawler.spam.spans import may_hold_spans, score_spans
from crawler.spam.training import read_examples
from crawler.spam.units import clean_paragraph

NEWS = [
    "民政部近日印发通知，要求各地民政部门切实做好今冬明春困难群众基本生活保障工作。",
    "China will expand community-based elderly care services, the Ministry of Civil Affairs said on Thursday.",
    "中国福利彩票发行管理中心公布了前三季度彩票销售情况，同比增长5.2%。",
    "会议要求，要加快推进低收入人口动态监测信息平台建设。",
]


def _texts(seed: int, count: int) -> list[str]:
    """News sentences with lexicon terms, allowed phrases and separators spliced in at random."""
    lexicon = default_lexicon()
    rng = random.Random(seed)
    words = sorted(lexicon.terms)
    allowed = sorted(lexicon.allowed)
    texts = []
    for _ in range(count):
        text = rng.choice(NEWS)
        for _ in range(rng.randint(0, 2)):
            word = rng.choice(words + allowed)
            if rng.random() < 0.3:
                word = "*".join(word)
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(["", " "]) + word + text[at:]
        texts.append(text)
    return texts


def test_screens_find_what_the_trie_regexes_find() -> None:
    lexicon = default_lexicon()
    for text in _texts(1, 400) + NEWS:
        folded = lexicon.fold(text)
        assert lexicon.holds(folded, lexicon.seed_screens) == bool(lexicon.seed_re.search(folded)), text
        assert lexicon.holds(folded, lexicon.term_screens) == bool(lexicon.term_re.search(folded)), text


def test_topic_counts_equal_counting_every_phrase_and_term() -> None:
    lexicon = default_lexicon()

    def plain(text: str) -> dict[str, int]:
        folded = lexicon.fold(text)
        counts: Counter[str] = Counter()
        assert lexicon.allow_re is not None
        for match in lexicon.allow_re.finditer(folded):
            if lexicon.allowed_categories.get(match.group()):
                counts[lexicon.allowed_categories[match.group()]] += 1
        for match in lexicon.seed_re.finditer(folded):
            term = lexicon.terms.get(strip_separators(match.group()))
            if term is not None:
                counts[term.category] += 1
        return dict(counts)

    texts = _texts(2, 300) + NEWS
    assert any(topic_counts(text, lexicon) for text in texts)
    for text in texts:
        assert topic_counts(text, lexicon) == plain(text), text


def test_a_body_the_span_screen_passes_has_no_span_in_any_paragraph() -> None:
    lexicon = default_lexicon()
    model = default_model()
    rng = random.Random(3)
    pool = _texts(4, 200)
    screened = 0
    for _ in range(150):
        paragraphs = rng.sample(pool + NEWS * 20, rng.randint(1, 4))
        body = "\n\n".join(paragraphs)
        if may_hold_spans(body, lexicon):
            continue
        screened += 1
        for paragraph in paragraphs:
            assert score_spans(paragraph, lexicon) == []
            assert (clean_paragraph(paragraph, lexicon, model=model, spans_possible=False)
                    == clean_paragraph(paragraph, lexicon, model=model))
    assert screened >= 20
    assert may_hold_spans("民政部召开会议。\n\n澳门新葡京娱乐场上线了。", lexicon)
    assert may_hold_spans("部署工作。\n\n详情见 jl8899.com 网站。", lexicon)


def test_every_advert_word_list_is_covered_by_the_union() -> None:
    for spec in (features.CALLS_TO_ACTION, features.BONUSES, features.CLAIMS, features.PROMISES, features.URGENCY,
                 features.SPEEDS, features.AUDIENCE, features.SUPERLATIVES):
        for word in features._words(spec):
            assert default_lexicon().holds(f"民政部{word}工作", features.ADVERT_WORD_SCREENS), word


@pytest.mark.parametrize("text", NEWS + ["百家乐注册送88元，客服微信：bjl888！", "Sign up now, claim your bonus today!"])
def test_advert_word_counts_without_the_prefilter(text: str) -> None:
    lexicon = default_lexicon()
    joined = features.prepare(text, lexicon)[2]
    values = dict(zip(features.FEATURE_NAMES, features.register_features(text, lexicon)))
    assert values["call_to_action"] == min(len(features.CALL_TO_ACTION_RE.findall(joined)), 3) / 3
    assert values["claim"] == min(len(features.CLAIM_RE.findall(joined)), 3) / 3
    for name, pattern in (("promise", features.PROMISE_RE), ("urgency", features.URGENCY_RE),
                          ("speed", features.SPEED_RE), ("audience", features.AUDIENCE_RE),
                          ("superlative", features.SUPERLATIVE_RE)):
        assert values[name] == min(len(pattern.findall(joined)), 2) / 2, name


def test_decision_is_the_plain_tf_idf_dot_product() -> None:
    """Same n-grams in the same order, same floating-point operations: equal to the last bit."""
    model = default_model()
    lexicon = model.lexicon

    def plain(text: str) -> float:
        prepared = features.prepare(text, lexicon)
        normalised = features.normalise(text, lexicon, prepared)
        low, high = model.ngram_range
        grams = [normalised[i:i + n] for n in range(low, high + 1) for i in range(len(normalised) - n + 1)]
        counts = Counter(grams)
        assert model.ngram_counts(normalised) == counts
        assert list(model.ngram_counts(normalised)) == list(counts)
        total = square = 0.0
        for gram, count in counts.items():
            if gram not in model.vocabulary:
                continue
            idf, weight = model.vocabulary[gram]
            value = idf if count == 1 else (1.0 + math.log(count)) * idf
            square += value * value
            total += weight * value
        value = total / math.sqrt(square) if square else 0.0
        feats = features.register_features(text, lexicon, prepared)
        return value + sum(w * f for w, f in zip(model.feature_weights, feats)) + model.intercept

    examples = read_examples()
    for example in examples[:: max(1, len(examples) // 300)]:
        assert model.decision(example.text) == plain(example.text), example.text
    repeated = "彩票彩票彩票 " * 3 + re.sub(r"\s", "", NEWS[0])
    assert model.decision(repeated) == plain(repeated)
