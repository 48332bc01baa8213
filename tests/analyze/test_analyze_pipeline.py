"""Analyze stage end to end with the real spaCy pipeline, on short fictional news texts.

People, outlets and villages are invented; countries, cities and NATO/EU are real. Every article
is analysed once per module (`analysed`), then each test reads what a user would rely on.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.analyze.annotate import analyze_articles
from storyline.analyze.nlp import CHUNK_CHARS
from storyline.config import get_settings
from storyline.model import Article, Entity, Quote, SourceKind, Stage

SATURDAY = datetime(2031, 3, 15, 9, 0, tzinfo=UTC)  # 2031-03-13 is a Thursday
VARGA = "Defence Minister Ilse Varga toured the flooded dam near the border on Monday."

TEXTS: dict[str, str] = {
    "role": (
        "Defence Minister Ilse Varga inspected the northern garrison on Tuesday. "
        "Varga said the troops were ready for the winter."
    ),
    "translit": (
        "Dmitri Orlavsky, a spokesman for the port authority, confirmed the closure on Monday. "
        "On Tuesday, Dmitry Orlavsky said the harbour would reopen within a week."
    ),
    "kerenyi_a": (
        "Senator Tomas Kerenyi opened the hearing on Monday. "
        "Kerenyi asked the ministry for its flood maps."
    ),
    "kerenyi_b": (
        "Tomas Kerenyi, the opposition leader, called for an independent inquiry. "
        "The party backed him."
    ),
    "kremlin": "The Kremlin said on Friday it would expel two diplomats from the embassy.",
    "kyiv": (
        "Officials in Kiev called the decision overdue. "
        "The mayor of Kyiv said the city would hold new elections."
    ),
    "quote_after": VARGA + "\n\n“We will not move a single battalion,” Varga said.",
    "quote_before": VARGA + "\n\nVarga said: “Nobody will be left behind in the valley.”",
    "quote_inverted": VARGA + "\n\n“We have enough fuel for the winter,” said Varga.",
    "pronoun": (
        "Interior Minister Paul Hendry visited the flooded district on Monday.\n\n"
        "“The water is still rising in the lower town,” he said."
    ),
    "split": VARGA
    + "\n\n“We are ready,” Varga said, “to send every available engineer to the dam.”",
    "according_end": VARGA + "\n\nThe convoy was delayed by heavy snow, according to the ministry.",
    "according_start": (
        VARGA + "\n\nAccording to the ministry, the soldiers will be rotated every six weeks."
    ),
    "said_that": (
        VARGA + "\n\nVarga said that the government would triple its spending on flood defences."
    ),
    "twitter": VARGA + "\n\nVarga said on Twitter: “The airport will reopen on Monday morning.”",
    "claims": (
        "Russia has massed some 13,000 soldiers near the border. "
        "Between 3,000 and 5,000 refugees crossed into Poland last week. "
        "Thousands of troops took part in the drills. "
        "The European Union pledged $4.5 billion in aid.\n\n"
        "The alliance has kept a battalion in Estonia since 2017. "
        "The drills began on 4 March 2031 near Tallinn."
    ),
    "claim_in_quote": (VARGA + "\n\n“We have sent 800 engineers to the region,” Varga said."),
    "thursday": "The harbour council met on Thursday to discuss the sea wall.",
    "thursday_undated": "The harbour council met on Thursday to discuss the sea wall.",
    "places": (
        "Delegates from twelve countries met in Brussels to discuss the sea wall. "
        "Later they sailed to Port Velmaris, a fishing village."
    ),
}
UNDATED = {"thursday_undated"}


def make_article(
    article_id: str,
    text: str,
    published: datetime | None = SATURDAY,
    language: str | None = "en",
) -> Article:
    return Article(
        source=f"{article_id}.txt",
        source_kind=SourceKind.TEXT,
        raw=text,
        text=text,
        id=article_id,
        published=published,
        language=language,
        outlet="Harbour Gazette",
    )


@pytest.fixture(scope="module")
def analysed() -> dict[str, Article]:
    articles = [
        make_article(key, text, None if key in UNDATED else SATURDAY) for key, text in TEXTS.items()
    ]
    return {a.id or "": a for a in analyze_articles(articles, get_settings())}


def persons(article: Article) -> list[Entity]:
    return [e for e in article.entities if e.type == "PERSON"]


def entity_named(article: Article, name: str) -> Entity:
    matches = [e for e in article.entities if e.name == name or name in e.aliases]
    assert len(matches) == 1, (name, article.entities)
    return matches[0]


def quote_with(article: Article, words: str) -> Quote:
    matches = [q for q in article.quotes if words in q.text]
    assert len(matches) == 1, (words, article.quotes)
    return matches[0]


# --- entities ------------------------------------------------------------------------------------


def test_every_article_is_marked_analysed(analysed):
    assert set(analysed) == set(TEXTS)
    for article in analysed.values():
        assert Stage.ANALYZED in article.stages


def test_a_role_and_a_surname_make_one_person(analysed):
    article = analysed["role"]
    [varga] = persons(article)
    assert varga.name == "Ilse Varga"
    assert "Varga" in varga.aliases
    assert any("Defence Minister" in role for role in varga.roles)
    people = [m for m in article.mentions if m.type == "PERSON"]
    assert {m.text for m in people} == {"Ilse Varga", "Varga"}
    assert {m.entity_id for m in people} == {varga.id}


def test_transliterated_first_names_make_one_person(analysed):
    article = analysed["translit"]
    [orlavsky] = persons(article)
    # both spellings are found as full names, so this is spelling folding, not a surname match
    assert {m.text for m in article.mentions} >= {"Dmitri Orlavsky", "Dmitry Orlavsky"}
    assert {"Dmitri Orlavsky", "Dmitry Orlavsky"} <= set(orlavsky.aliases)
    ids = {m.entity_id for m in article.mentions if "Orlavsky" in m.text}
    assert ids == {orlavsky.id}


def test_the_same_full_name_in_two_articles_has_one_id(analysed):
    first = entity_named(analysed["kerenyi_a"], "Tomas Kerenyi")
    second = entity_named(analysed["kerenyi_b"], "Tomas Kerenyi")
    assert first.id == second.id
    assert first.type == second.type == "PERSON"


def test_the_kremlin_speaks_for_russia(analysed):
    article = analysed["kremlin"]
    russia = [e for e in article.entities if e.country == "RUS" and e.type == "GPE"]
    assert len(russia) == 1
    assert russia[0].name == "Russia"
    [mention] = [m for m in article.mentions if "Kremlin" in m.text]
    assert mention.entity_id == russia[0].id
    assert mention.how == "metonymy"
    [quote] = article.quotes
    assert quote.speaker_entity_id == russia[0].id


def test_kiev_and_kyiv_are_one_place_in_ukraine(analysed):
    article = analysed["kyiv"]
    ids = {m.entity_id for m in article.mentions if m.text in {"Kiev", "Kyiv"}}
    assert len(ids) == 1
    [city] = [e for e in article.entities if e.id in ids]
    assert city.country == "UKR"
    assert city.type == "GPE"
    places = [p for p in article.places if p.name in {"Kiev", "Kyiv"}]
    assert {p.name for p in places} == {"Kiev", "Kyiv"}
    assert {p.country for p in places} == {"UKR"}
    assert {p.entity_id for p in places} == ids


# --- quotes --------------------------------------------------------------------------------------


def varga_id(article: Article) -> str:
    return entity_named(article, "Ilse Varga").id


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("quote_after", "We will not move a single battalion"),
        ("quote_before", "Nobody will be left behind in the valley"),
        ("quote_inverted", "We have enough fuel for the winter"),
    ],
    ids=["after", "before", "inverted"],
)
def test_a_direct_quote_is_attributed_from_its_frame(analysed, key, words):
    article = analysed[key]
    quote = quote_with(article, words)
    assert quote.kind == "direct"
    assert quote.direct
    assert quote.speaker_entity_id == varga_id(article)
    assert quote.cue == "said"
    assert quote.speaker_span is not None
    speaker = article.text[quote.speaker_span.start : quote.speaker_span.end]
    assert "Varga" in speaker


def test_he_said_resolves_to_the_nearest_person(analysed):
    article = analysed["pronoun"]
    hendry = entity_named(article, "Paul Hendry")
    quote = quote_with(article, "The water is still rising")
    assert quote.speaker_entity_id == hendry.id
    assert quote.speaker == "Paul Hendry"
    assert quote.speaker_span is not None
    assert article.text[quote.speaker_span.start : quote.speaker_span.end] == "he"


def test_a_split_quote_is_two_quotes_by_the_same_speaker(analysed):
    article = analysed["split"]
    first = quote_with(article, "We are ready")
    second = quote_with(article, "to send every available engineer")
    assert first is not second
    assert first.speaker_entity_id == second.speaker_entity_id == varga_id(article)
    assert first.kind == second.kind == "direct"


def test_according_to_at_the_end_is_indirect_speech_by_that_source(analysed):
    article = analysed["according_end"]
    quote = quote_with(article, "The convoy was delayed by heavy snow")
    assert quote.kind == "indirect"
    assert quote.cue == "according to"
    assert quote.speaker is not None and "ministry" in quote.speaker
    assert quote.text == "The convoy was delayed by heavy snow"


def test_according_to_at_the_start_is_indirect_speech_by_that_source(analysed):
    article = analysed["according_start"]
    quote = quote_with(article, "the soldiers will be rotated every six weeks")
    assert quote.kind == "indirect"
    assert quote.cue == "according to"
    assert quote.speaker is not None and "ministry" in quote.speaker
    assert "According" not in quote.text


def test_said_that_is_indirect_speech(analysed):
    article = analysed["said_that"]
    quote = quote_with(article, "the government would triple its spending")
    assert quote.kind == "indirect"
    assert not quote.direct
    assert quote.text == "the government would triple its spending on flood defences"
    assert quote.speaker_entity_id == varga_id(article)


def test_a_quote_said_on_twitter_has_that_channel(analysed):
    article = analysed["twitter"]
    quote = quote_with(article, "The airport will reopen on Monday morning")
    assert quote.channel == "Twitter"
    assert quote.speaker_entity_id == varga_id(article)


def test_a_quote_without_a_channel_has_none(analysed):
    assert quote_with(analysed["quote_after"], "single battalion").channel is None


# --- numeric claims ------------------------------------------------------------------------------


def claim_with(article: Article, words: str):
    matches = [c for c in article.claims if words in c.text]
    assert len(matches) == 1, (words, article.claims)
    return matches[0]


def test_an_approximate_count(analysed):
    claim = claim_with(analysed["claims"], "13,000")
    assert claim.text == "some 13,000 soldiers"
    assert claim.quantity == 13_000
    assert claim.approximate
    assert claim.qualifier == "some"
    assert claim.counted == "soldiers"
    assert claim.unit is None


def test_a_range_keeps_both_ends(analysed):
    claim = claim_with(analysed["claims"], "5,000")
    assert claim.quantity == 3_000
    assert claim.quantity_max == 5_000
    assert claim.counted == "refugees"


def test_a_vague_count_has_no_quantity(analysed):
    claim = claim_with(analysed["claims"], "Thousands")
    assert claim.quantity is None
    assert claim.approximate
    assert claim.counted == "troops"


def test_money_has_a_currency_unit(analysed):
    claim = claim_with(analysed["claims"], "$4.5 billion")
    assert claim.quantity == 4_500_000_000
    assert claim.unit == "USD"


def test_years_and_dates_are_not_claims(analysed):
    article = analysed["claims"]
    for claim in article.claims:
        assert "2017" not in claim.text
        assert "2031" not in claim.text
        assert claim.quantity not in {2017, 2031, 4}
    assert {t.value for t in article.times} >= {"2017", "2031-03-04"}


def test_a_number_in_a_quote_is_claimed_by_the_speaker(analysed):
    article = analysed["claim_in_quote"]
    claim = claim_with(article, "800")
    assert claim.quantity == 800
    assert claim.counted == "engineers"
    assert claim.claimant_entity_id == varga_id(article)
    assert claim.claimant is not None and "Varga" in claim.claimant


# --- dates and places ----------------------------------------------------------------------------


def test_a_weekday_resolves_to_the_one_before_publication(analysed):
    article = analysed["thursday"]
    [thursday] = [t for t in article.times if t.text == "Thursday"]
    assert thursday.value == "2031-03-13"
    assert thursday.granularity == "day"
    assert article.analysis_note is None


def test_without_a_publication_date_a_weekday_stays_unresolved_and_the_note_says_so(analysed):
    article = analysed["thursday_undated"]
    [thursday] = [t for t in article.times if t.text == "Thursday"]
    assert thursday.value is None
    assert article.analysis_note is not None
    assert "publication date" in article.analysis_note
    assert "unresolved" in article.analysis_note or "unknown" in article.analysis_note


def test_a_city_is_geocoded_to_its_country(analysed):
    article = analysed["places"]
    [brussels] = [p for p in article.places if p.name == "Brussels"]
    assert brussels.country == "BEL"
    assert brussels.lat == pytest.approx(50.85, abs=0.2)
    assert brussels.lon == pytest.approx(4.35, abs=0.2)
    assert brussels.kind == "city"


def test_an_unknown_place_is_kept_without_invented_coordinates(analysed):
    article = analysed["places"]
    [village] = [p for p in article.places if "Velmaris" in p.name]
    assert village.country is None
    assert village.lat is None and village.lon is None


# --- spans ---------------------------------------------------------------------------------------


def assert_spans_match(article: Article) -> int:
    """Every annotation's span covers exactly its text; return how many were checked."""
    checked = 0
    text = article.text
    for item in [*article.mentions, *article.quotes, *article.claims, *article.times]:
        assert item.span.article_id == article.id
        assert text[item.span.start : item.span.end] == item.text, item
        checked += 1
    for place in article.places:
        assert text[place.span.start : place.span.end] == place.name, place
        checked += 1
    for quote in article.quotes:
        if quote.speaker_span is not None:
            assert 0 <= quote.speaker_span.start < quote.speaker_span.end <= len(text)
    return checked


def test_every_span_covers_exactly_its_text(analysed):
    checked = sum(assert_spans_match(article) for article in analysed.values())
    assert checked > 60


def test_mention_entity_ids_name_entities_of_the_article(analysed):
    for article in analysed.values():
        ids = {e.id for e in article.entities}
        assert {m.entity_id for m in article.mentions} <= ids


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n \t  ", ".....", "\n\n—\n\n", "“", "”“”“"],
    ids=["empty", "whitespace", "dots", "dash", "lone-mark", "marks-only"],
)
def test_text_without_sentences_gives_empty_annotations(text):
    [article] = analyze_articles([make_article("bad", text)], get_settings())
    assert Stage.ANALYZED in article.stages
    assert article.mentions == [] and article.entities == [] and article.quotes == []
    assert article.claims == [] and article.times == [] and article.places == []


def test_unbalanced_quote_marks_do_not_make_a_quote_of_the_rest():
    text = (
        "Defence Minister Ilse Varga said “we will hold the northern line.\n\n"
        "Then the hall emptied and nobody spoke for an hour. "
        "The ferry to Port Velmaris was cancelled because of the storm."
    )
    [article] = analyze_articles([make_article("unbalanced", text)], get_settings())
    assert_spans_match(article)
    for quote in article.quotes:
        assert "hall emptied" not in quote.text
        assert "ferry" not in quote.text


def test_a_german_article_is_not_analysed_and_says_why():
    text = (
        "Verteidigungsministerin Ilse Varga sagte am Donnerstag, dass die Armee mit rund "
        "13.000 Soldaten bis zum Frühjahr im Norden bleiben werde."
    )
    [article] = analyze_articles([make_article("de", text, language="de")], get_settings())
    assert Stage.ANALYZED in article.stages
    assert article.mentions == [] and article.entities == [] and article.quotes == []
    assert article.claims == [] and article.times == [] and article.places == []
    assert article.analysis_note is not None
    assert "'de'" in article.analysis_note or "language" in article.analysis_note


def test_a_german_article_does_not_stop_the_english_ones_in_its_batch():
    english = make_article("en", TEXTS["role"])
    german = make_article("de", "Die Armee bleibt im Norden, sagte Ilse Varga.", language="de")
    done = {a.id: a for a in analyze_articles([german, english], get_settings())}
    assert done["de"].entities == []
    assert [e.name for e in persons(done["en"])] == ["Ilse Varga"]
    assert done["en"].analysis_note is None


# --- a very long article -------------------------------------------------------------------------

FIRST = ["Ilse", "Marek", "Tove", "Anselm", "Dorota", "Kasimir", "Lenka", "Oskar", "Saskia"]
LAST = ["Halloran", "Brenning", "Sotelo", "Kwiatek", "Marrow", "Tellen", "Ubach", "Quenby"]
CITIES = ["Brussels", "Tallinn", "Warsaw", "Vienna", "Lisbon", "Oslo", "Riga"]
TOPICS = ["the harbour wall", "the new rail line", "the grain silos", "the river locks"]
CLOSING = (
    "Finance Minister Halvard Osterberg presented the audit on Friday.\n\n"
    "“Every invoice for the sea wall has now been checked twice,” Osterberg said."
)


def long_paragraph(i: int) -> str:
    who, city, topic = f"{FIRST[i % 9]} {LAST[i % 8]}", CITIES[i % 7], TOPICS[i % 4]
    if i % 4 == 0:
        return (
            f"Councillor {who} told reporters in {city} that repairs to {topic} had cost some "
            f"{1000 + 7 * i:,} euros so far and would take {i % 9 + 2} more months. Engineers "
            "inspected the site again in the afternoon and found no new damage, although "
            "several residents said the noise had kept them awake."
        )
    if i % 4 == 1:
        return (
            f"“We counted every invoice twice before we signed,” {LAST[i % 8]} said. The finance "
            f"committee reviewed {i % 50 + 3} contracts for {topic} during the session, and its "
            "members agreed to publish the full list of suppliers before the summer recess."
        )
    if i % 4 == 2:
        return (
            f"The work on {topic} is one of the largest public projects in the district for a "
            "decade. Shopkeepers complained that the closures had cut the number of visitors, "
            "while the transport office promised extra buses at weekends and a temporary "
            "footbridge across the canal near the old market hall."
        )
    return (
        f"Observers from {city} will attend the next session, which is expected to last most of "
        f"the day. Volunteers have collected more than {200 + i} signatures asking the council "
        "to hold an open meeting, and a local newspaper offered to stream it online for free."
    )


@pytest.fixture(scope="module")
def long_article() -> Article:
    paragraphs, words, i = [], 0, 0
    while words < 60_000:
        paragraphs.append(long_paragraph(i))
        words += len(paragraphs[-1].split())
        i += 1
    text = "\n\n".join([*paragraphs, CLOSING])
    [article] = analyze_articles([make_article("long", text)], get_settings())
    return article


def test_a_very_long_article_is_analysed_throughout(long_article):
    text = long_article.text
    assert len(text.split()) > 60_000
    assert len(text) > 10 * CHUNK_CHARS
    assert Stage.ANALYZED in long_article.stages
    late = CHUNK_CHARS * 5
    assert any(m.span.start > late for m in long_article.mentions)
    assert any(q.span.start > late for q in long_article.quotes)
    assert any(c.span.start > late for c in long_article.claims)


def test_spans_past_the_first_chunk_cover_exactly_their_text(long_article):
    assert_spans_match(long_article)
    far = [
        item
        for item in [*long_article.mentions, *long_article.quotes, *long_article.claims]
        if item.span.start > CHUNK_CHARS
    ]
    assert len(far) > 100


def test_the_last_paragraph_of_a_long_article_is_attributed(long_article):
    osterberg = entity_named(long_article, "Halvard Osterberg")
    quote = quote_with(long_article, "Every invoice for the sea wall has now been checked twice")
    assert quote.speaker_entity_id == osterberg.id
    assert quote.span.start > len(long_article.text) - 200
