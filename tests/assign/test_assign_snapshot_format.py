"""The snapshot's format (4): data only. A saved state comes back whole and places the same; a
crafted file (a pickle, keys or types the state does not have, arrays of the wrong dtype or
shape, cut short or padded) is refused, the state is rebuilt from the store, and nothing in the
file reaches a class of the assigner or runs."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

import storyline.assign
from storyline import Storyline
from storyline.assign import snapshot
from storyline.assign.assigner import Assigner, _Known
from storyline.assign.dedup import CopyIndex
from storyline.assign.streaming import Cluster, StreamClusterer, TermStats
from storyline.config import Settings
from storyline.model import Article
from storyline.pipeline import AssignState
from tests.assign.test_assign_kept_state import _batches

STATE_CLASSES = (Assigner, _Known, CopyIndex, Cluster, StreamClusterer, TermStats)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, demo_path) -> tuple[Path, AssignState, list[Path]]:
    """A database with the first quarter of the demo corpus placed, the snapshot that run saved
    beside it, the run's state as it was kept in memory, and the other quarters."""
    folder = tmp_path_factory.mktemp("saved")
    first, *rest = _batches(demo_path, folder)
    state = AssignState()
    with Storyline(f"sqlite:///{folder / 'news.db'}", Settings()) as sl:
        sl.ingest([str(first)], analyze=True, assign=False)
        sl.assign(state=state)
    assert (folder / "news.db.assigner").is_file() and state.assigner is not None
    return folder, state, rest


@pytest.fixture
def copied(saved, tmp_path) -> Path:
    """A copy of the saved database and its snapshot; the snapshot's path."""
    folder, _, _ = saved
    for name in ("news.db", "news.db.assigner"):
        shutil.copy(folder / name, tmp_path / name)
    return tmp_path / "news.db.assigner"


def _parts(path: Path) -> tuple[bytes, dict[str, Any], bytes]:
    """A snapshot's magic and header, its layout, and the bytes of its arrays."""
    data = path.read_bytes()
    start = len(snapshot.MAGIC)
    (size,) = struct.unpack(">I", data[start : start + 4])
    end = start + 4 + size
    (length,) = struct.unpack(">Q", data[end : end + 8])
    return data[:end], json.loads(data[end + 8 : end + 8 + length]), data[end + 8 + length :]


def _write(path: Path, header: bytes, layout: dict[str, Any], arrays: bytes) -> None:
    encoded = json.dumps(layout).encode()
    path.write_bytes(header + struct.pack(">Q", len(encoded)) + encoded + arrays)


def _class_dicts() -> list[dict[str, Any]]:
    return [dict(vars(cls)) for cls in STATE_CLASSES]


def _refused(path: Path) -> None:
    """The snapshot at ``path`` is refused, as damaged, by `snapshot.load` and by the runner
    (which then rebuilds), and no class of the state was changed on the way."""
    before = _class_dicts()
    with pytest.raises(snapshot.SnapshotError, match="damaged"):
        snapshot.load(path, Settings())
    with Storyline(f"sqlite:///{path.with_suffix('')}", Settings()) as sl:
        assert not AssignState().load(path, sl.store, sl.settings)
    assert _class_dicts() == before


def test_the_file_is_a_header_a_layout_and_arrays_of_plain_numbers(saved):
    folder, _, _ = saved
    _, layout, arrays = _parts(folder / "news.db.assigner")
    assert set(layout) == {"state", "arrays"}
    assert {dtype for dtype, _ in layout["arrays"]} <= {"|u1", "<u2", "<i8", "<u8", "<f8"}
    sizes = {"|u1": 1, "<u2": 2, "<i8": 8, "<u8": 8, "<f8": 8}
    listed = sum(sizes[dtype] * math.prod(shape) for dtype, shape in layout["arrays"])
    assert listed == len(arrays)
    assert set(layout["state"]) == {"known", "members", "placed", "placer", "copies", "facts"}


def test_a_loaded_snapshot_saves_back_byte_for_byte(saved, tmp_path):
    folder, _, _ = saved
    path = folder / "news.db.assigner"
    info, assigner = snapshot.load(path, Settings())
    again = tmp_path / "again.assigner"
    snapshot.save(again, assigner, info)
    assert again.read_bytes() == path.read_bytes()
    # nothing kept is a read-only view of the file's bytes, which would stay in memory with it
    kept = [assigner.copies._signatures, *(a for run in assigner.copies._runs for a in run)]
    assert kept and all(a.flags.writeable for a in kept)


def _pending(url: str, batches: list[Path]) -> list[Article]:
    with Storyline(url, Settings()) as sl:
        sl.ingest([str(batch) for batch in batches], analyze=True, assign=False)
        return sl.store.pending_assignment()


def _placements(assigner: Assigner, articles: list[Article]) -> list[tuple[Any, ...]]:
    """Where ``assigner`` puts each article, with new stories and events numbered as they come
    (as the store would number them)."""
    placed, next_id = [], 10**6
    for original in articles:
        article = dataclasses.replace(original)
        plan = assigner.plan(article)
        if plan.group:
            if article.story_id is None:
                article.story_id, next_id = next_id, next_id + 1
            if article.event_id is None:
                article.event_id, next_id = next_id, next_id + 1
        assigner.commit(article, plan)
        placed.append((article.id, article.story_id, article.event_id, article.duplicate_of))
    return placed


def test_a_loaded_assigner_places_the_next_articles_as_the_one_that_saved_it(saved, copied):
    _, state, rest = saved
    articles = _pending(f"sqlite:///{copied.with_suffix('')}", rest)  # the other three quarters
    assert len(articles) > 15
    _, loaded = snapshot.load(copied, Settings())
    assert state.assigner is not None
    expected = _placements(state.assigner, articles)
    assert _placements(loaded, articles) == expected
    assert any(story < 10**6 for _, story, _, _ in expected if story)  # joined saved stories


def _sets_class_attributes() -> bytes:
    """A pickle that, read by the format 3 reader (which allowed these classes), set an attribute
    on StreamClusterer and on CopyIndex (BUILD with slot state calls setattr on the class
    itself), then gave something that was not a state, and was refused only then."""
    payload = b"\x80\x04"
    for module, name in (
        (b"storyline.assign.streaming", b"StreamClusterer"),
        (b"storyline.assign.dedup", b"CopyIndex"),
    ):
        payload += b"c" + module + b"\n" + name + b"\n"  # GLOBAL: the class
        payload += b"N}\x8c\x08tamperedK\x01s\x86b0"  # BUILD (None, {"tampered": 1}); POP
    return payload + b"]."  # an empty list


def test_a_pickle_that_would_set_class_attributes_is_refused_and_sets_none(copied):
    info = snapshot.read_info(copied)
    copied.write_bytes(info.header() + _sets_class_attributes())
    try:
        _refused(copied)
        assert not hasattr(StreamClusterer, "tampered") and not hasattr(CopyIndex, "tampered")
    finally:  # on a reader that let it through, leave the classes as they were for other tests
        for cls in (StreamClusterer, CopyIndex):
            if "tampered" in vars(cls):
                delattr(cls, "tampered")


def _first_array(layout: dict[str, Any], *keys: str) -> int:
    node: Any = layout["state"]
    for key in keys:
        node = node[key]
    return node["@array"]


def _unexpected_key(layout: dict[str, Any]) -> None:
    layout["state"]["placer"]["stories"]["tampered"] = 1


def _missing_key(layout: dict[str, Any]) -> None:
    del layout["state"]["placed"]


def _wrong_type(layout: dict[str, Any]) -> None:
    layout["state"]["placed"] = "7"


def _boolean_for_a_number(layout: dict[str, Any]) -> None:
    layout["state"]["copies"]["buffered"] = True


def _a_class_named(layout: dict[str, Any]) -> None:
    layout["state"]["placer"]["events"] = {"py/object": "storyline.assign.streaming.Cluster"}


def _other_dtype(layout: dict[str, Any]) -> None:  # as many bytes, other numbers
    layout["arrays"][_first_array(layout, "known", "story")][0] = "<f8"


def _object_dtype(layout: dict[str, Any]) -> None:
    layout["arrays"][_first_array(layout, "known", "story")][0] = "|O"


def _other_shape(layout: dict[str, Any]) -> None:  # as many bytes, other rows and columns
    spec = layout["arrays"][_first_array(layout, "copies", "signatures")]
    rows, width = spec[1]
    spec[1] = [rows * 2, width // 2]


def _three_dimensions(layout: dict[str, Any]) -> None:
    spec = layout["arrays"][_first_array(layout, "copies", "signatures")]
    spec[1] = [*spec[1], 1]


def _array_out_of_range(layout: dict[str, Any]) -> None:
    layout["state"]["placer"]["stats"]["counts"] = {"@array": 10**6}


def _array_for_a_number(layout: dict[str, Any]) -> None:
    layout["state"]["placed"] = {"@array": 0}


def _count_that_does_not_add_up(layout: dict[str, Any]) -> None:
    layout["state"]["known"]["ids"]["count"] += 1


def _copy_of_another_kind(layout: dict[str, Any]) -> None:
    kinds = layout["state"]["known"]["kind"]
    kinds[0] = "tampered"


CRAFTED = [
    _unexpected_key,
    _missing_key,
    _wrong_type,
    _boolean_for_a_number,
    _a_class_named,
    _other_dtype,
    _object_dtype,
    _other_shape,
    _three_dimensions,
    _array_out_of_range,
    _array_for_a_number,
    _count_that_does_not_add_up,
    _copy_of_another_kind,
]


@pytest.mark.parametrize("change", CRAFTED, ids=[c.__name__.strip("_") for c in CRAFTED])
def test_a_crafted_layout_is_refused(copied, change):
    header, layout, arrays = _parts(copied)
    change(layout)
    _write(copied, header, layout, arrays)
    _refused(copied)


@pytest.mark.parametrize("cut", ["arrays cut short", "bytes after the arrays", "layout too long"])
def test_a_file_whose_sizes_do_not_add_up_is_refused(copied, cut):
    header, layout, arrays = _parts(copied)
    if cut == "arrays cut short":
        _write(copied, header, layout, arrays[:-8])
    elif cut == "bytes after the arrays":
        _write(copied, header, layout, arrays + bytes(8))
    else:
        encoded = json.dumps(layout).encode()
        copied.write_bytes(header + struct.pack(">Q", 10**12) + encoded + arrays)
    _refused(copied)


def test_a_refused_snapshot_is_replaced_by_the_state_rebuilt(copied, saved):
    _, _, rest = saved
    header, layout, arrays = _parts(copied)
    _wrong_type(layout)
    _write(copied, header, layout, arrays)
    state = AssignState()
    with Storyline(f"sqlite:///{copied.with_suffix('')}", Settings()) as sl:
        sl.ingest([str(rest[0])], analyze=True, assign=False)
        sl.assign(state=state)
    assert (state.loads, state.rebuilds) == (0, 1)
    snapshot.load(copied, Settings())  # saved again, whole


def test_nothing_in_the_assign_stage_reads_pickles():
    """The snapshot's path (and the rest of the stage) imports no pickle-like reader."""
    readers = {"pickle", "_pickle", "cloudpickle", "dill", "marshal", "shelve", "joblib"}
    for path in Path(storyline.assign.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & readers, f"{path.name} imports {names & readers}"


def _header_with(path: Path, change: Any) -> bytes:
    """The snapshot's magic and a header whose JSON ``change`` rewrote."""
    header, _, _ = _parts(path)
    start = len(snapshot.MAGIC)
    found = json.loads(header[start + 4 :])
    encoded = json.dumps(change(found)).encode()
    return snapshot.MAGIC + struct.pack(">I", len(encoded)) + encoded


HEADERS = {
    "a list": lambda found: list(found),
    "a time without a zone": lambda found: dict(found, covered_from="2031-03-04T05:06:07"),
    "a count as a string": lambda found: dict(found, changes_seen="0"),
    "a missing field": lambda found: {k: v for k, v in found.items() if k != "articles"},
    "an extra field": lambda found: dict(found, tampered=1),
}


@pytest.mark.parametrize("change", list(HEADERS), ids=list(HEADERS))
def test_a_crafted_header_is_refused(copied, change):
    """A header that is not what `SnapshotInfo` holds is refused before the runner compares
    anything it says with the database (where a time without a zone would fail the run)."""
    _, layout, arrays = _parts(copied)
    _write(copied, _header_with(copied, HEADERS[change]), layout, arrays)
    with pytest.raises(snapshot.SnapshotError, match="damaged header"):
        snapshot.read_info(copied)
    with Storyline(f"sqlite:///{copied.with_suffix('')}", Settings()) as sl:
        assert not AssignState().load(copied, sl.store, sl.settings)


def test_numbers_that_are_not_json_are_refused(copied):
    """NaN and Infinity, which Python's JSON reader takes by default, are not read."""
    header, layout, arrays = _parts(copied)
    encoded = json.dumps(layout).encode().replace(b'"placed":', b'"placed":NaN,"x":', 1)
    copied.write_bytes(header + struct.pack(">Q", len(encoded)) + encoded + arrays)
    _refused(copied)


def test_saved_weights_that_are_not_finite_are_refused(copied):
    header, layout, arrays = _parts(copied)
    totals = layout["state"]["placer"]["stories"]["totals"]
    dtype, shape = layout["arrays"][totals["values"]["@array"]]
    assert dtype == "<f8" and shape[0] > 0
    offset = sum(
        {"|u1": 1, "<u2": 2, "<i8": 8, "<u8": 8, "<f8": 8}[d] * math.prod(s)
        for d, s in layout["arrays"][: totals["values"]["@array"]]
    )
    damaged = arrays[:offset] + struct.pack("<d", math.inf) + arrays[offset + 8 :]
    _write(copied, header, layout, damaged)
    _refused(copied)


@pytest.mark.parametrize("kind", ["crafted", "older format", "not a snapshot"])
def test_a_refused_snapshot_is_reported_in_one_line(copied, caplog, kind):
    """A damaged, crafted or older file is reported as one warning line that says what was
    wrong and that the state is rebuilt; nothing else is logged above info."""
    header, layout, arrays = _parts(copied)
    if kind == "crafted":
        layout["state"]["placed"] = "line one\nline two"
        _write(copied, header, layout, arrays)
    elif kind == "older format":
        info = snapshot.read_info(copied)
        info.format = 3
        copied.write_bytes(info.header() + b"\x80\x05N.")
    else:
        copied.write_bytes(b"PK\x03\x04 something else\n")
    with caplog.at_level("INFO"), Storyline(f"sqlite:///{copied.with_suffix('')}") as sl:
        assert not AssignState().load(copied, sl.store, sl.settings)
    warnings = [r for r in caplog.records if r.levelname in {"WARNING", "ERROR", "CRITICAL"}]
    assert len(warnings) == 1, warnings
    line = warnings[0].getMessage()
    assert "\n" not in line and "refused" in line and "rebuilt from the database" in line
    expected = {"crafted": "damaged", "older format": "format 3", "not a snapshot": "not an"}
    assert expected[kind] in line
