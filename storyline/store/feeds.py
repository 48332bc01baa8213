"""Store: the polling state of watched feeds."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from storyline.errors import NotFoundError
from storyline.store.schema import feed_state, registered_feeds


@dataclass(slots=True)
class FeedState:
    """What a watched feed's server last said, and when to poll it next."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    next_poll: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    articles: int = 0  # new articles it has given in all


class FeedStore:
    """Feed state queries; mixed into `Store`, which provides ``transaction``."""

    def transaction(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def feed_state(self, url: str) -> FeedState:
        """The stored state of ``url``, or a fresh one (due now) when it was never polled."""
        with self.transaction() as conn:
            row = conn.execute(select(feed_state).where(feed_state.c.url == url)).first()
        if row is None:
            return FeedState(url)
        return FeedState(**row._asdict())

    def save_feed_state(self, state: FeedState) -> None:
        """Insert or replace the state of one feed."""
        values = asdict(state)
        with self.transaction() as conn:
            exists = conn.execute(
                select(feed_state.c.url).where(feed_state.c.url == state.url)
            ).first()
            if exists:
                conn.execute(
                    feed_state.update().where(feed_state.c.url == state.url).values(**values)
                )
            else:
                conn.execute(feed_state.insert().values(**values))

    def register_feed(self, url: str) -> bool:
        """Add a feed for the web server to poll; False when it was registered already."""
        with self.transaction() as conn:
            found = conn.execute(
                select(registered_feeds.c.url).where(registered_feeds.c.url == url)
            ).first()
            if found:
                return False
            conn.execute(registered_feeds.insert().values(url=url, added_at=datetime.now(UTC)))
        return True

    def unregister_feed(self, url: str) -> None:
        """Stop polling a feed (its articles and polling state stay)."""
        with self.transaction() as conn:
            gone = conn.execute(delete(registered_feeds).where(registered_feeds.c.url == url))
        if not gone.rowcount:
            raise NotFoundError(f"no registered feed {url!r}; list them at /api/v1/feeds")

    def registered_feeds(self) -> list[tuple[str, datetime, FeedState]]:
        """Registered feeds, oldest first, each with when it was added and its polling state."""
        with self.transaction() as conn:
            rows = list(
                conn.execute(select(registered_feeds).order_by(registered_feeds.c.added_at))
            )
        return [(row.url, row.added_at, self.feed_state(row.url)) for row in rows]
