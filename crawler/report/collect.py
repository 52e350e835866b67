"""Gather a tamper report's figures from an archive's JSONL files and run manifests.

One streaming pass over the records (:func:`collect`) keeps per-site counts,
per-run counts and one entry per distinct injected unit, so memory grows with
the number of sites, runs and distinct units, never with the number of
records. The list of affected articles is read in a second pass
(:func:`affected_articles`) and written straight to the report.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

logger = logging.getLogger(__name__)

# The forms an injection takes, in the order the report lists them.
FORMS = (
    "headline",
    "inserted span",
    "sentence",
    "paragraph",
    "hidden block",
    "link farm",
    "script",
    "meta",
    "cloaking",
)
_FORM_BY_WHERE = {
    "title": "headline",
    "hidden": "hidden block",
    "link": "link farm",
    "script": "script",
    "meta": "meta",
    "cloaked": "cloaking",
    "cloaking": "cloaking",
}
PAGES_KEPT_PER_UNIT = 10
RULES_KEPT_PER_UNIT = 10
_SPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def unit_form(entry: dict[str, Any]) -> str:
    """The injection form of one ``spam_removed`` entry."""
    explicit = entry.get("form")
    if explicit in FORMS:
        return str(explicit)
    where = str(entry.get("where") or "")
    if where in _FORM_BY_WHERE:
        return _FORM_BY_WHERE[where]
    rule = str(entry.get("rule") or "").lower()
    for form in ("paragraph", "sentence"):
        if form in rule:
            return form
    return "inserted span"


def unit_key(text: str) -> str:
    """Texts that read the same are one unit: NFKC, case-folded, spaces collapsed, invisibles dropped."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    return _SPACE.sub(" ", folded).strip()


@dataclass
class Unit:
    """One distinct injected text and everywhere it was seen."""

    text: str
    form: str
    rules: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    occurrences: int = 0
    page_count: int = 0
    pages: list[str] = field(default_factory=list)
    sites: set[str] = field(default_factory=set)
    first_seen: str = ""
    last_seen: str = ""

    def add(self, entry: dict[str, Any], url: str, site: str, seen: str, new_page: bool) -> None:
        self.occurrences += 1
        rule = str(entry.get("rule") or "")
        if rule and rule not in self.rules and len(self.rules) < RULES_KEPT_PER_UNIT:
            self.rules.append(rule)
        evidence = entry.get("evidence")
        if evidence and str(evidence) not in self.evidence and len(self.evidence) < RULES_KEPT_PER_UNIT:
            self.evidence.append(str(evidence))
        if new_page:
            self.page_count += 1
            if len(self.pages) < PAGES_KEPT_PER_UNIT:
                self.pages.append(url)
        self.sites.add(site)
        if seen:
            self.first_seen = min(self.first_seen, seen) if self.first_seen else seen
            self.last_seen = max(self.last_seen, seen)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "form": self.form,
            "rules": self.rules,
            "evidence": self.evidence,
            "occurrences": self.occurrences,
            "page_count": self.page_count,
            "pages": self.pages,
            "sites": sorted(self.sites),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


@dataclass
class SiteFigures:
    """Per-site counts."""

    articles: int = 0
    spammed: int = 0
    cloaked: int = 0
    units_by_form: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FORMS, 0))
    doorways: int = 0
    forbidden: int = 0

    @property
    def spammed_share(self) -> float:
        return self.spammed / self.articles if self.articles else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "spammed": self.spammed,
            "spammed_share": round(self.spammed_share, 4),
            "cloaked": self.cloaked,
            "units_by_form": self.units_by_form,
            "doorways": self.doorways,
            "forbidden": self.forbidden,
        }


@dataclass
class RunFigures:
    """One crawl run of one site: when it started and what it found."""

    run_id: str
    site: str
    started_at: str = ""
    articles: int = 0
    spammed: int = 0
    doorways: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "site": self.site,
            "started_at": self.started_at,
            "articles": self.articles,
            "spammed": self.spammed,
            "doorways": self.doorways,
        }


@dataclass
class ReportData:
    """Everything the report shows except the per-article list."""

    sites: dict[str, SiteFigures] = field(default_factory=dict)
    runs: dict[tuple[str, str], RunFigures] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    records: int = 0
    problems: list[str] = field(default_factory=list)
    jsonl_files: list[Path] = field(default_factory=list)

    def site(self, name: str) -> SiteFigures:
        return self.sites.setdefault(name, SiteFigures())

    def run(self, site: str, run_id: str) -> RunFigures:
        return self.runs.setdefault((site, run_id), RunFigures(run_id, site))

    def runs_of(self, site: str) -> list[RunFigures]:
        return sorted((r for r in self.runs.values() if r.site == site), key=lambda r: (r.started_at or r.run_id, r.run_id))

    def units_by_reach(self) -> list[Unit]:
        return sorted(self.units.values(), key=lambda u: (-u.page_count, -len(u.sites), u.first_seen, u.text))


def find_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """JSONL files and run manifests under the given OUTPUT_DIRs (or the files themselves)."""
    jsonl: list[Path] = []
    manifests: list[Path] = []
    for path in paths:
        if path.is_dir():
            jsonl += sorted((path / "jsonl").glob("*.jsonl")) if (path / "jsonl").is_dir() else sorted(path.glob("*.jsonl"))
            manifests += sorted((path / "runs").glob("*.json"))
        elif path.suffix == ".jsonl":
            jsonl.append(path)
        elif path.suffix == ".json":
            manifests.append(path)
    return jsonl, manifests


def run_of_file(path: Path, site: str) -> str:
    """The run id a JSONL file's name carries (``<site>-<run_id>.jsonl``)."""
    stem = path.stem
    return stem[len(site) + 1 :] if stem.startswith(site + "-") else stem


def read_records(path: Path, problems: list[str]) -> Iterator[dict[str, Any]]:
    """The records of one JSONL file; a line that is not a JSON object becomes a problem, not a crash."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except ValueError as exc:
                problems.append(f"{path}:{number}: not JSON ({exc})")
                logger.warning("Skipping %s:%d: not JSON (%s)", path, number, exc)
                continue
            if isinstance(record, dict):
                yield record
            else:
                problems.append(f"{path}:{number}: not a JSON object")


def collect(paths: Iterable[Path]) -> ReportData:
    """Read every manifest and JSONL record under ``paths`` once."""
    data = ReportData()
    jsonl, manifests = find_inputs(paths)
    data.jsonl_files = jsonl
    for path in manifests:
        _add_manifest(data, path)
    for path in jsonl:
        for record in read_records(path, data.problems):
            _add_record(data, path, record)
    return data


def _add_manifest(data: ReportData, path: Path) -> None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        data.problems.append(f"{path}: unreadable manifest ({exc})")
        logger.warning("Skipping manifest %s: %s", path, exc)
        return
    if not isinstance(manifest, dict) or "run_id" not in manifest:
        data.problems.append(f"{path}: not a run manifest")
        return
    site = str(manifest.get("seed") or "unknown")
    run = data.run(site, str(manifest["run_id"]))
    run.started_at = str(manifest.get("started_at") or "")
    entries = manifest.get("entries") or {}
    doorways = len(entries.get("doorway") or [])
    run.doorways += doorways
    figures = data.site(site)
    figures.doorways += doorways
    figures.forbidden += sum(1 for entry in entries.get("failed") or [] if _is_forbidden(entry))


def _is_forbidden(entry: Any) -> bool:
    reason = str(entry.get("reason", "")) if isinstance(entry, dict) else ""
    return "403" in reason or "forbidden" in reason.lower()


def _add_record(data: ReportData, path: Path, record: dict[str, Any]) -> None:
    data.records += 1
    site = str(record.get("site") or "unknown")
    figures = data.site(site)
    run = data.run(site, run_of_file(path, site))
    figures.articles += 1
    run.articles += 1
    removed = [entry for entry in record.get("spam_removed") or [] if isinstance(entry, dict)]
    cloaked = record.get("cloaked") is True
    if cloaked:
        figures.cloaked += 1
        figures.units_by_form["cloaking"] += 1
    if not removed and not cloaked:
        return
    figures.spammed += 1
    run.spammed += 1
    url = str(record.get("url") or "")
    seen = str(record.get("fetched_at") or "")
    on_this_page: set[str] = set()
    for entry in removed:
        text = str(entry.get("text") or "")
        key = unit_key(text)
        if not key:
            continue
        form = unit_form(entry)
        figures.units_by_form[form] += 1
        unit = data.units.get(key)
        if unit is None:
            unit = data.units[key] = Unit(text=text.strip(), form=form)
        unit.add(entry, url, site, seen, new_page=key not in on_this_page)
        on_this_page.add(key)


@dataclass
class AffectedArticle:
    """One article that had spam removed or was cloaked, with its evidence."""

    site: str
    url: str
    title: str
    fetched_at: str
    forms: list[str]
    units: int
    cloaked: bool
    warc_file: str | None
    warc_offset: int | None
    replay_url: str | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def affected_articles(files: Iterable[Path], replay_base: str | None = None) -> Iterator[AffectedArticle]:
    """Second pass: every affected article, in file order, with its WARC pointer and replay link."""
    ignored: list[str] = []  # the first pass already reported bad lines
    for path in files:
        for record in read_records(path, ignored):
            removed = [entry for entry in record.get("spam_removed") or [] if isinstance(entry, dict)]
            cloaked = record.get("cloaked") is True
            if not removed and not cloaked:
                continue
            forms = sorted({unit_form(entry) for entry in removed} | ({"cloaking"} if cloaked else set()), key=FORMS.index)
            warc = record.get("warc") if isinstance(record.get("warc"), dict) else {}
            url = str(record.get("url") or "")
            fetched = str(record.get("fetched_at") or "")
            yield AffectedArticle(
                site=str(record.get("site") or "unknown"),
                url=url,
                title=str(record.get("title") or ""),
                fetched_at=fetched,
                forms=forms,
                units=len(removed),
                cloaked=cloaked,
                warc_file=warc.get("file"),
                warc_offset=warc.get("offset"),
                replay_url=replay_link(replay_base, fetched, url),
            )


def replay_link(base: str | None, fetched_at: str, url: str) -> str | None:
    """The pywb URL of the capture (``<base>/<14-digit timestamp>/<url>``), as ``make replay-ui`` serves it."""
    digits = re.sub(r"\D", "", fetched_at)[:14]
    if not base or not url or len(digits) < 14:
        return None
    return f"{base.rstrip('/')}/{digits}/{url}"
