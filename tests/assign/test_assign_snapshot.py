"""The assigner's snapshot: a fresh process starts from the state the last run saved, places
articles exactly as a rebuild from the store would, and never uses a snapshot that does not fit
(another database, other settings, a later merge, a damaged or tampered file). Crafted files are
in test_assign_snapshot_format.py."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from storyline import Storyline
from storyline.assign import snapshot
from storyline.config import Settings
from storyline.pipeline import AssignState
from tests.assign.test_assign_kept_state import _batches, _grouping


def _settings(**changes: object) -> Settings:
    return Settings(**changes)  # type: ignore[arg-type]


def _place(url: str, batch: Path, settings: Settings | None = None) -> AssignState:
    """One run in a 'fresh process': a new Storyline and no state carried over."""
    state = AssignState()
    with Storyline(url, settings or _settings()) as sl:
        sl.ingest([str(batch)], analyze=True, assign=False)
        sl.assign(state=state)
    return state


def _grouping_of(url: str) -> set[frozenset[str]]:
    with Storyline(url) as sl:
        return _grouping(sl)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, demo_path) -> set[frozenset[str]]:
    """The demo corpus placed in four runs, each rebuilding its state from the database."""
    folder = tmp_path_factory.mktemp("rebuilt")
    url = f"sqlite:///{folder / 'rebuilt.db'}"
    for batch in _batches(demo_path, folder):
        state = _place(url, batch, _settings(assign_snapshots=False))
        assert state.loads == 0
    assert not list(folder.glob("*.assigner"))  # turned off: nothing saved
    return _grouping_of(url)


def test_a_fresh_process_starts_from_the_snapshot_and_places_the_same(tmp_path, demo_path, rebuilt):
    url = f"sqlite:///{tmp_path / 'news.db'}"
    first, *rest = _batches(demo_path, tmp_path)
    state = _place(url, first)
    assert state.rebuilds == 1 and (tmp_path / "news.db.assigner").is_file()
    for batch in rest:
        state = _place(url, batch)
        assert (state.loads, state.rebuilds) == (1, 0)
    assert _grouping_of(url) == rebuilt
    assert len(rebuilt) > 3


def test_the_snapshot_takes_in_what_was_placed_without_it(tmp_path, demo_path, rebuilt):
    url = f"sqlite:///{tmp_path / 'news.db'}"
    first, second, third, fourth = _batches(demo_path, tmp_path)
    _place(url, first)
    _place(url, second, _settings(assign_snapshots=False))  # another process, not saving
    state = _place(url, third)
    assert (state.loads, state.rebuilds) == (1, 0)
    assert state.restored > 0  # the second batch, read from the database
    _place(url, fourth)
    assert _grouping_of(url) == rebuilt


def test_a_snapshot_of_an_older_format_is_not_used_and_the_state_is_rebuilt(
    tmp_path, demo_path, rebuilt
):
    """After an upgrade that changes what the state holds, the snapshot the earlier version
    saved is set aside: the state is rebuilt from the database, places the same, and is saved
    again in the new format. Format 3 was a pickle: it is refused by its header, unread."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    first, *rest = _batches(demo_path, tmp_path)
    _place(url, first)
    path = tmp_path / "news.db.assigner"
    info = snapshot.read_info(path)
    info.format = 3
    path.write_bytes(info.header() + pickle.dumps({"known": ()}, protocol=5))
    with pytest.raises(snapshot.SnapshotError, match="format 3; this version reads formats 4"):
        snapshot.load(path, _settings())
    state = _place(url, rest[0])
    assert (state.loads, state.rebuilds) == (0, 1)
    for batch in rest[1:]:
        _place(url, batch)
    assert _grouping_of(url) == rebuilt
    assert snapshot.read_info(path).format == snapshot.FORMAT  # saved again in the new one


def _saved(tmp_path: Path, demo_path: Path, name: str = "news") -> tuple[str, list[Path]]:
    url = f"sqlite:///{tmp_path / name}.db"
    batches = _batches(demo_path, tmp_path)
    _place(url, batches[0])
    return url, batches


def test_other_placement_settings_rebuild(tmp_path, demo_path):
    url, batches = _saved(tmp_path, demo_path)
    state = _place(url, batches[1], _settings(story_threshold=0.31))
    assert (state.loads, state.rebuilds) == (0, 1)


def test_a_snapshot_of_another_database_is_not_used(tmp_path, demo_path):
    _, batches = _saved(tmp_path, demo_path)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _place(other, batches[0])
    shutil.copy(tmp_path / "news.db.assigner", tmp_path / "other.db.assigner")
    state = _place(other, batches[2])
    assert (state.loads, state.rebuilds) == (0, 1)


def test_a_merge_by_hand_since_the_snapshot_rebuilds(tmp_path, demo_path):
    url, batches = _saved(tmp_path, demo_path)
    with Storyline(url) as sl:
        stories = sl.stories(limit=10)
        sl.merge_stories(stories[0].id, stories[1].id)
    state = _place(url, batches[1])
    assert (state.loads, state.rebuilds) == (0, 1)
    with Storyline(url) as sl:
        assert all(a["story_id"] != stories[0].id for a in sl.articles(limit=1000))


def test_a_database_older_than_its_snapshot_rebuilds(tmp_path, demo_path):
    """A database restored from a backup taken before the snapshot was saved."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    first, second, third, _ = _batches(demo_path, tmp_path)
    _place(url, first)
    shutil.copy(tmp_path / "news.db", tmp_path / "backup.db")
    _place(url, second)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"news.db{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.db", tmp_path / "news.db")
    state = _place(url, third)
    assert (state.loads, state.rebuilds) == (0, 1)


def test_a_damaged_snapshot_is_ignored_and_replaced(tmp_path, demo_path):
    url, batches = _saved(tmp_path, demo_path)
    path = tmp_path / "news.db.assigner"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut off mid-write
    state = _place(url, batches[1])
    assert (state.loads, state.rebuilds) == (0, 1)
    snapshot.load(path, _settings())  # a whole one saved again, which the next run uses
    assert _place(url, batches[2]).loads == 1


class _Trap:
    def __reduce__(self):
        return (Path.touch, (Path(self.target),))

    target = ""


def test_a_tampered_snapshot_runs_no_code(tmp_path, demo_path):
    url, batches = _saved(tmp_path, demo_path)
    path = tmp_path / "news.db.assigner"
    info = snapshot.read_info(path)
    trap = _Trap()
    _Trap.target = str(tmp_path / "pwned")
    path.write_bytes(info.header() + pickle.dumps(trap))
    with pytest.raises(snapshot.SnapshotError, match="damaged"):
        snapshot.load(path, _settings())
    state = _place(url, batches[1])
    assert (state.loads, state.rebuilds) == (0, 1)
    assert not (tmp_path / "pwned").exists()


def test_an_unwritable_snapshot_folder_does_not_fail_the_run(tmp_path, demo_path, caplog):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'news.db'}"
    state = _place(url, _batches(demo_path, tmp_path)[0], _settings(assign_snapshot_dir=blocked))
    assert state.rebuilds == 1 and state.unsaved > 0
    assert "could not save the assigner snapshot" in caplog.text
    with Storyline(url) as sl:
        assert sl.store.pending_assignment() == []


def test_snapshot_locations():
    default = _settings()
    assert snapshot.location("sqlite:////data/news.db", default) == Path("/data/news.db.assigner")
    assert snapshot.location("sqlite://", default) is None
    assert snapshot.location("sqlite:////data/news.db", _settings(assign_snapshots=False)) is None
    server = snapshot.location("postgresql+psycopg://u:secret@db.example/news", default)
    assert server is not None and server.parent == Path("~/.cache/storyline").expanduser()
    elsewhere = snapshot.location(
        "postgresql+psycopg://u:other@db.example/news", _settings(assign_snapshot_dir="/srv/s")
    )
    assert elsewhere is not None and elsewhere.parent == Path("/srv/s")
    assert elsewhere.name == server.name  # the password is not part of the address


def test_a_snapshot_is_saved_once_the_state_took_in_a_twentieth_of_what_it_holds(
    tmp_path, demo_path
):
    """A save writes the whole state, so the interval grows with it: the cost of saving per
    article placed stays the same however full the window is."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    first, *_ = _batches(demo_path, tmp_path)
    state = _place(url, first)
    assert state.assigner is not None and not state.must_save and state.unsaved == 0
    path = tmp_path / "news.db.assigner"
    record = next(iter(state.assigner.known.values()))
    state.assigner.known.update({f"held-{n}": record for n in range(40_000)})
    held = len(state.assigner.known)
    with Storyline(url) as sl:
        state.unsaved = held // 20 - 1  # a fixed 1,000 would have saved here already
        assert not state.save_if_due(path, sl.store, sl.settings)
        state.unsaved = held // 20
        assert state.save_if_due(path, sl.store, sl.settings)
    assert state.unsaved == 0 and snapshot.read_info(path).articles == held
