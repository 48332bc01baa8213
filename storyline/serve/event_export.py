"""Serve: fused political events as flat records, written as GDELT-like TSV or Parquet.

Columns follow GDELT 1.0's event table where one exists (SQLDATE, Actor1Code, EventCode,
EventRootCode, QuadClass, GoldsteinScale, NumSources, NumArticles ...), in snake case, plus
PLOVER's type and mode and storyline's provenance: the article ids and the sentence.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

from storyline.analyze.events import load_ontology
from storyline.fuse.events import FusedEvent

QUAD = {
    "verbal cooperation": 1,
    "material cooperation": 2,
    "verbal conflict": 3,
    "material conflict": 4,
}
COLUMNS = [
    "event_id", "sql_date", "actor1_code", "actor1_name", "actor2_code", "actor2_name",
    "event_code", "event_root_code", "plover", "mode", "quad_class", "goldstein_scale",
    "num_sources", "num_articles", "place", "status", "quoted", "article_ids", "outlets",
    "sentence",
]  # fmt: skip


def event_id(event: FusedEvent) -> str:
    """A stable id from what makes the event one: actor, type, target and day."""
    parts = (event.actor, event.plover, event.target, event.status, event.day)
    key = "|".join(str(v) for v in parts)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def event_records(events: list[FusedEvent]) -> list[dict[str, Any]]:
    """One flat record per fused event, in ``COLUMNS`` order."""
    plover = load_ontology().plover
    records = []
    for event in events:
        quad = str(plover.get(event.plover, {}).get("quad", ""))
        records.append(
            {
                "event_id": event_id(event),
                "sql_date": event.day.replace("-", "") if event.day else None,
                "actor1_code": event.actor,
                "actor1_name": event.actor_name,
                "actor2_code": event.target,
                "actor2_name": event.target_name,
                "event_code": event.cameo,
                "event_root_code": event.cameo[:2],
                "plover": event.plover,
                "mode": event.mode,
                "quad_class": QUAD.get(quad),
                "goldstein_scale": event.goldstein,
                "num_sources": event.support,
                "num_articles": len({s.article_id for s in event.sources}),
                "place": event.place,
                "status": event.status,
                "quoted": event.quoted,
                "article_ids": ",".join(dict.fromkeys(s.article_id for s in event.sources)),
                "outlets": ",".join(dict.fromkeys(s.outlet or "unknown" for s in event.sources)),
                "sentence": event.text,
            }
        )
    return records


def to_tsv(records: list[dict[str, Any]]) -> str:
    """Tab-separated, with a header line; tabs and line breaks inside values become spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(
            ["" if record[c] is None else " ".join(str(record[c]).split()) for c in COLUMNS]
        )
    return buffer.getvalue()


def write_parquet(records: list[dict[str, Any]], path: Path) -> None:
    """Write ``records`` as a Parquet file (typed columns, one row group)."""
    import pyarrow as pa  # imported here: it takes a moment and only exports need it
    import pyarrow.parquet as pq

    types = {
        "goldstein_scale": pa.float64(),
        "quad_class": pa.int64(),
        "num_sources": pa.int64(),
        "num_articles": pa.int64(),
        "quoted": pa.bool_(),
    }
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    table = pa.Table.from_pylist(records, schema=schema)
    pq.write_table(table, path)
