"""Fuse stage: an optional written briefing, by a language model, checked against its sources.

Off by default. When asked for (`storyline brief ID --abstractive`), the story's most central,
most corroborated sentences (the extractive choice, numbered) go to an OpenAI-compatible chat
endpoint (settings ``abstractive_url`` and ``abstractive_model``) with the instruction to write a
short briefing from them alone, citing the numbers of the sentences each of its sentences rests
on. What comes back is not trusted: each written sentence is checked against the source
sentences it cites. It is *supported* when every name and figure it states is in them and most
of its content words are. A sentence whose citations do not support it but other source
sentences do is kept with those citations (and marked re-cited); one that no source sentence
supports is dropped and reported, never shown as the story's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from storyline.config import Settings
from storyline.errors import ConfigError, ModelEndpointError
from storyline.fuse.briefing import BriefSentence, content_tokens, normalise
from storyline.fuse.sentences import sentence_spans
from storyline.model import Span

SUPPORT = 0.6  # share of a written sentence's content words that its sources must contain
MAX_SUPPORTING = 3  # source sentences one written sentence may rest on
MATERIAL = 25  # source sentences offered to the model
MAX_WRITTEN = 8  # sentences asked for
_CITATION = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_WORD = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

INSTRUCTION = (
    "You write news briefings for analysts. You are given numbered sentences from news "
    "articles about one story. Write a briefing of at most {count} sentences that says what "
    "happened, using only facts stated in these sentences: no outside knowledge, no names or "
    "figures that are not in them. End every sentence with the numbers of the sentences it "
    "rests on, in square brackets, such as [2] or [1, 4]. Write one sentence per line, plain "
    "text, no heading."
)


@dataclass(slots=True)
class WrittenSentence:
    """A sentence written by the model and found supported by source sentences."""

    text: str
    sources: list[str]  # articles carrying the supporting sentences, earliest first
    support: list[Span]  # the source sentences it rests on
    cited: list[int]  # the numbers the model cited (1-based, into the material)
    recited: bool = False  # supported by other source sentences than those cited


@dataclass(slots=True)
class DroppedSentence:
    """A written sentence no source sentence supports, and why."""

    text: str
    cited: list[int]
    reason: str


@dataclass(slots=True)
class Abstract:
    """The written briefing: kept sentences with their sources, and what was dropped."""

    model: str
    sentences: list[WrittenSentence] = field(default_factory=list)
    dropped: list[DroppedSentence] = field(default_factory=list)


def messages(material: list[BriefSentence], count: int = MAX_WRITTEN) -> list[dict[str, str]]:
    """The chat messages asking for a briefing of ``material`` (numbered from 1)."""
    numbered = "\n".join(f"[{n}] {s.text}" for n, s in enumerate(material, start=1))
    return [
        {"role": "system", "content": INSTRUCTION.format(count=count)},
        {"role": "user", "content": f"Sentences:\n{numbered}\n\nBriefing:"},
    ]


def complete(
    url: str | None,
    model: str | None,
    chat: list[dict[str, str]],
    api_key: str | None = None,
    timeout: float = 60.0,
) -> str:
    """The reply of the chat endpoint at ``url`` (an OpenAI-compatible API base, such as
    ``http://127.0.0.1:8080/v1``) to ``chat``."""
    if not url or not model:
        raise ConfigError(
            "the abstractive briefing needs a model endpoint: set STORYLINE_ABSTRACTIVE_URL (an "
            "OpenAI-compatible API base such as http://127.0.0.1:8080/v1) and "
            "STORYLINE_ABSTRACTIVE_MODEL, or leave out --abstractive for the extractive briefing"
        )
    endpoint = url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = {"model": model, "messages": chat, "temperature": 0}
    try:
        response = httpx.post(endpoint, json=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ModelEndpointError(
            f"the model endpoint {endpoint} could not be reached ({exc.__class__.__name__}: "
            f"{exc}); check STORYLINE_ABSTRACTIVE_URL and that the server is running"
        ) from exc
    if response.status_code != 200:
        raise ModelEndpointError(
            f"the model endpoint {endpoint} answered HTTP {response.status_code}: "
            f"{response.text[:300]!r}; check STORYLINE_ABSTRACTIVE_MODEL and the server's log"
        )
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelEndpointError(
            f"the model endpoint {endpoint} did not answer like an OpenAI chat completion "
            f"(no choices[0].message.content): {response.text[:300]!r}"
        ) from exc
    if not isinstance(content, str):
        raise ModelEndpointError(f"the model endpoint {endpoint} sent no text in its answer")
    return content


def written_sentences(reply: str) -> list[tuple[str, list[int]]]:
    """The sentences of a model's reply with the numbers each cites; citations written after a
    sentence's full stop ("... border. [2]") belong to it."""
    found: list[tuple[str, list[int]]] = []
    for line in reply.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for start, end in sentence_spans(line):
            piece = line[start:end]
            leading = re.match(r"^(?:\s*\[[\d,;\s]+\])+", piece)
            if leading and found:
                found[-1][1].extend(_numbers(leading.group(0)))
                piece = piece[leading.end() :]
            text = _CITATION.sub("", piece)
            text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
            if text:
                found.append((text, _numbers(piece)))
    return found


def _numbers(text: str) -> list[int]:
    return [int(n) for group in _CITATION.findall(text) for n in re.split(r"[,;\s]+", group) if n]


def _key_words(text: str) -> set[str]:
    """The words a source must state for a sentence to rest on it: figures and names
    (capitalised words other than the first)."""
    words = _WORD.findall(text)
    keys = {normalise(w) for w in words if any(c.isdigit() for c in w)}
    keys |= {normalise(w) for w in words[1:] if w[:1].isupper()}
    return keys


def check(reply: str, material: list[BriefSentence], model: str) -> Abstract:
    """Keep the written sentences of ``reply`` that ``material`` supports; drop the others."""
    tokens = [set(content_tokens(s.text)) | _key_words(s.text) for s in material]
    result = Abstract(model)
    for text, cited in written_sentences(reply):
        words = set(content_tokens(text))
        keys = _key_words(text)
        if not words:
            result.dropped.append(DroppedSentence(text, cited, "no content words to check"))
            continue
        valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(material)]
        support = valid if _supports(words, keys, [tokens[n - 1] for n in valid]) else None
        recited = False
        if support is None:
            support = _find_support(words, keys, tokens)
            recited = support is not None
        if support is None:
            result.dropped.append(DroppedSentence(text, cited, _why(words, keys, tokens, valid)))
            continue
        chosen = [material[n - 1] for n in support]
        sources = list(dict.fromkeys(a for s in chosen for a in s.sources))
        result.sentences.append(
            WrittenSentence(text, sources, [s.span for s in chosen], cited, recited)
        )
    return result


def _supports(words: set[str], keys: set[str], supporting: list[set[str]]) -> bool:
    if not supporting:
        return False
    union = set().union(*supporting)
    return keys <= union and len(words & union) >= SUPPORT * len(words)


def _find_support(words: set[str], keys: set[str], tokens: list[set[str]]) -> list[int] | None:
    """Up to MAX_SUPPORTING source sentences (1-based numbers) that together support a written
    sentence, picked greedily by the words they add; None when none do."""
    chosen: list[int] = []
    union: set[str] = set()
    for _ in range(MAX_SUPPORTING):
        gains = [len((words | keys) & (t - union)) for t in tokens]
        best = max(range(len(tokens)), key=gains.__getitem__, default=None)
        if best is None or gains[best] == 0:
            break
        chosen.append(best + 1)
        union |= tokens[best]
        if _supports(words, keys, [union]):
            return chosen
    return None


def _why(words: set[str], keys: set[str], tokens: list[set[str]], cited: list[int]) -> str:
    every = set().union(*tokens) if tokens else set()
    missing = sorted(keys - every)
    if missing:
        return "names or figures in no source sentence: " + ", ".join(missing)
    share = len(words & every) / len(words)
    where = "its cited sentences" if cited else "any three source sentences"
    return (
        f"not supported by {where}: too few of its words are in them "
        f"({share:.0%} of its words are anywhere in the sources)"
    )


def write_abstract(
    material: list[BriefSentence],
    url: str | None,
    model: str | None,
    api_key: str | None = None,
    timeout: float = 60.0,
) -> Abstract:
    """Ask the endpoint for a briefing of ``material`` and keep what the material supports."""
    if not material:
        return Abstract(model or "")
    reply = complete(url, model, messages(material), api_key, timeout)
    return check(reply, material, model or "")


Writer = Callable[[list[BriefSentence]], Abstract]


def abstract_writer(settings: Settings) -> Writer:
    """A writer that asks the endpoint named in ``settings``; fails at once, saying what to set,
    when there is none."""
    url, model = settings.abstractive_url, settings.abstractive_model
    if not url or not model:
        complete(url, model, [])  # raises the ConfigError that says what to set
    key = settings.abstractive_api_key
    secret = key.get_secret_value() if key is not None else None

    def write(material: list[BriefSentence]) -> Abstract:
        return write_abstract(material, url, model, secret, settings.abstractive_timeout)

    return write
