"""Ingest: warcio's readers with bounds, so that no WARC archive makes the reader hold more than
about one record, however it is damaged or built.

warcio reads a header line until its newline (a file of NUL bytes is one endless line, joined
quadratically), inflates compressed payloads without an output limit and reads an HTTP chunk
of up to 2 GiB at once. Here header lines and blocks are capped (``MAX_HEADER_BYTES``), the
archive's own gzip is held to the settings' decompression bounds (``bounded.check_expansion``),
and a payload's chunks and inflated size to the article limit. warcio's warnings on stderr
become failures of the record instead.
"""

from __future__ import annotations

import zlib
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader, DecompressingBufferedReader
from warcio.recordloader import ArcWarcRecord
from warcio.utils import BUFF_SIZE

from storyline.config import Settings
from storyline.errors import ParseError, TooLargeError
from storyline.ingest.bounded import check_expansion
from storyline.safe_text import quote

# WARC and HTTP headers of a record are a few KB (servers refuse HTTP headers past 8 to 64 KB);
# past this many bytes of header lines, the data is not a WARC archive.
MAX_HEADER_BYTES = 1024 * 1024
_INFLATE = ("gzip", "deflate")  # payload encodings read (warcio adds "br" only with brotli)


class _ArchiveReader(DecompressingBufferedReader):
    """The archive stream: header lines within a budget the iterator renews for each record,
    and the archive's gzip within the decompression bounds."""

    def __init__(self, stream: BinaryIO, name: str, settings: Settings) -> None:
        super().__init__(stream, block_size=BUFF_SIZE)
        self.name = name
        self.settings = settings
        self.header_budget = MAX_HEADER_BYTES
        self.inflated = 0

    def readline(self, length: int | None = None) -> bytes:
        cap = self.header_budget + 1
        line: bytes = super().readline(cap if length is None else min(length, cap))
        self.header_budget -= len(line)
        if self.header_budget < 0:
            raise ParseError(
                f"{self.name}: a record's header lines run past {MAX_HEADER_BYTES:,} bytes "
                f"(they begin {quote(line[:60])}); the file is not a WARC archive or is damaged"
            )
        return line

    def _decompress(self, data: bytes) -> bytes:
        if not (self.decompressor and data):
            return data
        try:
            out: bytes = self.decompressor.decompress(data)
        except zlib.error as exc:
            if self.num_block_read == 0:  # as warcio: the first block is not gzip, so none is
                self.decompressor = None
                return data
            raise ParseError(
                f"{self.name}: gzip data is corrupt ({quote(exc)}); records before it were read"
            ) from exc
        self.inflated += len(out)
        check_expansion(self.name, self.inflated, self.stream.tell(), self.settings)
        return out


class BoundedArchiveIterator(ArchiveIterator):
    """warcio's ArchiveIterator over a bounded reader; ``misplaced`` counts records that were
    not followed by the blank lines a WARC needs (a wrong Content-Length), which warcio would
    print to stderr."""

    INC_RECORD = ""  # warcio's stderr warning: counted in err_count and reported as a failure

    def __init__(self, handle: BinaryIO, name: str, settings: Settings) -> None:
        super().__init__(handle)
        self.reader = _ArchiveReader(self.fh, name, settings)

    def _next_record(self, next_line: bytes | None) -> ArcWarcRecord:
        self.reader.header_budget = MAX_HEADER_BYTES
        record = super()._next_record(next_line)
        self.reader.header_budget = MAX_HEADER_BYTES  # the payload's chunk lines, blank lines
        return record


def payload_stream(record: ArcWarcRecord, limit: int) -> Any:
    """The record's payload, de-chunked and inflated as its HTTP headers say, as warcio's
    ``content_stream`` gives it, but raising TooLargeError rather than holding more than about
    ``limit`` bytes (a chunk, or an inflated block)."""
    if not record.http_headers:
        return record.raw_stream
    encoding = (record.http_headers.get_header("content-encoding") or "").lower()
    decomp = encoding if encoding in _INFLATE else None
    if record.http_headers.get_header("transfer-encoding") == "chunked":
        return _BoundedChunks(record.raw_stream, limit, decomp_type=decomp)
    if decomp:
        return _BoundedInflate(record.raw_stream, limit, decomp_type=decomp)
    return record.raw_stream


def _inflate_within(reader: Any, data: bytes) -> bytes:
    """warcio's ``_decompress`` for a payload, stopping at the article limit (``reader.limit``)
    instead of inflating a bomb whole."""
    if not (reader.decompressor and data):
        return data
    try:
        out: bytes = reader.decompressor.decompress(data, reader.limit + 1)
    except zlib.error as exc:
        if reader.num_block_read == 0:  # as warcio: not compressed after all, or raw deflate
            if reader.decomp_type == "deflate":
                reader._init_decomp("deflate_alt")
                return _inflate_within(reader, data)
            reader.decompressor = None
            return data
        raise ParseError(f"the compressed payload is corrupt ({quote(exc)})") from exc
    if reader.decompressor.unconsumed_tail:
        raise TooLargeError(f"record inflates to over the {reader.limit:,}-byte article limit")
    return out


class _BoundedInflate(BufferedReader):
    def __init__(self, stream: Any, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(stream, **kwargs)

    def _decompress(self, data: bytes) -> bytes:
        return _inflate_within(self, data)


class _BoundedChunks(ChunkedDataReader):
    def __init__(self, stream: Any, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(stream, **kwargs)

    def _decompress(self, data: bytes) -> bytes:
        return _inflate_within(self, data)

    def _try_decode(self, length_header: bytes) -> None:
        try:
            size = int(length_header[:-2].split(b";")[0], 16)
        except ValueError:
            size = 0  # not a chunk header: warcio reads the rest as it is
        if size > self.limit:
            raise TooLargeError(
                f"record has an HTTP chunk of {size:,} bytes, over the {self.limit:,}-byte "
                "article limit"
            )
        super()._try_decode(length_header)
