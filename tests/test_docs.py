"""The project's documentation stands alone: a clone has everything it refers to."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.items import SCHEMA_VERSION, exported_field_names

ROOT = Path(__file__).resolve().parent.parent
# Documents that live outside the repository (the design notes it was started from).
OUTSIDE = re.compile(r"shared/(DESIGN|STYLE)|\b(DESIGN|STYLE)\.md\b")
SEARCHED = ("README.md", "Makefile", "pyproject.toml", "scrapy.cfg", "docs", "crawler", "pipelines", "tests", "bench",
            "tools", "seeds")
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
