"""Shared fixtures: temporary databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from storyline.facade import demo_corpus_path

POSTGRES_URL = os.environ.get("STORYLINE_TEST_POSTGRES_URL")
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each supported kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set STORYLINE_TEST_POSTGRES_URL (.ci/run does)")
    _reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return demo_corpus_path()


@pytest.fixture(scope="session")
def demo_expected() -> dict:
    return json.loads((demo_corpus_path().parent / "EXPECTED.json").read_text("utf-8"))


def demo_key(article) -> str:
    """The key EXPECTED.json uses for an article: its URL, or text/<file> for text files."""
    if article.url:
        return article.url
    return "text/" + Path(article.source).name
