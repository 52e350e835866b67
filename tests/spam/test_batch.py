"""The batch scorer (RegisterModel.decisions) reads what the per-text reference (decision) reads.

Every training sentence and every unit of the corpora's articles is scored both
ways; whole articles are checked with the batch and with the reference alone
and must get the same verdicts.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article
from crawler.spam import classifier
from crawler.spam.article import check_article
from crawler.spam.classifier import RegisterModel, default_model, load_model
from crawler.spam.titles import title_segments
from crawler.spam.training import read_examples
from crawler.spam.units import sentence_bounds

CORPORA = Path(__file__).resolve().parent.parent / "corpus"
DIRECTORIES = [CORPORA / "extract", CORPORA / "spam" / "pages", CORPORA / "spam" / "unseen"]


def _extracted() -> Iterator[tuple[str, Any]]:
    level = logging.getLogger("crawler.extract").level
    logging.getLogger("crawler.extract").setLevel(logging.ERROR)
    try:
        for directory in DIRECTORIES:
            for path in sorted(directory.glob("*.html")):
                label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                yield path.name, extract_article(path.read_bytes(), label["url"], None,
                                                 allowed_domains=label.get("allowed_domains", ()),
                                                 language=label.get("language"))
    finally:
        logging.getLogger("crawler.extract").setLevel(level)


@pytest.fixture(scope="module")
def articles() -> list[tuple[str, Any]]:
    return list(_extracted())


def _assert_equal(model: RegisterModel, texts: list[str]) -> None:
    batch = model.decisions(texts)
    assert len(batch) == len(texts)
    for text, value in zip(texts, batch):
        assert math.isclose(value, model.decision(text), rel_tol=0, abs_tol=1e-9), text


def test_batch_equals_reference_on_every_training_sentence() -> None:
    texts = [example.text for example in read_examples()]
    assert len(texts) >= 7000
    _assert_equal(default_model(), texts)


def test_batch_equals_reference_on_the_corpora_units(articles: list[tuple[str, Any]]) -> None:
    units: list[str] = []
    for _, extracted in articles:
        for paragraph in re.split(r"\n\s*\n", extracted.body):
            units.append(paragraph)
            units.extend(paragraph[s:e] for s, e in sentence_bounds(paragraph))
        for pair in [*extracted.title_candidates, ("item", extracted.title)]:
            units.extend(segment for _, segment in title_segments(pair[1]))
    assert len(units) > 2000
    _assert_equal(default_model(), units)


def test_ngrams_across_two_texts_belong_to_neither() -> None:
    """"澳门" is in the vocabulary; a batch of "…澳" and "门…" must not count it for either text."""
    model = default_model()
    assert "澳门" in model.vocabulary and "澳" in model.vocabulary and "门" in model.vocabulary
    texts = ["会议在澳", "门举行", "澳", "门", "", "!!!", "a", "ab"]
    _assert_equal(model, texts)
    assert model.decisions(texts)[:2] == model.decisions(texts[:1]) + model.decisions(texts[1:2])


def test_every_code_point_width_and_repeated_ngrams() -> None:
    """Astral characters (emoji, the last code point), NUL and n-grams seen many times are read exactly."""
    texts = ["最高返水😀😀😀 加微信 \U0010ffff\U0010ffff", "\x00abc\x00", "彩票彩票彩票彩票 彩票", "送888元 👍👍", "x" * 40]
    _assert_equal(default_model(), texts)
    _assert_equal(default_model(), texts[::-1])


def test_prime_caches_the_batch_scores() -> None:
    model = load_model()
    texts = ["民政部近日印发通知。", "加微信领取彩金！", "澳门博彩业收入回升", "。。。"]
    model.prime(texts)
    for text, decision in zip(texts[:3], model.decisions(texts[:3])):
        assert model._cache[text] == 1.0 / (1.0 + math.exp(-decision))
    assert "。。。" not in model._cache and model.probability("。。。") == 0.0
    assert model.probabilities(texts) == [model._cache[t] for t in texts[:3]] + [0.0]
    # The next article: the cache holds its units only, a unit read before keeps its score,
    # the others join the recent texts.
    kept = model._cache[texts[0]]
    model.prime([texts[0], "会议强调，要压实属地责任。"])
    assert set(model._cache) == {texts[0], "会议强调，要压实属地责任。"}
    assert model._cache[texts[0]] == kept and set(model._recent) == set(texts[1:3])
    # A text read alone is kept apart, and does not evict the article's units.
    model.probability("民政部印发通知，部署冬春救助工作。")
    assert "民政部印发通知，部署冬春救助工作。" in model._recent and texts[0] in model._cache


def _verdicts(articles: list[tuple[str, Any]], model: RegisterModel) -> dict[str, Any]:
    verdicts = {}
    for name, extracted in articles:
        verdict = check_article(extracted.title, extracted.body, extracted.title_candidates, extracted.spam_removed,
                                model=model, language=extracted.language)
        verdicts[name] = (verdict.title, verdict.body, verdict.removals, verdict.doorway)
    return verdicts


def test_verdicts_with_the_batch_equal_the_reference(articles: list[tuple[str, Any]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    batched = _verdicts(articles, load_model())
    monkeypatch.setattr(classifier, "BATCH_MIN", 10**9)  # every text read by decision()
    reference = _verdicts(articles, load_model())
    assert batched == reference
    assert sum(len(removals) for _, _, removals, _ in batched.values()) > 50


def test_a_headline_repeated_by_several_sources_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.spam import titles

    tampered = "澳门新葡京官网_民政部召开全国养老服务工作会议"
    clean = "民政部召开全国养老服务工作会议"
    candidates = [["meta:og:title", tampered], ["h1", clean], ["title", tampered], ["meta:ArticleTitle", f" {tampered} "]]
    body = "民政部召开全国养老服务工作会议，部署养老服务工作。"
    expected = titles.choose_title(tampered, candidates[:2], body=body)
    assert expected[0] == clean and expected[1]
    judged: list[str] = []
    real = titles.title_spam_spans

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        judged.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(titles, "title_spam_spans", counting)
    assert titles.choose_title(tampered, candidates, body=body) == expected
    assert sorted(judged) == sorted({tampered, clean})
