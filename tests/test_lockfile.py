"""The lock files: ``make`` installs exactly the tested set, and upgrades test before they rewrite."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lockfile", ROOT / "tools" / "lockfile.py")
lockfile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lockfile)  # type: ignore[union-attr]


# `make upgrade-deps` runs this suite on a freshly resolved set before it rewrites the locks.
upgrading = pytest.mark.skipif(bool(os.environ.get("UPGRADING_LOCKS")), reason="make upgrade-deps: the new set is not locked yet")


@upgrading
def test_the_test_venv_holds_exactly_the_locked_versions() -> None:
    # A dependency added to pyproject.toml without `make lock` fails here.
    assert lockfile.differences(ROOT / "constraints.txt", sys.executable) == []


@upgrading
def test_the_pywb_venv_holds_exactly_its_locked_versions() -> None:
    python = ROOT / ".venv-pywb" / "bin" / "python"
    assert python.exists(), "make pywb-venv (part of make test) builds it"
    assert lockfile.differences(ROOT / "constraints-pywb.txt", str(python)) == []


def test_a_version_that_differs_from_the_lock_is_named(tmp_path: Path) -> None:
    lock = tmp_path / "constraints.txt"
    pins = lockfile.pins(ROOT / "constraints.txt")
    lines = [f"{name}=={version}" for name, version in pins.items() if name != "scrapy"]
    lock.write_text("# header kept\n" + "\n".join(lines + ["scrapy==0.1"]) + "\n")
    problems = lockfile.differences(lock, sys.executable)
    assert len(problems) == 1 and problems[0].startswith("Scrapy is 2.") and "pins 0.1" in problems[0]
    lock.write_text("# header kept\n" + "\n".join(lines) + "\n")
    assert lockfile.differences(lock, sys.executable) == [
        f"Scrapy {pins['scrapy']} is installed but not in constraints.txt"
    ]
    lockfile.write(lock, sys.executable)
    assert lock.read_text().startswith("# header kept\n")
    assert lockfile.differences(lock, sys.executable) == []


def test_make_installs_from_the_lock_and_upgrade_deps_tests_before_it_rewrites() -> None:
    install = subprocess.run(["make", "-n", "-B", "venv"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "-c constraints.txt -e '.[test,bench,model]'" in install
    steps = subprocess.run(["make", "-n", "upgrade-deps"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = steps.splitlines()
    tests = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    writes = [i for i, line in enumerate(lines) if "lockfile.py write" in line]
    assert len(writes) == 2 and all(i > tests for i in writes)
    assert all("-c constraints" not in line for line in lines[:tests] if "pip install" in line)
