"""Scoring of extracted fields against the labelled corpus (used by the test and the bench)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent
EXACT_FIELDS = ("title", "published_date", "published_at", "source", "author", "section", "language", "encoding")
_WHITESPACE = re.compile(r"\s+")


@dataclass
class CorpusPage:
    name: str
    body: bytes
    expected: dict[str, Any]
    text: str = ""  # the page decoded, filled in by callers that need it


def load_corpus(directory: Path = CORPUS) -> list[CorpusPage]:
    """Generated pages (``NNN``) and the hand-written ones in ``handmade/`` (``hNN``)."""
    pages = []
    labels = sorted(directory.glob("[0-9][0-9][0-9].json")) + sorted(directory.glob("handmade/h[0-9][0-9].json"))
    for label in labels:
        expected = json.loads(label.read_text(encoding="utf-8"))
        pages.append(CorpusPage(label.stem, label.with_suffix(".html").read_bytes(), expected))
    return pages


def char_f1(expected: str, got: str) -> float:
    """F1 of the multisets of non-whitespace characters (1.0 when both are empty)."""
    want = Counter(_WHITESPACE.sub("", expected or ""))
    have = Counter(_WHITESPACE.sub("", got or ""))
    if not want and not have:
        return 1.0
    overlap = sum((want & have).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(have.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, str) and isinstance(got, str):
        return _WHITESPACE.sub(" ", expected).strip() == _WHITESPACE.sub(" ", got).strip()
    return expected == got


@dataclass
class FieldScore:
    correct: int = 0
    total: int = 0
    spurious: int = 0  # a value where the label says there is none
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Report:
    fields: dict[str, FieldScore]
    body_f1: dict[str, float]

    @property
    def body_mean(self) -> float:
        return sum(self.body_f1.values()) / len(self.body_f1) if self.body_f1 else 0.0

    @property
    def body_min(self) -> float:
        return min(self.body_f1.values()) if self.body_f1 else 0.0

    def table(self, title: str = "extraction accuracy") -> str:
        lines = [f"{title} ({len(self.body_f1)} pages)", f"{'field':<16}{'correct':>9}{'of':>5}{'accuracy':>10}{'spurious':>10}"]
        for name, score in self.fields.items():
            lines.append(f"{name:<16}{score.correct:>9}{score.total:>5}{score.accuracy:>10.1%}{score.spurious:>10}")
        lines.append(f"{'body F1 mean':<16}{self.body_mean:>34.4f}")
        lines.append(f"{'body F1 min':<16}{self.body_min:>34.4f}")
        return "\n".join(lines)


def score(pages: Iterable[CorpusPage], extract: Callable[[CorpusPage], dict[str, Any]],
          fields: Iterable[str] = EXACT_FIELDS) -> Report:
    """Run ``extract`` on every page; exact-match fields over pages where the label is not null."""
    names = list(fields)
    report = Report({name: FieldScore() for name in names}, {})
    for page in pages:
        got = extract(page)
        for name in names:
            want = page.expected.get(name)
            have = got.get(name)
            entry = report.fields[name]
            if want is None:
                if have:
                    entry.spurious += 1
                    entry.misses.append(f"{page.name}: expected none, got {have!r}")
                continue
            entry.total += 1
            if _same(want, have):
                entry.correct += 1
            else:
                entry.misses.append(f"{page.name}: expected {want!r}, got {have!r}")
        report.body_f1[page.name] = char_f1(page.expected.get("body") or "", got.get("body") or "")
    return report
