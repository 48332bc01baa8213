"""The floors the clean stage reached on the 181 pages of ../shared/bench/extraction (issue 21;
figures in docs/benchmarks.md, bench/extraction.py and bench/furniture.py): a change to the
extraction, the line cleaner or the furniture rules that loses article text or lets furniture
back fails here. Skipped when the corpus is absent."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench._furniture_set import extraction_units, page_half, score
from bench.extraction import prf, storyline_text

DATA = Path(__file__).resolve().parents[3] / "shared" / "bench" / "extraction"
pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# reached 2026-12-04 (whole clean stage F1: all 0.977, dev 0.973, test 0.982)
F1_FLOORS = {"all": 0.975, "dev": 0.970, "test": 0.978}
# extraction-page lines (precision, recall, share of article lines lost), reached: dev
# 0.523/0.573/0.027, test 0.769/0.550/0.010; far from the goal, partly label noise (see the
# furniture section of docs/benchmarks.md), pinned so that they do not slip back
FURNITURE_FLOORS = {"dev": (0.50, 0.55, 0.03), "test": (0.74, 0.53, 0.012)}


def _pages() -> list[tuple[str, str, str, str]]:
    truth_file = DATA / "ground-truth.json"
    if not truth_file.exists():
        pytest.skip(f"extraction benchmark not found at {DATA}")
    truth = json.loads(truth_file.read_text("utf-8"))
    return [
        (
            page_id,
            gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes()).decode(
                "utf-8", errors="replace"
            ),
            item["url"],
            item["articleBody"],
        )
        for page_id, item in truth.items()
    ]


def test_the_whole_clean_stage_holds_its_extraction_f1() -> None:
    scores = {"all": [], "dev": [], "test": []}
    for page_id, html, url, truth in _pages():
        f1 = prf(storyline_text(html, url), truth)[2]
        scores["all"].append(f1)
        scores[page_half(page_id)].append(f1)
    found = {half: sum(values) / len(values) for half, values in scores.items()}
    for half, floor in F1_FLOORS.items():
        assert found[half] >= floor, found


def test_furniture_on_the_extraction_pages_holds_its_floor() -> None:
    if not (DATA / "ground-truth.json").exists():
        pytest.skip(f"extraction benchmark not found at {DATA}")
    units = extraction_units(DATA)
    for half, (precision, recall, lost) in FURNITURE_FLOORS.items():
        found = score(u for u in units if u.split == f"extraction {half}")
        assert found["precision"] >= precision, (half, found)
        assert found["recall"] >= recall, (half, found)
        assert found["lost"] <= lost, (half, found)
