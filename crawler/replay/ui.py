"""Browse an OUTPUT_DIR's archive in pywb: ``make replay-ui`` (or ``python -m crawler.replay.ui``).

Builds a pywb collection from the run's WARC files with pywb's own
``wb-manager`` and starts ``wayback`` on 127.0.0.1, both from the separate
pywb venv (``make pywb-venv``; pywb pins packages that break Scrapy). The
collection lives in ``OUTPUT_DIR/pywb`` unless ``--root`` says otherwise;
running again adds only WARC files the collection does not have yet. The
root gets a ``config.yaml`` (kept if it is already there): ``wayback`` reads
one from its working directory and prints an error when there is none.
``wayback`` replaces this process, so stopping it (Ctrl-C, or SIGTERM to
the PID) stops everything.

    http://127.0.0.1:PORT/COLLECTION/                         search / calendar
    http://127.0.0.1:PORT/COLLECTION/<14-digit ts>/<url>      the page as archived
    http://127.0.0.1:PORT/COLLECTION/<14-digit ts>id_/<url>   the payload byte for byte
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

from crawler.replay.wacz import collect_warcs

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_PYWB_BIN = ROOT / ".venv-pywb" / "bin"


# pywb's own defaults apply to everything not named here.
PYWB_CONFIG = """\
# pywb settings for browsing this archive, written by `make replay-ui` (crawler/replay/ui.py).
# Edit freely: the file is kept. Only the collections under collections/ are served; nothing is fetched live.
collections_root: collections
debug: false
"""


class ReplayUIError(RuntimeError):
    """The collection could not be built or pywb is not there."""


def pywb_env(pywb_bin: Path) -> dict[str, str]:
    """pywb must not go through a proxy (it serves only the archive) and must find its own tools."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["PATH"] = f"{pywb_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def build_collection(warcs: list[Path], root: Path, collection: str, pywb_bin: Path = DEFAULT_PYWB_BIN) -> list[Path]:
    """Create (or extend) ``root/collections/<collection>`` with ``wb-manager``; returns the WARCs added."""
    manager = pywb_bin / "wb-manager"
    if not manager.exists():
        raise ReplayUIError(f"{manager} is missing: run `make pywb-venv` first")
    root.mkdir(parents=True, exist_ok=True)
    env = pywb_env(pywb_bin)
    archive_dir = root / "collections" / collection / "archive"
    if not archive_dir.is_dir():
        _run([str(manager), "init", collection], root, env)
    write_config(root)
    have = {path.name for path in archive_dir.iterdir()} if archive_dir.is_dir() else set()
    new = [path for path in warcs if path.name not in have]
    if new:
        _run([str(manager), "add", collection, *map(str, new)], root, env)
    return new


def write_config(root: Path) -> Path:
    """``root/config.yaml`` for ``wayback``, unless one is there already."""
    path = root / "config.yaml"
    if not path.exists():
        path.write_text(PYWB_CONFIG, encoding="utf-8")
    return path


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReplayUIError(f"{' '.join(command[:3])} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def wayback_command(root: Path, port: int, pywb_bin: Path = DEFAULT_PYWB_BIN) -> list[str]:
    return [str(pywb_bin / "wayback"), "-p", str(port), "-b", "127.0.0.1", "-d", str(root)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output_dir", nargs="?", default="out", type=Path, help="OUTPUT_DIR of a crawl (or a WARC folder)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--collection", default="archive")
    parser.add_argument("--root", type=Path, help="pywb directory (default: OUTPUT_DIR/pywb)")
    parser.add_argument("--pywb-bin", type=Path, default=DEFAULT_PYWB_BIN)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    warcs, skipped = collect_warcs([args.output_dir])
    for path, reason in skipped:
        print(f"Skipping {path}: {reason}", file=sys.stderr)
    if not warcs:
        print(f"No WARC files in {args.output_dir}", file=sys.stderr)
        return 1
    root = args.root or args.output_dir / "pywb"
    try:
        added = build_collection(warcs, root.resolve(), args.collection, args.pywb_bin)
    except ReplayUIError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Collection {args.collection!r} in {root}: {len(warcs)} WARC file(s), {len(added)} newly added", file=sys.stderr)
    print(f"Browse http://127.0.0.1:{args.port}/{args.collection}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    command = wayback_command(root.resolve(), args.port, args.pywb_bin)
    os.chdir(root)
    os.execve(command[0], command, pywb_env(args.pywb_bin))
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
