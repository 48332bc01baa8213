"""Assign stage: the assigner's state as plain data, for a file that carries nothing else.

A snapshot (`assign.snapshot`) holds the state as JSON values (objects, lists, strings, numbers)
and NumPy arrays of a few numeric dtypes. Each class of the state turns itself into such a tree
(``to_state``) and is built back from one through its constructor (``from_state``) with the
readers here. Each reader checks that a value has the type, dtype and shape it must have and
raises `StateError` otherwise: a damaged or crafted file is refused as a whole, and since the
file holds data only, nothing in it can name a class, run code or set an attribute.

Bulk columns are laid out to be read fast: lists of strings as one UTF-8 text with a separator
(split in C), times as int64 microseconds since 1970 (aware times, as the store gives them; they
come back in UTC), optional ids as int64 with a sentinel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

SEPARATOR = "\x00"  # between the strings of a text column (words and ids never contain it)
NONE = np.iinfo(np.int64).min  # an absent time or id in an int64 column (NumPy's NaT)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# UTF-8 with lone surrogates kept: a JSON article may carry them, and pickle kept them too.
_ERRORS = "surrogatepass"


class StateError(ValueError):
    """A saved state that does not have the shape it must have."""


def fields(value: object, *names: str) -> dict[str, Any]:
    """``value`` as an object with exactly the keys ``names`` (no fewer, no others)."""
    if not isinstance(value, dict):
        raise StateError(f"expected an object with {', '.join(names)}, got {type(value).__name__}")
    if set(value) != set(names):
        odd = sorted(set(value) ^ set(names))
        raise StateError(f"expected the keys {', '.join(names)}; differs in {', '.join(odd)}")
    return value


def integer(value: object, low: int | None = 0) -> int:
    """An integer (not a boolean), at least ``low`` unless that is None."""
    if type(value) is not int:
        raise StateError(f"expected an integer, got {type(value).__name__}")
    if low is not None and value < low:
        raise StateError(f"expected an integer of at least {low}, got {value}")
    return value


def strings(value: object, length: int | None = None, optional: bool = False) -> list[Any]:
    """A JSON list of strings (and nulls when ``optional``), of ``length`` items if given."""
    if not isinstance(value, list):
        raise StateError(f"expected a list of strings, got {type(value).__name__}")
    if length is not None and len(value) != length:
        raise StateError(f"expected {length} strings, got {len(value)}")
    allowed = {str, type(None)} if optional else {str}
    if not set(map(type, value)) <= allowed:
        raise StateError("expected a list of strings")
    return value


def array(value: object, dtype: str, length: int | None = None, width: int | None = None) -> Any:
    """A NumPy array of ``dtype``: one-dimensional, or two with ``width`` columns; of ``length``
    rows if given."""
    if not isinstance(value, np.ndarray):
        raise StateError(f"expected an array of {dtype}, got {type(value).__name__}")
    ndim = 1 if width is None else 2
    wrong = value.dtype != np.dtype(dtype) or value.ndim != ndim
    if (
        wrong
        or (length is not None and len(value) != length)
        or value.shape[1:] != (width,)[: ndim - 1]
    ):
        shape = (length, width)[:ndim]
        raise StateError(
            f"expected an array of {dtype} shaped {shape}, got {value.dtype} {value.shape}"
        )
    return value


def counts(value: object, total: int | None = None, length: int | None = None) -> Any:
    """An int64 array of non-negative counts, summing to ``total`` if given."""
    found = array(value, "<i8", length)
    if len(found) and int(found.min()) < 0:
        raise StateError("a negative count")
    if total is not None and int(found.sum()) != total:
        raise StateError(f"counts add up to {int(found.sum())}, not {total}")
    return found


def split(items: Any, sizes: Any) -> list[Any]:
    """``items`` cut into consecutive runs of ``sizes`` (which add up to their number)."""
    ends = np.cumsum(sizes, dtype=np.int64).tolist()
    starts = [0, *ends[:-1]] if ends else []
    return [items[start:end] for start, end in zip(starts, ends, strict=True)]


# --- text columns ---------------------------------------------------------------------------------


def texts_to_state(items: Sequence[str]) -> dict[str, Any]:
    """A list of strings as one UTF-8 text, joined by `SEPARATOR` (a list with a string that
    contains the separator stays a JSON list)."""
    joined = SEPARATOR.join(items)
    if joined.count(SEPARATOR) != max(len(items) - 1, 0):
        return {"count": len(items), "list": list(items)}
    return {"count": len(items), "text": encode_text(joined)}


def texts_from_state(value: object, length: int | None = None) -> list[str]:
    """The strings `texts_to_state` wrote (``length`` of them if given)."""
    if isinstance(value, dict) and "list" in value:
        found = fields(value, "count", "list")
        items = strings(found["list"], integer(found["count"]))
    else:
        found = fields(value, "count", "text")
        count = integer(found["count"])
        text = decode_text(found["text"])
        items = text.split(SEPARATOR) if count else []
        if len(items) != count or (not count and text):
            raise StateError(f"a text column of {len(items)} strings, not {count}")
    if length is not None and len(items) != length:
        raise StateError(f"expected {length} strings, got {len(items)}")
    return items


def encode_text(text: str) -> np.ndarray:
    """A string as an array of its UTF-8 bytes."""
    return np.frombuffer(text.encode("utf-8", _ERRORS), dtype=np.uint8)


def decode_text(value: object) -> str:
    """The string `encode_text` wrote."""
    try:
        return bytes(array(value, "|u1").data).decode("utf-8", _ERRORS)
    except UnicodeDecodeError as exc:
        raise StateError(f"a text column that is not UTF-8 ({exc.reason})") from exc


# --- times and optional ids ----------------------------------------------------------------------


def time_to_state(value: datetime | None) -> int | None:
    """An aware time as microseconds since 1970 (UTC); None stays None."""
    return None if value is None else (value - EPOCH) // _MICROSECOND


def time_from_state(value: object) -> datetime | None:
    """The time `time_to_state` wrote, in UTC."""
    return None if value is None else _time(integer(value, None))


def _time(microseconds: int) -> datetime:
    try:
        return EPOCH + timedelta(microseconds=microseconds)
    except OverflowError as exc:
        raise StateError(f"a time out of range ({microseconds})") from exc


def times_to_array(values: Iterable[datetime | None]) -> np.ndarray:
    """Aware times as int64 microseconds since 1970 (UTC), `NONE` for None."""
    return np.fromiter(
        (NONE if t is None else (t - EPOCH) // _MICROSECOND for t in values), dtype=np.int64
    )


def times_from_array(value: object, length: int | None = None) -> list[datetime | None]:
    """The times `times_to_array` wrote, in UTC."""
    found = array(value, "<i8", length)
    present = found[found != NONE]
    if len(present) and (int(present.min()) < _MIN_TIME or int(present.max()) > _MAX_TIME):
        raise StateError("a time out of range")
    # NumPy makes the offsets from 1970 in C (absent ones as None); adding each to an aware
    # EPOCH is ten times faster than making naive datetimes and giving each its zone.
    offsets = found.astype("timedelta64[us]").tolist()
    return [None if offset is None else EPOCH + offset for offset in offsets]


_MIN_TIME = (datetime.min.replace(tzinfo=UTC) - EPOCH) // _MICROSECOND
_MAX_TIME = (datetime.max.replace(tzinfo=UTC) - EPOCH) // _MICROSECOND


def ids_to_array(values: Iterable[int | None]) -> np.ndarray:
    """Optional integers as int64, `NONE` for None."""
    return np.fromiter((NONE if v is None else v for v in values), dtype=np.int64)


def ids_from_array(value: object, length: int | None = None) -> list[int | None]:
    """The integers `ids_to_array` wrote."""
    found = array(value, "<i8", length)
    return _with_none(found, found == NONE)


def numbers_to_array(values: Iterable[float | None]) -> np.ndarray:
    """Optional numbers as float64, NaN for None."""
    return np.fromiter((math.nan if v is None else v for v in values), dtype=np.float64)


def numbers_from_array(value: object, length: int | None = None) -> list[float | None]:
    """The numbers `numbers_to_array` wrote."""
    found = array(value, "<f8", length)
    return _with_none(found, np.isnan(found))


def _with_none(values: np.ndarray, absent: np.ndarray) -> list[Any]:
    # Python numbers made in C, then None put in place: a few times faster than a test per item
    items = values.astype(object)
    items[absent] = None
    return items.tolist()
