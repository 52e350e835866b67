"""CPU per page of the DOM spam stage and its CSS resolution, against extraction.

For each page of the extraction corpus (tests/corpus/extract, ministry pages as
crawled) and of the spam corpus (tests/corpus/spam/pages, small pages where
every rule fires), interleaved page by page in this one process:

- extraction: ``extract_article`` with the DOM spam stage switched off;
- DOM stage: ``remove_dom_spam`` on a freshly parsed tree (parse not counted);
- CSS resolution: ``StyleResolver(...).hidden_elements()`` alone, the part of the
  DOM stage that reads ``<style>`` blocks and inline styles.

CPU time (``time.process_time``), best of the rounds per page kind, so load from
other processes on a shared machine counts as little as possible.
Usage: ``python bench/spam_dom.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

import crawler.spam.dom as dom  # noqa: E402
from crawler.extract import extract_article  # noqa: E402
from crawler.spam.css import StyleResolver  # noqa: E402

Page = tuple[bytes, str, list[str]]


def extract_corpus() -> list[Page]:
    folder = ROOT / "tests" / "corpus" / "extract"
    pages = []
    for path in sorted(folder.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((path.read_bytes(), expected["url"], []))
    return pages


def spam_corpus() -> list[Page]:
    folder = ROOT / "tests" / "corpus" / "spam" / "pages"
    pages = []
    for path in sorted(folder.glob("*.html")):
        label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((path.read_bytes(), label["url"], label["allowed_domains"]))
    return pages


def cpu(function: Callable[[], Any]) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def measure(pages: list[Page], rounds: int) -> dict[str, float]:
    real = dom.remove_dom_spam
    best = {"extraction": float("inf"), "dom stage": float("inf"), "css resolution": float("inf")}
    for _ in range(rounds):
        totals = dict.fromkeys(best, 0.0)
        for body, url, domains in pages:
            dom.remove_dom_spam = lambda *args, **kwargs: []  # type: ignore[assignment]
            try:
                totals["extraction"] += cpu(lambda: extract_article(body, url, None, allowed_domains=domains))
            finally:
                dom.remove_dom_spam = real
            tree = lxml.html.document_fromstring(body)
            totals["dom stage"] += cpu(lambda: real(tree, url, domains))
            tree = lxml.html.document_fromstring(body)
            totals["css resolution"] += cpu(lambda: StyleResolver(tree, list(tree.iter("style"))).hidden_elements())
        for name, total in totals.items():
            best[name] = min(best[name], total / len(pages))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    print(f"{'corpus':<26}{'pages':>6}{'extraction ms':>15}{'DOM stage ms':>14}{'CSS ms':>9}{'DOM/extr.':>11}{'CSS/extr.':>11}")
    for name, pages in (("extraction (as crawled)", extract_corpus()), ("spam corpus", spam_corpus())):
        result = measure(pages, args.rounds)
        extraction = result["extraction"]
        print(f"{name:<26}{len(pages):>6}{extraction * 1000:>15.2f}{result['dom stage'] * 1000:>14.2f}"
              f"{result['css resolution'] * 1000:>9.3f}{result['dom stage'] / extraction:>11.1%}"
              f"{result['css resolution'] / extraction:>11.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
