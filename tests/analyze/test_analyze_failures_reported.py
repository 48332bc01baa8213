"""An article that makes an annotation stage fail is stored without annotations, and `ingest`
reports it (CLI text and JSON, the web job's failures) without failing the batch."""

from __future__ import annotations

import json

from storyline import Storyline
from storyline.analyze import annotate
from storyline.serve.cli import _print_report

ROWS = [
    {"url": "https://harbortimes.example/ferry", "title": "Ferry to Orla runs again",
     "text": "The ferry between Port Venn and Orla island ran again on Tuesday after the pier "
     "was repaired, the harbour board said."},
    {"url": "https://harbortimes.example/broken", "title": "Broken [bold]markup[/bold] title",
     "text": "This article trips a stage of the analysis in this test, on purpose, so that the "
     "report has something to say about it."},
]  # fmt: skip


def test_an_analysis_failure_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch, capsys):
    real = annotate.annotate_parsed

    def failing(article, *args, **kwargs):
        if "Broken" in (article.title or ""):
            raise ValueError("a stage broke")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(annotate, "annotate_parsed", failing)
    corpus = tmp_path / "two.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    stages: list[tuple[str, int]] = []
    with Storyline(f"sqlite:///{tmp_path / 'x.db'}") as sl:
        report = sl.ingest(
            [str(corpus)], stage=lambda name, so_far: stages.append((name, len(so_far.ingested)))
        )
        assert stages == [("reading", 0), ("analysing", 2), ("placing in stories", 2)]
        assert len(report.ingested) == 2 and report.ok and report.failures == []
        [failure] = report.analysis_failures
        assert "analysis failed: ValueError: a stage broke" in failure.reason
        assert sl.annotations(report.ingested[0]).mentions  # the other one is annotated
        assert not sl.annotations(report.ingested[1]).mentions
    _print_report(report, as_json=True)
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed["not_analysed"][0]["reason"] == failure.reason
    assert "stored, not analysed:" in captured.err
    _print_report(report, as_json=False)
    captured = capsys.readouterr()
    assert "stored but not analysed 1" in captured.out
    assert "a stage broke" in captured.err
