"""The import contracts in pyproject.toml ([tool.importlinter]): ``crawler/`` never imports ``pipelines/``,
and neither imports the sample site (``sample/``, which the wheel does not ship).

``lint-imports`` runs as its own process: in-process, zope.interface (loaded with
Twisted by the other tests) breaks import-linter's reading of its contract classes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.mark.e2e
def test_crawler_does_not_import_pipelines() -> None:
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "crawler does not import pipelines KEPT" in result.stdout
    assert "crawler and pipelines do not import sample KEPT" in result.stdout


def lines_over(paths: list[Path], limit: int) -> dict[str, int]:
    counts = {str(path.relative_to(ROOT)): len(path.read_text("utf-8").splitlines()) for path in paths}
    return {name: count for name, count in counts.items() if count > limit}


def test_modules_stay_short() -> None:
    """Item pipelines stay thin (200 lines or fewer); no module of the package passes 500."""
    pipelines = sorted((ROOT / "pipelines").glob("*.py"))
    assert ROOT / "pipelines" / "dedup.py" in pipelines
    assert lines_over(pipelines, 200) == {}
    package = sorted((ROOT / "crawler").rglob("*.py")) + sorted((ROOT / "pipelines").rglob("*.py"))
    assert ROOT / "crawler" / "settings.py" in package
    assert lines_over(package, 500) == {}
