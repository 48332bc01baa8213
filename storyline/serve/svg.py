"""Serve: small charts drawn as inline SVG on the server (no script, no CDN, readable by screen
readers through their titles): a volume sparkline, a pair's escalation bars, an actor network."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from storyline.fuse.events import DayIntensity, FusedEvent

CONFLICT, COOPERATION, NEUTRAL = "#b42318", "#1a7f37", "#8a94a0"


def daily(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts per ISO day, every day from the first to the last (missing days as 0)."""
    if not counts:
        return []
    days = sorted(counts)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    series = []
    while first <= last and len(series) < 3660:
        key = first.isoformat()
        series.append((key, counts.get(key, 0)))
        first += timedelta(days=1)
    return series


def sparkline(series: Sequence[tuple[str, int]], width: int = 160, height: int = 28) -> str:
    """Articles per day as a line; the title says the range and the busiest day."""
    if not series:
        return ""
    top = max(v for _, v in series) or 1
    step = width / max(1, len(series) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}"
        for i, (_, v) in enumerate(series)
    )
    busiest = max(series, key=lambda item: item[1])
    title = (
        f"{sum(v for _, v in series)} articles from {series[0][0]} to {series[-1][0]}; "
        f"busiest day {busiest[0]} ({busiest[1]})"
    )
    return (
        f'<svg class="sparkline" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        f'<polyline fill="none" stroke="#1d3557" stroke-width="1.5" points="{points}"/></svg>'
    )


def escalation_bars(series: Sequence[DayIntensity], width: int = 560, height: int = 120) -> str:
    """A pair's daily mean Goldstein value (-10 conflict below the line, +10 cooperation above)."""
    if not series:
        return ""
    slot = width / len(series)
    middle = height / 2
    bars = []
    for i, day in enumerate(series):
        value = day.combined
        if value is None:
            continue
        size = abs(value) / 10 * (middle - 4)
        y = middle - size if value > 0 else middle
        colour = COOPERATION if value > 0 else CONFLICT if value < 0 else NEUTRAL
        count = day.events_forward + day.events_backward
        label = f"{day.day}: {value:+.1f} over {count} event{'s' if count != 1 else ''}"
        bars.append(
            f'<rect x="{i * slot + 1:.1f}" y="{y:.1f}" width="{max(1.0, slot - 2):.1f}" '
            f'height="{max(1.0, size):.1f}" fill="{colour}"><title>{escape(label)}</title></rect>'
        )
    return (
        f'<svg class="escalation" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Daily intensity from {series[0].day} to '
        f"{series[-1].day}: -10 conflict, +10 cooperation</title>"
        f'<line x1="0" x2="{width}" y1="{middle}" y2="{middle}" stroke="#c2c8cf"/>'
        + "".join(bars)
        + "</svg>"
    )


def actor_network(events: Sequence[FusedEvent], size: int = 420, most: int = 12) -> str:
    """Who acts on whom: the ``most`` busiest actors on a circle, an arrow per pair coloured by
    the mean Goldstein value of its events and as thick as their number."""
    pairs: dict[tuple[str, str], list[float]] = {}
    for event in events:
        if event.status == "happened" and event.actor and event.target:
            pairs.setdefault((event.actor, event.target), []).append(event.goldstein)
    if not pairs:
        return ""
    weight: dict[str, int] = {}
    for (a, b), values in pairs.items():
        weight[a] = weight.get(a, 0) + len(values)
        weight[b] = weight.get(b, 0) + len(values)
    actors = sorted(weight, key=lambda code: (-weight[code], code))[:most]
    centre, radius = size / 2, size / 2 - 60
    at = {
        code: (
            centre + radius * math.cos(2 * math.pi * i / len(actors) - math.pi / 2),
            centre + radius * math.sin(2 * math.pi * i / len(actors) - math.pi / 2),
        )
        for i, code in enumerate(actors)
    }
    parts = []
    for (a, b), values in sorted(pairs.items()):
        if a not in at or b not in at or a == b:
            continue
        mean = sum(values) / len(values)
        colour = COOPERATION if mean > 0 else CONFLICT if mean < 0 else NEUTRAL
        (x1, y1), (x2, y2) = at[a], at[b]
        label = f"{a} → {b}: {len(values)} event{'s' if len(values) != 1 else ''}, {mean:+.1f}"
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{colour}" '
            f'stroke-width="{min(8, 1 + len(values)):.0f}" marker-end="url(#arrow)" '
            f'opacity=".75"><title>{escape(label)}</title></line>'
        )
    for code, (x, y) in at.items():
        parts.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="6" fill="#1d3557"/>'
            f'<text x="{x:.0f}" y="{y - 10:.0f}" text-anchor="middle" font-size="12">'
            f"{escape(code)}</text>"
        )
    return (
        f'<svg class="network" role="img" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}"><title>Who acts on whom: red conflict, green '
        'cooperation, thicker for more events</title><defs><marker id="arrow" '
        'viewBox="0 0 10 10" refX="14" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#5b6570"/></marker>'
        "</defs>" + "".join(parts) + "</svg>"
    )
