"""``python -m sample``: run the sample site until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sample.server import serve
from sample.store import DEFAULT_SITE_DIR, load_site


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sample", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--port-file", type=Path, help="write the bound port here once listening")
    parser.add_argument("--log-file", type=Path, help="append every served request here as a JSON line")
    parser.add_argument("--site-dir", type=Path, default=DEFAULT_SITE_DIR, help="page files and routes.toml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    serve(load_site(args.site_dir), args.port, port_file=args.port_file, log_path=args.log_file)


if __name__ == "__main__":
    main()
