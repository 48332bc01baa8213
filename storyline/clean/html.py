"""Clean stage: extract article text and metadata from HTML with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura

from storyline.errors import ExtractionError


@dataclass(slots=True)
class HtmlExtract:
    """What trafilatura found in one page."""

    text: str
    title: str | None
    date: str | None  # ISO date as trafilatura/htmldate reports it
    sitename: str | None
    url: str | None
    language: str | None


def extract_html(html: str, url: str | None, source: str) -> HtmlExtract:
    """Extract the main text and metadata of an HTML page; ExtractionError when there is none."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params={
                "extensive_search": False,  # body dates are events, not publication
                "original_date": True,
                "max_date": "2099-12-31",  # htmldate drops future dates; clock skew is judged later
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except (ValueError, TypeError, AttributeError) as exc:  # lxml failures on broken markup
        raise ExtractionError(f"{source}: the HTML could not be parsed ({exc})") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise ExtractionError(
            f"{source}: no article text found in the HTML (a front page, a login wall or an "
            "empty template?); pass the article's own page"
        )
    return HtmlExtract(
        text=text,
        title=getattr(doc, "title", None) or None,
        date=getattr(doc, "date", None) or None,
        sitename=getattr(doc, "sitename", None) or None,
        url=getattr(doc, "url", None) or None,
        language=getattr(doc, "language", None) or None,
    )
