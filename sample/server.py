"""The sample site: a loopback forward HTTP proxy serving a page store.

Scrapy reaches it through ``http_proxy=http://127.0.0.1:PORT``, so requests
arrive with absolute URIs (``GET http://www.mca.gov.cn/n152/ HTTP/1.1``) and
crawls exercise real host names. Requests to ``control.sample.test`` manage
the running server (request log, overrides, deletions) and are not logged.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import logging
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from twisted.internet import reactor as default_reactor
from twisted.internet.interfaces import IDelayedCall, IListeningPort
from twisted.web.http import Request as HTTPRequest
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request, Site

from sample import binaries
from sample.store import Page, PageStore, with_body

logger = logging.getLogger(__name__)

CONTROL_HOST = "control.sample.test"
SERVER_HEADER = "nginx"
CHUNK_COUNT = 4
CHUNK_INTERVAL = 0.01
NOT_FOUND_BODY = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"
CLOAK_USER_AGENTS = ("baiduspider",)
CLOAK_REFERERS = ("baidu.com",)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when an Accept-Encoding value allows gzip (a q=0 entry refuses it)."""
    if not accept_encoding:
        return False
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = params.strip()
            if quality.startswith("q="):
                try:
                    return float(quality[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in wanted


class SampleSiteResource(Resource):
    """Answers every proxied request from a :class:`PageStore`."""

    isLeaf = True

    def __init__(self, store: PageStore, log_file: IO[str] | None = None, clock: Any = None) -> None:
        super().__init__()
        self.store = store
        self.log_file = log_file
        self.clock = clock or default_reactor
        self.request_log: list[dict[str, Any]] = []
        #: url -> (body, Last-Modified HTTP date of the override)
        self.overrides: dict[str, tuple[bytes, str]] = {}
        self.deleted: set[str] = set()
        self.hits: dict[str, int] = {}
        self._volatile_counter = 0
        self._generated: dict[str, bytes] = {}

    # ---- request routing -------------------------------------------------

    def render(self, request: Request) -> bytes | int:  # type: ignore[override]
        url, host = self._target(request)
        request.setHeader(b"server", SERVER_HEADER.encode())
        if host == CONTROL_HOST:
            return self._control(request, url)
        try:
            return self._serve(request, url, host)
        except Exception:  # a broken route must not take the server down
            logger.exception("Sample site failed serving %s", url)
            return self._finish_now(request, url, 500, [("Content-Type", "text/plain")], b"internal error\n")

    def _target(self, request: Request) -> tuple[str, str]:
        uri = request.uri.decode("latin-1")
        if uri.lower().startswith("http://"):
            parts = urlsplit(uri)
            host = (parts.hostname or "").lower()
            if parts.port and parts.port != 80:
                host = f"{host}:{parts.port}"
        else:
            parts = urlsplit(uri)
            raw_host = (request.getHeader(b"host") or b"").decode("latin-1").lower()
            host = raw_host.removesuffix(":80")
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"http://{host}{path}{query}", host

    def _serve(self, request: Request, url: str, host: str) -> bytes | int:
        method = request.method.decode("latin-1").upper()
        if method not in ("GET", "HEAD"):
            return self._finish_now(request, url, 405, [("Allow", "GET, HEAD")], b"")
        path_and_query = url[len("http://") + len(host) :]
        page = None if url in self.deleted else self.store.lookup(host, path_and_query)
        if url in self.overrides:
            base = page or Page(headers=[("Content-Type", "text/html; charset=utf-8")])
            body, changed_at = self.overrides[url]
            page = with_body(base, body)
            if page.last_modified:
                # The page changed now: an If-Modified-Since from before must not get a 304.
                page.last_modified = changed_at
        if page is None:
            return self._finish_now(request, url, 404, [("Content-Type", "text/html; charset=utf-8")], NOT_FOUND_BODY)

        hits = self.hits.get(url, 0) + 1
        self.hits[url] = hits
        if hits <= page.fail_first:
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Retry-After", "0")]
            body = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n"
            return self._finish_later(request, url, 503, headers, body, page.delay)

        body = page.body
        if page.cloaked_body is not None and self._is_search_engine_view(request):
            body = page.cloaked_body
        if page.generate is not None:
            body = self._generated_body(page.generate, page.generate_size)

        headers = list(page.headers)
        status = page.status
        if page.etag == "content":
            headers.append(("ETag", '"' + hashlib.sha1(body).hexdigest()[:20] + '"'))
        elif page.etag == "volatile":
            self._volatile_counter += 1
            headers.append(("ETag", f'"v{self._volatile_counter}-{hashlib.sha1(body).hexdigest()[:12]}"'))
        if page.last_modified:
            headers.append(("Last-Modified", page.last_modified))
        if status == 200 and not page.ignore_conditional and self._not_modified(request, page, headers):
            keep = [(k, v) for k, v in headers if k.lower() in ("etag", "last-modified", "cache-control", "vary")]
            return self._finish_later(request, url, 304, keep, b"", page.delay)

        if page.generate == "bomb":
            headers.append(("Content-Encoding", "gzip"))
        elif page.gzip:
            headers.append(("Vary", "Accept-Encoding"))
            if accepts_gzip(_header(request, "accept-encoding")):
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))

        if page.truncate:
            return self._send_truncated(request, url, status, headers, body, page.truncate)
        if page.chunked:
            return self._send_chunked(request, url, status, headers, body, page.delay)
        return self._finish_later(request, url, status, headers, body, page.delay)

    def _is_search_engine_view(self, request: Request) -> bool:
        user_agent = (_header(request, "user-agent") or "").lower()
        referer = (_header(request, "referer") or "").lower()
        return any(bot in user_agent for bot in CLOAK_USER_AGENTS) or any(ref in referer for ref in CLOAK_REFERERS)

    def _not_modified(self, request: Request, page: Page, headers: list[tuple[str, str]]) -> bool:
        etag = next((v for k, v in headers if k == "ETag"), None)
        if_none_match = _header(request, "if-none-match")
        if if_none_match is not None:
            return etag is not None and _etag_matches(if_none_match, etag)
        since = _parse_http_date(_header(request, "if-modified-since"))
        modified = _parse_http_date(page.last_modified)
        return since is not None and modified is not None and modified <= since

    def _generated_body(self, kind: str, size: int | None = None) -> bytes:
        if size is not None:  # made for each request: a 50 MB page is not kept in the server
            return binaries.make_gzip_bomb(size) if kind == "bomb" else binaries.make_large_page(size)
        if kind not in self._generated:
            self._generated[kind] = binaries.make_gzip_bomb() if kind == "bomb" else binaries.make_large_page()
        return self._generated[kind]

    # ---- writing responses -------------------------------------------------

    def _start(self, request: Request, status: int, headers: list[tuple[str, str]]) -> None:
        request.setResponseCode(status)
        for name, value in headers:
            request.responseHeaders.addRawHeader(name.encode("latin-1"), value.encode("latin-1"))

    def _finish_now(
        self, request: Request, url: str, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> bytes:
        self._start(request, status, headers)
        request.setHeader(b"content-length", str(len(body)).encode())
        self._log(request, url, status, len(body))
        return body

    def _finish_later(
        self, request: Request, url: str, status: int, headers: list[tuple[str, str]], body: bytes, delay: float
    ) -> int:
        def send() -> None:
            if getattr(request, "_disconnected", False):
                self._log(request, url, status, 0)
                return
            self._start(request, status, headers)
            request.setHeader(b"content-length", str(len(body)).encode())
            if body:
                request.write(body)
            request.finish()
            self._log(request, url, status, len(body))

        self._schedule(request, delay, send)
        return NOT_DONE_YET

    def _send_chunked(
        self, request: Request, url: str, status: int, headers: list[tuple[str, str]], body: bytes, delay: float
    ) -> int:
        # No Content-Length: Twisted frames the body with chunked transfer coding on HTTP/1.1.
        size = max(1, -(-len(body) // CHUNK_COUNT))
        pieces = [body[i : i + size] for i in range(0, len(body), size)] or [b""]

        def write_piece(index: int) -> None:
            if getattr(request, "_disconnected", False):
                self._log(request, url, status, sum(len(p) for p in pieces[:index]))
                return
            if index == 0:
                self._start(request, status, headers)
            if pieces[index]:
                request.write(pieces[index])
            if index + 1 < len(pieces):
                self.clock.callLater(CHUNK_INTERVAL, write_piece, index + 1)
            else:
                request.finish()
                self._log(request, url, status, len(body))

        self._schedule(request, delay, lambda: write_piece(0))
        return NOT_DONE_YET

    def _send_truncated(
        self, request: Request, url: str, status: int, headers: list[tuple[str, str]], body: bytes, missing: int
    ) -> int:
        self._start(request, status, headers)
        request.setHeader(b"content-length", str(len(body) + missing).encode())
        request.write(body)
        self._log(request, url, status, len(body))
        # Close without finishing: the client sees fewer bytes than Content-Length promised.
        self.clock.callLater(0, request.transport.loseConnection)
        return NOT_DONE_YET

    def _schedule(self, request: Request, delay: float, action: Callable[[], None]) -> None:
        call: IDelayedCall = self.clock.callLater(delay, action)

        def cancel(_: object) -> None:
            if call.active():
                call.cancel()
                self._log(request, self._target(request)[0], 0, 0)

        request.notifyFinish().addErrback(cancel)

    # ---- request log -------------------------------------------------------

    def _log(self, request: Request, url: str, status: int, length: int) -> None:
        entry = {
            "time": _now_iso(),
            "method": request.method.decode("latin-1"),
            "url": url,
            "status": status,
            "request_headers": [
                [name.decode("latin-1"), value.decode("latin-1")]
                for name, values in request.requestHeaders.getAllRawHeaders()
                for value in values
            ],
            "response_length": length,
        }
        self.request_log.append(entry)
        if self.log_file is not None:
            self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log_file.flush()

    # ---- control API -------------------------------------------------------

    def _control(self, request: Request, url: str) -> bytes:
        parts = urlsplit(url)
        method = request.method.decode("latin-1").upper()
        params = parse_qs(parts.query)
        target = params.get("url", [""])[0]
        request.setHeader(b"content-type", b"application/json")

        def answer(status: int, payload: Any) -> bytes:
            request.setResponseCode(status)
            return (json.dumps(payload, ensure_ascii=False) + "\n").encode()

        if parts.path == "/log" and method == "GET":
            request.setHeader(b"content-type", b"application/x-ndjson; charset=utf-8")
            return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.request_log).encode()
        if method != "POST":
            return answer(405, {"error": "control endpoints other than /log need POST"})
        if parts.path == "/reset-log":
            self.request_log.clear()
            return answer(200, {"ok": True})
        if parts.path == "/reset-counters":
            self.hits.clear()
            return answer(200, {"ok": True})
        if parts.path == "/clear-overrides":
            self.overrides.clear()
            self.deleted.clear()
            return answer(200, {"ok": True})
        if parts.path in ("/override", "/delete"):
            if not target.lower().startswith("http://"):
                return answer(400, {"error": "url= must be an absolute http:// URL"})
            target = _normalise_target(target)
            if parts.path == "/override":
                body = request.content.read() if request.content else b""
                self.overrides[target] = (body, email.utils.formatdate(usegmt=True))
                self.deleted.discard(target)
            else:
                self.deleted.add(target)
                self.overrides.pop(target, None)
            return answer(200, {"ok": True, "url": target})
        return answer(404, {"error": f"no control endpoint {parts.path}"})


def _normalise_target(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != 80:
        host = f"{host}:{parts.port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"http://{host}{parts.path or '/'}{query}"


def _header(request: HTTPRequest, name: str) -> str | None:
    value = request.getHeader(name.encode("latin-1"))
    return value.decode("latin-1") if value is not None else None


class _QuietSite(Site):
    """A Site without Twisted's access log (the resource keeps its own)."""

    noisy = False

    def log(self, request: Request) -> None:
        pass


def listen(
    store: PageStore,
    port: int = 0,
    *,
    interface: str = "127.0.0.1",
    log_path: Path | str | None = None,
    reactor: Any = None,
) -> tuple[IListeningPort, SampleSiteResource]:
    """Start serving ``store`` on ``interface:port`` in the running (or given) reactor."""
    reactor = reactor or default_reactor
    log_file = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 - closed on shutdown
    resource = SampleSiteResource(store, log_file=log_file, clock=reactor)
    listening = reactor.listenTCP(port, _QuietSite(resource), interface=interface)
    if log_file is not None:
        reactor.addSystemEventTrigger("after", "shutdown", log_file.close)
    return listening, resource


def serve(
    store: PageStore,
    port: int = 0,
    *,
    interface: str = "127.0.0.1",
    port_file: Path | str | None = None,
    log_path: Path | str | None = None,
) -> None:
    """Serve ``store`` until SIGTERM/SIGINT; write the bound port to ``port_file`` once listening."""
    from twisted.internet import reactor

    listening, _ = listen(store, port, interface=interface, log_path=log_path, reactor=reactor)
    actual_port = listening.getHost().port
    logger.info("Sample site listening on http://%s:%d", interface, actual_port)
    if port_file:
        # Write then rename so a waiting reader never sees a half-written number.
        temporary = Path(f"{port_file}.tmp")
        temporary.write_text(f"{actual_port}\n")
        os.replace(temporary, port_file)
    reactor.run()  # installs SIGTERM/SIGINT handlers that stop the reactor
