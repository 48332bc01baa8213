"""Labelled furniture lines and how storyline's cleaner treats them (bench/furniture.py and the
floor test tests/clean/test_furniture_floor.py).

Two sets. The written set (bench/data/furniture_pages.txt): fictional scraped pages, labelled
line by line with the class of furniture or as article text, split into dev and test halves.
The extraction pages (../shared/bench/extraction): each line of the text trafilatura extracts
is labelled article when most of its 4-token shingles are in the page's ground-truth body, else
furniture (tokens are words, and each Chinese or Japanese character alone; a line with no letter
or digit, such as a rule of underscores, is not labelled); split into dev and test halves by a
hash of the page id, as bench/extraction.py splits them. A unit is one labelled line, or one of
the two parts of a line where an appeal is glued to article text. storyline is imported lazily
and its newer arguments are used only when present, so that an older checkout can be measured
(``--before``).
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FIXTURE = Path(__file__).resolve().parent / "data" / "furniture_pages.txt"
# Words, and each Chinese or Japanese character alone (written without spaces, a run of them
# would be one "word" whose shingles never match); an underscore is not a word ("____" rules).
_CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
ARTICLE_GROUPS = ("article", "tricky", "glued lede")


@dataclass(slots=True)
class Labelled:
    """One labelled raw line of a written page."""

    position: int
    kind: str  # "A" article, "F" furniture, "G" furniture glued to article text
    group: str  # furniture class, or "article" / "tricky"
    text: str
    kept: str | None = None  # for "G": the article part the cleaner must keep


@dataclass(slots=True)
class Page:
    """A written page: address, dev or test, title, raw text and its labelled lines."""

    url: str
    split: str
    title: str | None = None
    raw_lines: list[str] = field(default_factory=list)
    lines: list[Labelled] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Unit:
    """What happened to one labelled unit."""

    split: str
    group: str
    furniture: bool
    removed: bool
    reason: str | None = None  # why it was removed (the first reason at its line)


def read_pages(path: Path = FIXTURE) -> list[Page]:
    """The written pages, in file order."""
    pages: list[Page] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        if line.startswith("@page "):
            url, split = line.split()[1:3]
            pages.append(Page(url, split))
        elif line.startswith("@title "):
            pages[-1].title = line[len("@title ") :]
        elif not line.strip():
            if pages and pages[-1].raw_lines:
                pages[-1].raw_lines.append("")
        else:
            label, sep, text = line.partition(" | ")
            kind, _, group = label.strip().partition(" ")
            if not sep or kind not in {"A", "F", "G"}:
                raise ValueError(f"{path}:{number}: expected 'A|F CLASS|G CLASS | text'")
            page = pages[-1]
            kept = None
            if kind == "G":
                text, _, kept = text.partition(" || ")
            group = group or "article"
            page.lines.append(Labelled(len(page.raw_lines), kind, group, text, kept))
            page.raw_lines.append(text)
    return pages


def _memory() -> Any:
    try:
        from storyline.clean.site_lines import SiteLines
    except ImportError:  # an older checkout: no memory of the outlet's lines
        return None
    return SiteLines()


def _clean(raw: str, title: str | None, memory: Any, url: str) -> Any:
    from storyline.clean.text import clean_text

    if memory is None or "site" not in inspect.signature(clean_text).parameters:
        return clean_text(raw, title)
    return clean_text(raw, title, memory.page(urlsplit(url).hostname or "", url))


def _removed_at(result: Any, scale: int = 1) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    items = result.removed if hasattr(result, "removed") else result.removed_lines
    for item in items:
        found.setdefault(item.position // scale, []).append((item.line, item.reason))
    return found


def _whole(line: str, parts: list[tuple[str, str]]) -> bool:
    """The removed parts take the whole line (not just an appeal split off it)."""
    words = len(_TOKEN.findall(line))
    return sum(len(_TOKEN.findall(part)) for part, _ in parts) >= words


def written_units(pages: list[Page]) -> list[Unit]:
    """Ingest the pages in order into a fresh database, as ``storyline ingest`` does with a
    JSONL file (one run, so the outlets' repeated lines are learnt as it goes), and read what
    cleaning kept and removed of each labelled line."""
    from storyline import Storyline

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "pages.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for page in pages:
                record = {"url": page.url, "title": page.title, "text": "\n".join(page.raw_lines)}
                out.write(json.dumps(record) + "\n")
        with Storyline(f"sqlite:///{folder}/furniture.db") as sl:
            report = sl.ingest([str(source)], assign=False, analyze=False)
            stored = [sl.store.get_article(article_id) for article_id in report.ingested]
    by_url = {article.url: article for article in stored}
    units: list[Unit] = []
    for page in pages:
        article = by_url.get(page.url)
        removed = _removed_at(article) if article is not None else {}
        text = article.text if article is not None else ""
        kept_lines = {" ".join(line.split()) for line in text.split("\n")}
        for line in page.lines:
            parts = removed.get(line.position, [])
            if article is None:  # not stored: everything on the page is gone
                parts = [(line.text, "page refused")]
            why = parts[0][1] if parts else None
            if line.kind == "A":
                units.append(Unit(page.split, line.group, False, bool(parts), why))
            elif line.kind == "F":
                units.append(Unit(page.split, line.group, True, _whole(line.text, parts), why))
            else:
                kept = " ".join((line.kept or "").split())
                units.append(Unit(page.split, line.group, True, bool(parts), why))
                lost = not any(kept in other for other in kept_lines)  # split off or not
                units.append(Unit(page.split, "glued lede", False, lost, why))
    return units


def extraction_label(
    line: str, truth: set[tuple[str, ...]], joined: str, occurrence: int = 1
) -> bool | None:
    """True for furniture, False for article text, None for a line with no word. The
    ``occurrence``-th copy of a line on its page is article text only when the body holds the
    line that many times (a paragraph printed twice is furniture the second time)."""
    tokens = _TOKEN.findall(line.lower())
    if not tokens:
        return None
    if occurrence > 1:
        return joined.count(f" {' '.join(tokens)} ") < occurrence
    if len(tokens) < 4:
        return f" {' '.join(tokens)} " not in joined
    shingles = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
    return sum(s in truth for s in shingles) / len(shingles) < 0.5


def page_half(page_id: str) -> str:
    """The half of an extraction page: "test" or "dev" by a hash of its id (as
    bench/extraction.py splits them)."""
    return "test" if int(hashlib.sha256(page_id.encode()).hexdigest(), 16) % 2 else "dev"


def extraction_units(data: Path) -> list[Unit]:
    """Label and clean every line trafilatura extracts from the extraction pages."""
    from storyline.clean.html import extract_html
    from storyline.clean.titles import strip_site_name
    from storyline.errors import ExtractionError

    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    memory = _memory()
    units: list[Unit] = []
    for page_id, item in truth.items():
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        try:
            page = extract_html(html.decode("utf-8", "replace"), item["url"], item["url"])
        except ExtractionError:
            continue
        tokens = _TOKEN.findall(item["articleBody"].lower())
        shingles = {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}
        joined = f" {' '.join(tokens)} "
        title = strip_site_name(page.title, item["url"], page.sitename) if page.title else None
        # as clean_article does: trafilatura's lines become paragraphs
        result = _clean(page.text.replace("\n", "\n\n"), title, memory, item["url"])
        removed = _removed_at(result, scale=2)
        seen: dict[str, int] = {}
        for position, line in enumerate(page.text.split("\n")):
            key = " ".join(_TOKEN.findall(line.lower()))
            seen[key] = seen.get(key, 0) + 1
            furniture = extraction_label(line, shingles, joined, seen[key])
            if furniture is None:
                continue
            parts = removed.get(position, [])
            gone = _whole(" ".join(line.split()), parts)
            units.append(
                Unit(
                    f"extraction {page_half(page_id)}",
                    "furniture" if furniture else "article",
                    furniture,
                    gone,
                    parts[0][1] if parts else None,
                )
            )
    return units


def score(units: Iterable[Unit]) -> dict[str, float]:
    """Line-level precision and recall of furniture removal, and the share of article lost."""
    tp = fp = fn = tn = 0
    for unit in units:
        if unit.furniture:
            tp, fn = tp + unit.removed, fn + (not unit.removed)
        else:
            fp, tn = fp + unit.removed, tn + (not unit.removed)
    return {
        "furniture": tp + fn,
        "article": fp + tn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "lost": fp / (fp + tn) if fp + tn else 0.0,
    }
