"""Spam-checking overhead: how much DOM + text-level spam removal adds to extraction.

For every page, in this one process and interleaved over several rounds (the
machine is shared; each variant keeps its best round):

- extraction alone: ``extract_article`` with the DOM spam stage switched off;
- extraction with spam checking: ``extract_article`` as the spider calls it
  (DOM stage on) followed by the text-level ``pipelines.spam.check_article``
  the SpamPipeline runs.

Prints the per-page time of each and the overhead (target: under 20%), on the
extraction corpus (ordinary pages, tests/corpus/extract) and on the spam corpus
(tests/corpus/spam/pages, where every rule fires).  ``spam_overhead_bench(pages)``
is the same measurement as a function, for bench/extract.py or a notebook.
Usage: ``python bench/spam.py [--seconds S] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import crawler.spam.dom as domspam  # noqa: E402
from crawler.extract import extract_article  # noqa: E402
from pipelines.spam import check_article, default_lexicon  # noqa: E402


@dataclass
class BenchPage:
    body: bytes
    url: str
    allowed_domains: Sequence[str] = ()
    language: str | None = None


@dataclass
class Overhead:
    pages: int
    extract_ms: float
    with_spam_ms: float

    @property
    def ratio(self) -> float:
        return self.with_spam_ms / self.extract_ms - 1.0


def _extract_only(page: BenchPage) -> None:
    real = domspam.remove_dom_spam
    domspam.remove_dom_spam = lambda *args, **kwargs: []  # type: ignore[assignment]
    try:
        extract_article(page.body, page.url, None, allowed_domains=page.allowed_domains, language=page.language)
    finally:
        domspam.remove_dom_spam = real


def _extract_with_spam(page: BenchPage) -> None:
    extracted = extract_article(page.body, page.url, None, allowed_domains=page.allowed_domains, language=page.language)
    check_article(extracted.title, extracted.body, extracted.title_candidates, extracted.spam_removed,
                  language=extracted.language)


def spam_overhead_bench(pages: Sequence[BenchPage], *, seconds: float = 4.0, rounds: int = 3) -> Overhead:
    """Per-page CPU time of extraction alone and with spam checking.

    The two variants alternate page by page and the per-page times are CPU
    time of this process (``time.process_time``), so load from other
    processes on a shared machine disturbs the ratio as little as possible;
    each variant keeps its best of ``rounds`` rounds.
    """
    default_lexicon()  # loaded once per process, as in a crawl
    for page in pages[:3]:
        _extract_only(page)
        _extract_with_spam(page)
    best_plain = best_spam = float("inf")
    clock = time.process_time
    for _ in range(rounds):
        plain = spam = 0.0
        done = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds / rounds:
            for page in pages:
                t0 = clock()
                _extract_only(page)
                t1 = clock()
                _extract_with_spam(page)
                t2 = clock()
                plain += t1 - t0
                spam += t2 - t1
            done += len(pages)
        best_plain = min(best_plain, plain / done * 1000)
        best_spam = min(best_spam, spam / done * 1000)
    return Overhead(len(pages), best_plain, best_spam)


def extraction_corpus() -> list[BenchPage]:
    pages = []
    for path in sorted((ROOT / "tests" / "corpus" / "extract").glob("*.html")):
        label = json.loads(path.with_suffix(".json").read_text("utf-8"))
        pages.append(BenchPage(path.read_bytes(), label["url"]))
    return pages


def spam_corpus() -> list[BenchPage]:
    pages = []
    for path in sorted((ROOT / "tests" / "corpus" / "spam" / "pages").glob("*.html")):
        label = json.loads(path.with_suffix(".json").read_text("utf-8"))
        pages.append(BenchPage(path.read_bytes(), label["url"], label["allowed_domains"], label["language"]))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="timing budget per corpus")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    print(f"{'corpus':<26}{'pages':>6}{'extract ms':>12}{'+ spam ms':>11}{'overhead':>10}")
    for name, pages in (("extraction (ordinary)", extraction_corpus()), ("spam corpus", spam_corpus())):
        if not pages:
            continue
        result = spam_overhead_bench(pages, seconds=args.seconds, rounds=args.rounds)
        print(f"{name:<26}{result.pages:>6}{result.extract_ms:>12.2f}{result.with_spam_ms:>11.2f}{result.ratio:>10.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
