"""The abstractive briefing: what a model writes is kept only where the sources support it."""

from __future__ import annotations

import json
import socket

import pytest

from storyline.config import get_settings
from storyline.errors import ConfigError, ModelEndpointError
from storyline.fuse.abstractive import (
    abstract_writer,
    check,
    messages,
    write_abstract,
    written_sentences,
)
from storyline.fuse.briefing import BriefSentence
from storyline.model import Span
from tests.chat_server import chat_server, completion, numbered_sentences

MATERIAL = [
    BriefSentence(
        "The Marlow river burst its banks on Tuesday, flooding 340 homes in Easthaven.",
        Span("courier", 0, 77),
        ["courier", "harbour"],
        2,
        5.0,
    ),
    BriefSentence(
        "Mayor Ilse Brandt said the town would open three shelters at its schools.",
        Span("courier", 78, 152),
        ["courier"],
        1,
        3.0,
    ),
    BriefSentence(
        "Engineers from the regional water board found no damage at the Easthaven dam.",
        Span("ledger", 0, 78),
        ["ledger"],
        1,
        2.0,
    ),
]


def test_written_sentences_take_citations_before_or_after_the_full_stop() -> None:
    reply = (
        "- The Marlow flooded 340 homes in Easthaven [1].\n"
        "2. Shelters opened at schools. [2, 3] The dam held [3]\n"
        "\n"
        "No citation here."
    )
    assert written_sentences(reply) == [
        ("The Marlow flooded 340 homes in Easthaven.", [1]),
        ("Shelters opened at schools.", [2, 3]),
        ("The dam held", [3]),
        ("No citation here.", []),
    ]


def test_supported_sentences_are_kept_with_their_articles() -> None:
    reply = "The Marlow river burst its banks on Tuesday and flooded 340 homes in Easthaven [1]."
    abstract = check(reply, MATERIAL, "test-model")
    assert not abstract.dropped
    (kept,) = abstract.sentences
    assert kept.sources == ["courier", "harbour"]
    assert kept.support == [MATERIAL[0].span]
    assert kept.cited == [1] and not kept.recited


def test_an_invented_figure_or_name_is_dropped_with_the_reason() -> None:
    reply = (
        "The Marlow river burst its banks on Tuesday, flooding 3,400 homes in Easthaven [1].\n"
        "Mayor Ilse Brandt and Governor Odo Stark said the town would open shelters [2]."
    )
    abstract = check(reply, MATERIAL, "test-model")
    assert not abstract.sentences
    assert [d.cited for d in abstract.dropped] == [[1], [2]]
    assert "3,400" in abstract.dropped[0].text
    assert "figures in no source sentence" in abstract.dropped[0].reason
    assert "400" in abstract.dropped[0].reason
    assert "odo" in abstract.dropped[1].reason and "stark" in abstract.dropped[1].reason


def test_a_sentence_about_something_else_is_dropped() -> None:
    reply = "Residents were asked to boil water until further notice [3]."
    abstract = check(reply, MATERIAL, "test-model")
    assert not abstract.sentences
    assert "too few of its words" in abstract.dropped[0].reason


def test_a_wrong_citation_is_replaced_by_the_sentences_that_support_it() -> None:
    reply = (
        "Engineers of the regional water board found no damage at the Easthaven dam [1].\n"
        "Mayor Ilse Brandt said shelters would open at schools after the river flooded 340 "
        "homes."
    )
    abstract = check(reply, MATERIAL, "test-model")
    assert not abstract.dropped
    first, second = abstract.sentences
    assert first.recited and first.cited == [1] and first.sources == ["ledger"]
    assert second.recited and set(second.sources) == {"courier", "harbour"}
    assert set(second.support) == {MATERIAL[0].span, MATERIAL[1].span}


def test_citations_out_of_range_do_not_count_as_support() -> None:
    reply = "Mayor Ilse Brandt said the town would open three shelters [7]."
    (kept,) = check(reply, MATERIAL, "test-model").sentences
    assert kept.recited and kept.sources == ["courier"]


def _reply_from_request(body: dict) -> tuple[int, str]:
    sentences = numbered_sentences(body)
    return completion(
        f"{sentences[1]} [2]\nThe river also destroyed 90 bridges in Pellin. [1]\n"
        f"{sentences[0].replace('burst its banks', 'overflowed')} [1]"
    )


def test_the_endpoint_gets_the_numbered_sentences_and_its_reply_is_checked() -> None:
    with chat_server(_reply_from_request) as server:
        abstract = write_abstract(MATERIAL, server.url, "tiny-model", api_key="s3cret")
    (headers, body), *_ = server.requests
    assert body["model"] == "tiny-model" and body["temperature"] == 0
    assert body["messages"] == messages(MATERIAL)
    assert "[3] Engineers from the regional water board" in body["messages"][1]["content"]
    assert headers["Authorization"] == "Bearer s3cret"
    assert [s.text for s in abstract.sentences] == [
        MATERIAL[1].text,
        MATERIAL[0].text.replace("burst its banks", "overflowed"),
    ]
    assert [d.text for d in abstract.dropped] == ["The river also destroyed 90 bridges in Pellin."]
    assert abstract.model == "tiny-model"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((500, json.dumps({"error": "model not loaded"})), "answered HTTP 500"),
        ((200, "not json"), "did not answer like an OpenAI chat completion"),
        ((200, json.dumps({"choices": []})), "did not answer like an OpenAI chat completion"),
        ((200, json.dumps({"choices": [{"message": {"content": None}}]})), "sent no text"),
    ],
)
def test_endpoint_failures_are_clear_errors(answer: tuple[int, str], message: str) -> None:
    with chat_server(lambda body: answer) as server, pytest.raises(ModelEndpointError) as info:
        write_abstract(MATERIAL, server.url, "tiny-model")
    assert message in str(info.value)


def test_a_dead_endpoint_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    with pytest.raises(ModelEndpointError) as info:
        write_abstract(MATERIAL, f"http://127.0.0.1:{port}/v1", "tiny-model", timeout=5)
    assert "could not be reached" in str(info.value)


def test_without_an_endpoint_the_mode_says_what_to_set() -> None:
    with pytest.raises(ConfigError) as info:
        abstract_writer(get_settings(abstractive_url=None, abstractive_model=None))
    assert "STORYLINE_ABSTRACTIVE_URL" in str(info.value)
    assert "STORYLINE_ABSTRACTIVE_MODEL" in str(info.value)


def test_no_material_asks_nothing() -> None:
    assert write_abstract([], "http://127.0.0.1:9/v1", "tiny-model").sentences == []
