"""Canonical URLs: one spelling per page, so one article gets one ``id``.

Two URLs that show the same page should give the same canonical URL: scheme
and host case, default ports, fragments, query order, tracking and session
parameters, and mobile/PC host twins (the seed's ``url_aliases``) are all
normalised away. ``<link rel=canonical>`` is honoured only when it stays
inside the spider's allowed domains: a hacked page pointing its canonical
link at a gambling site must not rename the article.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import unquote_plus, urljoin, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

from crawler.seeds import host_in_domains

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS_RESOURCE = "tracking_params.txt"


class CanonicalURLError(ValueError):
    """A URL that cannot be given a canonical form (not http(s), bad port, …)."""


def read_param_names(lines: Iterable[str]) -> list[str]:
    """Parameter names from a data file's lines: one per line, ``#`` comments."""
    names: list[str] = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            names.append(text.lower())
    return names


def load_tracking_params(path: str | Path | None = None) -> list[str]:
    """The tracking/session parameter names shipped in ``crawler/dedup/data``, or read from ``path``."""
    if path is not None:
        return read_param_names(Path(path).read_text(encoding="utf-8").splitlines())
    text = resources.files("crawler.dedup").joinpath("data").joinpath(TRACKING_PARAMS_RESOURCE).read_text(encoding="utf-8")
    return read_param_names(text.splitlines())


class ParamMatcher:
    """Case-insensitive parameter-name matcher; ``utm_*`` matches by prefix."""

    def __init__(self, names: Iterable[str]) -> None:
        self.exact: frozenset[str] = frozenset(n.lower() for n in names if not n.endswith("*"))
        self.prefixes: tuple[str, ...] = tuple(n[:-1].lower() for n in names if n.endswith("*") and len(n) > 1)

    def __call__(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.exact or (bool(self.prefixes) and lowered.startswith(self.prefixes))


class Canonicalizer:
    """Turns any spelling of a page's URL into its canonical URL."""

    def __init__(
        self,
        tracking_params: Iterable[str] | None = None,
        url_aliases: Mapping[str, str] | None = None,
    ) -> None:
        names = list(tracking_params) if tracking_params is not None else load_tracking_params()
        self.is_tracking = ParamMatcher(names)
        self.url_aliases: dict[str, str] = {
            str(k).lower().rstrip("."): str(v).lower().rstrip(".") for k, v in (url_aliases or {}).items()
        }

    def with_aliases(self, url_aliases: Mapping[str, str] | None) -> Canonicalizer:
        """A copy using another seed's host aliases (same tracking list)."""
        copy = Canonicalizer.__new__(Canonicalizer)
        copy.is_tracking = self.is_tracking
        copy.url_aliases = {
            str(k).lower().rstrip("."): str(v).lower().rstrip(".") for k, v in (url_aliases or {}).items()
        }
        return copy

    def canonicalize(self, url: str) -> str:
        """The canonical form of ``url``; raises :class:`CanonicalURLError` for unusable URLs.

        w3lib's ``canonicalize_url`` lowercases scheme and host, drops the
        fragment, sorts the query and normalises percent-encoding; the tracking
        parameters then go with ``url_query_cleaner``.
        """
        url = (url or "").strip()
        # Judge the host on the URL as written: w3lib 2.6 turns "http:///nohost"
        # into "http://nohost/", inventing a host the page never named.
        if not urlsplit(url).netloc:
            raise CanonicalURLError(f"URL has no host: {url!r}")
        try:
            canonical = canonicalize_url(url, keep_fragments=False)
            parts = urlsplit(canonical)
            port = parts.port
        except ValueError as exc:
            raise CanonicalURLError(f"cannot canonicalise {url!r}: {exc}") from exc
        query = urlsplit(self._without_tracking(canonical, parts.query)).query
        return self._assemble(parts.scheme.lower(), parts.hostname or "", port, parts.path, query, url)

    def _without_tracking(self, url: str, query: str) -> str:
        """``url`` without its tracking parameters (names matched unquoted, any case, ``utm_*`` by prefix)."""
        names = {pair.partition("=")[0] for pair in query.split("&") if pair}
        tracking = [name for name in names if self.is_tracking(unquote_plus(name))]
        return url_query_cleaner(url, tracking, remove=True, unique=False) if tracking else url

    def _assemble(self, scheme: str, host: str, port: int | None, path: str, query: str, url: str = "") -> str:
        """The canonical URL from its parts; ``query`` already without tracking parameters."""
        if scheme not in DEFAULT_PORTS:
            raise CanonicalURLError(f"not an http(s) URL: {url!r}")
        host = host.rstrip(".")
        if not host:
            raise CanonicalURLError(f"URL has no host: {url!r}")
        host = self.url_aliases.get(host, host)
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
        path = self._clean_path(path) or "/"
        return f"{scheme}://{netloc}{path}?{query}" if query else f"{scheme}://{netloc}{path}"

    def _clean_path(self, path: str) -> str:
        if ";" not in path:
            return path
        segments = []
        for segment in path.split("/"):
            head, *params = segment.split(";")
            kept = [p for p in params if p and not self.is_tracking(p.split("=", 1)[0])]
            segments.append(";".join([head, *kept]))
        return "/".join(segments)


@dataclass(frozen=True)
class CanonicalChoice:
    """Which URL named the article, and why a ``rel=canonical`` link was not used."""

    canonical_url: str
    from_link: bool
    rejected_link: str | None = None  # "offsite" or "invalid" when a link was present but ignored


def choose_canonical(
    canonicalizer: Canonicalizer,
    page_url: str,
    link_href: str | None,
    allowed_domains: Sequence[str] = (),
) -> CanonicalChoice:
    """The canonical URL of a page fetched from ``page_url``.

    ``link_href`` (the page's ``rel=canonical``, maybe relative) wins when it
    resolves to an http(s) URL on an allowed domain; with no allowed domains
    it must stay on the page's own host. Raises :class:`CanonicalURLError`
    only when ``page_url`` itself is unusable.
    """
    own = canonicalizer.canonicalize(page_url)
    if not link_href or not link_href.strip():
        return CanonicalChoice(own, from_link=False)
    try:
        candidate = canonicalizer.canonicalize(urljoin(page_url, link_href.strip()))
    except CanonicalURLError:
        return CanonicalChoice(own, from_link=False, rejected_link="invalid")
    host = urlsplit(candidate).hostname or ""
    own_host = urlsplit(own).hostname or ""
    domains = list(allowed_domains) + list(canonicalizer.url_aliases.values())
    on_site = host_in_domains(host, domains) if allowed_domains else host == own_host
    if not on_site:
        return CanonicalChoice(own, from_link=False, rejected_link="offsite")
    return CanonicalChoice(candidate, from_link=True)
