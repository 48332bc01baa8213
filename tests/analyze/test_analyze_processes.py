"""Analysis with several parse processes gives what one process gives, in the same order."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from storyline import Storyline, get_settings
from storyline.analyze.nlp import load_pipeline, parse_stream
from storyline.pipeline import parse_processes

TEXTS = [
    "Interior Minister Omar Haddad of Syria said on Monday that Turkey attacked two posts.",
    "",
    "The Kremlin warned Ukraine. " * 40 + "\n\n" + "NATO sent written responses to Russia. " * 600,
    "Police arrested 20 protesters in Minsk on Tuesday, witnesses said.",
]


def test_the_stream_keeps_order_and_passes_unparsed_items_through() -> None:
    nlp = load_pipeline(get_settings().spacy_model)
    items = [("a", TEXTS[0]), ("skip", None), ("b", TEXTS[2]), ("c", TEXTS[1]), ("end", None)]
    for processes in (1, 2):
        out = list(parse_stream(nlp, iter(items), batch_size=2, processes=processes))
        assert [item for item, _ in out] == ["a", "skip", "b", "c", "end"]
        assert [parsed is None for _, parsed in out] == [False, True, False, False, True]
        long = out[2][1]
        assert long is not None and len(long.chunks) > 1  # cut into chunks, put back in order
        assert "".join(long.text[c.offset : c.offset + c.length] for c in long.chunks) == TEXTS[2]


def _analysed(folder: Path, processes: int) -> list[dict[str, object]]:
    corpus = folder / "corpus.jsonl"
    rows = [
        {"url": f"https://gazette.example/{n}", "title": f"Report {n}",
         "text": f"{text} This was report number {n}.",
         "published": "2031-05-15T09:00:00Z"}
        for n, text in enumerate(TEXTS * 3)
    ]  # fmt: skip
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = get_settings(
        db_url=f"sqlite:///{folder}/p{processes}.db", analysis_processes=processes
    )
    with Storyline(settings=settings) as sl:
        sl.ingest([str(corpus)], assign=False)
        return [
            {k: v for k, v in asdict(sl.store.annotations(a["id"])).items() if k != "analyzed_at"}
            for a in sl.articles(limit=100)
        ]


def test_two_parse_processes_store_the_same_annotations_as_one(tmp_path: Path) -> None:
    one = _analysed(tmp_path, 1)
    two = _analysed(tmp_path, 2)
    assert len(one) == 9  # the three copies of the empty text are refused at ingest: too short
    assert one == two
    assert any(r["events"] for r in one)


def test_auto_starts_workers_only_for_long_runs(tmp_path: Path) -> None:
    settings = get_settings(db_url=f"sqlite:///{tmp_path}/auto.db", analysis_processes=0)
    with Storyline(settings=settings) as sl:
        assert parse_processes(settings, sl.store) == 1  # nothing waits
    fixed = get_settings(db_url=f"sqlite:///{tmp_path}/auto.db", analysis_processes=3)
    with Storyline(settings=fixed) as sl:
        assert parse_processes(fixed, sl.store) == 3


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_numpy_and_blis_matrix_products_give_the_same_parse() -> None:
    name = get_settings().spacy_model
    by_numpy, by_blis = load_pipeline(name, "numpy"), load_pipeline(name, "blis")
    assert not by_numpy.get_pipe("ner").model.ops.use_blis
    assert by_blis.get_pipe("ner").model.ops.use_blis
    texts = [TEXTS[0], TEXTS[2], TEXTS[3]]
    for a, b in zip(by_numpy.pipe(texts), by_blis.pipe(texts), strict=True):
        assert [(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in a] == [
            (t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in b
        ]


def test_parse_workers_use_one_blas_thread_and_the_parent_gets_its_threads_back() -> None:
    from threadpoolctl import threadpool_limits

    nlp = load_pipeline(get_settings().spacy_model)
    with threadpool_limits(2, user_api="blas"):  # as on a 2-core machine, whatever this one is
        before = _blas_threads()
        stream = parse_stream(nlp, iter([("a", TEXTS[0]), ("b", TEXTS[3])]), processes=2)
        next(stream)
        assert set(_blas_threads()) == {1}  # while the forked workers parse
        list(stream)
        assert _blas_threads() == before == [2] * len(before)
