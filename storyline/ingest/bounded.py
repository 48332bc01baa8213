"""Ingest: bounded reading, so that no input file, whatever its size or compression, makes a
reader hold more than about one record of it.

A compressed file is read through ``Inflated``, which stops when the output passes the setting
``max_decompressed_bytes`` or grows more than ``max_compression_ratio`` times the compressed
bytes read (a decompression bomb). Lines are read with a length bound: the rest of an over-long
line is skipped without being kept. ``BadRun`` gives a file up after ``max_bad_run`` records in
a row that could not be read, or as many bytes without one article, so that a file which is not
what its name says is not read to its end one failure at a time.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storyline.config import Settings
from storyline.errors import ParseError, TooLargeError
from storyline.safe_text import quote

GZIP_MAGIC = b"\x1f\x8b"
# The ratio is judged only past this much output: headers and padding make small files
# expand oddly, and a bomb must pass it to do harm anyway.
RATIO_FLOOR = 16 * 1024 * 1024
# Bytes without an article after which a file is given up (at least four articles' worth):
# blank padding, NUL bytes or one endless line are not a JSONL or WARC file.
BAD_RUN_FLOOR = 64 * 1024 * 1024
SKIP_CHUNK = 1024 * 1024  # an over-long line is skipped this many bytes at a time
READ_BUFFER = 256 * 1024


def check_expansion(name: str, produced: int, consumed: int, settings: Settings) -> None:
    """Raise TooLargeError when ``produced`` decompressed bytes from ``consumed`` compressed
    ones pass the settings' bounds."""
    limit = settings.max_decompressed_bytes
    if produced > limit:
        raise TooLargeError(
            f"{name}: decompresses to more than {limit:,} bytes (setting max_decompressed_bytes); "
            "what came before was read; split the file or raise STORYLINE_MAX_DECOMPRESSED_BYTES"
        )
    ratio = settings.max_compression_ratio
    if produced > RATIO_FLOOR and produced > ratio * max(consumed, 1):
        raise TooLargeError(
            f"{name}: expands more than {ratio:g} times its compressed size, a decompression "
            "bomb rather than text; what came before was read; raise "
            "STORYLINE_MAX_COMPRESSION_RATIO if the file is genuine"
        )


class Inflated(io.RawIOBase):
    """The decompressed bytes of a gzip file (every member), within the settings' bounds; a
    corrupt or truncated stream raises ParseError."""

    def __init__(self, raw: BinaryIO, name: str, settings: Settings) -> None:
        super().__init__()
        self._raw = raw
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._name = name
        self._settings = settings
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        # Up to the bound, the bytes are given: the lines before it are read, the rest not.
        room = self._settings.max_decompressed_bytes - self.produced
        try:
            # one read1 at a time, so that the lines before damage are given; at the bound, one
            # byte more says whether there is more (check_expansion raises if so)
            data = self._gzip.read1(min(len(buffer), room) if room > 0 else 1)
        except (EOFError, OSError, zlib.error) as exc:
            raise ParseError(
                f"{self._name}: gzip data is truncated or corrupt ({quote(exc)}); what came "
                "before the damage was read; re-download the file"
            ) from exc
        self.produced += len(data)
        check_expansion(self._name, self.produced, self._raw.tell(), self._settings)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._gzip.close()
            self._raw.close()
        finally:
            super().close()


def open_input(path: Path, settings: Settings) -> io.BufferedReader:
    """Open ``path`` for bounded reading, decompressing it when it is gzip (by its content)."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    if not gzipped:
        return open(path, "rb", buffering=READ_BUFFER)  # the caller closes it
    return io.BufferedReader(Inflated(path.open("rb"), str(path), settings), READ_BUFFER)


def skip_blank(handle: io.BufferedReader, budget: int) -> tuple[int, int]:
    """Skip whitespace at the read position in bulk, about ``budget`` bytes at most; return
    (bytes skipped, newlines among them). A file of nothing but newlines is passed at the speed
    of memory, not line by line."""
    skipped = newlines = 0
    while skipped < budget:
        ahead = handle.peek(SKIP_CHUNK)[:SKIP_CHUNK]
        blank = len(ahead) - len(ahead.lstrip())
        if not blank:
            return skipped, newlines
        newlines += ahead.count(b"\n", 0, blank)
        skipped += len(handle.read(blank))
    return skipped, newlines


def skip_line(handle: io.BufferedReader, budget: int) -> tuple[int, bool]:
    """Skip the rest of a line, at most ``budget`` bytes, keeping none of it; return (bytes
    skipped, whether the line's end was reached)."""
    skipped = 0
    while skipped < budget:
        chunk = handle.readline(min(SKIP_CHUNK, budget - skipped))
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped, True
    return skipped, False


@dataclass(slots=True)
class BadRun:
    """Records in a row that gave no article (and their bytes), to give a file up when there
    are too many: ``over`` says when."""

    max_records: int
    max_bytes: int
    records: int = 0
    bytes: int = 0

    @classmethod
    def of(cls, settings: Settings) -> BadRun:
        return cls(settings.max_bad_run, max(BAD_RUN_FLOOR, 4 * settings.max_article_bytes))

    def good(self) -> None:
        self.records = self.bytes = 0

    def bad(self, size: int) -> None:
        self.records += 1
        self.bytes += size

    def blank(self, size: int) -> None:
        self.bytes += size

    @property
    def bytes_left(self) -> int:
        return max(0, self.max_bytes - self.bytes)

    @property
    def over(self) -> bool:
        return self.records >= self.max_records or self.bytes >= self.max_bytes

    def reason(self, what: str) -> str:
        """Why the file was given up: ``what`` names its records ("lines", "WARC records")."""
        if self.records >= self.max_records:
            found = f"{self.records:,} {what} in a row gave no article"
            fix = "raise STORYLINE_MAX_BAD_RUN if the rest is worth reading"
        else:
            found = f"{self.bytes:,} bytes in a row held no readable article"
            fix = "check that the file is what its name says"
        return f"{found}; the rest of the file was skipped: {fix}"
