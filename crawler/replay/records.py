"""Reading archived exchanges back: one record at its offset, revisits resolved.

What a replay hands Scrapy must be what the download handler handed it in
the live crawl: the status, every header as received (``Content-Encoding``
included, so HttpCompressionMiddleware decodes as it did live) and the body
as received. warcio reads the record and its HTTP headers; each header line
is read as ISO-8859-1, one character per byte, so values in GBK or other
non-ASCII bytes come back unchanged. Records written by other tools may keep
a chunked body with its ``Transfer-Encoding`` header; Twisted removes the
chunking before Scrapy sees a body, so warcio's de-chunking reader undoes it
here too.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException, ChunkedDataReader
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException
from warcio.timeutils import iso_date_to_timestamp

from crawler.replay.index import ArchiveIndex, FileReport, IndexEntry
from crawler.replay.inputs import NotAWarcError, WarcInput, inspect_input

logger = logging.getLogger(__name__)

Header = tuple[bytes, bytes]
NOT_MODIFIED_PROFILE_SUFFIX = "/revisit/server-not-modified"
_OPEN_FILES = 16


class ArchiveReadError(Exception):
    """A record could not be read back (damaged or cut short)."""


class UnresolvedRevisit(ArchiveReadError):
    """A revisit record whose original response is not in the archive."""


@dataclass
class ArchivedRecord:
    """One response or revisit record, its HTTP block split into parts."""

    record_type: str
    url: str
    date: str
    record_id: str
    payload_digest: str
    profile: str
    refers_to_uri: str
    refers_to_date: str
    protocol: str
    status: int
    headers: list[Header] = field(default_factory=list)
    body: bytes = b""
    has_http: bool = True

    @property
    def not_modified(self) -> bool:
        return self.profile.endswith(NOT_MODIFIED_PROFILE_SUFFIX) or (
            self.record_type == "revisit" and self.status == 304
        )


@dataclass
class ReplayedExchange:
    """What a replay serves for one request: the response plus where it came from."""

    url: str
    status: int
    protocol: str
    headers: list[Header]
    body: bytes
    date: str  # WARC-Date of the record answering the request
    pointer: dict[str, Any]
    kind: str  # "response", "revisit/identical", "revisit/not_modified"
    entry: IndexEntry


def header_value(headers: Sequence[Header], name: bytes) -> bytes | None:
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class _ByteHeaderParser(StatusAndHeadersParser):
    """warcio's HTTP header parser, keeping every header byte.

    warcio reads a line as UTF-8 when it can and as ISO-8859-1 otherwise, so a
    value cannot always be turned back into the bytes received, and its
    stripping would take a trailing NBSP (0xA0) byte of a GBK character for
    whitespace. Read as ASCII with non-ASCII bytes escaped (RFC 9110: field
    values are opaque octets), only ASCII whitespace is stripped and
    :func:`_raw` gives the bytes back exactly.
    """

    @staticmethod
    def decode_header(line: bytes | str) -> str:
        return line.decode("ascii", "surrogateescape") if isinstance(line, bytes) else line


def _raw(text: str) -> bytes:
    return text.encode("ascii", "surrogateescape")


_HTTP_PARSER = _ByteHeaderParser(["HTTP/"], verify=False)


def read_http_head(stream: IO[bytes]) -> tuple[str, int, list[Header]]:
    """Protocol, status and headers (in order, repeated ones kept) of the HTTP response at ``stream``."""
    try:
        head = _HTTP_PARSER.parse(stream)
    except (EOFError, StatusAndHeadersParserException) as exc:
        raise ArchiveReadError(f"not an HTTP response: {exc}") from exc
    if not head.protocol.upper().startswith("HTTP/"):
        raise ArchiveReadError(f"not an HTTP response: {_raw(head.protocol)[:60]!r}")
    try:
        status = int(head.get_statuscode())
    except ValueError as exc:
        raise ArchiveReadError(f"bad status line: {_raw(head.protocol + ' ' + head.statusline)[:60]!r}") from exc
    headers = [(_raw(name), _raw(value)) for name, value in head.headers if name]
    return _raw(head.protocol).decode("latin-1"), status, headers


def as_received(headers: list[Header], body: bytes) -> tuple[list[Header], bytes]:
    """Headers and body as Twisted hands them to Scrapy: chunked framing removed."""
    encoding = header_value(headers, b"transfer-encoding")
    if encoding is None or b"chunked" not in encoding.lower():
        return headers, body
    try:
        body = ChunkedDataReader(io.BytesIO(body), raise_exceptions=True).read()
    except ChunkedDataException:
        return headers, body  # not validly chunked: keep what is there, the framing was already gone
    return [(k, v) for k, v in headers if k.lower() != b"transfer-encoding"], body


def payload_digest(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class RecordReader:
    """Reads records at their offsets, keeping a few files open."""

    def __init__(self) -> None:
        self._handles: OrderedDict[Path, IO[bytes]] = OrderedDict()

    def _handle(self, path: Path) -> IO[bytes]:
        handle = self._handles.pop(path, None)
        if handle is None:
            handle = open(path, "rb")
            while len(self._handles) >= _OPEN_FILES:
                _, oldest = self._handles.popitem(last=False)
                oldest.close()
        self._handles[path] = handle
        return handle

    def read(self, entry: IndexEntry) -> ArchivedRecord:
        handle = self._handle(entry.path)
        try:
            handle.seek(entry.offset)
            record = next(iter(ArchiveIterator(handle, no_record_parse=True)))
            headers = record.rec_headers
            declared = int(headers.get_header("Content-Length") or 0)
            block = record.raw_stream.read()
        except Exception as exc:
            raise ArchiveReadError(f"{entry.path.name} at {entry.offset}: {type(exc).__name__}: {exc}") from exc
        if len(block) < declared:
            raise ArchiveReadError(f"{entry.path.name} at {entry.offset}: record cut short ({len(block)} of {declared} bytes)")
        has_http = bool(block.strip())
        protocol, status, http_headers, body = "HTTP/1.1", 0, [], b""
        if has_http:
            stream = io.BytesIO(block)
            protocol, status, http_headers = read_http_head(stream)
            body = stream.read()
        return ArchivedRecord(
            record_type=record.rec_type,
            url=(headers.get_header("WARC-Target-URI") or "").strip("<>"),
            date=headers.get_header("WARC-Date") or "",
            record_id=headers.get_header("WARC-Record-ID") or "",
            payload_digest=headers.get_header("WARC-Payload-Digest") or "",
            profile=headers.get_header("WARC-Profile") or "",
            refers_to_uri=(headers.get_header("WARC-Refers-To-Target-URI") or "").strip("<>"),
            refers_to_date=headers.get_header("WARC-Refers-To-Date") or "",
            protocol=protocol,
            status=status,
            headers=http_headers,
            body=body,
            has_http=has_http,
        )

    def close(self) -> None:
        while self._handles:
            _, handle = self._handles.popitem()
            handle.close()


class ReplayArchive:
    """Answers requests from a set of WARC files: each request gets the next capture of its URL.

    Captures of one URL are served in the order they were made, so a page
    that answered 503 and then 200 live does so again for the retry. When a
    URL is requested more often than it was captured, its last capture is
    served again. ``lookup_files`` are other archives searched only for the
    originals of revisit records (an earlier run's response, say), most
    likely first: they are indexed one at a time, only as far as needed.
    """

    def __init__(self, files: Sequence[WarcInput], lookup_files: Sequence[WarcInput | Path] = ()) -> None:
        self.index = ArchiveIndex()
        for rank, source in enumerate(files):
            self.index.add_file(source, rank)
        served = {source.path.resolve() for source in files}
        self._lookup_pending = [
            source for source in lookup_files
            if (source.path if isinstance(source, WarcInput) else Path(source)).resolve() not in served
        ]
        self._lookup_index = ArchiveIndex()
        self._served: dict[str, int] = {}
        self.reader = RecordReader()

    @property
    def reports(self) -> list[FileReport]:
        return self.index.reports

    def next_capture(self, url: str) -> IndexEntry | None:
        entry = self.peek(url)
        if entry is not None:
            self._served[url] = self._served.get(url, 0) + 1
        return entry

    def peek(self, url: str) -> IndexEntry | None:
        """The capture a request for ``url`` would be answered from next (nothing is served)."""
        captures = self.index.captures(url)
        if not captures:
            return None
        return captures[min(self._served.get(url, 0), len(captures) - 1)]

    def serve(self, url: str) -> ReplayedExchange | None:
        """The archived answer to a request for ``url``; None when the archive has none."""
        entry = self.next_capture(url)
        if entry is None:
            return None
        record = self.reader.read(entry)
        pointer = {
            "file": entry.path.name,
            "offset": entry.offset,
            "record_id": record.record_id,
            "payload_digest": record.payload_digest or payload_digest(record.body),
        }
        if record.record_type != "revisit":
            headers, body = as_received(record.headers, record.body)
            return ReplayedExchange(url, record.status, record.protocol, headers, body, record.date, pointer, "response", entry)
        original = self._original_of(record, entry)
        if record.not_modified:
            # The server said "not modified": the page is the earlier response, as it was then.
            headers, body = as_received(original.headers, original.body)
            return ReplayedExchange(url, original.status, original.protocol, headers, body, record.date, pointer,
                                    "revisit/not_modified", entry)
        source = record if record.has_http else original
        headers, body = as_received(source.headers, original.body)
        return ReplayedExchange(url, source.status, source.protocol, headers, body, record.date, pointer,
                                "revisit/identical", entry)

    def _original_of(self, record: ArchivedRecord, entry: IndexEntry) -> ArchivedRecord:
        for index in (self.index, self._lookup_index):
            found = self._find_original(index, record, entry)
            if found is not None:
                return self.reader.read(found)
        while self._lookup_pending:
            pending = self._lookup_pending.pop(0)
            try:
                source = pending if isinstance(pending, WarcInput) else inspect_input(Path(pending))
            except (NotAWarcError, OSError) as exc:
                logger.warning("Skipping %s while looking for the original of a revisit: %s", pending, exc)
                continue
            self._lookup_index.add_file(source, -len(self._lookup_index.reports) - 1)
            found = self._find_original(self._lookup_index, record, entry)
            if found is not None:
                return self.reader.read(found)
        raise UnresolvedRevisit(
            f"revisit of {record.url} ({record.record_id}) refers to "
            f"{record.refers_to_uri or record.url} at {record.refers_to_date or '?'}, which is not in the archive"
        )

    @staticmethod
    def _find_original(index: ArchiveIndex, record: ArchivedRecord, entry: IndexEntry) -> IndexEntry | None:
        if record.refers_to_uri and record.refers_to_date:
            try:
                found = index.original_at(record.refers_to_uri, iso_date_to_timestamp(record.refers_to_date))
            except Exception:
                found = None
            if found is not None:
                return found
        if record.not_modified:
            return index.latest_ok_before(record.url, entry.order)
        return index.original_by_digest(record.payload_digest or entry.digest)

    def close(self) -> None:
        self.reader.close()
