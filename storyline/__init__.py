"""storyline: turn a stream of news articles into sourced, structured story intelligence."""

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
