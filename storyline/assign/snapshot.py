"""Assign stage: the assigner's state saved to a file and read back by the next process.

Placing new articles needs the open events and stories of the story window. Rebuilding them from
the store costs a few milliseconds per article in the window, which at a million stored articles
is minutes for every run. A snapshot lets a fresh process start from the state the last run left
and take in only what was placed since (see `pipeline.AssignState`).

A snapshot is a file that holds data only, never objects (format 4; format 3 and earlier were
pickles, which a crafted file could use to set attributes of the state's classes while loading):

    "storyline-assigner", a newline          magic (19 bytes)
    length (4 bytes, big-endian), header     JSON: which database and settings it belongs to,
                                             what it covers, the format
    length (8 bytes, big-endian), layout     JSON: {"state": tree, "arrays": [[dtype, shape]...]}
    the arrays' bytes, one after another     little-endian, C order, nothing after the last

The tree is the state as `Assigner.to_state` gives it: JSON objects, lists, strings and numbers,
where an object ``{"@array": i}`` stands for the i-th array. Arrays are one- or two-dimensional,
of unsigned bytes, uint16, int64, uint64 or float64 only (`_DTYPES`); their sizes must add up to
exactly what follows the layout, which is checked before anything is read, so a truncated or
padded file is refused without reading it. Each class then builds itself back through its
constructor from its part of the tree (``from_state``), checking every key, type, dtype and shape
(`assign.columns`). Writes go to a temporary file renamed over the old one: a kill leaves either
the old snapshot or the new, never half of one. Anything wrong with a file (another database,
other settings, a format this version does not read, damage) means it is not used, and the state
is rebuilt from the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import struct
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
from sqlalchemy.engine import make_url

from storyline.assign.assigner import Assigner
from storyline.assign.columns import fields, integer
from storyline.collector import collector_paused
from storyline.config import Settings

MAGIC = b"storyline-assigner\n"
# 2: centroids packed (streaming.Cluster), article records as columns; 3: undated articles
# placed by content, names and background IDF in the vectors (a format 2 state is rebuilt);
# 4: data only (JSON and arrays) instead of a pickle (a format 3 state is rebuilt)
FORMAT = 4
READABLE = (4,)  # formats this version reads
# Settings that change where an article goes: a snapshot made under other values is not used.
PLACEMENT_SETTINGS = (
    "dedup_num_perm",
    "dedup_shingle_words",
    "dedup_threshold",
    "copy_window_days",
    "same_facts_threshold",
    "same_facts_min_tokens",
    "story_threshold",
    "story_window_days",
    "story_merge_threshold",
    "story_decay",
    "story_names",
    "event_names",
    "undated_margin",
    "event_threshold",
    "event_window_days",
    "event_decay",
    "story_min_words",
    "clock_skew_hours",
)
_DTYPES = frozenset({"|u1", "<u2", "<i8", "<u8", "<f8"})  # the arrays a snapshot may hold
_ARRAY = "@array"  # {"@array": i} in the layout's tree: the i-th array


class SnapshotError(Exception):
    """A snapshot file that cannot be used (it is then ignored and the state rebuilt)."""


class SnapshotRefused(SnapshotError):
    """A file that is not a snapshot this version reads: damaged, crafted, or of another format
    (the runner says so in one line on stderr; a snapshot that merely no longer fits, of another
    database or other settings, is set aside quietly)."""


@dataclass(slots=True)
class SnapshotInfo:
    """The header of a snapshot: what it belongs to and what it covers."""

    database_id: str
    settings: str  # fingerprint of the placement settings
    covered_from: datetime  # placements from here on are all in the state
    seen_until: datetime | None  # the latest placement time read from the store
    changes_seen: int  # merges and splits recorded in the store when it was saved
    articles: int  # articles the state remembers
    last_article: str | None  # the one it took in last: a database without it is older
    saved_at: datetime
    format: int = FORMAT

    def header(self) -> bytes:
        """The file's first bytes: magic, length, the fields as JSON (times in ISO 8601)."""
        fields = asdict(self)
        for name in _TIMES:
            fields[name] = fields[name].isoformat() if fields[name] else None
        encoded = json.dumps(fields).encode()
        return MAGIC + struct.pack(">I", len(encoded)) + encoded


_TIMES = ("covered_from", "seen_until", "saved_at")


def fingerprint(settings: Settings) -> str:
    values = {name: getattr(settings, name) for name in PLACEMENT_SETTINGS}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


def location(db_url: str, settings: Settings) -> Path | None:
    """Where the snapshot of the database at ``db_url`` lives: beside a SQLite file, or in
    ``assign_snapshot_dir`` (default ~/.cache/storyline) for a server database; None when
    snapshots are turned off or the database lives in memory."""
    if not settings.assign_snapshots:
        return None
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        if settings.assign_snapshot_dir is None:
            database = Path(url.database).expanduser()
            return database.with_name(database.name + ".assigner")
    folder = settings.assign_snapshot_dir or Path("~/.cache/storyline")
    address = url.render_as_string(hide_password=True)
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    return Path(folder).expanduser() / f"assigner-{digest}.snapshot"


def save(path: Path, assigner: Assigner, info: SnapshotInfo) -> int:
    """Write the snapshot atomically; return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(info.header())
            with collector_paused():
                state = assigner.to_state()
            _write_state(out, state)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.stat().st_size


def read_info(path: Path) -> SnapshotInfo:
    """The header only (cheap: the state is not read)."""
    with path.open("rb") as handle:
        return _header(handle)


def load(path: Path, settings: Settings) -> tuple[SnapshotInfo, Assigner]:
    """The header and the assigner saved at ``path``; SnapshotError when it cannot be used."""
    with path.open("rb") as handle:
        info = _header(handle)
        if info.settings != fingerprint(settings):
            raise SnapshotError("saved under other placement settings")
        try:
            with collector_paused():
                state = _read_state(handle, os.fstat(handle.fileno()).st_size)
                assigner = Assigner.from_state(settings, state)
        except SnapshotError:
            raise
        except Exception as exc:  # a damaged file fails in many ways; all mean "rebuild"
            raise SnapshotRefused(f"damaged ({exc.__class__.__name__}: {exc})") from exc
    return info, assigner


def _header(handle: io.BufferedReader) -> SnapshotInfo:
    if handle.read(len(MAGIC)) != MAGIC:
        raise SnapshotRefused("not an assigner snapshot")
    try:
        (size,) = struct.unpack(">I", handle.read(4))
        if size > _HEADER_BYTES:
            raise ValueError(f"{size} bytes long")
        found = json.loads(handle.read(size), parse_constant=_no_constant)
        if not isinstance(found, dict):
            raise ValueError(f"a {type(found).__name__}, not an object")
        version = found.get("format")
        if type(version) is int and version not in READABLE:  # an older header may differ
            readable = " and ".join(map(str, READABLE))
            raise SnapshotRefused(f"format {version}; this version reads formats {readable}")
        info = SnapshotInfo(**fields(found, *_HEADER_FIELDS))
        _check_header(info)
    except (struct.error, ValueError, TypeError) as exc:  # StateError is a ValueError
        raise SnapshotRefused(f"damaged header ({exc})") from exc
    return info


_HEADER_BYTES = 1 << 16  # a header is a few hundred bytes
_HEADER_FIELDS = (
    "database_id", "settings", "covered_from", "seen_until", "changes_seen", "articles",
    "last_article", "saved_at", "format",
)  # fmt: skip


def _check_header(info: SnapshotInfo) -> None:
    """Turn the header's times into aware datetimes and check each field's type (a time without
    a zone, or a count that is a string, would fail far from here, when compared)."""
    for name in _TIMES:
        value = getattr(info, name)
        if value is None and name == "seen_until":
            continue
        if not isinstance(value, str):
            raise ValueError(f"{name} is not a time")
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError(f"{name} has no time zone")
        setattr(info, name, moment)
    for name in ("database_id", "settings"):
        if not isinstance(getattr(info, name), str):
            raise ValueError(f"{name} is not a string")
    if info.last_article is not None and not isinstance(info.last_article, str):
        raise ValueError("last_article is not a string")
    integer(info.changes_seen)
    integer(info.articles)
    integer(info.format)


def _no_constant(name: str) -> float:
    """For `json.loads`: NaN and Infinity are not JSON, and no saved number is either."""
    raise ValueError(f"{name} in the file")


def _write_state(out: IO[bytes], state: dict[str, Any]) -> None:
    """The layout (the tree, with each array replaced by its number, and the arrays' dtypes and
    shapes), then the arrays' bytes."""
    arrays: list[np.ndarray] = []
    tree = _lift(state, arrays)
    layout = {"state": tree, "arrays": [[a.dtype.str, list(a.shape)] for a in arrays]}
    encoded = json.dumps(layout, separators=(",", ":")).encode()
    out.write(struct.pack(">Q", len(encoded)) + encoded)
    for data in arrays:
        if data.size:  # (a view of no items cannot be cast to bytes)
            out.write(memoryview(data).cast("B"))


def _lift(tree: dict[str, Any], arrays: list[np.ndarray]) -> dict[str, Any]:
    """``tree`` with each array (a value of an object; lists hold plain values only) replaced by
    ``{"@array": i}``, the array appended to ``arrays`` as little-endian and contiguous."""
    lifted: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, np.ndarray):
            little = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
            assert little.dtype.str in _DTYPES and little.ndim in (1, 2), little.dtype
            arrays.append(little)
            lifted[key] = {_ARRAY: len(arrays) - 1}
        else:
            lifted[key] = _lift(value, arrays) if isinstance(value, dict) else value
    return lifted


def _read_state(handle: IO[bytes], size: int) -> Any:
    """The tree `_write_state` wrote, with its arrays; ValueError (or another error of reading)
    when the file is not that."""
    (length,) = struct.unpack(">Q", handle.read(8))
    if length > size - handle.tell():
        raise ValueError("the layout runs past the end of the file")
    layout = fields(json.loads(handle.read(length), parse_constant=_no_constant), "state", "arrays")
    specs = layout["arrays"]
    if not isinstance(specs, list):
        raise ValueError("no list of arrays")
    shapes = [_spec(spec) for spec in specs]
    expected = sum(math.prod(shape) * np.dtype(dtype).itemsize for dtype, shape in shapes)
    if expected != size - handle.tell():  # checked before anything is allocated
        raise ValueError(f"{size - handle.tell()} bytes of arrays where {expected} are listed")
    # One read, and each array a read-only view of it: the classes copy what they change.
    data = handle.read(expected)
    if len(data) != expected:
        raise ValueError("the file ended inside an array")
    arrays, offset = [], 0
    for dtype, shape in shapes:
        count = math.prod(shape)
        arrays.append(np.frombuffer(data, dtype, count, offset).reshape(shape))
        offset += count * np.dtype(dtype).itemsize
    return _lower(layout["state"], arrays)


def _spec(spec: object) -> tuple[str, tuple[int, ...]]:
    """The dtype and shape of one listed array, checked."""
    if not isinstance(spec, list) or len(spec) != 2 or spec[0] not in _DTYPES:
        raise ValueError(f"an array of an unknown kind ({str(spec)[:60]})")
    dtype, shape = spec
    if not isinstance(shape, list) or len(shape) not in (1, 2):
        raise ValueError(f"an array of an unknown shape ({str(shape)[:60]})")
    return dtype, tuple(integer(n) for n in shape)


def _lower(tree: object, arrays: list[np.ndarray]) -> Any:
    """The tree with each ``{"@array": i}`` replaced by the i-th array (objects only: lists hold
    plain values)."""
    if not isinstance(tree, dict):
        return tree
    if set(tree) == {_ARRAY}:
        number = integer(tree[_ARRAY])
        if number >= len(arrays):
            raise ValueError(f"array {number} of {len(arrays)}")
        return arrays[number]
    return {key: _lower(value, arrays) for key, value in tree.items()}
