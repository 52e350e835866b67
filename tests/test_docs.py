"""The project's documentation stands alone: a clone has everything it refers to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from crawler.items import SCHEMA_VERSION, exported_field_names

ROOT = Path(__file__).resolve().parent.parent
# Documents that live outside the repository (the design notes it was started from).
OUTSIDE = re.compile(r"shared/(DESIGN|STYLE)|\b(DESIGN|STYLE)\.md\b")
SEARCHED = ("README.md", "Makefile", "pyproject.toml", "scrapy.cfg", "docs", "crawler", "pipelines", "sample", "tests",
            "bench", "tools", "seeds")
TEXT_SUFFIXES = {".md", ".py", ".toml", ".cfg", ".txt", ".json", ".html", ".yaml", ""}


def project_text_files() -> list[Path]:
    files = []
    for name in SEARCHED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files += [p for p in candidates if p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts]
    return files


def test_nothing_refers_to_design_notes_outside_the_repository() -> None:
    files = project_text_files()
    assert ROOT / "README.md" in files and ROOT / "docs" / "architecture.md" in files
    found = []
    for path in files:
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_readme_names_the_current_schema() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    schema_file = f"crawler/schema/article-v{SCHEMA_VERSION}.json"
    assert schema_file in readme and (ROOT / schema_file).is_file()
    assert f"schema version {SCHEMA_VERSION}" in readme
    assert not re.search(r"schema v\d", readme)


def test_schema_doc_describes_every_field_of_the_record() -> None:
    schema_doc = (ROOT / "docs" / "schema.md").read_text("utf-8")
    described = re.findall(r"^\| `([a-z0-9_]+)` \|", schema_doc, flags=re.MULTILINE)
    assert sorted(described) == sorted(exported_field_names())


# -- docs describe the code as it is ----------------------------------------------

# A path under the packages, the sample site, the tests or the benchmarks: crawler/dedup/state.py,
# pipelines/data/, sample/site/routes.toml, tests/test_stop.py, bench/dedup.py ... (not a pattern
# such as crawler/schema/article-v<N>.json).
MODULE_PATH = re.compile(r"(?<![\w./-])((?:crawler|pipelines|sample|tests|bench)/[\w./-]*+)(?![<{*])")
# A dotted module name: crawler.dedup.state, crawler.dedup.state.StateStore, pipelines.dedup, sample.demo ...
DOTTED_NAME = re.compile(r"(?<![\w./-])((?:crawler|pipelines|sample)(?:\.[A-Za-z_]\w*)+)")
# History belongs in git and the issue notes, not in a design document: "Fourth pass: ...",
# "this session", "before this pass" (an algorithm's "a second pass over the records" is fine).
ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
DIARY = re.compile(
    rf"(?<!\ba )(?<!\bone )\b{ORDINAL}\s+(?:tuning\s+)?(?:pass|session)\b"
    r"|\b(?:this|that|the|previous|last|next)\s+(?:tuning\s+)?(?:pass|session)\b"
    r"|\b(?:before|after|since|until|start of|end of)\s+(?:the|this)\s+(?:pass|session)\b",
    re.IGNORECASE,
)
def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def documents_to_check() -> list[Any]:
    return [pytest.param(path, id=path.name) for path in documents()]


def defines(module: Path, name: str) -> bool:
    """Whether a module file defines (or assigns, or imports) ``name`` at the start of a line."""
    pattern = rf"^\s*(?:async def |def |class |from \S+ import .*)?{re.escape(name)}\b"
    return module.is_file() and re.search(pattern, module.read_text("utf-8"), flags=re.MULTILINE) is not None


def dotted_name_exists(name: str) -> bool:
    """Whether ``crawler.a.b`` names a package, a module, or a name defined in a module."""
    first, *parts = name.split(".")
    path = ROOT / first
    for index, part in enumerate(parts):
        if (path / part).is_dir():
            path = path / part
        elif (path / f"{part}.py").is_file():
            rest = parts[index + 1 :]
            return not rest or defines(path / f"{part}.py", rest[0])
        else:
            return defines(path / "__init__.py", part)
    return True


def missing_modules(text: str) -> list[str]:
    paths = (path.rstrip(".-") for path in MODULE_PATH.findall(text))  # a sentence's full stop is not part of it
    missing = [path for path in paths if not (ROOT / path).exists()]
    missing += [name for name in DOTTED_NAME.findall(text) if not dotted_name_exists(name)]
    return missing


def test_module_check_tells_present_from_missing() -> None:
    text = ("`crawler/dedup/sqlite.py`, `pipelines/dedup.py`, crawler/extract/, `crawler.dedup.state.StateStore`, "
            "`crawler.dedup.sqlite`, `crawler/schema/article-v<N>.json`, bench/dedup.py, tests/test_stop.py; gone: "
            "`crawler/state.py`, crawler/cloaking.py, `crawler.state.StateStore`, `crawler.dedup.state.DigestFilter`, "
            "tests/test_state.py, crawler/extract/domspam.py, sample/proxy.py, `sample.server.Proxy`; "
            "present: sample/site/routes.toml, `sample.demo`, `sample.store.load_site`.")
    assert missing_modules(text) == ["crawler/state.py", "crawler/cloaking.py", "tests/test_state.py",
                                     "crawler/extract/domspam.py", "sample/proxy.py", "crawler.state.StateStore",
                                     "crawler.dedup.state.DigestFilter", "sample.server.Proxy"]


@pytest.mark.parametrize("path", documents_to_check())
def test_docs_name_only_modules_that_exist(path: Path) -> None:
    found = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        found += [f"{path.relative_to(ROOT)}:{number}: {name}" for name in missing_modules(line)]
    assert found == []


def test_diary_phrases_are_told_from_descriptions() -> None:
    for diary in ("#### Third session: where the time went", "the fourth pass made it flat", "this session",
                  "| code of c6c7be2 (before this pass) |", "Fifth pass: the crawl thread again"):
        assert DIARY.search(diary), diary
    for description in ("a single pass over the file", "a second pass streams the articles", "passes the item on",
                        "one first pass reads the index", "begin_session records the run"):
        assert not DIARY.search(description), description


@pytest.mark.parametrize("path", documents_to_check())
def test_docs_are_not_diaries(path: Path) -> None:
    found = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        found += [f"{path.relative_to(ROOT)}:{number}: {match.group(0)}" for match in DIARY.finditer(line)]
    assert found == []
