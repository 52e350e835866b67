"""Reading JSONL records to load: which files, which lines, which records are valid.

A path is an OUTPUT_DIR (its ``jsonl/*.jsonl``), a directory of ``*.jsonl``
files, or a JSONL file. A line that is not JSON is a :class:`Problem` with
its file and line number; a record that fails the JSON Schema of the
version it declares, or holds a date the pattern admits but the calendar
does not (2024-02-30), is a :class:`Problem` with the reason: one bad record
never fails the batch it would have been written with. Neither stops
the load: the caller counts them and carries on.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from crawler.load.columns import article_columns, column_names
from crawler.schema import SUPPORTED_VERSIONS
from crawler.schema import validator as schema_validator

logger = logging.getLogger(__name__)


STILL_WRITTEN = "still being written (.part)"


@dataclass(frozen=True)
class Problem:
    """A line that was not loaded, and why."""

    file: str
    line: int
    reason: str
    kind: str  # "malformed" (not a JSON object) or "rejected" (fails the schema)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.reason}"


@dataclass
class Record:
    """A valid record and where it came from."""

    data: dict[str, Any]
    file: str
    line: int
    raw: bytes  # the JSONL line


def find_jsonl(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The JSONL files among ``paths``, in a stable order, and the paths skipped with the reason."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            folder = path / "jsonl" if (path / "jsonl").is_dir() else path
            files = sorted(folder.glob("*.jsonl"))
            skipped.extend((part, STILL_WRITTEN) for part in sorted(folder.glob("*.jsonl.part")))
            if not files:
                skipped.append((path, "no *.jsonl files in it"))
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            skipped.append((path, "no such file or directory"))
    return found, skipped


def schema_problem(record: Any) -> str | None:
    """Why ``record`` fails the schema of its declared version, or None when it is valid."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    version = record.get("schema_version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        return f"schema_version {version!r} is not one of {', '.join(map(str, SUPPORTED_VERSIONS))}"
    validator = schema_validator(version)
    if validator.is_valid(record):
        return _column_problem(record)
    errors = sorted(validator.iter_errors(record), key=lambda error: [str(part) for part in error.instance_path])
    return "; ".join(
        f"{'/'.join(map(str, error.instance_path)) or '(record)'}: {error.message}" for error in errors[:3]
    )


@cache
def _temporal_columns() -> tuple[tuple[str, Any], ...]:
    parsers = {"date": date.fromisoformat, "timestamptz": datetime.fromisoformat}
    return tuple((column.name, parsers[column.kind]) for column in article_columns() if column.kind in parsers)


def _column_problem(record: dict[str, Any]) -> str | None:
    """Why a schema-valid record would not fit its columns: a date the pattern admits but the calendar does not."""
    for name, parse in _temporal_columns():
        value = record.get(name)
        if value is not None:
            try:
                parse(value)
            except ValueError as exc:
                return f"{name}: {value!r} is not a real date or time ({exc})"
    return None


def complete(record: dict[str, Any]) -> dict[str, Any]:
    """Every column present: fields a record's older schema version lacks are null."""
    if record.keys() == _NAME_SET:
        return record
    return {name: record.get(name) for name in _NAMES}


_NAMES = column_names()
_NAME_SET = frozenset(_NAMES)


def check_line(name: str, number: int, raw: bytes) -> dict[str, Any] | Problem:
    """The record on line ``number`` of file ``name``, or the :class:`Problem` that keeps it out."""
    try:
        # orjson refuses a byte-order mark; a file saved by an editor may start with one.
        data = orjson.loads(raw[3:] if number == 1 and raw.startswith(codecs.BOM_UTF8) else raw)
    except orjson.JSONDecodeError as exc:  # not JSON, or not UTF-8
        return Problem(name, number, f"not valid JSON ({exc})", "malformed")
    if not isinstance(data, dict):
        return Problem(name, number, f"not a JSON object but {type(data).__name__}", "malformed")
    reason = schema_problem(data)
    if reason is not None:
        return Problem(name, number, f"{data.get('url') or data.get('id') or 'record'}: {reason}", "rejected")
    return data


def read_records(path: Path, problems: list[Problem]) -> Iterator[Record]:
    """The valid records of one JSONL file; bad lines are appended to ``problems``."""
    name = str(path)
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            checked = check_line(name, number, raw)
            if isinstance(checked, Problem):
                problems.append(checked)
                logger.error("%s", checked)
                continue
            yield Record(complete(checked), name, number, raw)


@dataclass
class FileScan:
    """What the checks make of one whole JSONL file, for a target that reads the file itself.

    ``rows`` counts the lines that are not blank (a reader of newline-delimited
    JSON makes one row of each, in order: row ``n`` is the ``n``-th such
    line); ``valid`` holds the row number and id of each valid record.
    """

    rows: int = 0
    valid: tuple[list[int], list[str]] = field(default_factory=lambda: ([], []))
    problems: list[Problem] = field(default_factory=list)
    repeated_id: bool = False  # an id on two valid lines: the batches decide which version wins

    @property
    def usable(self) -> bool:
        """Whether loading the file's valid rows at once equals loading its records batch by batch."""
        return not self.repeated_id


def scan_file(path: Path) -> FileScan:
    """Check every line of ``path`` as :func:`read_records` does, keeping only where the valid records are."""
    name = str(path)
    scan = FileScan()
    positions, ids = scan.valid
    seen: set[str] = set()
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            scan.rows += 1
            checked = check_line(name, number, raw)
            if isinstance(checked, Problem):
                scan.problems.append(checked)
                continue
            identifier = checked["id"]
            if identifier in seen:
                scan.repeated_id = True
            seen.add(identifier)
            positions.append(scan.rows)
            ids.append(identifier)
    return scan
