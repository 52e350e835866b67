"""The e2e guard (tests/e2e_guard.py): a test that starts a subprocess, itself or through a fixture, is marked e2e."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

pytestmark = pytest.mark.e2e  # the inner tests start (trivial) processes inside this one

INNER = '''
import subprocess
import sys

import pytest

START = [sys.executable, "-c", ""]


@pytest.fixture(scope="session")
def server():
    subprocess.run(START, check=True)
    return "running"


def test_unmarked_runs_a_process():
    subprocess.run(START, check=True)


@pytest.mark.e2e
def test_marked_runs_a_process():
    subprocess.run(START, check=True)


@pytest.mark.e2e
def test_marked_uses_the_server(server):
    assert server == "running"


def test_unmarked_uses_the_server_after_a_marked_test_started_it(server):
    assert server == "running"


def test_unmarked_starts_nothing():
    assert sum(range(3)) == 3
'''


def test_the_guard_fails_unmarked_tests_that_start_processes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ("tests.e2e_guard",)')
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*test_unmarked_uses_the_server_after_a_marked_test_started_it is not marked @pytest.mark.e2e, "
        "but its fixture 'server' started a subprocess*",
        "*test_unmarked_runs_a_process is not marked @pytest.mark.e2e, but the test started a subprocess*",
    ])


def test_the_quick_run_deselects_e2e_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ("tests.e2e_guard",)')
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q", "-m", "not e2e")
    # With the marked tests deselected, the unmarked test of the server starts it itself and fails.
    result.assert_outcomes(passed=1, failed=1, errors=1, deselected=2)
