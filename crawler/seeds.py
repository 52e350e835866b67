"""Seed files: one TOML file per site says what to crawl (docs/architecture.md, "Seed files").

A seed is data, not code. Loading validates every field and refuses a bad
file with one message naming the file and the field, so a typo never turns
into a silent empty crawl.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LANGUAGES = ("zh", "en")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

REQUIRED = ("name", "site_name", "allowed_domains", "start_urls", "language")
OPTIONAL = ("article_patterns", "list_patterns", "url_aliases")


class SeedError(ValueError):
    """A seed file that cannot be used; the message names the file and the field."""

    def __init__(self, path: str | Path, field_name: str | None, problem: str):
        self.path = str(path)
        self.field = field_name
        where = f"field '{field_name}'" if field_name else "file"
        super().__init__(f"invalid seed file {self.path}: {where}: {problem}")


@dataclass(frozen=True)
class Seed:
    name: str
    site_name: str
    allowed_domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    language: str
    article_patterns: tuple[re.Pattern[str], ...] = ()
    list_patterns: tuple[re.Pattern[str], ...] = ()
    url_aliases: dict[str, str] = field(default_factory=dict)
    path: str = ""
    # The seed file as written: the WARC capture keeps it in each warcinfo record,
    # so a replay crawls from exactly this seed even after the file changed.
    text: str = field(default="", compare=False, repr=False)

    def allows_host(self, host: str) -> bool:
        """True when ``host`` is one of the allowed domains or a subdomain of one."""
        return host_in_domains(host, self.allowed_domains)


def host_in_domains(host: str, domains: tuple[str, ...] | list[str]) -> bool:
    host = (host or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def load_seed(path: str | Path) -> Seed:
    """Read and validate one seed file; raise :class:`SeedError` when it is unusable."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(path, None, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(path, None, f"is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    return seed_from_text(text, path)


def seed_from_text(text: str, path: str | Path = "<seed>") -> Seed:
    """Read and validate a seed from its TOML text (``path`` names where it came from)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(path, None, f"TOML syntax error: {exc}") from exc
    return parse_seed(data, path, text=text)


def parse_seed(data: dict[str, Any], path: str | Path = "<seed>", *, text: str = "") -> Seed:
    """Validate an already parsed seed table (``text``: the TOML it was read from, if any)."""
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            known = ", ".join(REQUIRED + OPTIONAL)
            raise SeedError(path, key, f"unknown key (known keys: {known})")
    for key in REQUIRED:
        if key not in data:
            raise SeedError(path, key, "is required but missing")

    name = _string(data, "name", path)
    if not NAME_RE.match(name):
        raise SeedError(path, "name", f"{name!r} must be lower-case letters, digits and '_', starting with a letter")
    site_name = _string(data, "site_name", path)
    language = _string(data, "language", path)
    if language not in LANGUAGES:
        raise SeedError(path, "language", f"{language!r} is not one of {', '.join(LANGUAGES)}")

    domains = tuple(d.lower().strip().rstrip(".") for d in _string_list(data, "allowed_domains", path))
    for domain in domains:
        if not domain or "/" in domain or ":" in domain or " " in domain:
            raise SeedError(path, "allowed_domains", f"{domain!r} is not a bare host name")

    start_urls = _string_list(data, "start_urls", path)
    for url in start_urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SeedError(path, "start_urls", f"{url!r} is not an absolute http(s) URL")
        if not host_in_domains(parts.hostname, domains):
            raise SeedError(path, "start_urls", f"{url!r} is outside allowed_domains")

    aliases = data.get("url_aliases", {})
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise SeedError(path, "url_aliases", "must be a table of host = host strings")

    return Seed(
        name=name,
        site_name=site_name,
        allowed_domains=domains,
        start_urls=tuple(start_urls),
        language=language,
        article_patterns=_patterns(data, "article_patterns", path),
        list_patterns=_patterns(data, "list_patterns", path),
        url_aliases={k.lower(): v.lower() for k, v in aliases.items()},
        path=str(path),
        text=text,
    )


def _string(data: dict[str, Any], key: str, path: str | Path) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise SeedError(path, key, "must be a non-empty string")
    return value.strip()


def _string_list(data: dict[str, Any], key: str, path: str | Path) -> list[str]:
    value = data[key]
    if not isinstance(value, list) or not value:
        raise SeedError(path, key, "must be a non-empty list of strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise SeedError(path, key, "must contain only non-empty strings")
    return [v.strip() for v in value]


def _patterns(data: dict[str, Any], key: str, path: str | Path) -> tuple[re.Pattern[str], ...]:
    if key not in data:
        return ()
    compiled = []
    for pattern in _string_list(data, key, path):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SeedError(path, key, f"bad regular expression {pattern!r}: {exc}") from exc
    return tuple(compiled)


def seed_files(directory: str | Path) -> list[Path]:
    """The seed files in ``directory``, sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.toml"))
