"""Turning captured exchanges into records in WARC files, on a writer thread.

:class:`ExchangeArchiver` holds the crawl's archiving state (which payloads
are already archived, for revisit records) and is used from one thread only.
:class:`ThreadedArchiver` runs it on a single worker thread so compression,
digests and disk writes stay off Scrapy's reactor thread; each submitted
exchange yields a ``concurrent.futures.Future`` of its WARC pointer.
"""

from __future__ import annotations

import concurrent.futures
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from warcio.recordbuilder import RecordBuilder

from crawler.warc.lookup import ArchiveLookup
from crawler.warc.records import (
    WARC_VERSION,
    IDENTICAL_PAYLOAD_PROFILE,
    SERVER_NOT_MODIFIED_PROFILE,
    BuiltRecord,
    CapturedExchange,
    build_fetch_error_record,
    build_request_record,
    build_response_record,
    build_revisit_record,
    new_record_id,
    payload_digest,
    warc_date,
)
from crawler.warc.writer import WarcFileWriter, WarcWriteError

logger = logging.getLogger(__name__)

WarcPointer = dict[str, Any]


_DECODE_STEP = 1 << 20


def _decoded_chunks(data: bytes, coding: str) -> Iterator[bytes]:
    """Decode ``data`` in bounded steps; raises ValueError when it cannot."""
    if coding == "br":
        import brotli

        decoder = brotli.Decompressor()
        try:
            yield decoder.process(data, output_buffer_limit=_DECODE_STEP)
            while not decoder.is_finished() and not decoder.can_accept_more_data():
                yield decoder.process(b"", output_buffer_limit=_DECODE_STEP)
        except brotli.error as exc:
            raise ValueError(str(exc)) from exc
        return
    if coding in ("gzip", "x-gzip"):
        attempts = [zlib.MAX_WBITS | 32]
    elif coding == "deflate":
        attempts = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped or raw, both are seen
    else:
        raise ValueError(f"unknown coding {coding!r}")
    for number, wbits in enumerate(attempts):
        decoder = zlib.decompressobj(wbits)
        pending = data
        try:
            while pending:
                out = decoder.decompress(pending, _DECODE_STEP)
                pending = decoder.unconsumed_tail
                yield out
                if decoder.eof:
                    # gzip allows concatenated members (bombs like them); decode them all
                    pending = decoder.unused_data
                    if not pending or coding == "deflate":
                        return
                    decoder = zlib.decompressobj(wbits)
            return
        except zlib.error as exc:
            if number == len(attempts) - 1:
                raise ValueError(str(exc)) from exc


def decoded_size_exceeds(body: bytes, codings: list[str], limit: int) -> bool | None:
    """Whether decoding ``body`` through ``codings`` yields more than ``limit`` bytes.

    Decodes in 1 MiB steps and stops past ``limit``, so a decompression bomb
    costs bounded time and memory. None when a coding is unknown or the
    payload is corrupt.
    """
    codings = [c for c in codings if c not in ("identity", "")]
    if not codings:
        return len(body) > limit
    try:
        if len(codings) == 1:
            size = 0
            for chunk in _decoded_chunks(body, codings[0]):
                size += len(chunk)
                if size > limit:
                    return True
            return False
        # Stacked codings are rare: decode the outer ones whole (each bounded by limit).
        data = body
        for coding in reversed(codings):
            out = bytearray()
            for chunk in _decoded_chunks(data, coding):
                out += chunk
                if len(out) > limit:
                    return True
            data = bytes(out)
        return False
    except ValueError:
        return None


class ExchangeArchiver:
    """Writes exchanges as request + response (or revisit) records; one thread only."""

    def __init__(self, writer: WarcFileWriter, lookup: ArchiveLookup | None = None) -> None:
        self.writer = writer
        self.lookup = lookup
        self.builder = RecordBuilder(warc_version=WARC_VERSION)
        self.counts: Counter[str] = Counter()
        # Original response records only: a revisit never refers to a revisit.
        self._originals_by_digest: dict[str, dict[str, str]] = {}
        self._originals_by_url: dict[str, dict[str, str]] = {}

    def _write(self, url: str, records: list[BuiltRecord]) -> tuple[str, list[int]]:
        try:
            name, offsets = self.writer.write(records)
        except WarcWriteError as exc:
            self.counts["warc/write_errors"] += 1
            logger.error("WARC write failed for <%s>: %s", url, exc)
            raise
        except Exception as exc:
            self.counts["warc/write_errors"] += 1
            logger.exception("WARC write failed for <%s>", url)
            raise WarcWriteError(str(exc)) from exc
        self.counts["warc/records"] += len(records)
        for built in records:
            self.counts[f"warc/records/{built.record_type}"] += 1
        return name, offsets

    def _check_payload(self, exchange: CapturedExchange) -> None:
        codings = exchange.content_encoding
        if codings and exchange.download_maxsize:
            if decoded_size_exceeds(exchange.body, codings, exchange.download_maxsize):
                self.counts["warc/decompression_bombs"] += 1
                logger.warning(
                    "Archived a %s payload of %d bytes from <%s> that decodes to more than "
                    "DOWNLOAD_MAXSIZE (%d bytes): a decompression bomb",
                    "+".join(codings), len(exchange.body), exchange.url, exchange.download_maxsize,
                )

    def archive(self, exchange: CapturedExchange) -> WarcPointer:
        """Write one exchange; return the pointer to its response (or revisit) record."""
        response_id = new_record_id()
        request = build_request_record(self.builder, exchange, concurrent_to=response_id)
        date = warc_date(exchange.fetched_at)
        if exchange.status == 304 and exchange.is_conditional:
            original = self._originals_by_url.get(exchange.url)
            if original is None and self.lookup is not None:
                # the original was archived by an earlier run
                original = self.lookup.latest_original(exchange.url)
            if original is None:
                self.counts["warc/revisits/original_not_found"] += 1
                logger.warning("No archived original for the 304 from <%s>", exchange.url)
            digest = original["digest"] if original else None
            response = build_revisit_record(
                self.builder, exchange, response_id,
                profile=SERVER_NOT_MODIFIED_PROFILE, digest=digest, refers_to=original,
            )
            kind = "warc/revisits/server_not_modified"
        else:
            digest = payload_digest(exchange.body)
            original = self._originals_by_digest.get(digest) if exchange.body else None
            if original is not None:
                response = build_revisit_record(
                    self.builder, exchange, response_id,
                    profile=IDENTICAL_PAYLOAD_PROFILE, digest=digest, refers_to=original,
                )
                kind = "warc/revisits/identical_payload"
            else:
                self._check_payload(exchange)
                response = build_response_record(self.builder, exchange, response_id, digest)
                kind = ""
                if response.extra.get("truncated"):
                    self.counts["warc/truncated"] += 1
                    logger.warning(
                        "Archived a cut-short response from <%s> (%d bytes received), marked "
                        "WARC-Truncated", exchange.url, len(exchange.body),
                    )
        name, offsets = self._write(exchange.url, [request, response])
        if kind:
            self.counts["warc/revisits"] += 1
            self.counts[kind] += 1
        else:
            facts = {"record_id": response_id, "url": exchange.url, "date": date, "digest": digest}
            if exchange.body:
                self._originals_by_digest.setdefault(digest, facts)
            if 200 <= exchange.status < 300:
                self._originals_by_url[exchange.url] = facts
        self.counts["warc/exchanges"] += 1
        self.counts["warc/payload_bytes"] += len(exchange.body)
        return {
            "file": name,
            "offset": offsets[1],
            "record_id": response_id,
            "payload_digest": digest,
        }

    def archive_fetch_error(
        self, exchange: CapturedExchange, error: str
    ) -> None:
        """A request that got no response: its request record plus a note why."""
        note_id = new_record_id()
        request = build_request_record(self.builder, exchange, concurrent_to=note_id)
        note = build_fetch_error_record(
            self.builder, exchange, note_id, concurrent_to=request.record_id, error=error
        )
        self._write(exchange.url, [request, note])

    def close(self) -> list[Path]:
        self.writer.close()
        return list(self.writer.closed_files)


class _InlineExecutor(concurrent.futures.Executor):
    """Runs each task at once in the caller's thread (``WARC_WRITER_THREAD = False``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


class ThreadedArchiver:
    """Runs an :class:`ExchangeArchiver` on one worker thread, in submission order.

    With ``threaded=False`` every task runs inline instead, in the caller's
    thread; the benchmark uses that to show what the writer thread saves.
    """

    def __init__(self, archiver: ExchangeArchiver, threaded: bool = True) -> None:
        self.archiver = archiver
        self._executor: concurrent.futures.Executor = (
            concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
            if threaded
            else _InlineExecutor()
        )

    def submit(self, function: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        return self._executor.submit(function, *args)

    def archive(self, exchange: CapturedExchange) -> concurrent.futures.Future[WarcPointer]:
        return self.submit(self.archiver.archive, exchange)

    def archive_fetch_error(self, exchange: CapturedExchange, error: str) -> concurrent.futures.Future[None]:
        return self.submit(self.archiver.archive_fetch_error, exchange, error)

    def close(self) -> concurrent.futures.Future[list[Path]]:
        future = self.submit(self.archiver.close)
        self._executor.shutdown(wait=False)
        return future
