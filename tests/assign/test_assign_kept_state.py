"""pipeline.AssignState: a long-running process keeps the assigner between runs and places
articles exactly as a fresh process would, taking in what others placed meanwhile."""

from __future__ import annotations

from pathlib import Path

from storyline import Storyline
from storyline.pipeline import AssignState


def _batches(demo_path: Path, folder: Path, parts: int = 4) -> list[Path]:
    """The demo corpus's JSONL articles cut into ``parts`` files, in order."""
    lines = (demo_path / "articles.jsonl").read_text("utf-8").splitlines()
    size = -(-len(lines) // parts)
    paths = []
    for n in range(parts):
        path = folder / f"part-{n}.jsonl"
        path.write_text("\n".join(lines[n * size : (n + 1) * size]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _grouping(sl: Storyline) -> set[frozenset[str]]:
    """Stories as sets of article URLs (ids of stories differ between databases)."""
    stories: dict[int | None, set[str]] = {}
    for row in sl.articles(limit=1000):
        article = sl.article(row["id"])
        stories.setdefault(article.story_id, set()).add(article.url or article.id or "")
    return {frozenset(urls) for urls in stories.values()}


def _run(url: str, batches: list[Path], state: AssignState | None) -> set[frozenset[str]]:
    with Storyline(url) as sl:
        for batch in batches:
            sl.ingest([str(batch)], analyze=True, assign=False)
            sl.assign(state=state)
        return _grouping(sl)


def test_a_kept_state_places_as_a_fresh_process_does(tmp_path, demo_path):
    batches = _batches(demo_path, tmp_path)
    kept = AssignState()
    with_state = _run(f"sqlite:///{tmp_path / 'kept.db'}", batches, kept)
    fresh = _run(f"sqlite:///{tmp_path / 'fresh.db'}", batches, None)
    assert with_state == fresh
    assert kept.rebuilds == 1 and len(with_state) > 3  # built once, then kept


def test_a_kept_state_takes_in_what_another_process_placed(tmp_path, demo_path):
    first, second, third, fourth = _batches(demo_path, tmp_path)
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    kept = AssignState()
    with Storyline(url) as watcher, Storyline(url) as other:
        watcher.ingest([str(first)], assign=False)
        watcher.assign(state=kept)
        other.ingest([str(second)])  # placed by another process, without the kept state
        assert kept.refresh(watcher.store) > 0
        assert all(a["id"] in kept.assigner.known for a in other.articles(limit=1000))
        for batch in (third, fourth):
            watcher.ingest([str(batch)], assign=False)
            watcher.assign(state=kept)
        mixed = _grouping(watcher)
    fresh = _run(f"sqlite:///{tmp_path / 'fresh.db'}", [first, second, third, fourth], None)
    assert mixed == fresh


def test_a_merge_by_hand_makes_the_kept_state_rebuild(tmp_path, demo_path):
    first, second, *_ = _batches(demo_path, tmp_path, parts=2)
    kept = AssignState()
    with Storyline(f"sqlite:///{tmp_path / 'merge.db'}") as sl:
        sl.ingest([str(first)], assign=False)
        sl.assign(state=kept)
        built = kept.assigner
        stories = sl.stories(limit=10)
        assert len(stories) >= 2
        sl.merge_stories(stories[0].id, stories[1].id)
        sl.ingest([str(second)], assign=False)
        sl.assign(state=kept)
        assert kept.assigner is not built and kept.rebuilds == 2  # the store has the merge
        assert all(a["story_id"] != stories[0].id for a in sl.articles(limit=1000))
