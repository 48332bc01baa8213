"""Backfill output: the articles a backfill stored, with their annotations and story placement,
and the political events they report (fused, GDELT-like), as Parquet files in one folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storyline.errors import ConfigError
from storyline.fuse.events import fuse_events
from storyline.serve.event_export import event_records, write_parquet
from storyline.serve.views import annotations_json
from storyline.store import Store

ROWS_PER_GROUP = 500  # articles per Parquet row group: memory stays flat for any backfill


class BackfillOutput:
    """Writes ``articles.parquet`` and ``events.parquet`` into ``folder``."""

    def __init__(self, folder: Path) -> None:
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder} is a file; give --output a folder for the Parquet files")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the output folder {folder} ({exc.strerror})") from exc
        self.folder = folder

    def write(self, store: Store, article_ids: list[str]) -> list[str]:
        """Write the given articles (as stored now: analysed and placed) and their events;
        return the paths written."""
        articles_path = self.folder / "articles.parquet"
        events_path = self.folder / "events.parquet"
        write_articles(store, article_ids, articles_path)
        wanted = set(article_ids)
        found = [
            (event, meta)
            for event, meta in store.list_events(happened_only=False, limit=None)
            if event.span.article_id in wanted
        ]
        write_parquet(event_records(fuse_events(found)), events_path)
        return [str(articles_path), str(events_path)]


def _schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            ("id", text),
            ("source", text),
            ("source_kind", text),
            ("url", text),
            ("title", text),
            ("outlet", text),
            ("outlet_name", text),
            ("published", pa.timestamp("us", tz="UTC")),
            ("language", text),
            ("story_id", pa.int64()),
            ("event_id", pa.int64()),
            ("duplicate_of", text),
            ("text", text),
            ("annotations", text),  # JSON: the shape of GET /api/v1/articles/{id}/annotations
        ]
    )


def write_articles(store: Store, article_ids: list[str], path: Path) -> None:
    """One row per article, written a row group at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, max(len(article_ids), 1), ROWS_PER_GROUP):
            rows = []
            for article_id in article_ids[start : start + ROWS_PER_GROUP]:
                article = store.get_article(article_id)
                found = store.annotations(article_id)
                rows.append(
                    {
                        "id": article.id,
                        "source": article.source,
                        "source_kind": article.source_kind.value,
                        "url": article.url,
                        "title": article.title,
                        "outlet": article.outlet,
                        "outlet_name": article.outlet_name,
                        "published": article.published,
                        "language": article.language,
                        "story_id": article.story_id,
                        "event_id": article.event_id,
                        "duplicate_of": article.duplicate_of,
                        "text": article.text,
                        "annotations": json.dumps(annotations_json(found), ensure_ascii=False),
                    }
                )
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
