"""Three short fictional articles shared by the analysis tests (store, CLI, API)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storyline.model import Article, SourceKind


def analyse_texts(texts: dict[str, str]) -> dict[str, Article]:
    """Each text as an English article (its key as id, published 15 March 2031), analysed."""
    from storyline.analyze.annotate import analyze_articles
    from storyline.config import get_settings

    articles = [
        Article(
            source=f"{key}.txt", source_kind=SourceKind.TEXT, raw=text, text=text, id=key,
            published=datetime(2031, 3, 15, 9, tzinfo=UTC), language="en",
        )
        for key, text in texts.items()
    ]  # fmt: skip
    return {a.id or "": a for a in analyze_articles(articles, get_settings())}


def paragraphs(*parts: str) -> str:
    """A plain-text article file: title, dateline and paragraphs separated by blank lines."""
    return "\n\n".join(parts) + "\n"


NORTH = paragraphs(
    "Varga keeps the army in the north",
    "Published 12 March 2031",
    "Defence Minister Ilse Varga said on Tuesday that the army would keep some 13,000"
    " soldiers in the northern provinces until the spring.",
    '"We will not move a single battalion before the thaw," Varga said at a press '
    "conference in Tallinn.",
    "The Kremlin said the deployment was a provocation.",
)

FLOOD = paragraphs(
    "Floods close the lower town of Marrowfield",
    "Published 13 March 2031",
    "Interior Minister Paul Hendry visited the flooded district of Marrowfield on "
    "Wednesday, where between 3,000 and 5,000 residents have left their homes.",
    '"The water is still rising in the lower town," Hendry told reporters. "We have '
    'asked for $4.5 billion in emergency aid."',
    "Defence Minister Ilse Varga said that army engineers would arrive in the district by Friday.",
)

GERMAN = paragraphs(
    "Die Armee bleibt im Norden",
    "Published 14 March 2031",
    "Die Verteidigungsministerin Ilse Varga sagte am Dienstag, dass die Armee bis zum"
    " Frühjahr mit rund 13.000 Soldaten in den nördlichen Provinzen bleiben werde. "
    "Das Ministerium teilte mit, die Soldaten würden alle sechs Wochen ausgetauscht, "
    "und die Regierung wolle im Sommer neu entscheiden.",
)

ENGLISH = {"north.txt": NORTH, "flood.txt": FLOOD}
ALL = {**ENGLISH, "armee.txt": GERMAN}


def write_corpus(folder: Path, files: dict[str, str] = ALL) -> Path:
    """Write ``files`` (name → text) into a new folder and return it."""
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, "utf-8")
    return folder
