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
    """Decompress gzip data (a ``.gz`` file or gzip magic), refusing output beyond ``limit``."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit + 1)
    except zlib.error as exc:
        raise BinaryInputError(f"{name}: gzip data is corrupt ({exc}); re-download it") from exc
    if len(out) > limit:
        raise TooLargeError(
            f"{name}: decompresses to more than {limit:,} bytes, the limit for one article; "
            "raise STORYLINE_MAX_ARTICLE_BYTES if this is really one article"
        )
    return out


def looks_binary(data: bytes) -> bool:
    """True when the bytes are evidently not text: a binary signature or many control bytes."""
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
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
    best = from_bytes(data[:2_000_000]).best()
    if best is not None and best.encoding:
        text = data.decode(best.encoding, errors="replace")
        return text, best.encoding, f"not valid UTF-8; decoded as {best.encoding} (detected)"
    text = data.decode("utf-8", errors="replace")
    return text, "utf-8", "not valid UTF-8 and no encoding detected; bad bytes replaced with U+FFFD"
