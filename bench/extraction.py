"""HTML cleaning quality and speed on the extraction benchmark in ../shared/bench/extraction.

Scores as the benchmark defines them: predicted and true article bodies as sets of 4-token
shingles; precision, recall and F1 per page, averaged; "accuracy" = share of pages with F1 ≥ 0.9.
Compares storyline's HTML path (trafilatura + boilerplate filter) with plain trafilatura.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from rich.console import Console
from rich.progress import track

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from storyline.clean.html import extract_html
from storyline.clean.text import clean_text
from storyline.errors import ExtractionError

DATA = SHARED / "bench" / "extraction"


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return (
        {tuple(tokens[i : i + n]) for i in range(max(len(tokens) - n + 1, 1))} if tokens else set()
    )


def prf(predicted: str, truth: str) -> tuple[float, float, float]:
    p_set, t_set = shingles(predicted), shingles(truth)
    if not p_set and not t_set:
        return 1.0, 1.0, 1.0
    if not p_set or not t_set:
        return 0.0, 0.0, 0.0
    common = len(p_set & t_set)
    precision, recall = common / len(p_set), common / len(t_set)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def storyline_text(html: str, url: str) -> str:
    try:
        page = extract_html(html, url, url)
    except ExtractionError:
        return ""
    return clean_text(page.text, page.title).text


def trafilatura_text(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def evaluate(name: str, extractor: Callable[[str, str], str], pages: list) -> str:
    scores = []
    start = time.perf_counter()
    for html, url, truth in track(pages, description=name, console=Console(stderr=True)):
        scores.append(prf(extractor(html, url), truth))
    elapsed = time.perf_counter() - start
    n = len(scores)
    p, r, f = (sum(s[i] for s in scores) / n for i in range(3))
    accuracy = sum(s[2] >= 0.9 for s in scores) / n
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {accuracy:.3f} | {n / elapsed:.1f} |"


def main() -> int:
    truth_file = DATA / "ground-truth.json"
    if not truth_file.exists():
        print(f"skipped: extraction benchmark not found at {DATA}")
        return 0
    truth = json.loads(truth_file.read_text("utf-8"))
    pages = []
    for page_id, item in truth.items():
        raw = gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((raw.decode("utf-8", errors="replace"), item["url"], item["articleBody"]))
    rows = [
        evaluate("storyline (trafilatura + line filter)", storyline_text, pages),
        evaluate("trafilatura.extract, defaults", trafilatura_text, pages),
    ]
    body = (
        f"{len(pages)} pages. Goal from the benchmark README: F1 ≥ 0.965 at ≥ 50 pages/s.\n\n"
        "| extractor | precision | recall | F1 | accuracy (F1 ≥ 0.9) | pages/s |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    record("extraction.py", "HTML extraction quality", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
