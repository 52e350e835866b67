"""WARC records of one HTTP exchange, built from plain data with warcio.

The capture middleware snapshots what went over the wire into a
:class:`CapturedExchange` (bytes and strings only, no Scrapy objects) so the
records can be built on another thread. Everything here is a pure function of
that snapshot: the request line as an origin server sees it, every header
value in order (repeated ``Set-Cookie`` lines stay separate), and the payload
exactly as received, still carrying its ``Content-Encoding``.
"""

from __future__ import annotations

import base64
import hashlib
import http
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date

WARC_VERSION = "WARC/1.1"
IDENTICAL_PAYLOAD_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

# Headers that only concern the hop to a proxy, never the origin server; the
# credential one must not end up in an archive.
PROXY_ONLY_REQUEST_HEADERS = frozenset({b"proxy-authorization", b"proxy-connection"})
# Twisted de-chunks bodies; a stored Transfer-Encoding would contradict the record.
FRAMING_RESPONSE_HEADERS = frozenset({b"transfer-encoding"})

Header = tuple[bytes, bytes]


@dataclass(frozen=True)
class CapturedExchange:
    """What went over the wire for one request/response, as plain data."""

    url: str
    method: str
    request_headers: tuple[Header, ...]
    request_body: bytes
    status: int
    protocol: str
    response_headers: tuple[Header, ...]
    body: bytes
    fetched_at: datetime
    ip_address: str | None = None
    truncated: str | None = None
    download_maxsize: int = 0

    @property
    def is_conditional(self) -> bool:
        names = {name.lower() for name, _ in self.request_headers}
        return bool(names & {b"if-modified-since", b"if-none-match"})

    @property
    def content_encoding(self) -> list[str]:
        codings: list[str] = []
        for name, value in self.response_headers:
            if name.lower() == b"content-encoding":
                codings.extend(
                    part.strip().lower()
                    for part in value.decode("latin-1").split(",")
                    if part.strip()
                )
        return codings


@dataclass
class BuiltRecord:
    """A warcio record plus the facts the writer reports back."""

    record: ArcWarcRecord
    record_id: str
    record_type: str
    payload_digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RawStatusAndHeaders(StatusAndHeaders):
    """Status line and headers serialised byte for byte as received.

    warcio percent-encodes non-ASCII header values; a GBK filename in a
    ``Content-Disposition`` would then no longer match what the server sent.
    Values are carried as latin-1 text, which maps bytes 1:1, and encoded back
    the same way.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_bytes(header_filter, encoding="latin-1")


def reason_phrase(status: int) -> str:
    """Standard reason phrase for a status code (Scrapy does not keep the real one)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Status"


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>``, the digest form WARC tools and CDXJ indexes use."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, always UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


def new_record_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def _text_headers(headers: Iterable[Header]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


def request_target(url: str) -> str:
    """Origin-form request target: path plus query string, as a server sees it."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


def host_header_value(url: str) -> str:
    """The ``Host`` value Twisted computes: the port only when not the default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default_port:
        return f"{host}:{parts.port}"
    return host


def sent_request_headers(exchange: CapturedExchange) -> list[Header]:
    """The request headers as Twisted writes them after Scrapy hands them over.

    Twisted puts the framing header first (``Content-Length`` for a body, or
    ``Content-Length: 0`` for a bodiless POST/PUT) and appends ``Host`` when
    the request has none.
    """
    headers: list[Header] = []
    method = exchange.method.upper()
    names = {name.lower() for name, _ in exchange.request_headers}
    if exchange.request_body:
        headers.append((b"Content-Length", str(len(exchange.request_body)).encode()))
    elif method in {"POST", "PUT"}:
        headers.append((b"Content-Length", b"0"))
    for name, value in exchange.request_headers:
        lower = name.lower()
        if lower in PROXY_ONLY_REQUEST_HEADERS or lower == b"content-length":
            continue
        headers.append((name, value))
    if b"host" not in names:
        headers.append((b"Host", host_header_value(exchange.url).encode("ascii")))
    return headers


def stored_response_headers(exchange: CapturedExchange) -> tuple[list[Header], bool]:
    """Response headers with a ``Content-Length`` that matches the stored payload.

    Returns the headers and whether the length had to change from a declared
    value (a body shorter than announced: the response was cut short).
    """
    headers: list[Header] = []
    declared: bytes | None = None
    for name, value in exchange.response_headers:
        lower = name.lower()
        if lower in FRAMING_RESPONSE_HEADERS:
            continue
        if lower == b"content-length":
            declared = value
            continue
        headers.append((name, value))
    if exchange.method.upper() == "HEAD":
        # A HEAD response announces the length of a body it does not carry.
        if declared is not None:
            headers.insert(0, (b"Content-Length", declared))
        return headers, False
    actual = str(len(exchange.body)).encode()
    headers.insert(0, (b"Content-Length", actual))
    changed = declared is not None and declared.strip() != actual
    return headers, changed


def build_request_record(
    builder: RecordBuilder, exchange: CapturedExchange, concurrent_to: str
) -> BuiltRecord:
    record_id = new_record_id()
    # warcio prints ``protocol statusline``; a request line has its method first.
    http_headers = RawStatusAndHeaders(
        f"{request_target(exchange.url)} HTTP/1.1",
        _text_headers(sent_request_headers(exchange)),
        protocol=exchange.method.upper(),
    )
    warc_headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": warc_date(exchange.fetched_at),
        "WARC-Concurrent-To": concurrent_to,
    }
    record = builder.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        warc_headers_dict=warc_headers,
        http_headers=http_headers,
    )
    return BuiltRecord(record, record_id, "request")


def _response_http_headers(exchange: CapturedExchange) -> tuple[RawStatusAndHeaders, bool]:
    headers, length_changed = stored_response_headers(exchange)
    statusline = f"{exchange.status} {reason_phrase(exchange.status)}"
    # HTTP/2 responses ("h2") are stored in the HTTP/1.1 message form WARC readers parse.
    protocol = exchange.protocol if exchange.protocol.startswith("HTTP/") else "HTTP/1.1"
    return RawStatusAndHeaders(statusline, _text_headers(headers), protocol=protocol), length_changed


def _common_response_fields(exchange: CapturedExchange, record_id: str) -> dict[str, str]:
    fields = {"WARC-Record-ID": record_id, "WARC-Date": warc_date(exchange.fetched_at)}
    if exchange.ip_address:
        fields["WARC-IP-Address"] = exchange.ip_address
    return fields


def build_response_record(
    builder: RecordBuilder, exchange: CapturedExchange, record_id: str, digest: str
) -> BuiltRecord:
    http_headers, length_changed = _response_http_headers(exchange)
    warc_headers = _common_response_fields(exchange, record_id)
    warc_headers["WARC-Payload-Digest"] = digest
    truncated = exchange.truncated
    if length_changed and not truncated:
        truncated = "disconnect"
    if truncated:
        warc_headers["WARC-Truncated"] = truncated
    record = builder.create_warc_record(
        exchange.url,
        "response",
        payload=BytesIO(exchange.body),
        length=len(exchange.body),
        warc_headers_dict=warc_headers,
        http_headers=http_headers,
    )
    return BuiltRecord(
        record, record_id, "response", digest, {"truncated": truncated}
    )


def build_revisit_record(
    builder: RecordBuilder,
    exchange: CapturedExchange,
    record_id: str,
    *,
    profile: str,
    digest: str | None,
    refers_to: Mapping[str, str] | None,
) -> BuiltRecord:
    """A headers-only ``revisit`` record pointing at an original response."""
    http_headers, _ = _response_http_headers(exchange)
    warc_headers = _common_response_fields(exchange, record_id)
    warc_headers["WARC-Profile"] = profile
    if digest:
        warc_headers["WARC-Payload-Digest"] = digest
    if refers_to:
        if refers_to.get("record_id"):
            warc_headers["WARC-Refers-To"] = refers_to["record_id"]
        warc_headers["WARC-Refers-To-Target-URI"] = refers_to["url"]
        warc_headers["WARC-Refers-To-Date"] = refers_to["date"]
    record = builder.create_warc_record(
        exchange.url,
        "revisit",
        payload=None,
        warc_headers_dict=warc_headers,
        http_headers=http_headers,
    )
    return BuiltRecord(record, record_id, "revisit", digest)


def build_fetch_error_record(
    builder: RecordBuilder,
    exchange: CapturedExchange,
    record_id: str,
    *,
    concurrent_to: str,
    error: str,
) -> BuiltRecord:
    """A ``metadata`` record saying why a sent request got no archivable response."""
    body = f"fetch-error: {' '.join(error.split())}\r\n".encode("utf-8")
    record = builder.create_warc_record(
        exchange.url,
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": record_id,
            "WARC-Date": warc_date(exchange.fetched_at),
            "WARC-Concurrent-To": concurrent_to,
        },
    )
    return BuiltRecord(record, record_id, "metadata")


def build_warcinfo_record(
    builder: RecordBuilder, filename: str, info: Mapping[str, str]
) -> BuiltRecord:
    record = builder.create_warcinfo_record(filename, dict(info))
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    return BuiltRecord(record, record_id, "warcinfo")
