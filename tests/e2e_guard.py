"""A test that starts a subprocess must be marked ``@pytest.mark.e2e``.

``pytest -m "not e2e"`` is the quick run: it must not start a crawl, a tool or a
server process. This plugin (loaded by tests/conftest.py) counts every
``subprocess.Popen`` (``subprocess.run`` and asyncio's subprocesses go through
it) and fails a test that is not marked e2e when a process was started

- while the test ran, or
- while a fixture it uses was set up, at whichever test first asked for it
  (a session fixture such as ``sample_crawl`` runs its crawls only once, but
  every test that uses it depends on those crawls).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

E2E = "e2e"
_started: list[str] = []  # the command of every process started in this session, in order
_spawning_fixtures: dict[Any, str] = {}  # FixtureDef -> the first command its setup started


def _count_popen(original: Any) -> Any:
    def __init__(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        _started.append(args if isinstance(args, str) else " ".join(map(str, args)))
        original(self, args, *rest, **kwargs)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    return __init__


_installed = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    # A pytest run inside this one (pytester) finds the counter installed and leaves it alone.
    config.stash[_installed] = not hasattr(subprocess.Popen.__init__, "__wrapped__")
    if config.stash[_installed]:
        subprocess.Popen.__init__ = _count_popen(subprocess.Popen.__init__)  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_installed, False):
        subprocess.Popen.__init__ = subprocess.Popen.__init__.__wrapped__  # type: ignore[attr-defined,method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    before = len(_started)
    try:
        return (yield)
    finally:
        if len(_started) > before:
            _spawning_fixtures.setdefault(fixturedef, _started[before])


def _unmarked(item: pytest.Item, started: str, where: str) -> str:
    return (f"{item.nodeid} is not marked @pytest.mark.e2e, but {where} started a subprocess: {started[:200]!r}. "
            "Mark it e2e (pytest -m 'not e2e' is the quick run without subprocesses).")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    result = yield
    if item.get_closest_marker(E2E) is None:
        fixtures = getattr(item, "_fixtureinfo", None)
        for name, definitions in (fixtures.name2fixturedefs.items() if fixtures else ()):
            for definition in definitions:
                if definition in _spawning_fixtures:
                    pytest.fail(_unmarked(item, _spawning_fixtures[definition], f"its fixture {name!r}"), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    before = len(_started)
    result = yield
    if len(_started) > before and item.get_closest_marker(E2E) is None:
        pytest.fail(_unmarked(item, _started[before], "the test"), pytrace=False)
    return result
