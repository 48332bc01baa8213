"""Analyze stage: political events, who did what to whom, when and where, coded in PLOVER with
CAMEO codes and Goldstein intensities (the table is data: storyline/data/plover.toml).

Read from the spaCy parse with the entity, quote, date and place layers. A *cue* is a verb of
the table ("warned", "deployed"), a verb with one of its listed objects ("signed an agreement"),
or a cue noun after a light verb ("held talks", "imposed sanctions", "expressed concern", "put
on alert"). Its agent is the verb's subject (or the "by" phrase of a passive; for a verb inside
"the US decision to put ..." the word that owns the decision); its target the direct object or
the object of the cue's preposition ("talks with", "sanctions on"). Both must be actors (see
actors.py), or the event is not coded. Each conjunct of a short list is its own event; a list
longer than MAX_PARTIES is coded once with its first member and says so.

Negation ("did not attack") and hypotheticals (a modal such as "would", an "if" clause, or a verb
under "threatened to", "plans to", "warned ... would") are marked, not coded as happened. An
event inside a quote is marked as told by its speaker.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from storyline.analyze.actors import actor_of, generic_actor, listed_actor, load_actor_data
from storyline.analyze.entities import ArticleEntities, Found
from storyline.analyze.nlp import Parsed
from storyline.model import Actor, Event, Place, Quote, Span, TimeRef

MAX_PARTIES = 5  # conjuncts coded one by one ("the US and Britain"); longer lists are not
LIGHT_VERBS = {
    "hold", "impose", "slap", "launch", "express", "voice", "carry", "conduct", "issue",
    "announce", "give", "provide", "send", "raise", "stage", "begin", "start", "open", "resume",
    "level", "mount", "order", "approve", "deliver", "put", "place", "keep", "renew",
    "undertake", "lodge", "file", "organize", "organise",
}  # fmt: skip
FIRST_PERSON_PLURAL = {"we", "us", "our"}
HYPOTHETICAL_MODALS = {"would", "could", "might", "may", "should", "'d"}
CONDITIONAL_MARKS = {"if", "unless", "whether"}
# Verbs whose complement has not happened (yet): "threatened to impose", "plans to send".
IRREALIS = {
    "threaten", "warn", "plan", "promise", "vow", "propose", "consider", "want", "seek", "try",
    "intend", "prepare", "offer", "refuse", "deny", "hope", "expect", "aim", "ready", "urge",
    "call", "ask", "demand", "appeal", "decide", "agree", "pledge", "fear",
}  # fmt: skip
# Cooperation that is only promised is PLOVER's AGREE (intent to cooperate), coded as happened:
# "Portugal will support Turkey", "Norway is willing to send aid", "offered to hand over".
COOPERATIVE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"}
FUTURE_AUX = {"will", "shall", "'ll"}
INTENT_HEADS = {"willing", "ready", "offer", "promise", "pledge", "agree", "decide", "prepared"}
# Event types whose direct object is what is moved or given, not the target ("deployed troops").
MOVED_NOT_TARGETED = {"MOBILIZE", "RETREAT", "AID"}
# Event types whose place is what was hit when no target is named ("bombed targets in Syria").
ATTACKED_WHERE = {"ASSAULT"}
# Event types whose target, when no one is addressed, is whom the said clause is about.
WARNED_ABOUT = {"THREATEN", "ACCUSE"}
TARGET_PREPS = {"with", "to", "on", "against", "at", "upon", "about", "over", "from", "of", "for"}


@dataclass(frozen=True, slots=True)
class Cue:
    """A word that signals an event type."""

    lemma: str
    plover: str
    mode: str | None
    cameo: str
    objects: frozenset[str] = frozenset()
    prep: tuple[str, ...] = ()
    noun: bool = False
    requires_prep: bool = False


@dataclass(slots=True)
class Ontology:
    """The event table: cues by lemma, CAMEO names and Goldstein values, PLOVER types."""

    verbs: dict[str, list[Cue]] = field(default_factory=dict)
    nouns: dict[str, Cue] = field(default_factory=dict)
    cameo: dict[str, tuple[str, float]] = field(default_factory=dict)
    plover: dict[str, dict[str, object]] = field(default_factory=dict)

    def goldstein(self, code: str) -> float:
        """The Goldstein value of a CAMEO code, or of its root."""
        found = self.cameo.get(code) or self.cameo.get(code[:2])
        if found is None:
            raise KeyError(f"CAMEO code {code!r} is not in plover.toml")
        return found[1]


@cache
def load_ontology() -> Ontology:
    """The packaged event table, parsed once per process."""
    raw = resources.files("storyline.data").joinpath("plover.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    table = Ontology()
    table.cameo = {code: (r["name"], float(r["goldstein"])) for code, r in data["cameo"].items()}
    table.plover = data["plover"]
    for record in data["cue"]:
        cue = Cue(
            record["lemma"],
            record["plover"],
            record.get("mode"),
            record["cameo"],
            frozenset(record.get("objects", [])),
            tuple(record.get("prep", [])),
            bool(record.get("noun")),
            bool(record.get("requires_prep")),
        )
        if cue.noun:
            table.nouns[cue.lemma] = cue
        else:
            table.verbs.setdefault(cue.lemma, []).append(cue)
    return table


@dataclass(slots=True)
class _Context:
    article_id: str
    ents: ArticleEntities
    quotes: list[Quote]
    times: list[TimeRef]
    places: list[Place]
    published_day: str | None


def find_events(
    parsed: Parsed,
    article_id: str,
    ents: ArticleEntities,
    quotes: list[Quote],
    times: list[TimeRef],
    places: list[Place],
    published_day: str | None,
) -> list[Event]:
    """The coded events of one parsed article, in text order."""
    context = _Context(article_id, ents, quotes, times, places, published_day)
    table = load_ontology()
    events: list[Event] = []
    for offset, parsed_sent in parsed.sentences():
        for sent in paragraph_parts(parsed_sent):
            coded: set[tuple[int, str]] = set()  # "sent aid": the verb and its noun are one
            said: set[tuple[str | None, str, str | None, bool, bool]] = set()
            for token in sent:
                for cue, verb in _cues(token, table):
                    if (verb.i, cue.plover) in coded:
                        continue
                    coded.add((verb.i, cue.plover))
                    for event in _code(cue, token, verb, sent, offset, context, table):
                        key = (_who(event.actor), event.plover, _who(event.target),
                               event.negated, event.hypothetical)  # fmt: skip
                        if key not in said:  # "offered to send aid": one promise, not two
                            said.add(key)
                            events.append(event)
    return events


def _who(actor: Actor | None) -> str | None:
    return None if actor is None else actor.code or actor.name


def paragraph_parts(sent: SpacySpan) -> list[SpacySpan]:
    """A parsed sentence cut at its line breaks: the parser sometimes runs a paragraph without
    a final full stop into the next one ("... close to Russia\n\nNATO's head has warned ..."),
    and no role crosses a paragraph break."""
    parts = []
    begin = sent.start
    for token in sent:
        if token.is_space and "\n" in token.text:
            if token.i > begin:
                parts.append(sent.doc[begin : token.i])
            begin = token.i + 1
    if begin < sent.end:
        parts.append(sent.doc[begin : sent.end])
    return parts


def _cues(token: Token, table: Ontology) -> Iterator[tuple[Cue, Token]]:
    """The cues a token carries, each with the verb whose subject is the agent."""
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB" and lemma in table.verbs:
        objects = {c.lemma_.lower() for c in token.children if c.dep_ in {"dobj", "obj"}}
        for cue in table.verbs[lemma]:
            if cue.objects and not cue.objects & objects:
                continue
            if cue.requires_prep and not any(
                c.dep_ == "prep" and c.lower_ in cue.prep for c in token.children
            ):
                continue
            yield cue, token
            return  # the first matching cue of a verb is its reading
    if token.pos_ in {"NOUN", "PROPN"} and lemma in table.nouns:
        head = token.head
        if token.dep_ in {"dobj", "obj"} and head.lemma_.lower() in LIGHT_VERBS:
            yield table.nouns[lemma], head
        elif (
            token.dep_ == "pobj"
            and head.lower_ == "on"
            and head.head.pos_ == "VERB"
            and head.head.lemma_.lower() in LIGHT_VERBS
        ):  # "put 8,500 soldiers on alert"
            yield table.nouns[lemma], head.head


def _code(
    cue: Cue,
    trigger: Token,
    verb: Token,
    sent: SpacySpan,
    offset: int,
    context: _Context,
    table: Ontology,
) -> list[Event]:
    actors, actor_note = _parties(_inside(_agents(verb, sent), sent), offset, context)
    if not actors:
        return []
    targets: list[Actor] = []
    target_note = None
    for candidates in _patients(cue, trigger, verb):
        targets, target_note = _parties(_inside(candidates, sent), offset, context)
        if targets:
            break
    if not targets and cue.plover in ATTACKED_WHERE:
        targets, _ = _parties(_inside(_located(trigger, verb), sent), offset, context)
    if not targets and cue.plover in WARNED_ABOUT:
        targets, _ = _parties(_inside(_warned_about(verb), sent), offset, context)
    sentence = Span(context.article_id, offset + sent.start_char, offset + sent.end_char)
    start = offset + trigger.idx
    trigger_span = Span(context.article_id, start, start + len(trigger.text))
    day, derivation = _day(sentence, context)
    place, place_country = _place(sentence, context)
    negated = _negated(verb) or (trigger.i != verb.i and _negated(trigger))
    hypothetical = _hypothetical(verb)
    plover, mode, cameo = cue.plover, cue.mode, cue.cameo
    if plover in COOPERATIVE and not negated and _promised(verb):
        plover, mode, cameo, hypothetical = "AGREE", f"intent: {cue.mode}", "03", False
    quoted = any(q.span.start <= start < q.span.end for q in context.quotes if q.direct)
    label = cue.lemma if not cue.objects else f"{cue.lemma} {_object(verb, cue) or ''}".strip()
    note = "; ".join(n for n in (actor_note, target_note) if n) or None
    events = []
    for actor in actors:
        for target in targets or [None]:
            if target is not None and same_party(actor, target):
                continue  # "Russia's talks with Russia": not an event between two parties
            events.append(
                Event(
                    sentence,
                    trigger_span,
                    label,
                    plover,
                    mode,
                    cameo,
                    table.goldstein(cameo),
                    actor,
                    target,
                    day,
                    derivation,
                    place,
                    place_country,
                    negated,
                    hypothetical,
                    quoted,
                    note,
                    sent.text,
                )
            )
    return events


def _promised(verb: Token) -> bool:
    """Whether the verb is said as a promise, not a deed: "will support", "is willing to
    send", "offered to provide" (and no condition or hedging modal: those stay hypothetical)."""
    if any(c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for c in verb.children):
        return False
    if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children):
        return True
    head = verb.head
    return verb.dep_ == "xcomp" and head.lemma_.lower() in INTENT_HEADS


def _object(verb: Token, cue: Cue) -> str | None:
    return next((c.lemma_.lower() for c in verb.children if c.lemma_.lower() in cue.objects), None)


def same_party(actor: Actor, target: Actor) -> bool:
    """Whether two actors are one party: the same code or entity, or a state and one of its
    own sectors (RUSGOV and RUS). An actor does not act on itself unless the text says so, and
    a reflexive ("attacked themselves") names no actor of its own."""
    if actor.entity_id is not None and actor.entity_id == target.entity_id:
        return True
    if not actor.code or not target.code:
        return False
    if actor.code == target.code:
        return True
    return (bool(actor.country) and actor.country == target.code) or (
        bool(target.country) and target.country == actor.code
    )


def _inside(tokens: list[Token], part: SpacySpan) -> list[Token]:
    return [t for t in tokens if part.start <= t.i < part.end]


def _agents(verb: Token, part: SpacySpan) -> list[Token]:
    """Who acts: the subject; the "by" phrase of a passive; the owner of "the US decision to
    put"; the subject of the verb governing an open complement ("threatened to impose"); where
    the parse gives none inside the paragraph, the noun phrase right before the verb."""
    for child in verb.children:
        if child.dep_ in {"nsubj", "csubj"}:
            if _infinitive_under_preposition(verb):
                return []  # "ready to sit down with Russian authorities to discuss": not theirs
            return [child]
        if child.dep_ == "agent":
            return [c for c in child.children if c.dep_ == "pobj"]
    inherits = verb.dep_ in {"xcomp", "conj"} and verb.head.pos_ in {"VERB", "AUX"}
    if inherits and part.start <= verb.head.i < part.end:
        return _agents(verb.head, part)
    if verb.dep_ == "xcomp" and verb.head.dep_ == "acomp":  # "is willing to send"
        return _agents(verb.head.head, part)
    if verb.dep_ == "acl" and verb.head.pos_ == "NOUN":  # "the US decision to put ..."
        owners = [c for c in verb.head.children if c.dep_ in {"poss", "compound", "amod"}]
        return owners[:1]
    return _stranded_subject(verb, part)


def _infinitive_under_preposition(verb: Token) -> bool:
    """A "to" infinitive hanging from a preposition ("sit down with X to discuss"): its parsed
    subject is the preposition's object, not who acts."""
    return (
        verb.dep_ == "pcomp"
        and verb.head.lower_ != "for"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    )


def _stranded_subject(verb: Token, part: SpacySpan) -> list[Token]:
    """The noun right before a verb (past its auxiliaries and adverbs) when the parser attached
    it outside the clause, as across a missed paragraph break: "NATO's chief has warned"."""
    node = verb.i - 1
    while node >= part.start and verb.doc[node].dep_ in {"aux", "auxpass", "neg", "advmod"}:
        node -= 1
    if node < part.start:
        return []
    token = verb.doc[node]
    stranded = not part.start <= token.head.i < part.end
    if token.pos_ in {"NOUN", "PROPN"} and stranded:
        return [token]
    return []


def _patients(cue: Cue, trigger: Token, verb: Token) -> Iterator[list[Token]]:
    """Who it may be done to, most likely first: the direct object (unless it is the cue noun,
    a listed object or what is moved), then the objects of the cue's prepositions on the cue
    noun, on a listed object ("lifted sanctions on X") and on the verb."""
    for child in verb.children:
        if child.dep_ in {"dobj", "obj"} and child.i != trigger.i:
            moved = cue.plover in MOVED_NOT_TARGETED and cue.mode != "release"
            if child.lemma_.lower() in cue.objects or moved:
                continue  # what is signed, sent or moved is not whom it is done to
            yield [child]
        if child.dep_ == "nsubjpass":
            yield [child]
    preps = set(cue.prep) or TARGET_PREPS
    things = [c for c in verb.children if c.lemma_.lower() in cue.objects]
    holders = [trigger, *things, verb] if trigger.i != verb.i else [*things, verb]
    for holder in holders:
        for child in holder.children:
            if child.dep_ in {"prep", "dative"} and child.lower_ in preps:
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    yield objects


def _warned_about(verb: Token) -> list[Token]:
    """Whom a warning or accusation is about when no one is addressed: the subject of what is
    said ("warned that any Russian aggression would have costs" is about Russia)."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            return [c for c in child.children if c.dep_ in {"nsubj", "nsubjpass"}][:1]
    return []


def _located(trigger: Token, verb: Token) -> list[Token]:
    """Where an attack happened ("bombed targets in Syria"): the place attacked."""
    objects = [c for c in verb.children if c.dep_ in {"dobj", "obj"}]
    for holder in (trigger, verb, *objects):
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ == "in":
                return [c for c in child.children if c.dep_ == "pobj"]
    return []


def _parties(heads: list[Token], offset: int, context: _Context) -> tuple[list[Actor], str | None]:
    """The actors named by noun phrases headed by ``heads`` and their conjuncts."""
    found: list[Actor] = []
    listed: list[Token] = []
    for head in heads:
        listed.append(head)
        listed.extend(head.conjuncts)
        for child in head.children:  # "The US, Russia, and Switzerland": a list parsed as
            if child.dep_ == "appos" and child.conjuncts:  # an apposition with conjuncts
                listed.append(child)
                listed.extend(child.conjuncts)
    note = None
    if len(listed) > MAX_PARTIES:
        note = f"first of a list of {len(listed)}; the others are not coded"
        listed = listed[:1]
    for token in listed:
        actor = _actor(token, offset, context)
        if actor is not None and all(a.code != actor.code for a in found):
            found.append(actor)
    return found, note


def _actor(token: Token, offset: int, context: _Context, depth: int = 0) -> Actor | None:
    """The actor a noun phrase names: the entity of its head, else of a modifier ("Russian
    troops", "Ukraine's army", "police station"), else a generic group ("police"), else what an
    "of" or "by" phrase names ("thousands of protesters", "the decision by Turkey")."""
    if token.pos_ == "PRON":
        if token.lower_ in FIRST_PERSON_PLURAL:  # "we" in a quote: the speaker's side
            return _speaker_side(offset + token.idx, context)
        return None  # other pronouns are not resolved: no actor is guessed
    head_noun = token.lemma_.lower()
    start = offset + token.idx
    found = context.ents.at(start, start + len(token.text))
    if found is not None:
        actor = actor_of(found, context.ents, context.article_id) if found.key else None
        if actor is None or actor.code is None or actor.code in load_actor_data().sectors:
            # no code, or only a sector ("President Bush"): the actor data may know whose
            actor = _listed(found, context) or actor
        if actor is not None:
            return actor
    for child in token.children:
        if child.dep_ in {"amod", "compound", "poss", "nmod"}:
            begin = offset + child.left_edge.idx
            end = offset + child.idx + len(child.text)
            found = context.ents.at(begin, end)
            if found is not None and found.key:
                actor = actor_of(found, context.ents, context.article_id, head_noun)
                if actor is not None:
                    return actor
    actor = generic_actor(token, offset, context.article_id)
    if actor is not None:
        return actor
    for child in token.children:
        if child.dep_ == "compound":
            actor = generic_actor(child, offset, context.article_id)
            if actor is not None:
                return actor
    if depth == 0:
        for child in token.children:
            if child.dep_ in {"prep", "agent"} and child.lower_ in {"of", "by"}:
                for noun in child.children:
                    if noun.dep_ == "pobj":
                        actor = _actor(noun, offset, context, depth + 1)
                        if actor is not None:
                            return actor
    return None


def _listed(found: Found, context: _Context) -> Actor | None:
    """A group or office holder of the actor data (storyline/data/actors.toml) the mention
    names: "Hamas", "Obama" in an article of his years in office."""
    year = int(context.published_day[:4]) if context.published_day else None
    entity = next((e for e in context.ents.entities if found.key and e.key == found.key), None)
    span = Span(context.article_id, found.start, found.end)
    for name in dict.fromkeys((context.ents.display(found), found.text)):
        actor = listed_actor(name, year, entity.id if entity else None, span)
        if actor is not None:
            return actor
    return None


def _speaker_side(position: int, context: _Context) -> Actor | None:
    """The actor a speaker speaks for, when ``position`` is inside their direct quote: a
    government's spokesman's "we" is the government."""
    for quote in context.quotes:
        inside = quote.span.start <= position < quote.span.end
        if not inside or not quote.direct or not quote.speaker_entity_id:
            continue
        entity = next((e for e in context.ents.entities if e.id == quote.speaker_entity_id), None)
        found = next((f for f in context.ents.found if entity and f.key == entity.key), None)
        if found is not None:
            actor = actor_of(found, context.ents, context.article_id)
            if actor is not None:
                actor.via = f"speaking: {actor.via}"
            return actor
    return None


def _negated(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def _hypothetical(verb: Token) -> bool:
    """A modal, an "if" clause, or a verb under a verb of intent, threat or request."""
    node: Token | None = verb
    depth = 0
    while node is not None and depth < 4:
        for child in node.children:
            if child.dep_ == "aux" and child.lower_ in HYPOTHETICAL_MODALS:
                return True
            if child.dep_ == "mark" and child.lower_ in CONDITIONAL_MARKS:
                return True
        if node.dep_ in {"xcomp", "ccomp", "advcl"} and node.head.i != node.i:
            if node.head.lemma_.lower() in IRREALIS and node.dep_ != "advcl":
                return True
            node, depth = node.head, depth + 1
            continue
        break
    return False


def _day(sentence: Span, context: _Context) -> tuple[str | None, str | None]:
    return event_day(sentence.start, sentence.end, context.times, context.published_day)


def event_day(
    start: int, end: int, times: list[TimeRef], published_day: str | None
) -> tuple[str | None, str | None]:
    """The day the event of the sentence at [start, end) happened, and how that is known: a
    day-granular date in the sentence, else the publication day (news reports what happened that
    day or the day before: marked so)."""
    for ref in times:
        inside = start <= ref.span.start < end
        if inside and ref.kind == "DATE" and ref.granularity == "day" and ref.value:
            return ref.value, ref.derivation
    if published_day:
        return published_day, "publication day"
    return None, None


def _place(sentence: Span, context: _Context) -> tuple[str | None, str | None]:
    starts = [p.span.start for p in context.places]
    index = bisect_right(starts, sentence.start - 1)
    for place in context.places[index:]:
        if place.span.start >= sentence.end:
            break
        if place.kind in {"city", "region"}:
            return place.name, place.country
    return None, None
