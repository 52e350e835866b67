"""Canonical URLs: one spelling per page, so one article gets one ``id``.

Two URLs that show the same page should give the same canonical URL: scheme
and host case, default ports, fragments, query order, tracking and session
parameters, and mobile/PC host twins (the seed's ``url_aliases``) are all
normalised away. ``<link rel=canonical>`` is honoured only when it stays
inside the spider's allowed domains: a hacked page pointing its canonical
link at a gambling site must not rename the article.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from importlib import resources
from pathlib import Path
from urllib.parse import unquote_plus, urljoin, urlsplit

from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS_RESOURCE = "tracking_params.txt"


# A URL w3lib would only lowercase and sort: ASCII letters, digits and a few
# marks that never need quoting; no userinfo, fragment, ";" params or "%".
_SIMPLE_URL = re.compile(
    r"(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r"(?::(?P<port>[0-9]{1,5}))?(?P<path>/[A-Za-z0-9_~/.,-]*)?(?:\?(?P<query>[A-Za-z0-9_~.=&-]*))?\Z"
)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|\Z)")


def _sorted_query(query: str, is_tracking: Callable[[str], bool]) -> str:
    """A plain query's pairs without tracking parameters, sorted, blank values given an "=".

    Plain names have no "%" or "+", so they are matched as they are (unquoting changes nothing).
    """
    pairs = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "=" in value:  # w3lib would quote the second "=": let it
            raise _NotSimple
        if not is_tracking(name):
            pairs.append((name, value))
    pairs.sort()
    return "&".join([f"{name}={value}" for name, value in pairs])


class _NotSimple(Exception):
    pass


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
    """The tracking/session parameter names shipped in ``pipelines/data``, or read from ``path``."""
    if path is not None:
        return read_param_names(Path(path).read_text(encoding="utf-8").splitlines())
    text = resources.files("pipelines.data").joinpath(TRACKING_PARAMS_RESOURCE).read_text(encoding="utf-8")
    return read_param_names(text.splitlines())


class ParamMatcher:
    """Case-insensitive parameter-name matcher; ``utm_*`` matches by prefix."""

    def __init__(self, names: Iterable[str]) -> None:
        self.exact: frozenset[str] = frozenset(n.lower() for n in names if not n.endswith("*"))
        self.prefixes: tuple[str, ...] = tuple(n[:-1].lower() for n in names if n.endswith("*") and len(n) > 1)

    def __call__(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.exact or (bool(self.prefixes) and lowered.startswith(self.prefixes))


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one (Scrapy's rule)."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def url_id(canonical_url: str) -> str:
    """The record id: SHA-1 hex digest of the canonical URL (``id`` in docs/schema.md)."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


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
        """The canonical form of ``url``; raises :class:`CanonicalURLError` for unusable URLs."""
        url = (url or "").strip()
        simple = _SIMPLE_URL.match(url)
        if simple is None:
            return self.canonicalize_with_w3lib(url)
        scheme, host, port_text, path, query_text = simple.groups()
        if path and "/." in path and _DOT_SEGMENT.search(path):
            return self.canonicalize_with_w3lib(url)
        if (
            query_text is None
            and port_text is None
            and path
            and (scheme == "http" or scheme == "https")
            and host.islower()
            and host not in self.url_aliases
        ):
            # Already canonical (the common case: links as ministry sites print them).
            return url
        # Plain ASCII URLs (nearly all on ministry sites) skip w3lib's full
        # parse: for them it only lowercases the host, sorts the query and
        # gives blank values an "="; tests check both paths agree.
        port = int(port_text) if port_text else None
        if port is not None and port > 65535:
            raise CanonicalURLError(f"cannot canonicalise {url!r}: port out of range")
        try:
            query = _sorted_query(query_text, self.is_tracking) if query_text else ""
        except _NotSimple:
            return self.canonicalize_with_w3lib(url)
        return self._assemble(scheme.lower(), host.lower(), port, path or "", query, url)

    def canonicalize_with_w3lib(self, url: str) -> str:
        """:meth:`canonicalize` without the fast path for plain URLs."""
        url = (url or "").strip()
        # Judge the host on the URL as written: w3lib 2.6 turns "http:///nohost"
        # into "http://nohost/", inventing a host the page never named.
        if not urlsplit(url).netloc:
            raise CanonicalURLError(f"URL has no host: {url!r}")
        try:
            parts = urlsplit(canonicalize_url(url, keep_fragments=False))
            port = parts.port
        except ValueError as exc:
            raise CanonicalURLError(f"cannot canonicalise {url!r}: {exc}") from exc
        query = self._clean_query(parts.query)
        return self._assemble(parts.scheme.lower(), parts.hostname or "", port, parts.path, query, url)

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

    def _clean_query(self, query: str) -> str:
        if not query:
            return ""
        kept = [pair for pair in query.split("&") if pair and not self.is_tracking(unquote_plus(pair.split("=", 1)[0]))]
        return "&".join(kept)


@dataclass(frozen=True)
class CanonicalChoice:
    """Which URL named the article, and why a ``rel=canonical`` link was not used."""

    canonical_url: str
    from_link: bool
    rejected_link: str | None = None  # "offsite" or "invalid" when a link was present but ignored


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def find_link_canonical(html: str | bytes) -> str | None:
    """The ``href`` of the page's first ``<link rel="canonical">``, if any.

    A scan of ``<link>`` tags rather than a parse: the extractor has already
    parsed the page once, and most pages carry no canonical link at all.
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    if not html or "canonical" not in html.lower():
        return None
    for tag in _LINK_TAG.finditer(html):
        attributes = {
            match.group(1).lower(): next(g for g in match.groups()[1:] if g is not None)
            for match in _ATTRIBUTE.finditer(tag.group(0))
        }
        if "canonical" in attributes.get("rel", "").lower().split():
            href = unescape(attributes.get("href", "")).strip()
            if href:
                return href
    return None


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
