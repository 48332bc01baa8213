"""storyline: turn a stream of news articles into sourced, structured story intelligence."""

# The subpackage is imported before the function of the same name is bound, so that importing
# its modules later (storyline.analyze.annotate) cannot rebind `storyline.analyze`.
import storyline.analyze as _analysis_package  # noqa: F401
from storyline.config import Settings, get_settings
from storyline.errors import StorylineError
from storyline.facade import Storyline, analyze, demo_corpus_path, ingest, stories
from storyline.model import Article, IngestReport, Story

__all__ = [
    "Article",
    "IngestReport",
    "Settings",
    "Story",
    "Storyline",
    "StorylineError",
    "analyze",
    "demo_corpus_path",
    "get_settings",
    "ingest",
    "stories",
]
__version__ = "0.1.0"
