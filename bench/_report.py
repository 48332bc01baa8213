"""Benchmark reporting: print figures, record them in docs/benchmarks.md with machine and date."""

from __future__ import annotations

import os
import platform
import re
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
SHARED = Path(__file__).resolve().parents[2] / "shared"
HEADER = (
    "# Benchmarks\n\nEach section is written by the bench script named in its heading; "
    "re-run it to refresh the figures.\nSpeeds on these shared 2-core virtual machines vary by "
    "up to ~40% between back-to-back runs;\ncompare figures from the same run, not across runs.\n"
)


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def record(script: str, title: str, body: str, key: str | None = None) -> None:
    """Print ``body`` and replace the section of ``script`` in docs/benchmarks.md with it (the
    section named ``key`` instead, for a script that writes more than one)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = shlex.join(["python", f"bench/{script}", *sys.argv[1:]])
    key = key or script
    section = (
        f"## {title} (`bench/{key}`)\n\n"
        f"Measured {stamp} on {machine()}. Command: `{command}`.\n\n{body.strip()}\n"
    )
    print(section)
    text = DOCS.read_text("utf-8") if DOCS.exists() else HEADER
    pattern = re.compile(rf"## [^\n]*\(`bench/{re.escape(key)}`\)\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else f"{text}\n{section}"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text.rstrip() + "\n", "utf-8")
