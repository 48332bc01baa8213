"""Store: migration 13, outlets keyed by registered domain with the name to show beside the key.

Before it an article's outlet was its URL's host less "www."/"m."/"amp." (so edition.cnn.com and
cnn.com were two outlets), or the name its record or page gave when it had one. Now the outlet is
the registered domain of the URL ("cnn.com"), and that name, when it reads as one, is kept in
``outlet_name`` to be shown (issue 21). Articles move to their outlet's row in ``sources``, and
rows left with no article are dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, inspect, select, text

from storyline.store.schema import articles, sources

_BATCH = 2_000


def _settle(conn: Connection, old: str) -> None:
    """Re-key the articles stored under the outlet ``old``, a batch of ids at a time."""
    from storyline.clean.outlets import outlet_from_url, outlet_key, outlet_name

    last = ""
    while True:
        rows = conn.execute(
            select(articles.c.id, articles.c.url)
            .where(articles.c.outlet == old, articles.c.id > last)
            .order_by(articles.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        moves: dict[tuple[str | None, str | None], list[str]] = {}
        for article_id, url in rows:
            key = outlet_from_url(url) or outlet_key(old)
            moves.setdefault((key, outlet_name(old, key)), []).append(article_id)
        for (key, name), ids in moves.items():
            if key != old or name is not None:
                conn.execute(
                    articles.update()
                    .where(articles.c.id.in_(ids))
                    .values(
                        outlet=key[:300] if key else None, outlet_name=name[:300] if name else None
                    )
                )


def rekey_outlets(conn: Connection) -> None:
    """Add ``articles.outlet_name``, re-key every stored outlet and point articles at the
    ``sources`` row of their new key (see the module docstring)."""
    present = {column["name"] for column in inspect(conn).get_columns("articles")}
    if "outlet_name" not in present:
        conn.execute(text("ALTER TABLE articles ADD COLUMN outlet_name VARCHAR(300)"))
        conn.execute(text("CREATE INDEX ix_articles_outlet_name ON articles (outlet_name)"))
    stored = select(articles.c.outlet).where(articles.c.outlet.is_not(None)).distinct()
    for old in list(conn.execute(stored).scalars()):
        _settle(conn, old)
    known = set(conn.execute(select(sources.c.name)).scalars())
    for key in list(conn.execute(stored).scalars()):
        if key not in known:
            first = conn.execute(
                select(func.min(articles.c.ingested_at)).where(articles.c.outlet == key)
            ).scalar()
            conn.execute(sources.insert().values(name=key, first_seen=first or datetime.now(UTC)))
    source_of = select(sources.c.id).where(sources.c.name == articles.c.outlet).scalar_subquery()
    conn.execute(
        articles.update().where(articles.c.outlet.is_not(None)).values(source_id=source_of)
    )
    conn.execute(articles.update().where(articles.c.outlet.is_(None)).values(source_id=None))
    used = select(articles.c.source_id).where(articles.c.source_id.is_not(None))
    conn.execute(sources.delete().where(sources.c.id.not_in(used)))
