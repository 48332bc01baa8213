"""Assign stage: the assigner's state saved to a file and read back by the next process.

Placing new articles needs the open events and stories of the story window. Rebuilding them from
the store costs a few milliseconds per article in the window, which at a million stored articles
is minutes for every run. A snapshot lets a fresh process start from the state the last run left
and take in only what was placed since (see `pipeline.AssignState`).

A snapshot is a file: a header (JSON) that says which database and settings it belongs to and
what it covers, then the state, pickled. It is read back only by a restricted unpickler that
accepts the state's own classes, NumPy arrays and a few standard types, so a tampered file cannot
make it run code. Writes go to a temporary file renamed over the old one: a kill leaves either the
old snapshot or the new, never half of one. Anything wrong with a file (another database, other
settings, a format this version does not read, damage) means it is not used, and the state is
rebuilt from the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import struct
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storyline.assign.assigner import Assigner
from storyline.config import Settings

MAGIC = b"storyline-assigner\n"
# 2: centroids packed (streaming.Cluster), article records as columns; 3: undated articles
# placed by content, names and background IDF in the vectors (a format 2 state is rebuilt)
FORMAT = 3
READABLE = (3,)  # formats this version reads
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
_ALLOWED = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("collections", "Counter"),
    ("datetime", "datetime"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("storyline.assign.assigner", "_Known"),
    ("storyline.assign.dedup", "CopyIndex"),
    ("storyline.assign.streaming", "Cluster"),
    ("storyline.assign.streaming", "StreamClusterer"),
    ("storyline.assign.streaming", "TermStats"),
}


class SnapshotError(Exception):
    """A snapshot file that cannot be used (it is then ignored and the state rebuilt)."""


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
            pickle.dump(assigner.snapshot_parts(), out, protocol=5)
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
            parts = _Restricted(handle).load()
        except SnapshotError:
            raise
        except Exception as exc:  # a damaged file fails in many ways; all mean "rebuild"
            raise SnapshotError(f"damaged ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(parts, dict):
        raise SnapshotError("damaged (no state in it)")
    return info, Assigner.from_snapshot(settings, parts)


def _header(handle: io.BufferedReader) -> SnapshotInfo:
    if handle.read(len(MAGIC)) != MAGIC:
        raise SnapshotError("not an assigner snapshot")
    try:
        (size,) = struct.unpack(">I", handle.read(4))
        fields = json.loads(handle.read(size))
        for name in _TIMES:
            fields[name] = datetime.fromisoformat(fields[name]) if fields.get(name) else None
        info = SnapshotInfo(**fields)
    except (struct.error, ValueError, TypeError) as exc:
        raise SnapshotError(f"damaged header ({exc})") from exc
    if info.format not in READABLE:
        readable = " and ".join(map(str, READABLE))
        raise SnapshotError(f"format {info.format}; this version reads formats {readable}")
    return info


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise SnapshotError(f"refused: the file asks for {module}.{name}")
        return super().find_class(module, name)
