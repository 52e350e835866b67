"""The WARC files a replay reads: found, checked, and grouped into the runs that wrote them.

A replay re-runs every archived crawl run as its own crawl, oldest first, so
each archived version of a page yields its record the way the live run did
(and dedup sees them in the same order). Each file's first record, warcinfo,
says which seed (``seed`` or ``isPartOf``) and which run (``run-id``) wrote
it, and holds the seed file's text (``seed-toml``) the run crawled from.

Our own files are named ``<prefix>-<17-digit UTC time>-<serial>-<host>.warc.gz``;
a run's writer numbers its files 0, 1, 2 … Files of one run id are one run,
in serial order. Older files without a run id are split into runs by the
serials alone (see :func:`split_by_serial`). Files written by other tools have
neither: each seed's foreign files are replayed together, as one run, after
our own.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.runinfo import WARCINFO_RUN_ID, WARCINFO_SEED_TOML, text_from_warcinfo

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz")
OUR_NAME = re.compile(r"^(?P<prefix>.+)-(?P<stamp>\d{17})-(?P<serial>\d{5})-(?P<host>[^/]+)\.warc(\.gz)?$")
_SNIFF_BYTES = 4096


class NotAWarcError(ValueError):
    """A replay input that is not a WARC file."""


@dataclass(frozen=True)
class WarcInput:
    """One WARC file given to a replay."""

    path: Path
    size: int
    seed: str | None  # from warcinfo; None for files of other tools
    stamp: str | None  # 17-digit UTC time from our file name
    serial: int | None
    run_id: str | None = None  # from warcinfo; None for files written before it was recorded
    seed_text: str | None = None  # the seed file's TOML, from warcinfo

    @property
    def ours(self) -> bool:
        return self.stamp is not None


@dataclass
class ReplayRun:
    """Files one archived crawl run wrote; replayed as one crawl."""

    seed: str
    files: list[WarcInput] = field(default_factory=list)

    @property
    def seed_text(self) -> str | None:
        """The TOML of the seed this run crawled from, as its warcinfo records keep it."""
        return next((item.seed_text for item in self.files if item.seed_text), None)

    @property
    def label(self) -> str:
        first = self.files[0]
        return f"{self.seed} @ {first.stamp or first.path.name}"


def sniff_warc(path: Path) -> None:
    """Raise :class:`NotAWarcError` unless ``path`` starts like a (gzipped) WARC file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise NotAWarcError(f"cannot read it: {exc}") from exc
    if not head:
        raise NotAWarcError("empty file")
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 64)
        except zlib.error as exc:
            raise NotAWarcError(f"gzip data that does not decompress ({exc})") from exc
    if not head.startswith(b"WARC/"):
        shown = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise NotAWarcError(f"does not start with a WARC record (starts with {shown!r})")


def warcinfo_fields(path: Path) -> dict[str, str]:
    """The fields of the file's first record when it is a warcinfo record; else nothing."""
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, no_record_parse=True):
                if record.rec_type != "warcinfo":
                    return {}
                return _warc_fields(record.content_stream().read(256 * 1024))
    except Exception as exc:  # a damaged first record: the file is still replayed as foreign
        logger.warning("Cannot read the warcinfo record of %s: %s", path, exc)
    return {}


def _warc_fields(block: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip() and name.strip() not in fields:
            fields[name.strip()] = value.strip()
    return fields


def _seed_text(path: Path, fields: dict[str, str]) -> str | None:
    value = fields.get(WARCINFO_SEED_TOML)
    if not value:
        return None
    try:
        return text_from_warcinfo(value)
    except ValueError as exc:
        logger.warning("The seed in the warcinfo record of %s is unreadable (%s); it is not used", path, exc)
        return None


def inspect_input(path: Path) -> WarcInput:
    """Check one file and read what a replay needs to know about it."""
    sniff_warc(path)
    match = OUR_NAME.match(path.name)
    fields = warcinfo_fields(path)
    return WarcInput(
        path=path,
        size=path.stat().st_size,
        seed=fields.get("seed") or fields.get("isPartOf") or None,
        stamp=match.group("stamp") if match else None,
        serial=int(match.group("serial")) if match else None,
        run_id=fields.get(WARCINFO_RUN_ID) or None,
        seed_text=_seed_text(path, fields),
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line, directories expanded to the WARC files in them.

    An OUTPUT_DIR stands for its ``warc/`` folder (not the copies a pywb
    collection beside it holds). A file met twice — the same path, or a copy
    with the same name and size — counts once.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            if (path / "warc").is_dir():
                path = path / "warc"
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    seen: set[tuple[str, int]] = set()
    for path in found:
        resolved = path.resolve()
        if resolved in unique:
            continue
        if resolved.is_file():
            key = (resolved.name, resolved.stat().st_size)
            if key in seen:
                logger.warning("Skipping %s: a copy of a file already given", path)
                continue
            seen.add(key)
        unique[resolved] = None
    return list(unique)


def find_inputs(paths: Iterable[Path]) -> tuple[list[WarcInput], list[tuple[Path, str]]]:
    """The WARC files among ``paths`` and, separately, every file skipped with the reason."""
    inputs: list[WarcInput] = []
    skipped: list[tuple[Path, str]] = []
    for path in expand_paths(paths):
        if not path.exists():
            skipped.append((path, "no such file"))
            continue
        try:
            inputs.append(inspect_input(path))
        except NotAWarcError as exc:
            skipped.append((path, f"not a WARC file: {exc}"))
    return inputs, skipped


def group_runs(inputs: Sequence[WarcInput], seed: str | None = None) -> tuple[list[ReplayRun], list[WarcInput]]:
    """Archived runs in the order they were crawled, and the files no seed is known for.

    ``seed`` (``-a seed=…``) overrides what the warcinfo records say.
    """
    # Runs are told apart by the seed and run id the files were written with, even when
    # ``seed`` renames them all: serials alone cannot separate two seeds' runs.
    ours: dict[tuple[str, str | None], list[WarcInput]] = {}
    foreign: dict[str, list[WarcInput]] = {}
    unknown: list[WarcInput] = []
    for item in inputs:
        name = seed or item.seed
        if not name:
            unknown.append(item)
            continue
        if item.ours:
            ours.setdefault((item.seed or name, item.run_id), []).append(item)
        else:
            foreign.setdefault(name, []).append(item)
    runs: list[ReplayRun] = []
    for (written_as, run), files in ours.items():
        name = seed or written_as
        if run is not None and len({writer_of(item) for item in files}) > 1:
            # The workers of one distributed run (crawler/distributed/): one run, every worker's files.
            runs.append(ReplayRun(name, sorted(files, key=lambda f: (f.stamp or "", f.serial or 0))))
            continue
        # Within one run id too: a RUN_ID reused for several runs still gives their boundaries.
        runs += [ReplayRun(name, run_files) for run_files in split_by_serial(files)]
    runs.sort(key=lambda run: run.files[0].stamp or "")  # stable: split_by_serial's order stays for equal stamps
    for name, files in foreign.items():
        runs.append(ReplayRun(name, sorted(files, key=lambda f: f.path.name)))
    return runs, unknown


def writer_of(item: WarcInput) -> tuple[str, str] | None:
    """The process that wrote one of our files: its name's prefix and host (a worker's prefix carries its pid)."""
    match = OUR_NAME.match(item.path.name)
    return (match.group("prefix"), match.group("host")) if match else None


def split_by_serial(files: Sequence[WarcInput]) -> list[list[WarcInput]]:
    """Our files of one seed (or one run id) split into runs, oldest first, by the writers' serials.

    A run's writer opens files 0, 1, 2 … in turn, and runs of one seed into one
    OUTPUT_DIR follow one another (the run lock), so in time order a file is
    either the next serial of the run before it or serial 0 of a new run. Two
    files can carry the same millisecond in their names (a run rotating to its
    next file just as it ends and the next run starts): among such files the
    running run's next serial comes first, then new runs. A missing file (a
    gap in the serials) does not end a run.
    """
    runs: list[list[WarcInput]] = []
    ordered = sorted(files, key=lambda f: (f.stamp or "", f.serial or 0))
    for _, same_stamp in groupby(ordered, key=lambda f: f.stamp or ""):
        waiting = list(same_stamp)
        while waiting:
            current = runs[-1] if runs else None
            last = (current[-1].serial or 0) if current else None
            follower = next((f for f in waiting if last is not None and f.serial == last + 1), None)
            starter = next((f for f in waiting if f.serial == 0), None)
            if follower is not None:
                assert current is not None
                current.append(follower)
                waiting.remove(follower)
            elif starter is not None or last is None or (waiting[0].serial or 0) <= last:
                chosen = starter or waiting[0]  # a new run (one whose serial 0 is missing, too)
                runs.append([chosen])
                waiting.remove(chosen)
            else:  # the serial after a missing file
                current.append(waiting.pop(0))
    return runs
