"""Recall and precision of the text-level spam stage on a labelled page corpus.

Used by tests/spam/test_unseen.py and bench/spam.py.  Each page goes through
extraction, normalisation and ``check_article`` with the given lexicon and
register model, so a leave-one-family-out model can be measured the same way
as the shipped one.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
from scrapy.utils.test import get_crawler

from crawler.extract import extract_article
from crawler.items import ArticleItem
from crawler.spam.article import check_article
from crawler.spam.classifier import RegisterModel
from crawler.spam.lexicon import Lexicon
from crawler.extract.text import KNOWN_SITE_NAMES
from crawler.spam.metas import PageText, judge_metas
from pipelines.normalize import NormalizePipeline

UNSEEN = Path(__file__).parent / "unseen"


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@dataclass
class PageResult:
    name: str
    label: dict[str, Any]
    title: str
    body: str
    removals: list[dict[str, Any]]
    doorway: bool
    missed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


@dataclass
class Extracted:
    name: str
    label: dict[str, Any]
    item: ArticleItem
    metas: list[tuple[str, str]] = field(default_factory=list)  # (name, content) as served
    page_text: str = ""  # the visible text the DOM stage compares metas with


def extract_pages(directory: Path = UNSEEN) -> list[Extracted]:
    """Extraction and normalisation of every page (model-independent, done once)."""
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    normalize = NormalizePipeline.from_crawler(crawler)
    level = logging.getLogger("crawler.extract").level
    logging.getLogger("crawler.extract").setLevel(logging.ERROR)
    pages = []
    try:
        for path in sorted(directory.glob("*.html")):
            label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            extracted = extract_article(path.read_bytes(), label["url"], None, allowed_domains=label["allowed_domains"],
                                        language=label["language"])
            item = ArticleItem(url=label["url"], site=label["url"].split("/")[2], language=extracted.language,
                               title=extracted.title, body=extracted.body, spam_removed=list(extracted.spam_removed),
                               extra={"title_candidates": extracted.title_candidates})
            tree = lxml.html.document_fromstring(path.read_bytes())
            metas = [((m.get("name") or "").strip().lower(), m.get("content") or "") for m in tree.iter("meta")]
            for code in tree.iter("script", "style"):
                code.text = None
            pages.append(Extracted(path.stem, label, normalize.process_item(item), metas, tree.text_content()))
    finally:
        logging.getLogger("crawler.extract").setLevel(level)
    return pages


def judge(pages: Iterable[Extracted], lexicon: Lexicon, model: RegisterModel) -> list[PageResult]:
    results = []
    for page in pages:
        item = page.item
        verdict = check_article(item.title, item.body, item.extra["title_candidates"], item.spam_removed, lexicon,
                                model=model, language=item.language, site_names=KNOWN_SITE_NAMES)
        text = squash(verdict.title + "\n" + verdict.body)
        result = PageResult(page.name, page.label, verdict.title, verdict.body, list(item.spam_removed) + verdict.removals,
                            verdict.doorway.is_doorway)
        result.missed = [s for s in page.label["injected"] if squash(s) in text]
        result.lost = [s for s in page.label["legitimate"] if squash(s) not in text]
        # Metas are not in the record: an injected part must be among the meta removals, a legitimate one
        # not.  They are judged again here with the given lexicon and model (the DOM stage in extraction
        # used the shipped ones), so a held-out family is held out of the metas too.
        verdicts = [v for v in judge_metas(page.metas, PageText(page.page_text), lexicon, lambda: model) if v is not None]
        from_metas = " ".join(squash(text) for v in verdicts for text, _ in v.removed)
        result.removals = [r for r in result.removals if r.get("where") != "meta"] + [
            {"text": text, "where": "meta", "rule": rule} for v in verdicts for text, rule in v.removed]
        result.missed += [s for s in page.label.get("meta_injected", []) if squash(s) not in from_metas]
        result.lost += [s for s in page.label.get("meta_legitimate", []) if from_metas and squash(s) in from_metas]
        if page.label.get("expect_title") and verdict.title != page.label["expect_title"]:
            result.lost.append(f"title: {verdict.title!r}")
        results.append(result)
    return results


@dataclass
class Scores:
    recall: float  # share of injected units gone from title and body
    units: int
    legit_precision: float  # share of legitimate pages that come through untouched
    legit_pages: int
    lost: list[str]  # legitimate strings lost anywhere


def scores(results: Iterable[PageResult], family: str | None = None) -> Scores:
    results = list(results)
    spam = [r for r in results if r.label["kind"] == "spam" and (family is None or r.label.get("family") == family)]
    units = sum(len(r.label["injected"]) + len(r.label.get("meta_injected", [])) for r in spam)
    missed = sum(len(r.missed) for r in spam)
    legit = [r for r in results if r.label["kind"] == "legit"]
    untouched = [r for r in legit if not r.removals and not r.lost and not r.doorway]
    lost = [f"{r.name}: {s}" for r in results for s in r.lost]
    return Scores(1 - missed / units if units else 1.0, units, len(untouched) / len(legit) if legit else 1.0, len(legit), lost)
