"""Headless Chromium for the report: what the page logs, its DOM after scripts, a screenshot.

    python tools/browser.py screenshot out/report.html docs/report.png

Debian's ``chromium`` package (``.ci/run`` installs it when missing).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? ?(.*)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--enable-logging=stderr", "--v=0"]


def chromium() -> str | None:
    """The Chromium binary, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(page: Path, *flags: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    return subprocess.run([binary, *FLAGS, *flags, page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=timeout, check=True)


def render(page: Path) -> tuple[str, list[str]]:
    """The page's DOM once its scripts ran, and every console message it logged (errors included)."""
    result = _run(page, "--dump-dom")
    messages = [match.group(1) for line in result.stderr.splitlines() if (match := CONSOLE.search(line))]
    return result.stdout, messages


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1400) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "screenshot":
        sys.exit("usage: browser.py screenshot PAGE.html OUT.png")
    screenshot(Path(sys.argv[2]), Path(sys.argv[3]))
