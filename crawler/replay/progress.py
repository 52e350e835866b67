"""Progress of a replay: records done, records/s, bytes done of total, ETA.

Plain arithmetic over counters, so it is testable without Scrapy; the
middleware feeds it and logs :meth:`ReplayProgress.line` on a timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic
from typing import Callable


def human_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"


def human_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass
class ReplayProgress:
    """Counters of one replay against the size of its archive."""

    records_total: int
    bytes_total: int
    clock: Callable[[], float] = monotonic
    records_done: int = 0
    bytes_done: int = 0
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def advance(self, records: int, size: int) -> None:
        self.records_done += records
        self.bytes_done += size

    @property
    def elapsed(self) -> float:
        return max(self.clock() - self.started, 1e-9)

    @property
    def records_per_second(self) -> float:
        return self.records_done / self.elapsed

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current byte rate; None before anything is done."""
        if self.bytes_done <= 0:
            return None
        remaining = max(self.bytes_total - self.bytes_done, 0)
        return remaining / (self.bytes_done / self.elapsed)

    def line(self) -> str:
        share = 100.0 * self.bytes_done / self.bytes_total if self.bytes_total else 100.0
        eta = self.eta_seconds
        return (
            f"{self.records_done}/{self.records_total} records, {self.records_per_second:.1f} records/s, "
            f"{human_bytes(self.bytes_done)} of {human_bytes(self.bytes_total)} ({share:.0f}%), "
            f"ETA {human_duration(eta) if eta is not None else '?'}"
        )

    def summary(self) -> str:
        return (
            f"{self.records_done} records ({human_bytes(self.bytes_done)}) replayed in "
            f"{human_duration(self.elapsed)}, {self.records_per_second:.1f} records/s"
        )
