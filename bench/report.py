"""Tamper report speed and memory: 10k and 100k synthetic records in the same run.

    .venv/bin/python bench/report.py [--records 100000]

Prints seconds and peak traced memory for both sizes and their ratios: 10x the
records should cost at most 12x the time and about the same memory (memory
follows the number of distinct injected units, here 40).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from report_data import synthetic_archive  # noqa: E402

from crawler.report import collect, write_report  # noqa: E402


def measure(records: int, tmp: Path) -> tuple[float, int]:
    out = tmp / f"n{records}"
    synthetic_archive(out, records)
    started = time.perf_counter()
    write_report([out], out / "report.html")
    seconds = time.perf_counter() - started
    tracemalloc.start()
    collect([out])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small_s, small_peak = measure(args.records // 10, Path(tmp))
        large_s, large_peak = measure(args.records, Path(tmp))
    print(f"{'records':>10} {'seconds':>8} {'records/s':>10} {'peak KiB':>9}")
    print(f"{args.records // 10:>10} {small_s:>8.2f} {args.records / 10 / small_s:>10.0f} {small_peak / 1024:>9.0f}")
    print(f"{args.records:>10} {large_s:>8.2f} {args.records / large_s:>10.0f} {large_peak / 1024:>9.0f}")
    print(f"time ratio {large_s / small_s:.2f} (goal <= 12), memory ratio {large_peak / small_peak:.2f}, "
          f"{args.records} records in {large_s:.1f} s (goal < 60 s)")
    return 0 if large_s < 60 and large_s / small_s <= 12 else 1


if __name__ == "__main__":
    sys.exit(main())
