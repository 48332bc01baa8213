"""Reader memory: peak RSS and wall time of the input readers on hostile files.

Builds each input in a temporary folder (a gzip holding one 1 GB line, a sparse 1 GB JSONL, two
WARC gzip bombs, a zero-filled WARC, a 100,000-deep JSON line, a deep and a crowded RSS feed of
10 MB, a Parquet text bomb, a gzip of one valid record repeated to 1 GB), reads it with
``storyline.ingest.files.read_path`` in a child process, and reports the child's peak RSS
(``ru_maxrss`` from ``wait4``), its time, what it yielded and its longest failure line. A child
is killed past ``--cap-mib`` of RSS or ``--timeout`` seconds, so that older code (``--before``,
another checkout) can be measured alongside without taking the machine down. The goal is under
500 MB for any single input file.

    python bench/reader_memory.py [--size-mib 1024] [--before OLD_CHECKOUT] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import record

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
FEED_BYTES = 9_900_000  # a feed file just under the 10 MB article limit
GOOD = {
    "url": "https://harbortimes.example/news/dock-strike",
    "title": "Dock strike ends in Velmora",
    "text": "Dockers in Velmora returned to work on Tuesday after a four-day strike over pay.",
}

# Why each input stops (with default settings), printed under the table.
STOPS = (
    "What stops each now: the line in a .jsonl.gz and the header-less .warc.gz bomb at "
    "`max_compression_ratio` (judged past 16 MiB of output); the sparse .jsonl after 64 MiB "
    "with no article (`max_bad_run`'s byte bound; the over-long line is skipped unkept); the "
    "record bomb at the article limit, then at the ratio; the zero-filled .warc at the 1 MiB "
    "bound on header lines; the deep line at 100 levels, before parsing; the repeated record "
    "at the ratio after 16 MiB (the records before it are read); the Parquet row group from "
    "its metadata, before decoding; the two feeds before feedparser reads them (10,000 "
    "entries, 200 levels at most)."
)

# The child: read one file through the real reader, write what came out as JSON.
CHILD = """
import json, sys, time
from pathlib import Path
from storyline.config import Settings
from storyline.ingest.files import read_path
from storyline.model import Article
start = time.perf_counter()
articles, failures, longest, first = 0, 0, 0, []
for item in read_path(Path(sys.argv[1]), Settings()):
    if isinstance(item, Article):
        articles += 1
    else:
        failures += 1
        line = f"{item.source}: {item.reason}"
        longest = max(longest, len(line))
        if len(first) < 2:
            first.append(line[-160:])
Path(sys.argv[2]).write_text(json.dumps({
    "articles": articles, "failures": failures, "longest": longest, "first": first,
    "seconds": time.perf_counter() - start,
}))
"""


def _gzip_stream(path: Path, pieces: Callable[[], Iterator[bytes]], level: int = 9) -> None:
    """Write a gzip file from an iterator of byte pieces, never holding the whole output."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with path.open("wb") as out:
        for piece in pieces():
            out.write(packer.compress(piece))
        out.write(packer.flush())


def build(folder: Path, size: int) -> list[tuple[str, Path]]:
    """The hostile inputs, each ``size`` bytes (decompressed) where a size applies."""
    block = MIB

    def huge_line() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(size // block):
            yield b"a" * block
        yield b'"}\n'

    def zeros_after_warc_header() -> Iterator[bytes]:
        yield (
            b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://a.example/\r\n"
            b"Content-Type: text/html\r\nContent-Length: 999999999999\r\n\r\n"
        )
        for _ in range(size // block):
            yield bytes(block)

    def repeated_record() -> Iterator[bytes]:
        line = (json.dumps(GOOD) + "\n").encode()
        chunk = line * (block // len(line))
        for _ in range(size // len(chunk)):
            yield chunk

    cases = []
    path = folder / "huge-line.jsonl.gz"
    _gzip_stream(path, huge_line)
    cases.append((f"one {size // MIB:,} MiB line in a .jsonl.gz", path))
    path = folder / "sparse.jsonl"
    with path.open("wb") as handle:
        handle.truncate(size)
    cases.append((f"sparse {size // MIB:,} MiB .jsonl (NUL bytes)", path))
    path = folder / "bomb.warc.gz"
    _gzip_stream(path, zeros_after_warc_header)
    cases.append((f".warc.gz bomb: an HTML record of {size // MIB:,} MiB of zeros", path))
    path = folder / "zeros.warc.gz"
    _gzip_stream(path, lambda: (bytes(block) for _ in range(size // block)))
    cases.append((f".warc.gz bomb: {size // MIB:,} MiB of zeros, no WARC header", path))
    path = folder / "zeros.warc"
    with path.open("wb") as handle:
        handle.truncate(size)
    cases.append((f"zero-filled {size // MIB:,} MiB .warc", path))
    path = folder / "deep.jsonl"
    lines = [json.dumps(GOOD), "[" * 100_000, json.dumps({**GOOD, "url": GOOD["url"] + "/2"})]
    path.write_text("\n".join(lines) + "\n")
    cases.append(("JSONL line nested 100,000 deep", path))
    path = folder / "repeated.jsonl.gz"
    _gzip_stream(path, repeated_record)
    cases.append((f"one valid record repeated to {size // MIB:,} MiB, .jsonl.gz", path))
    path = folder / "deep.rss"
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>'
    path.write_bytes(head + b"<b>" * ((FEED_BYTES - len(head)) // 3))
    cases.append((f"RSS of {FEED_BYTES / 1e6:.1f} MB nesting `<b>` tags", path))
    path = folder / "entries.rss"
    items = b"<item><title>a</title></item>" * (FEED_BYTES // 29 - 4)
    path.write_bytes(head[: -len(b"<item><title>")] + items + b"</channel></rss>")
    cases.append((f"RSS of {FEED_BYTES / 1e6:.1f} MB: {len(items) // 29:,} empty entries", path))
    path = folder / "bomb.parquet"
    _parquet_bomb(path, min(size, 256 * MIB))
    cases.append((f"Parquet row of {min(size, 256 * MIB) // MIB} MiB of text (zstd)", path))
    return cases


def _parquet_bomb(path: Path, size: int) -> None:
    code = (
        "import sys, pyarrow as pa, pyarrow.parquet as pq\n"
        "n = int(sys.argv[2])\n"
        "pq.write_table(pa.table({'text': ['a' * n, 'short']}), sys.argv[1], compression='zstd')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(size)], check=True)


def measure(path: Path, code: Path, cap: int, timeout: float) -> dict[str, object]:
    """Read ``path`` in a child on the storyline at ``code``; its peak RSS, time and output."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        result_path = Path(out.name)
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(result_path)],
        env=env,
        cwd=code,  # python -c puts the working folder first on sys.path
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed = None
    while True:  # wait4, not poll(): poll would reap the child and lose its rusage
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        rss = _rss(child.pid)
        if rss > cap:
            killed = f"killed over {cap // MIB:,} MiB"
        elif time.perf_counter() - start > timeout:
            killed = f"killed after {timeout:.0f} s"
        if killed:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    errors = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    found: dict[str, object] = {"wall": wall, "peak_mib": usage.ru_maxrss / 1024}
    if killed:
        found["outcome"] = killed
    elif child.returncode != 0:
        found["outcome"] = f"crashed: {errors.strip().splitlines()[-1][:120] if errors else '?'}"
    else:
        found.update(json.loads(result_path.read_text()))
        found["stderr_bytes"] = len(errors)
    result_path.unlink(missing_ok=True)
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _outcome(found: dict[str, object]) -> str:
    if "outcome" in found:
        return str(found["outcome"])
    return (
        f"{found['articles']:,} articles, {found['failures']:,} failures; "
        f"longest failure line {found['longest']:,} chars"
    )


def _seconds(found: dict[str, object]) -> str:
    """Time spent reading (measured in the child), or the wall time of a killed child."""
    value = found.get("seconds", found["wall"])
    return f"{value:.1f}" if isinstance(value, float) else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the big inputs")
    parser.add_argument("--code", type=Path, default=ROOT, help="storyline checkout to measure")
    parser.add_argument("--before", type=Path, help="an older checkout to measure alongside")
    parser.add_argument("--before-name", default="the --before checkout", help="what it is")
    parser.add_argument("--cap-mib", type=int, default=3072, help="kill a child past this RSS")
    parser.add_argument("--timeout", type=float, default=300.0, help="kill a child after this")
    parser.add_argument("--no-record", action="store_true", help="print, do not write docs")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="storyline-readers-") as tmp:
        folder = Path(tmp)
        baseline = folder / "one.txt"
        baseline.write_text(GOOD["text"] + "\n")
        cases = [("baseline: one short .txt article (imports only)", baseline)]
        cases += build(folder, args.size_mib * MIB)
        for label, path in cases:
            found = measure(path, args.code, args.cap_mib * MIB, args.timeout)
            row = (
                f"| {label} | {path.stat().st_size / MIB:,.1f} | {found['peak_mib']:,.0f} "
                f"| {_seconds(found)} | {_outcome(found)} |"
            )
            if args.before:
                old = measure(path, args.before, args.cap_mib * MIB, args.timeout)
                row += f" {old['peak_mib']:,.0f} | {_seconds(old)} | {_outcome(old)} |"
            rows.append(row)
            print(row, file=sys.stderr)
            first = found.get("first")
            for line in first if isinstance(first, list) else []:
                print(f"    {line}", file=sys.stderr)
    head = "| input | file MiB | peak RSS MiB | read s | outcome |"
    rule = "|---|---|---|---|---|"
    if args.before:
        head += " before: peak RSS MiB | before: s | before: outcome |"
        rule += "---|---|---|"
    body = (
        "Each hostile input is read by `storyline.ingest.files.read_path` in a child process "
        "(default settings: 10 MB article limit, `max_decompressed_bytes` 10 GB, "
        "`max_compression_ratio` 100, `max_bad_run` 100). Peak RSS is the child's "
        "`ru_maxrss`; the baseline row is what starting Python and importing storyline costs "
        "(about 6 s of each child's wall time, not counted in 'read s'). Goal: under 500 MB "
        "for any single input. A killed or crashed child's time is its wall time."
        + (
            f" 'before' is the same on {args.before_name}, a child killed past "
            f"{args.cap_mib:,} MiB or {args.timeout:.0f} s."
            if args.before
            else ""
        )
        + "\n\n"
        + head
        + "\n"
        + rule
        + "\n"
        + "\n".join(rows)
        + "\n\n"
        + STOPS
    )
    if args.no_record:
        print(body)
    else:
        record("reader_memory.py", "Reader memory on hostile inputs", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
