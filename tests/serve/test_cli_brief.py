"""`storyline brief` and `GET /api/v1/stories/{id}/brief` on a real database, really analysed.

A fictional story of a border deployment told by four outlets over three days: two agree on a
troop number, one gives another the same day (a conflict), one republishes another word for word,
and a minister's quote is carried by three. Ingest, analysis (spaCy) and assignment run for real.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyline import Storyline
from tests.chat_server import chat_server, completion, numbered_sentences
from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server
from tests.serve.test_cli_stories import cli, cli_json

LEAD = (
    "Varnia moved 12,000 soldiers to the Ostrava border crossing on Monday, the defence ministry "
    "in Pellin said."
)
QUOTE = "We will not accept foreign soldiers on our side of the river"
CORPUS: list[dict[str, Any]] = [
    {
        "url": "https://www.gazette.example/varnia-moves-troops",
        "title": "Varnia moves troops to Ostrava border",
        "text": f'{LEAD} Interior Minister Tomas Hadrava said: "{QUOTE}." Residents of Ostrava '
        "watched armoured columns pass through the town centre during the afternoon.",
        "published": "2031-06-09T08:00:00Z",
    },
    {
        "url": "https://www.tribune.example/ostrava-troops",
        "title": "Varnian soldiers reach Ostrava crossing",
        "text": "Varnia moved 12,000 soldiers to the Ostrava border crossing on Monday, officials "
        f'in Pellin confirmed. "{QUOTE}," Interior Minister Tomas Hadrava told reporters. Shops '
        "in Ostrava closed early as the convoys arrived at the border crossing.",
        "published": "2031-06-09T11:00:00Z",
    },
    {
        "url": "https://www.echo.example/ostrava-20000",
        "title": "Ostrava deployment larger than announced",
        "text": "Varnia moved 20,000 soldiers to the Ostrava border crossing on Monday, according "
        f'to two officers who spoke to the Echo. Tomas Hadrava said: "{QUOTE}." The ministry in '
        "Pellin declined to comment on the figure reported by the Echo on Monday evening.",
        "published": "2031-06-09T18:00:00Z",
    },
    {
        "url": "https://www.aggregator.example/varnia-moves-troops-copy",
        "title": "Varnia moves troops to Ostrava border (republished)",
        "text": f'{LEAD} Interior Minister Tomas Hadrava said: "{QUOTE}." Residents of Ostrava '
        "watched armoured columns pass through the town centre during the afternoon.",
        "published": "2031-06-10T07:00:00Z",
    },
    {
        "url": "https://www.tribune.example/ostrava-talks",
        "title": "Varnia and Ostrava officials agree to talks at the border",
        "text": "Officials from Varnia and the Ostrava district agreed on Wednesday to hold talks "
        "at the border crossing next week, the defence ministry in Pellin said. The soldiers "
        "moved to the Ostrava border crossing on Monday will stay until the talks, it said.",
        "published": "2031-06-11T09:00:00Z",
    },
]


@pytest.fixture(scope="module", params=BACKENDS)
def story(request, tmp_path_factory) -> tuple[str, int]:
    folder: Path = tmp_path_factory.mktemp("brief")
    corpus = folder / "brief.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in CORPUS), encoding="utf-8")
    url = database_url(request.param, folder, "brief")
    report = cli_json("ingest", str(corpus), "--db", url)
    assert len(report["ingested"]) == len(CORPUS)
    stories = cli_json("stories", "--db", url)
    assert len(stories) == 1, stories
    return url, stories[0]["id"]


def _brief(url: str, story_id: int, *args: str) -> dict[str, Any]:
    return json.loads(cli("brief", str(story_id), "--db", url, "--format", "json", *args).stdout)


def test_every_briefing_sentence_cites_articles_that_carry_it(story):
    url, story_id = story
    brief = _brief(url, story_id)
    assert 3 <= len(brief["sentences"]) <= 12
    with Storyline(url) as sl:
        texts = {row["id"]: sl.article(row["id"]).text for row in sl.articles(limit=50)}
    for sentence in brief["sentences"]:
        span = sentence["span"]
        assert texts[span["article_id"]][span["start"] : span["end"]] == sentence["text"]
        assert sentence["sources"][0] == span["article_id"]
    lead = next(s for s in brief["sentences"] if s["text"] == LEAD)
    # The Gazette, the aggregator's copy of it, and the Tribune in nearly the same words; the
    # copy is not independent corroboration.
    assert len(lead["sources"]) == 3 and lead["support"] == 2


def test_the_quote_carried_by_three_outlets_is_one_key_quote(story):
    url, story_id = story
    quotes = _brief(url, story_id)["quotes"]
    hadrava = [q for q in quotes if QUOTE in q["text"]]
    assert len(hadrava) == 1
    assert "Hadrava" in (hadrava[0]["speaker"] or "")
    assert hadrava[0]["support"] == 3
    outlets = {s["outlet"] for s in hadrava[0]["sources"]}
    assert {"gazette.example", "tribune.example", "echo.example"} <= outlets


def test_different_troop_numbers_the_same_day_are_flagged_as_a_conflict(story):
    url, story_id = story
    claims = _brief(url, story_id)["claims"]
    twelve = next(i for i, c in enumerate(claims) if c["quantity"] == 12000)
    twenty = next(i for i, c in enumerate(claims) if c["quantity"] == 20000)
    assert claims[twelve]["support"] == 2
    assert twenty in claims[twelve]["conflicts"] and twelve in claims[twenty]["conflicts"]


def test_outlets_show_the_first_reporter_and_the_republisher(story):
    url, story_id = story
    outlets = _brief(url, story_id)["outlets"]
    assert outlets[0]["outlet"] == "gazette.example"
    aggregator = next(o for o in outlets if o["outlet"] == "aggregator.example")
    assert aggregator["copies_of"] == ["gazette.example"] and aggregator["originals"] == 0


def test_an_update_since_a_date_holds_only_what_is_new(story):
    url, story_id = story
    update = _brief(url, story_id, "--since", "2031-06-11")
    assert update["new_articles"] == 1 and update["articles"] == len(CORPUS)
    assert update["sentences"], update
    for sentence in update["sentences"]:
        assert sentence["span"]["article_id"] == sentence["sources"][0]
        assert "talks" in sentence["text"] or "stay" in sentence["text"]
    new_id = next(s["span"]["article_id"] for s in update["sentences"])
    assert all(s["article_id"] == new_id for q in update["quotes"] for s in q["sources"])
    nothing = _brief(url, story_id, "--since", "2031-07-01")
    assert nothing["sentences"] == [] and "nothing new" in " ".join(nothing["notes"])


def test_markdown_numbers_citations_and_lists_every_cited_source(story):
    url, story_id = story
    text = cli("brief", str(story_id), "--db", url).stdout
    assert text.startswith("# ")
    assert "## Briefing" in text and "## Sources" in text and "**CONFLICT**" in text
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    listed = {int(n) for n in re.findall(r"^(\d+)\. `", text, flags=re.MULTILINE)}
    assert cited and cited == listed
    for line in text.split("## Briefing")[1].split("##")[0].strip().splitlines():
        assert re.search(r"\[\d+\]", line), line  # every briefing sentence is cited


def test_bad_story_id_and_bad_format_fail_with_a_clear_message(story):
    url, _ = story
    missing = cli("brief", "999", "--db", url, code=3)
    assert "999" in missing.stderr
    wrong = cli("brief", "1", "--db", url, "--format", "pdf", code=1)
    assert "md, html, json" in wrong.stderr


def test_the_brief_over_http_in_json_markdown_and_html(story):
    url, story_id = story
    with live_server(url) as client:
        data = client.get(f"/api/v1/stories/{story_id}/brief").json()
        assert data["story_id"] == story_id and data["sentences"]
        md = client.get(f"/api/v1/stories/{story_id}/brief", params={"format": "md"})
        assert md.headers["content-type"].startswith("text/markdown")
        assert "## Briefing" in md.text
        page = client.get(f"/api/v1/stories/{story_id}/brief", params={"format": "html"})
        assert page.headers["content-type"].startswith("text/html")
        assert ">Briefing</h2>" in page.text and "<script" not in page.text
        since = client.get(
            f"/api/v1/stories/{story_id}/brief", params={"since": "2031-06-11T00:00:00"}
        ).json()
        assert since["new_articles"] == 1
        assert client.get("/api/v1/stories/999/brief").status_code == 404
        assert client.get(f"/api/v1/stories/{story_id}/brief?format=pdf").status_code == 422
        assert "/api/v1/stories/{story_id}/brief" in client.get("/openapi.json").json()["paths"]


def test_the_story_page_cites_and_each_citation_opens_the_cited_sentence(story):
    url, story_id = story
    with live_server(url) as client:
        page = client.get(f"/stories/{story_id}").text
        briefing = page[page.index('id="briefing"') : page.index('id="timeline"')]
        items = re.findall(r"<li>(.*?)</li>", briefing, flags=re.DOTALL)
        assert 3 <= len(items) <= 12
        for item in items:
            first = re.search(r'<a class="cite" href="(/articles/[^"#]+)', item)
            assert first is not None, item
            cited = client.get(html.unescape(first.group(1))).text
            marked = re.search(r'<mark id="hl">(.*?)</mark>', cited, flags=re.DOTALL)
            assert marked is not None
            assert html.unescape(re.sub(r"<[^>]+>", "", marked.group(1))) in html.unescape(item)
        figures = page[page.index('id="figures"') : page.index('id="outlets"')]
        assert figures.count('class="conflict"') >= 2 and "CONFLICT" in figures
        assert "Hadrava" in page[page.index('id="quotes"') : page.index('id="figures"')]
        assert "aggregator.example" in page[page.index('id="outlets"') :]
        assert client.get("/articles/nope?hl=1-x").status_code == 422


INVENTED = "Varnia also moved 90,000 tanks to the coast."


def _written_reply(body: dict[str, Any]) -> tuple[int, str]:
    """A model that restates the first sentence it was given and invents one."""
    first = numbered_sentences(body)[0]
    return completion(f"{first} [1]\n{INVENTED} [1]")


def test_the_abstractive_briefing_keeps_what_sources_support_and_lists_the_rest(story, monkeypatch):
    url, story_id = story
    with chat_server(_written_reply) as server:
        monkeypatch.setenv("STORYLINE_ABSTRACTIVE_URL", server.url)
        monkeypatch.setenv("STORYLINE_ABSTRACTIVE_MODEL", "tiny-model")
        args = ("brief", str(story_id), "--db", url, "--abstractive")
        data = json.loads(cli(*args, "--format", "json").stdout)
        markdown = cli(*args).stdout
        with live_server(url) as client:
            over_http = client.get(
                f"/api/v1/stories/{story_id}/brief", params={"abstractive": "true"}
            ).json()
    sent = numbered_sentences(server.requests[0][1])
    assert 5 <= len(sent) <= 25
    with Storyline(url) as sl:
        texts = {a.id: a.text for a in sl.store.story_material(story_id)}
    abstract = data["abstract"]
    (kept,) = abstract["sentences"]
    assert kept["text"] == sent[0]
    # Cited: the article whose words it is, and those carrying near-identical words.
    assert sent[0] in texts[kept["sources"][0]] and set(kept["sources"]) <= set(texts)
    assert kept["support"][0]["article_id"] == kept["sources"][0]
    assert [d["text"] for d in abstract["dropped"]] == [INVENTED]
    assert "90" in abstract["dropped"][0]["reason"]
    assert any("1 of 2 written sentences were dropped" in n for n in data["notes"])
    assert "## Written briefing (tiny-model" in markdown
    assert f"~~{INVENTED}~~" in markdown and "## Key sentences (extractive)" in markdown
    assert over_http["abstract"] == abstract
    assert data["sentences"] == over_http["sentences"]  # the extractive briefing is unchanged


def test_the_abstractive_briefing_without_a_model_or_with_a_dead_one_fails_clearly(
    story, monkeypatch
):
    url, story_id = story
    monkeypatch.delenv("STORYLINE_ABSTRACTIVE_URL", raising=False)
    unset = cli("brief", str(story_id), "--db", url, "--abstractive", code=1)
    assert "STORYLINE_ABSTRACTIVE_URL" in unset.stderr
    with live_server(url) as client:
        answer = client.get(f"/api/v1/stories/{story_id}/brief", params={"abstractive": "true"})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "config_error"
    with chat_server(lambda body: (503, '{"error": "overloaded"}')) as server:
        monkeypatch.setenv("STORYLINE_ABSTRACTIVE_URL", server.url)
        monkeypatch.setenv("STORYLINE_ABSTRACTIVE_MODEL", "tiny-model")
        down = cli("brief", str(story_id), "--db", url, "--abstractive", code=1)
        with live_server(url) as client:
            answer = client.get(f"/api/v1/stories/{story_id}/brief", params={"abstractive": "true"})
    assert "answered HTTP 503" in " ".join(down.stderr.split())
    assert answer.status_code == 502 and answer.json()["error"]["code"] == "model_endpoint_error"
