"""Backfill on Ray: the stages of `ingest` → `analyze` → `assign`, with the work that is
independent per article (read a shard, clean, spaCy parse) spread over a Ray cluster as a Ray
Data pipeline, and the work that depends on the articles before it done by the driver in input
order: store (a copy of an article already stored is a duplicate), annotate from the parse (the
entity registry learns full names article by article), assign to stories, write Parquet.

So the database ends as the single-process path leaves it on the same input: the same stage
functions, the same order, and spaCy documents carried between processes as spaCy's own
multi-process pipe carries them (``Doc.to_bytes``). Annotation, the part left to the driver,
costs about 5% of the parse (docs/benchmarks.md), so the driver keeps up with many parse actors.
"""

from __future__ import annotations

import os
import pickle
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.clean.site_lines import SiteLines
from storyline.config import Settings
from storyline.errors import ConfigError, IngestError
from storyline.ingest.files import iter_paths
from storyline.model import Article, IngestFailure, IngestReport
from storyline.pipeline import (
    AnalyzeReport,
    Annotator,
    AssignReport,
    analysis_batches,
    analyze_pending,
    annotate_one,
    assign_pending,
    clean_item,
    store_cleaned,
)
from storyline.store import Store

if TYPE_CHECKING:
    from storyline.analyze.nlp import Parsed
    from storyline.scale.backfill_output import BackfillOutput

# (offset, length, Doc.to_bytes) for each chunk of an article's parse; None: not parsed
ChunkBytes = list[tuple[int, int, bytes]] | None
Progress = Callable[[str], None]


@dataclass(slots=True)
class BackfillReport:
    """What a backfill did, stage by stage."""

    shards: int = 0
    parse_actors: int = 0
    ray_address: str = "local"
    ingest: IngestReport = field(default_factory=IngestReport)
    analysis: AnalyzeReport = field(default_factory=AnalyzeReport)
    resumed: int = 0  # articles stored by an earlier, interrupted run, analysed now
    assignment: AssignReport = field(default_factory=AssignReport)
    outputs: list[str] = field(default_factory=list)


def list_shards(inputs: list[str]) -> tuple[list[Path], list[IngestFailure]]:
    """Every file under the input paths (a folder gives its files, sorted), and a failure for
    each input that is missing or a URL (backfill reads archives, not the web)."""
    shards: list[Path] = []
    failures: list[IngestFailure] = []
    for spec in inputs:
        if spec.lower().startswith(("http://", "https://")):
            failures.append(
                IngestFailure(spec, "backfill reads files; use `storyline ingest` for URLs")
            )
            continue
        root = Path(spec)
        if not root.exists():
            failures.append(IngestFailure(spec, "no such file or folder; check the path"))
            continue
        errors: list[OSError] = []
        shards.extend(iter_paths(root, errors))
        failures.extend(
            IngestFailure(str(e.filename or root), f"cannot list folder ({e.strerror})")
            for e in errors
        )
    return shards, failures


def _pack(item: Article | IngestFailure, chunks: ChunkBytes = None) -> bytes:
    return pickle.dumps((item, chunks), protocol=pickle.HIGHEST_PROTOCOL)


def read_shard(row: dict[str, Any], settings: Settings) -> Iterator[dict[str, Any]]:
    """Ray stage: every item of one shard file, read and cleaned (bad ones as failures)."""
    from storyline.ingest.files import read_path

    path = Path(row["shard"])
    lines = SiteLines()  # each shard learns its outlets' repeated lines alone (see site_lines.py)
    try:
        for item in read_path(path, settings):
            yield {"payload": _pack(clean_item(item, settings, site_lines=lines))}
    except (IngestError, OSError) as exc:
        yield {"payload": _pack(IngestFailure(str(path), str(exc)))}


class ShardParser:
    """Ray stage (an actor: the spaCy model loads once): parse each cleaned article, as the
    analysis stage would, and carry the parse as bytes."""

    def __init__(self, settings: Settings) -> None:
        from storyline.analyze.nlp import load_pipeline, one_blas_thread
        from storyline.analyze.reuse import ParagraphCache

        self.blas_limit = one_blas_thread()  # an actor per CPU slot, for the actor's life
        self.settings = settings
        self.nlp = load_pipeline(settings.spacy_model, settings.spacy_matmul)
        self.reused = ParagraphCache(settings.analysis_reuse_tokens)  # this actor's paragraphs

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        from storyline.analyze.annotate import unsupported_reason
        from storyline.analyze.nlp import parse_stream

        items = [pickle.loads(payload)[0] for payload in batch["payload"]]
        model = self.settings.spacy_model

        def texts() -> Iterator[tuple[Article | IngestFailure, str | None]]:
            for item in items:
                readable = isinstance(item, Article) and unsupported_reason(item, model) is None
                yield item, item.text if readable and isinstance(item, Article) else None

        packed = []
        stream = parse_stream(
            self.nlp, texts(), self.settings.analysis_batch_size, cache=self.reused
        )
        for item, parsed in stream:
            chunks = None
            if parsed is not None:
                chunks = [
                    (c.offset, c.length, c.doc.to_bytes(exclude=["tensor", "user_data"]))
                    for c in parsed.chunks
                ]
            packed.append(_pack(item, chunks))
        return {"payload": packed}


def _unpack(payload: bytes, vocab: Any) -> tuple[Article | IngestFailure, Parsed | None]:
    from spacy.tokens import Doc

    from storyline.analyze.nlp import Chunk, Parsed

    item, chunks = pickle.loads(payload)
    if chunks is None or not isinstance(item, Article):
        return item, None
    docs = [Chunk(offset, Doc(vocab).from_bytes(data), length) for offset, length, data in chunks]
    return item, Parsed(item.text, docs)


def _start_ray(settings: Settings) -> tuple[Any, bool]:
    """Ray, connected to the configured cluster or started on this machine; and whether this
    call started it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no phoning home from closed networks
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")  # Ray's chatter would bury ours
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "backfill runs on Ray, which is not installed: pip install 'storyline[ray]' "
            "(or 'ray[data]==2.60.0')"
        ) from exc
    if ray.is_initialized():
        return ray, False
    if settings.ray_address:
        check_reachable(settings.ray_address)
    try:
        ray.init(
            address=settings.ray_address,
            include_dashboard=False,
            configure_logging=False,
            log_to_driver=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = settings.ray_address or "a local Ray instance"
        raise ConfigError(
            f"cannot start or reach {where} ({exc}); check STORYLINE_RAY_ADDRESS, or unset "
            "it to run Ray on this machine"
        ) from exc
    return ray, True


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast when a cluster address names a host and port that do not answer (Ray itself
    retries for minutes); "auto" and other forms are left to Ray."""
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(
            f"the Ray cluster at {address} does not answer ({exc.strerror or exc}); check "
            "STORYLINE_RAY_ADDRESS (or --ray-address), or unset it to run Ray on this machine"
        ) from exc


def parse_actor_count(settings: Settings, ray: Any) -> int:
    """The parse actors to run: the setting, or one per CPU the cluster offers."""
    if settings.backfill_parse_actors:
        return settings.backfill_parse_actors
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def backfill(
    inputs: list[str],
    store: Store,
    settings: Settings,
    output: BackfillOutput | None = None,
    progress: Progress | None = None,
) -> BackfillReport:
    """Ingest, analyse and assign every article in the input shards (JSONL, WARC, Parquet or any
    file `ingest` reads) with reading, cleaning and parsing on Ray; write Parquet to ``output``."""
    shards, failures = list_shards(inputs)
    report = BackfillReport(shards=len(shards), ray_address=settings.ray_address or "local")
    report.ingest.failures.extend(failures)
    # Articles an interrupted run stored before it saved their annotations: analysed first, as
    # the single-process path would have.
    resumed = unanalysed_ids(store)
    if resumed:
        leftover = analyze_pending(store, settings, progress)
        report.resumed = leftover.analyzed + leftover.not_supported
        report.analysis.failures.extend(leftover.failures)
    if shards:
        _run_on_ray(shards, store, settings, report, progress)
    report.assignment = assign_pending(store, settings, progress)
    if output is not None:
        report.outputs = output.write(store, resumed + report.ingest.ingested)
    return report


def unanalysed_ids(store: Store) -> list[str]:
    """The ids of stored articles not analysed yet, oldest stored first."""
    return [a.id or "" for page in analysis_batches(store, 1000, redo=False) for a in page]


def _run_on_ray(
    shards: list[Path],
    store: Store,
    settings: Settings,
    report: BackfillReport,
    progress: Progress | None,
) -> None:
    ray, started = _start_ray(settings)
    try:
        _stream(ray, shards, store, settings, report, progress)
    finally:
        if started:  # a Ray this backfill started ends with it (a cluster's stays up)
            ray.shutdown()


def _stream(
    ray: Any,
    shards: list[Path],
    store: Store,
    settings: Settings,
    report: BackfillReport,
    progress: Progress | None,
) -> None:
    from storyline.analyze.nlp import load_pipeline

    report.parse_actors = actors = parse_actor_count(settings, ray)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the driver stores in input order
    context.enable_progress_bars = False
    dataset = (
        ray.data.from_items([{"shard": str(p)} for p in shards], override_num_blocks=len(shards))
        # Reading and cleaning are light next to parsing: they take no CPU slot of their own,
        # and as many readers as parsers keep them fed (each reader imports the cleaners once).
        .flat_map(
            read_shard,
            fn_kwargs={"settings": settings},
            num_cpus=0,
            compute=ray.data.TaskPoolStrategy(size=actors),
        )
        .map_batches(
            ShardParser,
            fn_constructor_kwargs={"settings": settings},
            batch_size=settings.analysis_batch_size,
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
        )
    )
    vocab = load_pipeline(settings.spacy_model, settings.spacy_matmul).vocab
    annotator = Annotator.for_store(store, settings)
    for row in dataset.iter_rows():
        item, parsed = _unpack(row["payload"], vocab)
        if progress:
            progress(item.source)
        if not store_cleaned(item, store, report.ingest):
            continue
        assert isinstance(item, Article)
        annotate_one(item, parsed, annotator, report.analysis)
        store.save_analysis(item)
