"""``make demo``: crawl every shipped seed from the built-in sample site.

Starts the loopback sample proxy, runs ``scrapy crawl <seed>`` for each seed
through it (``http_proxy``), stops the proxy and prints what was written.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapy.settings import Settings

from sample.process import launch, stop
from crawler.spiderloader import SeedSpiderLoader

ROOT = Path(__file__).resolve().parent.parent

# The sample site is on loopback: no need for the production politeness delays.
LOOPBACK_SETTINGS = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


@contextmanager
def sample_site(log_file: Path | None = None, site_dir: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Run the sample proxy in a subprocess; yield its proxy URL; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="sample-site-") as tmp:
        process, port = launch(Path(tmp), site_dir=site_dir, log_path=log_file, timeout=timeout)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def crawl_env(proxy_url: str) -> dict[str, str]:
    """Environment for a crawl through the sample proxy."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env["http_proxy"] = proxy_url
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def crawl_command(seed: str, output_dir: Path, extra_settings: dict[str, str] | None = None) -> list[str]:
    settings = {**LOOPBACK_SETTINGS, "OUTPUT_DIR": str(output_dir), **(extra_settings or {})}
    command = [sys.executable, "-m", "scrapy", "crawl", seed]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def summarise(output_dir: Path, manifests: list[Path]) -> str:
    lines = [f"{'site':<8} {'articles':>8} {'pages':>6} {'failed':>6}  jsonl"]
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        counts = manifest["counts"]
        lines.append(
            f"{manifest['seed']:<8} {counts['records_written']:>8} {counts['responses']:>6} {counts['failed']:>6}  "
            f"{manifest['outputs']['jsonl']}"
        )
    warcs = sorted((output_dir / "warc").glob("*.warc.gz")) if (output_dir / "warc").is_dir() else []
    lines.append(f"\nWARC files: {len(warcs)} in {output_dir / 'warc'}")
    lines.append(f"JSONL:      {output_dir / 'jsonl'}")
    lines.append(f"Manifests:  {output_dir / 'runs'}")
    lines.append("(runs are incremental: run again over the same directory and only new or changed articles are written)")
    lines.append(f"\nLook at a record:  head -n 1 {output_dir}/jsonl/mca-*.jsonl | python3 -m json.tool")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default="out", type=Path)
    args = parser.parse_args(argv)
    seeds = [name for name in SeedSpiderLoader(Settings({"SEEDS_DIR": str(ROOT / "seeds")})).list() if name != "news"]
    status = 0
    args.output_dir.mkdir(parents=True, exist_ok=True)
    earlier_runs = set((args.output_dir / "runs").glob("*.json"))
    with sample_site(log_file=args.output_dir / "sample-site.log") as proxy_url:
        print(f"Sample site listening as a forward proxy on {proxy_url}")
        for seed in seeds:
            log_file = args.output_dir / "logs" / f"{seed}.log"
            log_file.parent.mkdir(parents=True, exist_ok=True)
            print(f"Crawling {seed} … (log: {log_file})", flush=True)
            command = crawl_command(seed, args.output_dir, {"LOG_FILE": str(log_file), "LOG_FILE_APPEND": "False"})
            result = subprocess.run(command, cwd=ROOT, env=crawl_env(proxy_url))
            if result.returncode != 0:
                print(f"  scrapy crawl {seed} exited with status {result.returncode}")
                status = 1
    print()
    this_run = sorted(set((args.output_dir / "runs").glob("*.json")) - earlier_runs)
    print(summarise(args.output_dir, this_run))
    return status


if __name__ == "__main__":
    sys.exit(main())
