"""Run the sample site as a subprocess (for ``make demo``, the tests and the benches).

A subprocess because crawls run as subprocesses too and a Twisted reactor
cannot be restarted inside one process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def launch(
    work_dir: Path, site_dir: Path | None = None, log_path: Path | None = None, timeout: float = 60.0
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the proxy on a free loopback port; return the process and its port.

    Its stderr goes to ``work_dir/sample-site.stderr`` and is quoted if it fails to start.
    """
    port_file = work_dir / "sample-site.port"
    stderr_path = work_dir / "sample-site.stderr"
    command = [sys.executable, "-m", "sample", "--port", "0", "--port-file", str(port_file)]
    if log_path is not None:
        command += ["--log-file", str(log_path)]
    if site_dir is not None:
        command += ["--site-dir", str(site_dir)]
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + timeout
    while not (port_file.exists() and port_file.read_text().strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"sample site did not start: {stderr_path.read_text(errors='replace')}")
        time.sleep(0.05)
    return process, int(port_file.read_text().strip())


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it does not exit in ``timeout`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
