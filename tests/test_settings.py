"""crawler/settings.py declares every setting the code reads, and docs/settings.md lists each one."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import BaseSettings, default_settings

import crawler.settings as project_settings

ROOT = Path(__file__).resolve().parent.parent
# Read from Scrapy settings objects (the sample site, in sample/, has page options, not settings).
SOURCES = [p for d in ("crawler", "pipelines") for p in sorted((ROOT / d).rglob("*.py"))]
GETTERS = {"get", "getint", "getbool", "getfloat", "getlist", "getdict", "getpriority", "getwithbase"}
# Set by the commands: declared in the project, a value would override the commands' defaults.
SET_BY_COMMANDS = {"RUN_OUTPUTS_ENABLED"}


@cache
def settings_read() -> dict[str, list[tuple[str, ast.Call | ast.Subscript]]]:
    """Setting name -> where it is read, from every ``…settings.get*("NAME")`` / ``…settings["NAME"]``."""
    found: dict[str, list[tuple[str, ast.Call | ast.Subscript]]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text("utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS and node.args:
                receiver, key = node.func.value, node.args[0]
            elif isinstance(node, ast.Subscript):
                receiver, key = node.value, node.slice
            else:
                continue
            if not ast.unparse(receiver).endswith("settings"):
                continue
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                name = key.value
            elif isinstance(key, ast.Name) and key.id in constants:
                name = constants[key.id]
            else:
                continue  # a loop over component settings (crawler/runoutputs.py)
            found.setdefault(name, []).append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def declared() -> dict[str, Any]:
    return {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}


def documented() -> dict[str, str]:
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]+) \|", (ROOT / "docs" / "settings.md").read_text("utf-8"), re.M)
    return dict(rows)


def project_names() -> set[str]:
    return {name for name in settings_read() if not hasattr(default_settings, name)}


def test_the_scan_finds_settings_read_in_every_style() -> None:
    read = settings_read()
    assert {"OUTPUT_DIR", "WARC_GZIP_LEVEL", "DEDUP_ENABLED", "JSONL_VALIDATE", "RUN_OUTPUTS_ENABLED", "JOBDIR"} <= set(read)


def test_every_setting_read_is_declared_with_a_default() -> None:
    missing = sorted(project_names() - set(declared()) - SET_BY_COMMANDS)
    assert missing == [], [f"{name} ({settings_read()[name][0][0]})" for name in missing]
    assert not SET_BY_COMMANDS & set(declared())


def test_every_project_setting_is_documented_once_and_nothing_else() -> None:
    table = documented()
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "docs" / "settings.md").read_text("utf-8"), re.M)
    assert len(rows) == len(set(rows)), "a setting is listed twice"
    assert sorted(project_names() - set(table)) == []
    assert sorted(set(table) - project_names()) == [], "documented but never read"


def test_every_declared_project_setting_is_read() -> None:
    unread = sorted(name for name in declared() if not hasattr(default_settings, name) and name not in settings_read())
    assert unread == [], "declared in crawler/settings.py but read nowhere"


def test_literal_defaults_in_code_match_the_declared_ones() -> None:
    values = BaseSettings(declared())
    for name, places in settings_read().items():
        for where, node in places:
            if not isinstance(node, ast.Call) or len(node.args) < 2 or name not in declared():
                continue
            try:
                fallback = ast.literal_eval(node.args[1])
            except ValueError:
                continue  # a named constant: the module's own default
            getter = node.func.attr  # type: ignore[union-attr]
            if getter == "getpriority":
                continue
            assert getattr(values, getter)(name) == getattr(BaseSettings(), getter)(name, fallback), where


@pytest.mark.parametrize("name", sorted(SET_BY_COMMANDS))
def test_settings_the_commands_set_are_documented_as_such(name: str) -> None:
    assert "not declared" in documented()[name]
