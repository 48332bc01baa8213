"""clean/outlets.py: an outlet's key (its registered domain) and the name shown for it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storyline.clean.outlets import (
    outlet_from_url,
    outlet_key,
    outlet_name,
    registered_domain,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.harbortimes.example/news/1", "harbortimes.example"),
        ("https://m.harbortimes.example/news/1", "harbortimes.example"),
        ("https://amp.harbortimes.example/news/1", "harbortimes.example"),
        ("https://news.harbortimes.example/x", "harbortimes.example"),
        ("https://WWW.KelmarPost.Example:8443/x", "kelmarpost.example"),
        ("https://mail.example/x", "mail.example"),
        # listed suffixes, from the Public Suffix List bundled with tldextract
        ("https://edition.cnn.com/2031/05/02/world/velmora", "cnn.com"),
        ("https://www.cnn.com/x", "cnn.com"),
        ("https://cnn.com/x", "cnn.com"),
        ("https://m.cnn.com/x", "cnn.com"),
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("https://news.bbc.co.uk/x", "bbc.co.uk"),
        ("https://velmora.blogspot.com/p", "velmora.blogspot.com"),  # a blog is its own outlet
        ("http://127.0.0.1:8000/a", "127.0.0.1"),
        ("http://[::1]/a", "::1"),
        ("https://localhost/x", "localhost"),
    ],
)
def test_outlet_from_url_is_the_registered_domain(url, expected):
    assert outlet_from_url(url) == expected


@pytest.mark.parametrize("url", [None, "", "not a url", "http://[bad"])
def test_outlet_from_url_without_host(url):
    assert outlet_from_url(url) is None


def test_registered_domain_needs_no_network_and_writes_no_cache(tmp_path):
    """The bundled suffix list only: with every socket refused and a fresh home, the lookups
    work and nothing is written."""
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from storyline.clean.outlets import outlet_from_url\n"
        "print(outlet_from_url('https://edition.cnn.com/a'), "
        "outlet_from_url('https://news.bbc.co.uk/b'))\n"
    )
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("TLDEXTRACT_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["cnn.com", "bbc.co.uk"]
    assert list(home.rglob("*")) == []


def test_registered_domain_of_an_empty_host_is_none():
    assert registered_domain("") is None
    assert registered_domain(".") is None


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("Harbor Times", "harbortimes.example", "Harbor Times"),
        ("The Kelmar Post", "kelmarpost.example", "The Kelmar Post"),
        ("  Harbor \n Times ", "harbortimes.example", "Harbor Times"),
        ("@HarborTimes", "harbortimes.example", "HarborTimes"),
        # a section list or a name with a slogan: the part naming the site, or nothing
        ("Autoracing | F1 | Indy | NASCAR", "speedweek.example", None),
        ("Autoracing | F1 | Indy | NASCAR", "autoracing.example", "Autoracing"),
        ("Harbor Times - Velmora's paper since 1890", "harbortimes.example", "Harbor Times"),
        ("Sport | Velmora | The Harbor Times", "harbortimes.example", "The Harbor Times"),
        ("VWN International - Breaking News", "vwn.example", "VWN International"),
        # web addresses and descriptions are no names
        ("https://social.example/harbortimes", "harbortimes.example", None),
        ("harbortimes.example", "harbortimes.example", None),
        ("Tarrow Post " * 20, "tarrowpost.example", None),
        ("", "harbortimes.example", None),
        (None, "harbortimes.example", None),
    ],
)
def test_outlet_name(name, key, expected):
    assert outlet_name(name, key) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("www.harbortimes.example", "harbortimes.example"),
        ("https://edition.cnn.com", "cnn.com"),
        ("Harbor Times", "Harbor Times"),
        ("Sport | Local", None),
        (None, None),
    ],
)
def test_outlet_key_of_a_name_alone(name, expected):
    assert outlet_key(name) == expected


def test_a_byline_crediting_the_newsroom_names_the_outlet_when_the_page_does_not() -> None:
    from storyline.clean.article import clean_article, team_name
    from storyline.config import Settings
    from storyline.model import Article, SourceKind

    assert team_name(["Harbor Times Web Team"], "harbortimes.example") == "Harbor Times"
    assert team_name(["Harbor Times Staff"], "harbortimes.example") == "Harbor Times"
    assert team_name(["Anna Field"], "harbortimes.example") is None
    assert team_name(["Velmora Post Staff"], "harbortimes.example") is None  # another site
    body = "".join(
        f"<p>The harbour board of Velmora approved a new ferry timetable, part {n}, after "
        "months of complaints from islanders about missed connections.</p>"
        for n in range(4)
    )
    page = (
        '<html><head><title>Ferry timetable approved</title><meta name="author" '
        f'content="Harbor Times Web Team"></head><body><article>{body}</article></body></html>'
    )
    article = Article(
        source="https://www.harbortimes.example/news/ferry",
        source_kind=SourceKind.HTML,
        raw=page,
        raw_format="html",
        url="https://www.harbortimes.example/news/ferry",
    )
    clean_article(article, Settings())
    assert article.outlet == "harbortimes.example"
    assert article.outlet_name == "Harbor Times"
