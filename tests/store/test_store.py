"""Store: idempotent writes, round trips, migrations and clear errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from storyline.clean.article import clean_article
from storyline.config import Settings
from storyline.errors import NotFoundError, StorageError
from storyline.model import Article, RemovedLine, SourceKind, Stage
from storyline.store import Store
from storyline.store.schema import MIGRATIONS, schema_migrations

BODY = (
    "The Velmora town council voted on Monday to rebuild the old harbour wall.\n\n"
    "Mayor Ansel Brook said the work would start in June and take two years."
)


def make_article(url: str | None = "https://www.harbortimes.example/news/wall", body: str = BODY):
    article = Article(
        source="fixture",
        source_kind=SourceKind.JSONL,
        raw=body,
        url=url,
        title="Velmora to rebuild harbour wall",
        published=datetime(2031, 4, 2, 9, 30, tzinfo=UTC),
        published_source="record",
    )
    return clean_article(article, Settings())


def test_same_article_twice_is_stored_once(db_url):
    store = Store(db_url)
    first = store.add_article(make_article())
    second = store.add_article(make_article())
    assert first == (first[0], True)
    assert second == (first[0], False)
    assert store.count_articles() == 1


def test_same_url_with_tracking_parameters_is_the_same_article(db_url):
    store = Store(db_url)
    store.add_article(make_article())
    _, new = store.add_article(
        make_article("https://harbortimes.example/news/wall/?utm_source=feed#top", BODY + " More.")
    )
    assert not new
    assert store.count_articles() == 1


def test_same_text_without_url_is_a_duplicate_but_another_outlet_is_not(db_url):
    store = Store(db_url)
    store.add_article(make_article())
    assert store.add_article(make_article(url=None))[1] is False
    other_id, new = store.add_article(make_article("https://www.northwire.example/wall"))
    assert new, "a verbatim copy on another outlet is a separate publication"
    assert store.count_articles() == 2
    assert store.get_article(other_id).outlet == "northwire.example"


def test_one_outlet_across_subdomains_listed_by_key_or_name(db_url):
    store = Store(db_url)
    for number, host in enumerate(("edition.harbortimes.example", "www.harbortimes.example")):
        article = make_article(f"https://{host}/news/{number}", BODY + f" Part {number}.")
        article.outlet_name = "Harbor Times"
        store.add_article(article)
    store.add_article(make_article("https://m.northwire.example/wall", BODY + " Elsewhere."))
    assert store.count_articles(outlet="harbortimes.example") == 2
    assert store.count_articles(outlet="Harbor Times") == 2  # the name shown finds it too
    assert store.count_articles(outlet="edition.harbortimes.example") == 2  # and any host of it
    rows = store.list_articles(outlet="harbortimes.example")
    assert {(r["outlet"], r["outlet_name"]) for r in rows} == {
        ("harbortimes.example", "Harbor Times")
    }
    with store.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sources")).scalars())
    assert names == {"harbortimes.example", "northwire.example"}


def test_article_round_trip_keeps_every_field(db_url):
    store = Store(db_url)
    article = make_article()
    article.removed_lines.append(RemovedLine("Follow us on Twitter", "promotion", 7))
    article.authors = ["Anna Field", "Tomas Brell"]
    article.image_url = "https://img.harbortimes.example/wall.jpg"
    article.image_caption = "The broken wall at low tide."
    article_id, _ = store.add_article(article)
    loaded = store.get_article(article_id)
    assert loaded.text == article.text
    assert loaded.title == "Velmora to rebuild harbour wall"
    assert loaded.published == datetime(2031, 4, 2, 9, 30, tzinfo=UTC)
    assert loaded.published.tzinfo is not None
    assert loaded.outlet == "harbortimes.example"
    assert loaded.outlet_name is None  # no record or page gave a name
    assert loaded.raw == BODY
    assert loaded.removed_lines[-1].line == "Follow us on Twitter"
    assert loaded.removed_lines[-1].reason == "promotion"
    assert Stage.CLEANED in loaded.stages
    assert loaded.language == "en"
    assert loaded.authors == ["Anna Field", "Tomas Brell"]
    assert loaded.image_url == "https://img.harbortimes.example/wall.jpg"
    assert loaded.image_caption == "The broken wall at low tide."


def test_unknown_ids_raise_not_found_with_a_hint(db_url):
    store = Store(db_url)
    with pytest.raises(NotFoundError, match="storyline articles"):
        store.get_article("nope")
    with pytest.raises(NotFoundError, match="storyline stories"):
        store.get_story(12345)


def test_migrations_are_recorded_and_applied_once(db_url):
    Store(db_url).close()
    store = Store(db_url)
    with store.engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(schema_migrations)).scalar_one()
    assert versions == len(MIGRATIONS)


def test_sqlite_uses_wal(sqlite_url):
    store = Store(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one().lower() == "wal"


def test_unreachable_database_gives_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StorageError, match="check --db"):
        Store(f"postgresql+psycopg://nobody:secret@127.0.0.1:{port}/nothing")


def test_a_bad_database_url_says_what_to_use():
    with pytest.raises(StorageError, match="sqlite:///"):
        Store("not a url")


def test_sqlite_folder_is_created(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'deep' / 'er' / 'x.db'}")
    assert store.count_articles() == 0
    assert (tmp_path / "deep" / "er" / "x.db").exists()
