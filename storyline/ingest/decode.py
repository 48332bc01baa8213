"""Ingest stage: turn bytes into text, detecting encoding and refusing binary data.

Bytes that are not UTF-8 are read as Windows-1252 (the web's legacy default) unless another code
page reads them plainly better: every candidate decoding is scored by ``implausibility`` and a
detector's guess is kept only when it reads better than cp1252, so English curly quotes never turn
into "countryÆs" while Russian in cp1251 stays Russian (issue 21). A file of UTF-8 with some
Windows-1252 bytes among it is read part by part.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple

from charset_normalizer import from_bytes

from storyline.errors import BinaryInputError, EmptyInputError, TooLargeError
from storyline.ingest.plausible import implausibility, written_in_words

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


# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Codecs whose labels browsers read as Windows-1252 (WHATWG Encoding Standard).
_READ_AS_CP1252 = frozenset({"ascii", "iso8859-1", "cp1252"})
# The five bytes Windows-1252 leaves undefined become C1 controls, as browsers read them.
_CP1252_UNDEFINED = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_CP1252_GAPS = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# The Western code pages tried first, in order of preference: cp1252, then Latin-9 (for "€" at
# 0xA4); Latin-1 is cp1252 less its punctuation and adds nothing.
_LATIN9 = "iso-8859-15"
_WESTERN = ("cp1252", _LATIN9)
# One well-formed UTF-8 sequence of two to four bytes (RFC 3629).
_UTF8_MULTIBYTE = (
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_UTF8_RUN = re.compile(rb"(?:[\x00-\x7f]|" + _UTF8_MULTIBYTE + rb")+")
_HAS_UTF8_MULTIBYTE = re.compile(_UTF8_MULTIBYTE)
_HIGH_BYTES = bytes(range(0x80, 0x100))
_DETECTOR_GUESSES = 3  # the detector's best few encodings are scored against cp1252
_DETECT_BYTES = 2_000_000


def decode_bytes(
    data: bytes, name: str, declared: str | None = None
) -> tuple[str, str, str | None]:
    """Decode ``data`` to text; return ``(text, encoding, note)`` where note explains any repair.

    A byte-order mark decides first, then the ``declared`` encoding (Latin-1 and ASCII labels
    read as Windows-1252, as browsers do; a declaration that UTF-8 bytes contradict is
    overruled), then UTF-8; other bytes go to ``_decode_legacy``.

    Raises EmptyInputError for empty input and BinaryInputError for data that is not text.
    """
    if not data.strip():
        raise EmptyInputError(f"{name}: the input is empty; nothing to ingest")
    if looks_binary(data):
        raise BinaryInputError(
            f"{name}: binary data, not text or HTML; pass text, HTML, JSONL, WARC or a feed"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace").lstrip("\ufeff")
            label = encoding.removesuffix("-sig")
            bad = "\ufffd" in text
            return text, label, f"bad {label} bytes replaced with U+FFFD" if bad else None
    if declared:
        decoded = _decode_declared(data, declared)
        if decoded is not None:
            return decoded
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _decode_declared(data: bytes, declared: str) -> tuple[str, str, str | None] | None:
    """``data`` read as the encoding a page or server declares; None when it cannot be."""
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        return None
    label = declared.strip().lower()
    encoding, note = label, None
    if codec in _READ_AS_CP1252:
        text = _read(data, "cp1252")
        if codec != "cp1252" and re.search(rb"[\x80-\x9f]", data):
            note = f"declared {label}; bytes 0x80-0x9F read as cp1252, as browsers do"
            encoding = "cp1252"
        elif codec == "ascii" and not data.isascii():
            note, encoding = f"declared {label}; bytes above 0x7F read as cp1252", "cp1252"
    else:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            return None
    if codec != "utf-8" and not data.isascii():
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if implausibility(utf8) < implausibility(text):
                return utf8, "utf-8", f"declared {label}, but the bytes are UTF-8; read as utf-8"
    return text.lstrip("\ufeff"), encoding, note


class Reading(NamedTuple):
    """One candidate decoding: the text, the encoding's name and the note saying what was done."""

    text: str
    encoding: str
    note: str | None


def _read(data: bytes, encoding: str) -> str:
    """``data`` in one legacy encoding, undefined bytes as browsers show them."""
    if encoding == "cp1252":
        text = data.decode("cp1252", errors="surrogateescape")
        return text.translate(_CP1252_UNDEFINED) if _CP1252_GAPS.search(data) else text
    return data.decode(encoding, errors="replace")


def _read_mixed(data: bytes, encoding: str) -> str:
    """``data`` line by line: a line of well-formed UTF-8 as UTF-8, any other in ``encoding``,
    byte by byte where UTF-8 sequences make up most of its high bytes ("Café – menu" with the
    "é" in UTF-8 and the dash in cp1252)."""
    parts = []
    for line in data.splitlines(keepends=True):
        try:
            parts.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        sequences = _HAS_UTF8_MULTIBYTE.findall(line)
        high = len(line) - len(line.translate(None, _HIGH_BYTES))
        if 2 * sum(map(len, sequences)) < high:
            parts.append(_read(line, encoding))
            continue
        end = 0
        for run in _UTF8_RUN.finditer(line):
            if run.start() > end:
                parts.append(_read(line[end : run.start()], encoding))
            parts.append(run.group().decode("utf-8"))
            end = run.end()
        if end < len(line):
            parts.append(_read(line[end:], encoding))
    return "".join(parts)


@cache
def _single_byte(encoding: str) -> bool:
    """Whether every byte of ``encoding`` is one character on its own (cp1251 yes, cp932 no)."""
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _readings(data: bytes, encoding: str, mixed: bool, why: str) -> Iterator[Reading]:
    """``data`` read in ``encoding`` and, when it also holds UTF-8 sequences, read mixed."""
    yield Reading(_read(data, encoding), encoding, f"not valid UTF-8; decoded as {encoding}{why}")
    if mixed and encoding != _LATIN9 and _single_byte(encoding):
        label = f"utf-8+{encoding}"
        note = f"UTF-8 mixed with other bytes; decoded as {label}: each part in its own encoding"
        yield Reading(_read_mixed(data, encoding), label, note)


def _better(best: tuple[int, Reading] | None, reading: Reading) -> tuple[int, Reading]:
    """The better scored of ``best`` and ``reading``; ``best`` on a tie (it came first)."""
    score = implausibility(reading.text)
    return (score, reading) if best is None or score < best[0] else best


def _decode_legacy(data: bytes) -> Reading:
    """Decode bytes that are not UTF-8 as the candidate that reads most plausibly: the Western
    code pages first, a detector's guesses only when those read oddly, and U+FFFD for bad bytes
    as the last resort; a later candidate must score strictly better, so the Western code pages
    win ties. Only the best reading so far is kept (an article may be 10 MB)."""
    mixed = _HAS_UTF8_MULTIBYTE.search(data) is not None
    best: tuple[int, Reading] | None = None
    for encoding in _WESTERN:
        for reading in _readings(data, encoding, mixed, ""):
            best = _better(best, reading)
    assert best is not None
    if best[0] == 0:
        return best[1]
    tried = {codecs.lookup(encoding).name for encoding in (*_WESTERN, "utf-8")}
    for match in list(from_bytes(data[:_DETECT_BYTES]))[:_DETECTOR_GUESSES]:
        try:
            codec = codecs.lookup(match.encoding).name
        except LookupError:
            continue
        if codec in tried:
            continue
        tried.add(codec)
        for reading in _readings(data, match.encoding, mixed, " (detected; reads best)"):
            if written_in_words(reading.text):  # a script scattered in single letters is noise
                best = _better(best, reading)
    replaced = Reading(
        data.decode("utf-8", errors="replace"),
        "utf-8",
        "not valid UTF-8 and no encoding reads it cleanly; bad bytes replaced with U+FFFD",
    )
    return _better(best, replaced)[1]
