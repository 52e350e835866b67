"""Generalisation: spam in vocabulary the lexicon does not hold (tests/corpus/spam/unseen/).

Eight spam families, each injected in six forms (advert sentence, injected
paragraph, headline replaced / prefixed / suffixed, meta keywords and description) beside legitimate lottery,
chess, Macao, anti-gambling and e-sports news.  The leave-one-family-out check
retrains the classifier without the family's sentences and drops its terms
from the lexicon, then measures recall on that family's pages and precision on
the legitimate ones.  bench/spam.py prints the same numbers as tables.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.spam.classifier import default_model
from crawler.spam.lexicon import default_lexicon
from crawler.spam.training import FAMILY_CATEGORIES, read_examples, train_without

sys.path.insert(0, str(Path(__file__).parent.parent / "corpus" / "spam"))

from evaluate import UNSEEN, Extracted, extract_pages, judge, scores  # noqa: E402



@pytest.fixture(scope="module")
def pages() -> Iterator[list[Extracted]]:
    yield extract_pages(UNSEEN)


def test_corpus_size_forms_and_vocabulary() -> None:
    labels = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(UNSEEN.glob("*.json"))]
    spam = [label for label in labels if label["kind"] == "spam"]
    assert len(spam) >= 40 and sum(label["kind"] == "legit" for label in labels) >= 8
    assert {label["family"] for label in spam} == set(FAMILY_CATEGORIES)
    assert {form for label in spam for form in label["forms"]} == {
        "advert-sentence", "injected-paragraph", "headline-replaced", "headline-prefixed", "headline-suffixed",
        "meta-injected"}
    assert all(label["meta_legitimate"] for label in labels)  # every page has trap metas of its own
    lexicon = default_lexicon()
    for label in spam:
        for text in label["injected"] + label["meta_injected"]:
            assert not lexicon.seed_re.search(lexicon.fold(text)), text  # new vocabulary


def test_shipped_model_on_unseen_vocabulary(pages: list[Extracted]) -> None:
    results = judge(pages, default_lexicon(), default_model())
    overall = scores(results)
    assert overall.legit_precision == 1.0
    assert overall.recall >= 0.97, [(r.name, r.missed) for r in results if r.missed]
    for result in results:
        if result.label["kind"] == "legit":
            assert result.removals == [] and result.title == result.label["expect_title"], result.name
    for family in FAMILY_CATEGORIES:
        assert scores(results, family).recall >= 0.9, family


@pytest.mark.parametrize("family", sorted(FAMILY_CATEGORIES))
def test_leave_one_family_out(family: str, pages: list[Extracted]) -> None:
    model = train_without({family}, read_examples())
    assert not any(term.category in FAMILY_CATEGORIES[family] for term in model.lexicon.terms.values())
    result = scores(judge(pages, model.lexicon, model), family)
    assert result.legit_precision == 1.0
    assert result.recall >= 0.9, family
