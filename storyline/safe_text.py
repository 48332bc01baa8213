"""Text safety: strings that any database and terminal accept, and failure lines that stay short.

Python strings may hold lone surrogates (U+D800-U+DFFF): JSON escapes ("\\ud800"), character
references in feeds ("&#xD800;") and undecodable file names produce them. UTF-8 cannot encode
them, so one such string fails a database insert or a print far from the input that caused it.
"""

from __future__ import annotations

QUOTE_CHARS = 200  # input quoted in a message is cut to this many characters
LINE_CHARS = 600  # a failure line is cut to this many characters, whatever it holds

# control characters left after whitespace is collapsed (an ESC would reach the terminal)
_CONTROLS = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029], "\ufffd")


def valid_unicode(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (a split pair is joined again)."""
    if text.isascii():  # O(1) in CPython: the common case costs nothing
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # UTF-16 with surrogatepass round-trips valid pairs and turns each lone half into one
        # U+FFFD, where UTF-8 would give three replacement characters per surrogate.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def valid_or_none(text: str | None) -> str | None:
    """``valid_unicode`` for optional strings."""
    return None if text is None else valid_unicode(text)


def one_line(text: str, limit: int = LINE_CHARS) -> str:
    """``text`` as a single line of valid Unicode, whitespace runs made one space, at most
    ``limit`` characters long."""
    return _cut(" ".join(valid_unicode(text[: limit * 4]).split()).translate(_CONTROLS), limit)


def name_line(name: str, limit: int = LINE_CHARS) -> str:
    """A name (a path, a URL) kept as it is but for line breaks and other control characters,
    which become U+FFFD, and its length, cut to ``limit``."""
    return _cut(valid_unicode(name[: limit * 4]).translate(_CONTROLS), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """Input (or an error message that repeats input) fit to quote in a one-line message."""
    text = repr(value[: limit * 4]) if isinstance(value, bytes) else str(value)
    return one_line(text, limit)
