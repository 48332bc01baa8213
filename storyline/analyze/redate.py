"""Analysis stage, again: an article's dates resolved anew once it has a publication date.

Relative dates ("on Thursday", "yesterday") in an undated article stay unresolved at analysis.
When the article later gets a date (estimated from its story by `assign.dating`), they are
resolved against it by the same rules, and each political event's day follows. Results that
rest on an estimated date say so in their derivation. No parse is needed: dates are found in the
text, and events keep their sentences.
"""

from __future__ import annotations

from storyline.analyze.events import event_day
from storyline.analyze.times import find_times
from storyline.model import Article, DateConfidence

_ANCHORED = ("relative to publication", "inferred from tense")  # resolved against the date
_PUBLICATION_DAY = "publication day"
_UNRESOLVED_NOTE = "publication date unknown"


def redate(article: Article) -> Article:
    """Resolve ``article``'s temporal expressions and event days against its publication date
    (as it is now); returns the article."""
    anchor = article.published.date() if article.published else None
    estimated = article.published_confidence == DateConfidence.LOW.value
    article.times = find_times(article.text, anchor, article.id or "")
    if estimated:
        for ref in article.times:
            if ref.derivation in _ANCHORED:
                ref.derivation = f"{ref.derivation}, from an estimated date"
    published_day = anchor.isoformat() if anchor else None
    for event in article.events:
        day, how = event_day(event.span.start, event.span.end, article.times, published_day)
        if estimated and how == _PUBLICATION_DAY:
            how = "estimated publication day"
        event.date, event.date_derivation = day, how
    if anchor is not None and (article.analysis_note or "").startswith(_UNRESOLVED_NOTE):
        article.analysis_note = (
            "relative dates resolved against a publication date estimated from the story"
            if estimated
            else None
        )
    return article
