"""Assign stage: the assigner kept between runs, in memory and in a snapshot file.

`AssignState` is what the runner (`pipeline.assign_pending`) places articles with. A long-running
process (`watch`, the web server's feed poller) keeps one, so a run takes in only what was
placed since the last one. A fresh process starts from the snapshot the last run saved
(`assign.snapshot`) when it still fits the database; otherwise the state is rebuilt from every
article placed in the story window, which at a million stored articles means hundreds of
thousands of articles read back for one run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storyline.assign import snapshot
from storyline.assign.assigner import Assigner
from storyline.config import Settings
from storyline.safe_text import name_line, one_line
from storyline.store import Store

log = logging.getLogger(__name__)

# A save is due once the state took in one in this many of the articles it remembers: a save
# writes the whole state, so saving every fixed number of articles would cost more per article
# the fuller the window; at this share each save costs the same per article taken in, and a new
# process reads back at most this share of the window from the store after the snapshot.
SAVE_AFTER_SHARE = 20


@dataclass(slots=True)
class AssignState:
    """The assigner and what part of the store it reflects.

    It is usable for a run whose story window starts at or after ``covered_from``, as long as
    no merge or split it did not make itself was recorded since (``changes_seen``); `refresh`
    takes in what other processes placed after ``seen_until``."""

    assigner: Assigner | None = None
    covered_from: datetime | None = None  # placements from here on are all in the assigner
    seen_until: datetime | None = None  # the latest placement time read from the store
    changes_seen: int = 0  # story_changes rows when last synchronised
    rebuilds: int = 0  # times the state was rebuilt from the store's story window
    loads: int = 0  # times it was read from a snapshot
    unsaved: int = 0  # articles taken in since the snapshot was last saved (or read)
    must_save: bool = False  # a rebuild or a merge since: the saved snapshot no longer fits
    restored: int = 0  # articles read back from the store into the state, over its life

    def usable(self, start: datetime, store: Store) -> bool:
        return (
            self.assigner is not None
            and self.covered_from is not None
            and start >= self.covered_from
            and store.count_story_changes() == self.changes_seen
        )

    def refresh(self, store: Store) -> int:
        """Take in the articles placed since the last read (by other processes); how many."""
        if self.assigner is None:
            return 0
        ids, self.seen_until = store.placed_since(self.seen_until)
        new = [i for i in ids if i not in self.assigner.known]
        if new:
            for article in store.articles_for_assignment(new):
                self.assigner.restore(article)
        self.changes_seen = store.count_story_changes()
        self.unsaved += len(new)
        self.restored += len(new)
        return len(new)

    def rebuild(self, store: Store, settings: Settings, start: datetime, end: datetime) -> None:
        """Build the assigner from every article placed between ``start`` and ``end``."""
        assigner = Assigner(settings)
        newest = store.last_placement()
        context = store.assigned_between(start, end)
        for article in context:
            assigner.restore(article)
        self.assigner, self.covered_from, self.seen_until = assigner, start, newest
        self.changes_seen = store.count_story_changes()
        self.rebuilds += 1
        self.unsaved += len(context)
        self.must_save = True
        self.restored += len(context)

    # --- snapshots ------------------------------------------------------------------------------

    def load(self, path: Path, store: Store, settings: Settings) -> bool:
        """Take the state from the snapshot at ``path`` if it fits this database as it is now;
        whether it did. A snapshot that does not fit is left alone (the next save replaces it)."""
        if not path.is_file():
            return False
        try:
            info = snapshot.read_info(path)
            newest, seen_until = store.last_placement(), info.seen_until
            if info.database_id != store.database_id():
                raise snapshot.SnapshotError("made for another database")
            older = seen_until is not None and (newest is None or newest < seen_until)
            if older or (info.last_article and not store.is_placed(info.last_article)):
                raise snapshot.SnapshotError("newer than the database (restored from a backup?)")
            if info.changes_seen != store.count_story_changes():
                raise snapshot.SnapshotError("stories were merged or split since")
            started = time.perf_counter()
            info, assigner = snapshot.load(path, settings)
        except snapshot.SnapshotRefused as exc:
            log.warning(
                "assigner snapshot %s refused (%s); the state is rebuilt from the database",
                name_line(str(path)),
                one_line(str(exc)),
            )
            return False
        except (OSError, snapshot.SnapshotError) as exc:
            log.info("assigner snapshot %s not used: %s", path, one_line(str(exc)))
            return False
        log.info("assigner snapshot read in %.2f s", time.perf_counter() - started)
        self.assigner, self.seen_until, self.covered_from = assigner, seen_until, info.covered_from
        self.changes_seen, self.unsaved, self.must_save = info.changes_seen, 0, False
        self.loads += 1
        return True

    def save_if_due(self, path: Path, store: Store, settings: Settings) -> bool:
        """Save a snapshot when the last no longer fits or enough was taken in since; whether it
        did (a snapshot costs about as much to write as a few per cent of it to rebuild).
        A snapshot that cannot be written is reported in the log, never an error of the run."""
        if self.assigner is None or self.covered_from is None:
            return False
        remembered = len(self.assigner.known)
        due = max(1, remembered // SAVE_AFTER_SHARE)
        if not self.must_save and self.unsaved < due:
            return False
        info = snapshot.SnapshotInfo(
            database_id=store.database_id(),
            settings=snapshot.fingerprint(settings),
            covered_from=self.covered_from,
            seen_until=self.seen_until,
            changes_seen=self.changes_seen,
            articles=remembered,
            last_article=next(reversed(self.assigner.known), None),
            saved_at=datetime.now(UTC),
        )
        try:
            size = snapshot.save(path, self.assigner, info)
        except OSError as exc:
            log.warning("could not save the assigner snapshot %s: %s", path, exc)
            return False
        log.info("assigner snapshot saved: %s (%d articles, %d bytes)", path, remembered, size)
        self.unsaved, self.must_save = 0, False
        return True
