"""Analysis in the store, on SQLite and PostgreSQL: saved, reloaded, listed, re-run, resumed.

The corpus is three short fictional articles written for this file (two English, one German).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from storyline import Storyline
from storyline.analyze.annotate import analyze_articles
from storyline.store import Store
from storyline.store.schema import ANNOTATION_TABLES, MIGRATIONS, articles, entities, quotes
from storyline.store.schema import schema_migrations as migrations_table
from tests.analysis_corpus import write_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def by_title(sl: Storyline) -> dict[str, str]:
    """Article id by the first word of its title."""
    return {row["title"].split()[0]: row["id"] for row in sl.articles(limit=100)}


def row_counts(sl: Storyline) -> dict[str, int]:
    with sl.store.engine.connect() as conn:
        counts = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (*ANNOTATION_TABLES, entities)
        }
    return counts


@pytest.fixture
def ingested(db_url: str, corpus: Path):
    with Storyline(db_url) as sl:
        report = sl.ingest([str(corpus)])
        assert len(report.ingested) == 3 and report.failures == []
        yield sl


def test_ingest_analyses_and_the_annotations_reload(ingested):
    sl = ingested
    ids = by_title(sl)
    found = sl.annotations(ids["Varga"])
    article = sl.article(ids["Varga"])
    assert found.analyzed_at is not None
    assert found.note is None
    assert found.mentions and found.quotes and found.claims and found.times and found.places
    for item in [*found.mentions, *found.quotes, *found.claims, *found.times]:
        assert item.span.article_id == article.id
        assert article.text[item.span.start : item.span.end] == item.text
    varga = [e for e in found.entities if e.name == "Ilse Varga"]
    assert len(varga) == 1 and varga[0].type == "PERSON"
    quote = next(q for q in found.quotes if "single battalion" in q.text)
    assert quote.kind == "direct" and quote.speaker_entity_id == varga[0].id
    assert quote.channel == "press conference"
    assert quote.speaker_span is not None
    [tallinn] = [p for p in found.places if p.name == "Tallinn"]
    assert tallinn.country == "EST" and tallinn.lat is not None


def test_what_is_stored_is_what_the_stage_returned(ingested):
    sl = ingested
    article_id = by_title(sl)["Floods"]
    stored = sl.annotations(article_id)
    [fresh] = analyze_articles([sl.article(article_id)], sl.settings)

    def spans(items):
        return sorted((i.span.start, i.span.end, i.text) for i in items)

    assert spans(stored.quotes) == spans(fresh.quotes)
    assert spans(stored.claims) == spans(fresh.claims)
    assert spans(stored.times) == spans(fresh.times)
    assert spans(stored.mentions) == spans(fresh.mentions)
    assert [(c.quantity, c.quantity_max, c.unit, c.counted) for c in stored.claims] == [
        (c.quantity, c.quantity_max, c.unit, c.counted)
        for c in sorted(fresh.claims, key=lambda c: c.span.start)
    ]


def test_a_german_article_is_stored_as_analysed_with_a_note_and_nothing_else(ingested):
    sl = ingested
    found = sl.annotations(by_title(sl)["Die"])
    assert found.analyzed_at is not None
    assert found.note is not None and "'de'" in found.note
    assert found.mentions == [] and found.quotes == [] and found.claims == []
    assert found.times == [] and found.places == [] and found.entities == []


def test_reanalysing_everything_does_not_duplicate_rows(ingested):
    sl = ingested
    before = row_counts(sl)
    assert before["mentions"] > 0 and before["quotes"] > 0 and before["claims"] > 0
    report = sl.analyze(redo=True)
    assert report.analyzed == 2
    assert report.not_supported == 1
    assert report.failures == []
    assert row_counts(sl) == before
    sl.analyze(redo=True)
    assert row_counts(sl) == before


def test_analyse_without_redo_does_nothing_when_all_are_done(ingested):
    sl = ingested
    before = row_counts(sl)
    report = sl.analyze()
    assert (report.analyzed, report.not_supported) == (0, 0)
    assert row_counts(sl) == before


def test_entities_are_listed_with_their_counts(ingested):
    sl = ingested
    [varga] = [e for e in sl.entities(limit=500) if e["name"] == "Ilse Varga"]
    assert varga["type"] == "PERSON"
    assert varga["article_count"] == 2  # the German article is not analysed
    assert varga["mention_count"] >= 3
    assert "Varga" in varga["aliases"]
    assert any("Defence Minister" in role for role in varga["roles"])
    people = sl.entities(entity_type="PERSON", limit=500)
    assert people and {e["type"] for e in people} == {"PERSON"}
    assert {e["name"] for e in people} >= {"Ilse Varga", "Paul Hendry"}
    named = sl.entities(query="varga")
    assert [e["id"] for e in named] == [varga["id"]]
    counts = [e["mention_count"] for e in sl.entities(limit=500)]
    assert counts == sorted(counts, reverse=True)


def test_the_same_person_in_two_articles_is_one_stored_entity(ingested):
    sl = ingested
    ids = by_title(sl)
    north = {e.id for e in sl.annotations(ids["Varga"]).entities if e.name == "Ilse Varga"}
    flood = {e.id for e in sl.annotations(ids["Floods"]).entities if e.name == "Ilse Varga"}
    assert north == flood and len(north) == 1


def test_quotes_by_speaker_are_only_that_speakers(ingested):
    sl = ingested
    [varga] = [e for e in sl.entities(limit=500) if e["name"] == "Ilse Varga"]
    rows = sl.quotes(speaker="Varga")
    assert len(rows) >= 3  # two in the north article, one in the flood article
    for row in rows:
        assert row["speaker_entity_id"] == varga["id"]
    assert {row["article_id"] for row in rows} == {by_title(sl)["Varga"], by_title(sl)["Floods"]}
    assert any("army engineers would arrive" in row["text"] for row in rows)
    assert not any("water is still rising" in row["text"] for row in rows)
    hendry = sl.quotes(speaker="Hendry")
    assert any("water is still rising" in row["text"] for row in hendry)
    assert all("Varga" not in (row["speaker"] or "") for row in hendry)
    by_id = sl.quotes(speaker=varga["id"])
    assert {r["id"] for r in by_id} == {r["id"] for r in rows}


def test_quotes_of_one_article(ingested):
    sl = ingested
    article_id = by_title(sl)["Floods"]
    rows = sl.quotes(article_id=article_id)
    assert rows and {r["article_id"] for r in rows} == {article_id}
    assert len(rows) == len(sl.annotations(article_id).quotes)


def test_claims_by_what_they_count(ingested):
    sl = ingested
    rows = sl.claims(counted="soldiers")
    assert len(rows) == 1
    [row] = rows
    assert row["quantity"] == 13_000
    assert row["approximate"]
    assert row["qualifier"] == "some"
    assert row["article_id"] == by_title(sl)["Varga"]
    residents = sl.claims(counted="residents")
    assert [(r["quantity"], r["quantity_max"]) for r in residents] == [(3_000, 5_000)]
    assert sl.claims(counted="submarines") == []


# --- an old database, and a killed run ----------------------------------------------------------


def downgrade_to_migration_1(url: str) -> None:
    """Make the database look like one created before the analysis migration existed."""
    store = Store(url)
    with store.engine.begin() as conn:
        for table in (*ANNOTATION_TABLES, entities):
            conn.execute(text(f"DROP TABLE {table.name}"))
        conn.execute(text("DROP INDEX ix_articles_analyzed_at"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN analyzed_at"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN analysis_note"))
        conn.execute(migrations_table.delete().where(migrations_table.c.version >= 2))
    store.close()


def test_an_old_database_is_upgraded_and_its_articles_analysed(db_url, corpus):
    with Storyline(db_url) as sl:
        sl.ingest([str(corpus)], analyze=False)
    downgrade_to_migration_1(db_url)
    raw = create_engine(db_url)
    with raw.connect() as conn:
        assert "mentions" not in inspect(conn).get_table_names()
        assert "analyzed_at" not in {c["name"] for c in inspect(conn).get_columns("articles")}
    raw.dispose()
    with Storyline(db_url) as sl:
        with sl.store.engine.connect() as conn:
            versions = sorted(conn.execute(select(migrations_table.c.version)).scalars())
            tables = set(inspect(conn).get_table_names())
            columns = {c["name"] for c in inspect(conn).get_columns("articles")}
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert {t.name for t in ANNOTATION_TABLES} | {"entities"} <= tables
        assert {"analyzed_at", "analysis_note"} <= columns
        assert len(sl.articles()) == 3
        assert sl.store.count_unanalysed() == 3
        report = sl.analyze()
        assert (report.analyzed, report.not_supported) == (2, 1)
        assert sl.quotes(speaker="Varga")
        assert sl.claims(counted="soldiers")
        assert sl.store.count_unanalysed() == 0


def test_ingest_without_analysis_leaves_articles_pending(db_url, corpus):
    with Storyline(db_url) as sl:
        sl.ingest([str(corpus)], analyze=False)
        assert sl.store.count_unanalysed() == 3
        for row in sl.articles():
            found = sl.annotations(row["id"])
            assert found.analyzed_at is None
            assert found.mentions == [] and found.quotes == []
        assert sl.entities() == []


def test_analysis_resumes_after_a_kill_and_leaves_finished_articles_alone(db_url, corpus):
    with Storyline(db_url) as sl:
        sl.ingest([str(corpus)], analyze=False)
        # a run that was killed after its first article was saved
        pending = sl.store.pending_analysis(limit=10)
        first = next(a for a in pending if (a.title or "").startswith("Varga"))
        [done] = analyze_articles([first], sl.settings)
        sl.store.save_analysis(done)
        with sl.store.engine.connect() as conn:
            stamped = conn.execute(
                select(articles.c.analyzed_at).where(articles.c.id == first.id)
            ).scalar_one()
            quote_ids = sorted(
                conn.execute(select(quotes.c.id).where(quotes.c.article_id == first.id)).scalars()
            )
        assert stamped is not None and quote_ids
        assert sl.store.count_unanalysed() == 2

        report = sl.analyze()
        assert (report.analyzed, report.not_supported) == (1, 1)
        assert sl.store.count_unanalysed() == 0
        with sl.store.engine.connect() as conn:
            assert (
                conn.execute(
                    select(articles.c.analyzed_at).where(articles.c.id == first.id)
                ).scalar_one()
                == stamped
            )
            assert (
                sorted(
                    conn.execute(
                        select(quotes.c.id).where(quotes.c.article_id == first.id)
                    ).scalars()
                )
                == quote_ids
            )
        for row in sl.articles():
            assert sl.annotations(row["id"]).analyzed_at is not None
