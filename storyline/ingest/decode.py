"""Ingest stage: turn bytes into text, detecting encoding and refusing binary data."""

from __future__ import annotations

import zlib

from charset_normalizer import from_bytes

from storyline.errors import BinaryInputError, EmptyInputError, TooLargeError

# Control bytes that never occur in text (tab, newline, carriage return and form feed excluded).
_CONTROL = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
)


def maybe_gunzip(data: bytes, name: str, limit: int) -> bytes:
    """Decompress gzip data (every member), refusing corrupt, truncated or oversized output."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    out = bytearray()
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += inflater.decompress(rest, limit + 1 - len(out))
            if len(out) > limit:
                raise TooLargeError(
                    f"{name}: decompresses to more than {limit:,} bytes, the limit for one "
                    "article; raise STORYLINE_MAX_ARTICLE_BYTES if this is really one article"
                )
            if not inflater.eof:
                raise BinaryInputError(f"{name}: gzip data is truncated; re-download the file")
            rest = inflater.unused_data.lstrip(b"\x00")  # a further member, or padding
    except zlib.error as exc:
        raise BinaryInputError(f"{name}: gzip data is corrupt ({exc}); re-download it") from exc
    return bytes(out)


def looks_binary(data: bytes) -> bool:
    """True when the bytes are evidently not text: a binary signature or many control bytes."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte-order mark: NUL bytes are expected
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return True
    control = sum(head.count(bytes([c])) for c in _CONTROL)
    return bool(head) and control / len(head) > 0.05


def decode_bytes(
    data: bytes, name: str, declared: str | None = None
) -> tuple[str, str, str | None]:
    """Decode ``data`` to text; return ``(text, encoding, note)`` where note explains any repair.

    Raises EmptyInputError for empty input and BinaryInputError for data that is not text.
    """
    if not data.strip():
        raise EmptyInputError(f"{name}: the input is empty; nothing to ingest")
    if looks_binary(data):
        raise BinaryInputError(
            f"{name}: binary data, not text or HTML; pass text, HTML, JSONL, WARC or a feed"
        )
    for encoding in filter(None, (declared, "utf-8")):
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding.lower(), None
        except (UnicodeDecodeError, LookupError):
            continue
    matches = from_bytes(data[:2_000_000])
    best = matches.best()
    if best is not None and best.encoding:
        encoding = best.encoding
        # Short Western-European text fits several Latin code pages equally well; cp1252 is
        # the web's legacy default (WHATWG treats latin-1 labels as cp1252), so it wins ties.
        tied = [
            m
            for m in matches
            if m.chaos <= best.chaos + 1e-6 and m.coherence >= best.coherence - 1e-6
        ]
        if any("cp1252" in m.could_be_from_charset for m in tied):
            encoding = "cp1252"
        text = data.decode(encoding, errors="replace")
        return text, encoding, f"not valid UTF-8; decoded as {encoding} (detected)"
    text = data.decode("utf-8", errors="replace")
    return text, "utf-8", "not valid UTF-8 and no encoding detected; bad bytes replaced with U+FFFD"
