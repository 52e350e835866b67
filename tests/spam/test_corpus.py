"""The labelled spam corpus (tests/corpus/spam/pages) through the full path:
extract_article -> NormalizePipeline -> SpamPipeline.

Fails unless at least 99% of injected strings are gone from title and body,
no legitimate string is lost, legitimate pages have no removals at all, no
doorway yields a record, and title + body + removed texts account for the
text the page would have given without any spam removal (audit completeness).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import crawler.spam.dom as domspam_module
from crawler.extract import extract_article
from crawler.items import ArticleItem
from crawler.signals import manifest_entry
from pipelines.normalize import NormalizePipeline
from pipelines.spam import SpamPipeline

PAGES = Path(__file__).parent.parent / "corpus" / "spam" / "pages"


@dataclass
class Outcome:
    name: str
    label: dict[str, Any]
    item: ArticleItem | None
    raw_body: str
    raw_title_candidates: list[list[str]]
    manifest: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def significant(text: str) -> Counter[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return Counter(c for c in folded if c.isalnum())


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def run_page(path: Path) -> Outcome:
    label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    html = path.read_bytes()
    extracted = extract_article(html, label["url"], None, allowed_domains=label["allowed_domains"], language=label["language"])
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    manifest: list[tuple[str, dict[str, str]]] = []
    crawler.signals.connect(lambda kind, entry, **_: manifest.append((kind, entry)), signal=manifest_entry, weak=False)
    item = ArticleItem(
        url=label["url"],
        site=label["url"].split("/")[2],
        language=extracted.language,
        title=extracted.title,
        body=extracted.body,
        spam_removed=list(extracted.spam_removed),
        extra={"title_candidates": extracted.title_candidates, "page_signals": extracted.page_signals},
    )
    item = NormalizePipeline.from_crawler(crawler).process_item(item)
    try:
        result: ArticleItem | None = SpamPipeline.from_crawler(crawler).process_item(item)
    except DropItem:
        result = None
    # The same page with DOM spam removal switched off: what the reader's
    # text would have been, for the audit-completeness check.
    original = domspam_module.remove_dom_spam
    domspam_module.remove_dom_spam = lambda *args, **kwargs: []  # type: ignore[assignment]
    try:
        raw = extract_article(html, label["url"], None, allowed_domains=label["allowed_domains"], language=label["language"])
    finally:
        domspam_module.remove_dom_spam = original
    return Outcome(path.stem, label, result, raw.body, raw.title_candidates, manifest)


@pytest.fixture(scope="module")
def outcomes() -> Iterator[list[Outcome]]:
    # Quiet while the corpus runs, and as before afterwards: a level left at ERROR would
    # hide the extraction warnings later tests look for.
    extract_logger = logging.getLogger("crawler.extract")
    level = extract_logger.level
    extract_logger.setLevel(logging.ERROR)
    try:
        yield [run_page(path) for path in sorted(PAGES.glob("*.html"))]
    finally:
        extract_logger.setLevel(level)


def test_corpus_size_and_coverage(outcomes: list[Outcome]) -> None:
    kinds = Counter(o.label["kind"] for o in outcomes)
    assert kinds["spam"] + kinds["doorway"] >= 40
    assert kinds["legit"] >= 20
    assert kinds["doorway"] >= 3
    forms = {form for o in outcomes for form in o.label["forms"]}
    for required in ("title-with-meta", "title-no-meta", "mid-sentence-spaced", "mid-sentence-english",
                     "injected-paragraph", "hidden-display-none", "hidden-offscreen", "hidden-font-zero",
                     "hidden-marquee", "hidden-colour", "hidden-class", "farm-footer", "script-write",
                     "script-fromcharcode", "script-referrer", "script-spider-title", "iframe", "metas",
                     "obfuscated-spaces", "traditional", "fullwidth", "doorway"):
        assert required in forms, required


def test_injected_strings_gone_from_title_and_body(outcomes: list[Outcome]) -> None:
    total = 0
    missed: list[str] = []
    for outcome in outcomes:
        if outcome.item is None:
            total += len(outcome.label["injected"])
            continue
        text = squash(outcome.item.title + "\n" + outcome.item.body)
        for injected in outcome.label["injected"]:
            total += 1
            if squash(injected) in text:
                missed.append(f"{outcome.name}: {injected}")
    recall = 1 - len(missed) / total
    print(f"\nspam corpus: {total} injected strings, recall {recall:.2%}")
    assert total >= 100
    assert recall >= 0.99, missed


def test_no_legitimate_string_removed(outcomes: list[Outcome]) -> None:
    total = 0
    lost: list[str] = []
    for outcome in outcomes:
        if outcome.item is None:
            continue
        text = squash(outcome.item.title + "\n" + outcome.item.body)
        for legitimate in outcome.label["legitimate"]:
            total += 1
            if squash(legitimate) not in text:
                lost.append(f"{outcome.name}: {legitimate}")
    print(f"\nspam corpus: {total} legitimate strings, kept {1 - len(lost) / total:.2%}")
    assert lost == []


def test_legitimate_pages_come_through_untouched(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.label["kind"] != "legit":
            continue
        assert outcome.item is not None, outcome.name
        assert outcome.item.spam_removed == [], (outcome.name, outcome.item.spam_removed)
        assert outcome.item.title == outcome.label["expect_title"], outcome.name


def test_titles_and_removal_kinds(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.label["kind"] != "spam":
            continue
        assert outcome.item is not None, outcome.name
        assert outcome.item.title == outcome.label["expect_title"], (outcome.name, outcome.item.title)
        wheres = {r["where"] for r in outcome.item.spam_removed}
        assert set(outcome.label["expect_where"]) <= wheres, (outcome.name, outcome.item.spam_removed)
        for entry in outcome.item.spam_removed:
            assert entry["text"] and entry["rule"], outcome.name
            if entry["where"] in {"title", "body"}:
                # The text stage scores every removed unit with the register classifier.
                assert set(entry) == {"text", "where", "rule", "score"} and 0 <= entry["score"] <= 1, (outcome.name, entry)
            else:
                assert {"text", "where", "rule"} <= set(entry) <= {"text", "where", "rule", "score"}, (outcome.name, entry)


def test_doorways_yield_no_record_and_are_reported(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.label["kind"] == "doorway":
            assert outcome.item is None, outcome.name
            assert [kind for kind, _ in outcome.manifest] == ["doorway"], outcome.name
            assert outcome.manifest[0][1]["url"] == outcome.label["url"]
        else:
            assert outcome.item is not None, outcome.name
            assert outcome.manifest == [], outcome.name


def test_audit_accounts_for_the_original_text(outcomes: list[Outcome]) -> None:
    """Every character the page would have given without spam removal is in the
    record's title or body or in a ``spam_removed`` entry: nothing vanishes
    without an audit entry."""
    for outcome in outcomes:
        if outcome.item is None:
            continue
        accounted = significant(outcome.item.title + outcome.item.body)
        for entry in outcome.item.spam_removed:
            accounted.update(significant(entry["text"]))
        for _source, candidate in outcome.raw_title_candidates:
            # Extraction drops a body line that repeats the headline; the
            # headline candidates account for it.
            accounted.update(significant(candidate))
        unaccounted = significant(outcome.raw_body) - accounted
        assert not unaccounted, (outcome.name, "".join(sorted(unaccounted.elements())))
