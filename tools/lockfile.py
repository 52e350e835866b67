"""Write and check the lock files (pip constraints) that ``make`` installs from.

    python tools/lockfile.py write constraints.txt .venv/bin/python
    python tools/lockfile.py check constraints.txt .venv/bin/python

A lock is ``pip freeze`` of a venv that passed the tests, without the project
itself, under the comment lines the file already starts with.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def frozen(python: str) -> list[str]:
    """``name==version`` lines of every distribution installed for ``python``."""
    out = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
    ).stdout
    lines = (line for line in out.splitlines() if line and not line.startswith("#"))
    return sorted(lines, key=lambda line: _normalise(line.partition("==")[0]))


def pins(path: Path) -> dict[str, str]:
    """The lock's pins as ``{normalised name: version}``."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[_normalise(name)] = version.strip()
    return found


def write(path: Path, python: str) -> None:
    header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")] if path.exists() else []
    path.write_text("\n".join([*header, *frozen(python)]) + "\n", encoding="utf-8")


def differences(path: Path, python: str) -> list[str]:
    """What the venv of ``python`` holds that the lock does not pin exactly."""
    locked = pins(path)
    problems = []
    for line in frozen(python):
        name, _, version = line.partition("==")
        want = locked.get(_normalise(name))
        if want is None:
            problems.append(f"{name} {version} is installed but not in {path.name}")
        elif want != version:
            problems.append(f"{name} is {version}, {path.name} pins {want}")
    return problems


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in {"write", "check"}:
        print("usage: lockfile.py write|check LOCKFILE PYTHON", file=sys.stderr)
        return 2
    action, path, python = argv[0], Path(argv[1]), argv[2]
    if action == "write":
        write(path, python)
        return 0
    problems = differences(path, python)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
