"""The DOM pages of the spam corpus (tests/corpus/spam/build_dom.py): injections
hidden by CSS, linked or written by scripts, in brands and hosts no lexicon
knows, and legitimate pages that hide things too.  Full path, as in
tests/spam/test_corpus.py; the by-form table is printed with ``-s``."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest
from tests.spam.test_corpus import Outcome, run_page, squash

from crawler.spam.lexicon import has_spam_candidates

CORPUS = Path(__file__).parent.parent / "corpus" / "spam"
sys.path.insert(0, str(CORPUS))
from build_dom import FORMS, HIDDEN_FORMS  # noqa: E402

PAGES = sorted((CORPUS / "pages").glob("dom_*.html"))


@pytest.fixture(scope="module")
def dom_outcomes() -> list[Outcome]:
    return [run_page(path) for path in PAGES]


def caught_by_form(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """form -> (injected strings gone from title and body, injected strings)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        text = squash(outcome.item.title + "\n" + outcome.item.body) if outcome.item else ""
        for form in outcome.label["forms"]:
            for injected in outcome.label["injected"]:
                counts[form][1] += 1
                counts[form][0] += squash(injected) not in text
    return {form: (caught, total) for form, (caught, total) in counts.items()}


def test_corpus_covers_every_dom_form_in_unknown_vocabulary(dom_outcomes: list[Outcome]) -> None:
    assert len(dom_outcomes) >= 20
    assert {form for o in dom_outcomes for form in o.label["forms"]} == set(FORMS)
    assert sum(o.label["kind"] == "legit" for o in dom_outcomes) >= 6
    for outcome in dom_outcomes:
        for injected in outcome.label["injected"]:
            assert not has_spam_candidates(injected), (outcome.name, injected)


def test_recall_by_form(dom_outcomes: list[Outcome]) -> None:
    by_form = caught_by_form(dom_outcomes)
    print("\nDOM forms in unknown vocabulary (injected strings removed / injected):")
    for form, (caught, total) in sorted(by_form.items()):
        print(f"  {form:28s} {caught:3d}/{total:<3d} {caught / total:.0%}")
    hidden_caught = sum(by_form[form][0] for form in HIDDEN_FORMS)
    hidden_total = sum(by_form[form][1] for form in HIDDEN_FORMS)
    all_caught = sum(caught for caught, _ in by_form.values())
    all_total = sum(total for _, total in by_form.values())
    print(f"  hidden forms {hidden_caught}/{hidden_total}; all forms {all_caught}/{all_total}")
    assert hidden_caught / hidden_total >= 0.97
    assert all_caught / all_total >= 0.97


def test_removals_are_recorded_where_expected(dom_outcomes: list[Outcome]) -> None:
    for outcome in dom_outcomes:
        if outcome.label["kind"] != "spam":
            continue
        assert outcome.item is not None and outcome.item.title == outcome.label["expect_title"], outcome.name
        wheres = {entry["where"] for entry in outcome.item.spam_removed}
        assert set(outcome.label["expect_where"]) <= wheres, (outcome.name, outcome.item.spam_removed)
        for entry in outcome.item.spam_removed:
            if entry["where"] == "hidden":
                assert entry["rule"].startswith("hidden:") and entry["rule"] != "hidden:", outcome.name


def test_legitimate_pages_and_strings_untouched(dom_outcomes: list[Outcome]) -> None:
    for outcome in dom_outcomes:
        assert outcome.item is not None, outcome.name
        text = squash(outcome.item.title + "\n" + outcome.item.body)
        for legitimate in outcome.label["legitimate"]:
            assert squash(legitimate) in text, (outcome.name, legitimate)
        if outcome.label["kind"] == "legit":
            assert outcome.item.spam_removed == [], (outcome.name, outcome.item.spam_removed)
            assert outcome.item.title == outcome.label["expect_title"], outcome.name
