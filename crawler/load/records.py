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

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from crawler.load.columns import article_columns, column_names
from crawler.schema import SUPPORTED_VERSIONS, load_schema

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


@cache
def _validator(version: int) -> Any:
    # jsonschema-rs checks a record in ~5 µs against ~400 µs for the pure-Python
    # jsonschema: the difference between a load bound by the database and one
    # bound by validation (bench/load.py).
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(version), validate_formats=False)


def schema_problem(record: Any) -> str | None:
    """Why ``record`` fails the schema of its declared version, or None when it is valid."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    version = record.get("schema_version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        return f"schema_version {version!r} is not one of {', '.join(map(str, SUPPORTED_VERSIONS))}"
    validator = _validator(version)
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


def read_records(path: Path, problems: list[Problem]) -> Iterator[Record]:
    """The valid records of one JSONL file; bad lines are appended to ``problems``."""
    name = str(path)
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
                problem = Problem(name, number, f"not valid JSON ({exc})", "malformed")
                problems.append(problem)
                logger.error("%s", problem)
                continue
            if not isinstance(data, dict):
                problem = Problem(name, number, f"not a JSON object but {type(data).__name__}", "malformed")
                problems.append(problem)
                logger.error("%s", problem)
                continue
            reason = schema_problem(data)
            if reason is not None:
                problem = Problem(name, number, f"{data.get('url') or data.get('id') or 'record'}: {reason}", "rejected")
                problems.append(problem)
                logger.error("%s", problem)
                continue
            yield Record(complete(data), name, number, raw)
