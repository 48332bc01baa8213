"""Shared fixtures: temporary databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from storyline.facade import demo_corpus_path

POSTGRES_URL = os.environ.get("STORYLINE_TEST_POSTGRES_URL")
# The fixture web servers of the fetch tests listen on 127.0.0.1, which the outbound policy
# refuses by default; tests of the policy itself pass fetch_allow_networks=[] explicitly.
os.environ.setdefault("STORYLINE_FETCH_ALLOW_NETWORKS", "127.0.0.0/8")
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


BACKENDS = ["sqlite", "postgres"]  # params for fixtures that give a database of each kind
_schemas: list[str] = []  # PostgreSQL schemas made by this run, dropped at its end


def database_url(kind: str, folder: Path, name: str = "test") -> str:
    """A fresh, empty database: a SQLite file in ``folder``, or a schema of its own in the
    PostgreSQL test database (so module-wide databases of several test modules coexist)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / name}.db"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set STORYLINE_TEST_POSTGRES_URL (.ci/run does)")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    _schemas.append(schema)
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not (_schemas and POSTGRES_URL):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_URL)
    for schema in _schemas:  # one transaction each: all at once exhausts the server's lock table
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each supported kind."""
    return database_url(request.param, tmp_path)


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return demo_corpus_path()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> Path:
    """A SQLite file with the demo corpus ingested (analysed and placed), made once per run:
    tests take copies of it (`demo_copy`) and never write to it."""
    from storyline import Storyline

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    with Storyline(f"sqlite:///{path}") as sl:
        sl.ingest([str(demo_path)])
    return path


def demo_copy(template: Path, folder: Path, name: str = "demo") -> str:
    """The URL of a copy of the demo database ``template`` in ``folder`` (by SQLite's backup
    API, so that nothing still in its write-ahead log is left behind)."""
    import sqlite3

    target = folder / f"{name}.db"
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def demo_expected() -> dict:
    return json.loads((demo_corpus_path().parent / "EXPECTED.json").read_text("utf-8"))


def demo_key(article) -> str:
    """The key EXPECTED.json uses for an article: its URL, or text/<file> for text files."""
    if article.url:
        return article.url
    return "text/" + Path(article.source).name
