"""Page stores for the sample site: what the loopback proxy answers for each URL.

A store maps (host, path-with-query) to a :class:`Page`: a response plus the
behaviours the server applies when serving it (gzip, chunking, validators,
faults). ``bench/crawl.py`` can build a :class:`MemoryPageStore` in memory;
:func:`load_site` reads the shipped page files and ``routes.toml``.
"""

from __future__ import annotations

import logging
import mimetypes
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sample import binaries

logger = logging.getLogger(__name__)

DEFAULT_SITE_DIR = Path(__file__).parent / "site"
ROUTES_FILE = "routes.toml"

TEXT_SUFFIXES = {".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain"}
ETAG_MODES = {"content", "volatile"}
GENERATORS = {"pdf", "xlsx", "doc", "zip", "large", "bomb", "deep"}


class RouteError(ValueError):
    """A route in routes.toml is invalid; the message names the URL and field."""


@dataclass
class Page:
    """One response the server can give, with the behaviours applied when serving it."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    #: gzip the body when the request's Accept-Encoding allows it
    gzip: bool = False
    #: stream the body in several writes without Content-Length (chunked on HTTP/1.1)
    chunked: bool = False
    #: seconds to wait before answering
    delay: float = 0.0
    #: answer 503 to the first N requests, then serve normally
    fail_first: int = 0
    #: body served to Baiduspider user agents and visitors referred by baidu.com
    cloaked_body: bytes | None = None
    #: "content" (ETag from body digest), "volatile" (new ETag per request) or None
    etag: str | None = None
    #: HTTP date for Last-Modified, or None
    last_modified: str | None = None
    #: answer 200 even when If-None-Match / If-Modified-Since match
    ignore_conditional: bool = False
    #: declare Content-Length this many bytes larger than the body, then close
    truncate: int = 0
    #: body produced at serve time: "large" or "bomb" (kept out of the store)
    generate: str | None = None
    #: bytes of the generated large page, or of the bomb once inflated (None: the generator's default)
    generate_size: int | None = None
    #: the file the page came from, for error messages
    source: str = ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


class PageStore(Protocol):
    """What the server needs from a store."""

    def lookup(self, host: str, path: str) -> Page | None:
        """The page for ``host`` (any case) and ``path`` (with ``?query``), or None.

        An exact (path, query) route wins; otherwise the query is ignored, and a
        directory path falls back to its index.html.
        """
        ...


class MemoryPageStore:
    """Pages held in a dict keyed by (lower-case host, path-with-query)."""

    def __init__(self) -> None:
        self._pages: dict[tuple[str, str], Page] = {}

    def add(self, url: str, page: Page) -> None:
        host, path = split_url(url)
        self._pages[(host, path)] = page

    def lookup(self, host: str, path: str) -> Page | None:
        host = host.lower()
        page = self._pages.get((host, path))
        if page is None:
            # Like a static web server: a query string the site does not route is ignored.
            bare_path = path.split("?", 1)[0]
            page = self._pages.get((host, bare_path))
            if page is None and bare_path.endswith("/"):
                page = self._pages.get((host, bare_path + "index.html"))
        return page

    def urls(self) -> list[str]:
        return sorted(f"http://{host}{path}" for host, path in self._pages)

    def __len__(self) -> int:
        return len(self._pages)


def split_url(url: str) -> tuple[str, str]:
    """(lower-case host without default port, path with query) of an absolute URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != 80:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return host, path


def load_site(site_dir: Path | str = DEFAULT_SITE_DIR) -> MemoryPageStore:
    """Read every host directory under ``site_dir`` plus its routes.toml into a store.

    Files are authored as UTF-8 and transcoded here to the charset the host or
    route declares, so an untranscodable character fails at load, not mid-crawl.
    """
    site_dir = Path(site_dir)
    routes_path = site_dir / ROUTES_FILE
    config: dict[str, Any] = {}
    if routes_path.exists():
        with routes_path.open("rb") as handle:
            config = tomllib.load(handle)
    host_defaults: dict[str, dict[str, Any]] = {k.lower(): v for k, v in config.get("hosts", {}).items()}
    routes: dict[str, dict[str, Any]] = config.get("route", {})

    store = MemoryPageStore()
    for host_dir in sorted(p for p in site_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        host = host_dir.name.lower()
        for file_path in sorted(host_dir.rglob("*")):
            if not file_path.is_file():
                continue
            relative = file_path.relative_to(host_dir).as_posix()
            url = f"http://{host}/{relative}"
            settings = {**host_defaults.get(host, {}), **routes.get(url, {})}
            store.add(url, _build_page(url, file_path, settings, site_dir))
    for url, route in routes.items():
        host, _ = split_url(url)
        settings = {**host_defaults.get(host, {}), **route}
        file_name = route.get("file")
        file_path = site_dir / file_name if file_name else None
        if file_path is None and split_url(url) in store._pages:
            continue  # a file at this URL already took the route's settings
        if file_path is not None and not file_path.is_file():
            raise RouteError(f"{routes_path}: route {url!r}: file {file_name!r} does not exist")
        store.add(url, _build_page(url, file_path, settings, site_dir))
    logger.debug("Loaded %d sample pages from %s", len(store), site_dir)
    return store


def _build_page(url: str, file_path: Path | None, settings: dict[str, Any], site_dir: Path) -> Page:
    where = f"route {url!r}"
    status = int(settings.get("status", 200))
    headers: list[tuple[str, str]] = []
    page = Page(status=status, source=str(file_path or url))

    if "location" in settings:
        headers.append(("Location", str(settings["location"])))
    generate = settings.get("generate")
    if generate is not None and generate not in GENERATORS:
        raise RouteError(f"{where}: generate must be one of {sorted(GENERATORS)}, not {generate!r}")

    charset = str(settings.get("charset", "utf-8")).lower()
    suffix = Path(urlsplit(url).path).suffix.lower() if file_path is None else file_path.suffix.lower()
    if file_path is not None and file_path.suffix.lower() in TEXT_SUFFIXES:
        media_type = TEXT_SUFFIXES[file_path.suffix.lower()]
        text = file_path.read_text(encoding="utf-8")
        page.body = _encode(text, charset, where)
        content_type = settings.get("content_type") or f"{media_type}; charset={'utf-8' if charset == 'utf-8' else charset}"
        if media_type == "text/plain":
            content_type = f"text/plain; charset={charset}"
        headers.append(("Content-Type", content_type))
        if media_type == "text/html" and status == 200:
            if settings.get("validators", False):
                page.etag = "content"
                page.last_modified = settings.get("last_modified")
        cloak = settings.get("cloak")
        if cloak:
            cloak_path = site_dir / cloak
            if not cloak_path.is_file():
                raise RouteError(f"{where}: cloak file {cloak!r} does not exist")
            page.cloaked_body = _encode(cloak_path.read_text(encoding="utf-8"), charset, where)
    elif file_path is not None:
        page.body = file_path.read_bytes()
        # content_type (often a host default) describes HTML pages, never files
        headers.append(("Content-Type", mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"))
    elif generate in {"pdf", "xlsx", "doc", "zip"}:
        title = str(settings.get("title", Path(urlsplit(url).path).stem))
        page.body = binaries.make_attachment(generate, title)
        headers.append(("Content-Type", binaries.CONTENT_TYPES[generate]))
    elif generate in {"large", "bomb"}:
        page.generate = generate
        page.generate_size = int(settings["size"]) if "size" in settings else None
        headers.append(("Content-Type", "text/html; charset=utf-8"))
    elif generate == "deep":
        page.body = binaries.make_deep_page(int(settings.get("size", 10_000)))
        headers.append(("Content-Type", "text/html; charset=utf-8"))
    elif status in (301, 302, 303, 307, 308):
        target = str(settings.get("location", ""))
        page.body = (
            f'<html><head><title>{status}</title></head><body><a href="{target}">Moved</a></body></html>\n'
        ).encode()
        headers.append(("Content-Type", "text/html; charset=utf-8"))
    elif status >= 400:
        page.body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n".encode()
        headers.append(("Content-Type", "text/html; charset=utf-8"))
    else:
        raise RouteError(f"{where}: needs a file, a generator, or a redirect/error status (suffix {suffix!r})")

    for pair in settings.get("headers", []):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise RouteError(f"{where}: headers must be a list of [name, value] pairs")
        headers.append((str(pair[0]), str(pair[1])))

    etag = settings.get("etag")
    if etag is not None:
        if etag is False:
            page.etag = None
        elif etag not in ETAG_MODES:
            raise RouteError(f"{where}: etag must be one of {sorted(ETAG_MODES)} or false")
        else:
            page.etag = etag
            page.last_modified = settings.get("last_modified", page.last_modified)
    page.headers = headers
    page.gzip = bool(settings.get("gzip", False))
    page.chunked = bool(settings.get("chunked", False))
    page.delay = float(settings.get("delay", 0.0))
    page.fail_first = int(settings.get("fail_first", 0))
    page.ignore_conditional = bool(settings.get("ignore_conditional", False))
    page.truncate = int(settings.get("truncate", 0))
    return page


def _encode(text: str, charset: str, where: str) -> bytes:
    try:
        return text.encode(charset)
    except (UnicodeEncodeError, LookupError) as exc:
        raise RouteError(f"{where}: cannot encode page as {charset}: {exc}") from exc


def with_body(page: Page, body: bytes) -> Page:
    """A copy of ``page`` serving ``body`` instead (used by control overrides)."""
    return replace(page, body=body, cloaked_body=None, generate=None)
