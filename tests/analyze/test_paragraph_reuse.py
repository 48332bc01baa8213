"""Paragraph reuse: a republished paragraph is not parsed again, and nothing found changes.

The articles are fictional (outlets, people, places and events made up for these tests).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from storyline import Storyline, get_settings
from storyline.analyze.nlp import load_pipeline, parse_many, parse_stream, split_paragraphs
from storyline.analyze.reuse import ParagraphCache, paragraph_key

FIRST = (
    "Harlan Veski, the defence minister of Ostrava, said on Monday that about 4,500 troops had "
    "moved to the border with Quellmark.\n\n"
    # quote marks open in one paragraph and close in the next: layers read across paragraphs
    '"We will not be drawn into a war," Veski told reporters in Dunmere. "But we are ready\n\n'
    'to defend every village," he added, before meeting envoys of the Tarrow Union.\n\n'
    "Quellmark's foreign ministry accused Ostrava of threatening its eastern provinces and "
    "said 12 observers would arrive on 3 March 2031. Police in Dunmere arrested 20 protesters "
    "on Sunday.\n\n"
    "The talks are due to resume next week in Sallowbridge, officials said."
)
SECOND = (
    "Police in Brenlow arrested 35 protesters on Tuesday after clashes outside the parliament, "
    "the interior ministry said.\n\n"
    'Interior Minister Dagny Orrel said the protest leaders had been warned twice. "They knew '
    'the rules," she said.\n\n'
    "The Brenlow Workers' League said it would appeal to the Tarrow Union court."
)


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def _republished() -> list[tuple[str, str]]:
    """(outlet, text): two originals, then copies as wire republishing makes them: an exact
    copy, one with an outlet's own first paragraph, one with its last paragraph changed."""
    first, second = _paragraphs(FIRST), _paragraphs(SECOND)
    return [
        ("northwire.example", FIRST),
        ("gazette.example", SECOND),
        ("harbour-times.example", FIRST),
        ("valley-post.example", "\n\n".join(["DUNMERE (Valley Post) - Updated at noon.", *first])),
        ("gazette-two.example", "\n\n".join([*second[:-1], "Reporting by Ilse Marr."])),
        ("coast-daily.example", "\n\n".join([*first[:-1], "Talks resume on Friday."])),
    ]


def _analysed(folder: Path, reuse_tokens: int, name: str) -> list[dict[str, object]]:
    corpus = folder / f"{name}.jsonl"
    rows = [
        {"url": f"https://{outlet}/story/{n}", "title": f"Report {n}", "text": text,
         "published": "2031-03-01T09:00:00Z"}
        for n, (outlet, text) in enumerate(_republished())
    ]  # fmt: skip
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = get_settings(
        db_url=f"sqlite:///{folder}/{name}.db",
        analysis_processes=1,
        analysis_batch_size=2,
        analysis_reuse_tokens=reuse_tokens,
    )
    with Storyline(settings=settings) as sl:
        report = sl.ingest([str(corpus)], assign=False)
        assert len(report.ingested) == len(rows)
        found = {a["id"]: sl.store.annotations(a["id"]) for a in sl.articles(limit=100)}
        return [
            {k: v for k, v in asdict(found[i]).items() if k != "analyzed_at"}
            for i in report.ingested
        ]


def test_reuse_stores_the_same_annotations_as_parsing_every_paragraph(tmp_path: Path) -> None:
    with_reuse = _analysed(tmp_path, 1_000_000, "reuse")
    without = _analysed(tmp_path, 0, "plain")
    assert with_reuse == without
    for layer in ("mentions", "quotes", "claims", "times", "places", "events"):
        assert all(a[layer] for a in with_reuse[:2]), layer  # the fixture exercises every layer


def _layers(parsed: object) -> list[tuple[object, ...]]:
    from storyline.analyze.nlp import Parsed

    assert isinstance(parsed, Parsed)
    return [
        (
            c.offset,
            c.length,
            c.doc.text,
            [(t.idx, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_) for t in c.doc],
            [s.start for s in c.doc.sents],
        )
        for c in parsed.chunks
    ]


def test_a_copy_reuses_its_paragraphs_and_a_changed_one_is_parsed_again() -> None:
    nlp = load_pipeline(get_settings().spacy_model)
    texts = [text for _, text in _republished()]
    alone = [_layers(p) for text in texts for p in parse_many(nlp, [text])]
    cache = ParagraphCache(1_000_000)
    for processes in (1, 2):
        items = iter(enumerate(texts))
        out = list(parse_stream(nlp, items, batch_size=2, processes=processes, cache=cache))
        assert [_layers(p) for _, p in out] == alone  # the same parse, token by token
    distinct = {paragraph_key(p) for t in texts for p in split_paragraphs(t)}
    assert cache.misses == len(distinct) and len(cache) == len(distinct)
    # the second pass took every paragraph from the cache; the first, each repeat of one
    repeats = sum(len(split_paragraphs(t)) for t in texts) - len(distinct)
    assert cache.hits == repeats + sum(len(split_paragraphs(t)) for t in texts)
    changed = FIRST.replace("next week", "on Thursday")
    fresh = [_layers(p) for p in parse_many(nlp, [changed])]
    assert [_layers(p) for p in parse_many(nlp, [changed], cache=cache)] == fresh
    assert cache.misses == len(distinct) + 1  # only the changed last paragraph was parsed
    reused = len(split_paragraphs(FIRST)) - 1
    assert cache.hits == repeats + sum(len(split_paragraphs(t)) for t in texts) + reused


def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recently_used() -> None:
    nlp = load_pipeline(get_settings().spacy_model)
    docs = list(nlp.pipe([f"Minister Anna Quell{n} spoke in Dunmere today." for n in range(6)]))
    size = len(docs[0])
    cache = ParagraphCache(max_tokens=3 * size)
    for n, doc in enumerate(docs[:3]):
        cache.put(bytes([n]), doc)
    assert cache.get(bytes([0])) is docs[0]  # now the most recently used
    cache.put(bytes([3]), docs[3])
    assert cache.tokens <= 3 * size and len(cache) == 3
    assert cache.get(bytes([1])) is None  # the least recently used went first
    assert cache.get(bytes([0])) is docs[0] and cache.get(bytes([3])) is docs[3]
    cache.put(b"long", nlp("word " * (3 * size + 1)))  # longer than the bound: not kept
    assert cache.get(b"long") is None and len(cache) == 3
    off = ParagraphCache(0)
    off.put(b"x", docs[4])
    assert off.get(b"x") is None and off.tokens == 0


def test_paragraphs_put_back_together_give_the_text() -> None:
    for text in (FIRST, "", "One line.", "\n\nLead.\n\n", "A.\n \n  B.\n\n\n\nC."):
        parts = split_paragraphs(text)
        assert "".join(parts) == text
        assert all(p.strip() for p in parts[1:])  # a break never starts a paragraph
    assert split_paragraphs("A.\n\nB.") == ["A.\n\n", "B."]
