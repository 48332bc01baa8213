"""The web pages in a real browser: Debian's chromium, driven by Playwright, on pages served by
uvicorn with the demo corpus loaded. Screenshots go to STORYLINE_SCREENSHOTS (CI keeps them) or
to a temporary folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline import Storyline
from tests.conftest import demo_copy
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
XSS_TEXT = (
    "The council of Orlen relit the square's forty gas lamps on Friday after a year of repairs, "
    "its spokesman said, and the market will stay open late through the winter."
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).exists():  # .ci/run installs it; say so loudly when it could not
    pytest.skip(
        f"!!! {CHROMIUM} is missing: browser tests SKIPPED (apt-get install chromium) !!!",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_sqlite) -> Iterator[str]:
    url = demo_copy(demo_sqlite, tmp_path_factory.mktemp("browser"))
    with live_server(url) as client:
        yield str(client.base_url)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("STORYLINE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        yield tab
        browser.close()


def test_a_reader_opens_a_story_and_follows_a_citation_to_its_sentence(site, page, shots):
    page.goto(site + "/")
    stories = page.locator("section.story h2 a")
    assert stories.count() == 7
    page.screenshot(path=shots / "stories.png", full_page=True)
    stories.first.click()
    page.wait_for_selector("#briefing")
    sentences = page.locator("ol.briefing > li")
    assert 1 <= sentences.count() <= 12
    first_sentence = sentences.first.inner_text()
    page.screenshot(path=shots / "story.png", full_page=True)
    sentences.first.locator("a.cite").first.click()
    mark = page.locator("mark#hl")
    mark.wait_for()
    assert mark.is_visible()
    assert mark.inner_text().strip() in first_sentence
    assert "/articles/" in page.url
    page.screenshot(path=shots / "article.png", full_page=True)
    entity = page.locator("ul.entities a").first
    name = entity.inner_text()
    entity.click()
    page.wait_for_selector("#about")
    assert page.locator("h1").inner_text() == name
    assert page.locator("ul.mentions > li").count() >= 1
    page.screenshot(path=shots / "entity.png", full_page=True)


def test_a_reader_searches_from_the_header_and_opens_a_result(site, page, shots):
    page.goto(site + "/")
    box = page.get_by_label("Search articles")
    box.fill("hotline")
    box.press("Enter")
    page.wait_for_selector("#result-count")
    results = page.locator("ol.results > li > a").first
    assert results.count() == 1
    title = results.inner_text()
    page.screenshot(path=shots / "search.png", full_page=True)
    results.click()
    page.wait_for_selector("article h1")
    assert page.locator("article h1").inner_text() == title


def test_a_reader_uploads_a_file_through_the_ingest_form(site, page, shots, tmp_path):
    article = tmp_path / "orla-ferry.txt"
    article.write_text(
        "Ferry to Orla island runs again\n\nThe ferry between Port Venn and Orla island ran again "
        "on Tuesday after the storm damage to the pier was repaired, the harbour board said.",
        encoding="utf-8",
    )
    stories = page.context.browser.new_page()  # a reader who opened the stories page before
    stories.goto(site + "/")
    assert stories.locator("#live").is_hidden()
    page.goto(site + "/ingest")
    page.set_input_files("input[name=files]", str(article))
    page.get_by_role("button", name="Ingest").click()
    status = page.locator('#job-status[data-status="done"]')
    status.wait_for(timeout=60_000)  # the job page reloads itself until the job ends
    assert "1 new article," in page.locator("section.card").inner_text()
    page.screenshot(path=shots / "ingest.png", full_page=True)
    stories.evaluate("storylineCheck()")  # what the page does every 20 s, now
    news = stories.locator("#live")
    news.wait_for(state="visible", timeout=10_000)
    assert "1 new article since this page was loaded" in news.inner_text()
    news.get_by_role("link", name="show the latest").click()
    stories.wait_for_load_state()
    assert stories.locator("#live").is_hidden()  # counted again from the reloaded page
    stories.close()
    page.locator("ul.new a").first.click()
    assert page.locator("article h1").inner_text() == "Ferry to Orla island runs again"


def test_an_article_url_with_script_never_runs_when_clicked(page, shots, tmp_path):
    """Stored XSS on click: an article whose URL is ``JaVaScRiPt:alert(5)`` (or ``data:``)."""
    db = f"sqlite:///{tmp_path / 'xss.db'}"
    records = [
        {"url": url, "title": f"Lamps relit in Orlen Square {n}", "text": text}
        for n, (url, text) in enumerate(
            [
                ("JaVaScRiPt:alert(5)", XSS_TEXT),
                ("data:text/html,<script>alert(6)</script>", XSS_TEXT.replace("forty", "fifty")),
            ]
        )
    ]
    (tmp_path / "xss.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with Storyline(db) as sl:
        assert len(sl.ingest([str(tmp_path / "xss.jsonl")]).ingested) == 2
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with live_server(db) as client:
        for item in client.get("/api/v1/articles").json()["items"]:
            page.goto(f"{client.base_url}/articles/{item['id']}")
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
            for link in page.locator("main a").all():
                link.click(modifiers=["Control"])  # a new tab if it is a link at all
            original = page.get_by_text("original", exact=False).first
            original.click()
            page.wait_for_timeout(300)
        page.screenshot(path=shots / "xss.png", full_page=True)
    assert dialogs == []
