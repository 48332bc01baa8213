"""The web server under load: requests per second and p50/p99 latency per endpoint, with and
without an ingest job running, over a store of 10,000 articles.

The store holds the demo corpus (analysed and placed: stories with entities, quotes and briefs)
and, to reach the size, bench/store_growth.py's synthetic stream written straight into the
tables. `storyline serve` runs in a process of its own; CLIENTS client threads in this process
request, for DURATION seconds, an even mix of the story list page, a story page, a search and a
story's brief (JSON). Then an ingest job of synthetic articles (analysed and placed, as the web
ingest does) is timed alone, and again while the clients run: its rate under load is compared
with its idle rate.

Usage: python bench/serve_load.py [--articles N] [--clients N] [--duration S] [--ingest N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import httpx

from bench._report import record
from bench.assign_speed import Stream
from bench.store_growth import Filler
from storyline.facade import Storyline, demo_corpus_path

ENDPOINTS = ("story list", "story page", "search", "brief")
# What readers look at: the most recently active stories, the first pages of the list, searches
STORIES, LIST_PAGES, SEARCHES = 60, 10, 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_store(folder: Path, size: int) -> tuple[str, int]:
    """A SQLite store of ``size`` articles: the demo corpus analysed, the rest synthetic."""
    url = f"sqlite:///{folder / 'load.db'}"
    with Storyline(url) as sl:
        sl.ingest([str(demo_corpus_path())])
        demo = sl.store.count_articles()
        Filler(sl).fill_to(size - demo)
        total = sl.store.count_articles()
    return url, total


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STORYLINE_SERVE_POLL_FEEDS": "false"}
    command = [sys.executable, "-m", "storyline", "serve", "--db", url, "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def targets(base: str) -> dict[str, list[str]]:
    """The addresses each kind of request picks from."""
    with httpx.Client(base_url=base, timeout=60) as client:
        listed = client.get("/api/v1/stories", params={"limit": STORIES}).json()["items"]
        pages = client.get("/api/v1/stories", params={"limit": 10}).json()["total"] // 20
    ids = [s["id"] for s in listed]
    words = sorted({w.lower() for s in listed[:60] for w in s["title"].split() if len(w) > 5})
    return {
        "story list": [f"/?page={n}" for n in range(1, max(2, min(pages, LIST_PAGES)))],
        "story page": [f"/stories/{i}" for i in ids],
        "search": [f"/search?q={w}" for w in words[:SEARCHES]] or ["/search?q=police"],
        "brief": [f"/api/v1/stories/{i}/brief" for i in ids],
    }


def warm(base: str, paths: dict[str, list[str]]) -> float:
    """Request every address once (as the first readers do); the seconds it took."""
    started = time.monotonic()
    every = [path for kind in ENDPOINTS for path in paths[kind]]

    def fetch(share: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            for path in share:
                http.get(path)

    threads = [threading.Thread(target=fetch, args=(every[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def load(base: str, paths: dict[str, list[str]], clients: int, duration: float) -> dict[str, Any]:
    """CLIENTS threads requesting the mix for ``duration`` seconds: latencies and errors."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as http:
            n = seed
            while time.monotonic() < stop:
                kind = ENDPOINTS[n % len(ENDPOINTS)]
                n += 1
                started = time.perf_counter()
                try:
                    ok = http.get(rng.choice(paths[kind])).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - started
                with lock:
                    latencies[kind].append(took)
                    errors[kind] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def ingest_files(folder: Path, first: int, count: int) -> list[Path]:
    """``count`` synthetic articles as text files (new to the store)."""
    stream = Stream(seed=first)  # another seed than the store's: other words, other stories
    files = []
    for n in range(count):
        article = stream.article(first + n)
        path = folder / f"new-{first}-{n:04d}.txt"
        path.write_text(f"{article.title}\n\n{article.text}", encoding="utf-8")
        files.append(path)
    return files


def run_ingest(base: str, files: list[Path]) -> float:
    """Send ``files`` to the web ingest and wait for the job: articles stored per second."""
    with httpx.Client(base_url=base, timeout=120) as client:
        started = time.monotonic()
        body = [("files", (f.name, f.read_bytes(), "text/plain")) for f in files]
        job = client.post("/api/v1/ingest", files=body).json()
        while not (state := client.get(f"/api/v1/jobs/{job['id']}").json())["finished"]:
            time.sleep(0.25)
        took = time.monotonic() - started
    return len(state["ingested"]) / took


def summary(result: dict[str, Any]) -> tuple[list[str], float, float, int]:
    lines, all_latencies = [], []
    total_errors = 0
    for kind in ENDPOINTS:
        values = sorted(result["latencies"][kind])
        all_latencies += values
        total_errors += result["errors"][kind]
        if not values:
            continue
        p50 = statistics.median(values) * 1000
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))] * 1000
        rate = len(values) / result["elapsed"]
        lines.append(f"| {kind} | {rate:.1f} | {p50:.0f} | {p99:.0f} | {result['errors'][kind]} |")
    all_latencies.sort()
    rate = len(all_latencies) / result["elapsed"]
    p99 = all_latencies[min(len(all_latencies) - 1, int(len(all_latencies) * 0.99))] * 1000
    return lines, rate, p99, total_errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--ingest", type=int, default=40, help="articles per ingest job")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"building a store of {args.articles:,} articles ...", file=sys.stderr)
        started = time.monotonic()
        url, total = build_store(folder, args.articles)
        print(f"  {total:,} stored in {time.monotonic() - started:.0f} s", file=sys.stderr)
        port = free_port()
        server = start_server(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            paths = targets(base)
            warmed = warm(base, paths)
            run_ingest(base, ingest_files(folder, 4_000_000, 2))  # the job worker's models loaded
            print(f"{args.clients} clients for {args.duration:g} s ...", file=sys.stderr)
            alone = load(base, paths, args.clients, args.duration)
            print("an ingest job alone ...", file=sys.stderr)
            idle_rate = run_ingest(base, ingest_files(folder, 5_000_000, args.ingest))
            print("the clients and an ingest job together ...", file=sys.stderr)
            rates: list[float] = []
            job = threading.Thread(
                target=lambda: rates.append(
                    run_ingest(base, ingest_files(folder, 6_000_000, args.ingest))
                )
            )
            job.start()
            busy = load(base, paths, args.clients, args.duration)
            job.join()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    rows_alone, rate_alone, p99_alone, errors_alone = summary(alone)
    rows_busy, rate_busy, p99_busy, errors_busy = summary(busy)
    busy_rate = rates[0] if rates else 0.0
    head = "| endpoint | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|"
    body = "\n".join(
        [
            f"{total:,} articles stored (the demo corpus analysed, the rest synthetic), SQLite; "
            f"{args.clients} client threads for {args.duration:g} s, an even mix of the story "
            f"list page (first {LIST_PAGES}), a story page and a story's brief (JSON) of the "
            f"{STORIES} most recently active stories, and the search page ({SEARCHES} words); "
            "the server in its own process, every address requested once before (as the first "
            f"readers do: {sum(len(v) for v in paths.values())} addresses in {warmed:.0f} s). "
            "Goals (issue 20): at least 150 requests/s, p99 under 1 s, no "
            "errors; an ingest job alongside keeps half its idle rate.",
            "",
            f"Alone: **{rate_alone:.1f} requests/s**, p99 {p99_alone:.0f} ms, "
            f"{errors_alone} errors.",
            "",
            head,
            *rows_alone,
            "",
            f"With an ingest job of {args.ingest} articles: **{rate_busy:.1f} requests/s**, "
            f"p99 {p99_busy:.0f} ms, {errors_busy} errors; the job stored "
            f"**{busy_rate:.2f} articles/s** against {idle_rate:.2f} alone "
            f"({busy_rate / idle_rate:.0%} of its idle rate).",
            "",
            head,
            *rows_busy,
        ]
    )
    record("serve_load.py", "The web server under load", body)
    json.dump({"alone": rate_alone, "busy": rate_busy}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
