"""Store: the only package that talks to the database (SQLite by default, or PostgreSQL)."""

from storyline.store.store import Store

__all__ = ["Store"]
