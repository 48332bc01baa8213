"""Speakers: who a cue's subject names, with a light coreference over the article.

A subject is resolved, in order, to: a named mention at its head or in apposition ("Its
spokeswoman, Mila Korsun, said"), a person named inside its phrase ("US Ambassador John Sullivan
told"), the person a role noun or pronoun refers to (the nearest person before it that is the
subject of its clause, unless an unnamed person such as "a man selling coffee" came in between),
the organisation a definite organisation noun refers to ("the company" → the nearest
organisation, not a country). Things that do not speak ("there", "copies", "that exchange") name
no one; a state named only as the possessor of a role ("Belgium's prosecutor") is not the speaker.
What nobody names keeps its words ("officials", "the allied sources"), linked to no entity.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from storyline.analyze.entities import ArticleEntities, Found, is_dateline
from storyline.analyze.gazetteer import load_gazetteer
from storyline.analyze.names import stable_id
from storyline.analyze.quote_marks import Segment

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
RELATIVE_PRONOUNS = {"who", "which", "that"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}
GROUP_PRONOUNS = {"they", "it", "we"}
SELF_PRONOUNS = {"i", "you", "we"}  # the writer or a quoted speaker: kept as words
ANTECEDENT_WINDOW = 600  # characters looked back for a subject antecedent
PEOPLE_NOUNS = frozenset(
    """source official diplomat leader minister representative spokesman spokesperson
    spokeswoman man woman resident analyst expert prosecutor lawyer attorney judge officer
    witness candidate voter worker activist commander soldier researcher economist scientist
    professor doctor director chief executive chairman chairwoman chair head president
    secretary governor mayor senator lawmaker legislator ambassador envoy negotiator adviser
    advisor aide colonel general admiral captain sergeant lieutenant agent investigator
    critic supporter opponent member citizen farmer owner manager founder author reporter
    journalist editor correspondent student teacher father mother son daughter wife husband
    brother sister friend neighbour neighbor victim survivor refugee migrant protester
    demonstrator organiser organizer campaigner strategist pollster observer monitor
    inspector auditor regulator banker trader investor consultant partner colleague
    congressman congresswoman representative nominee challenger incumbent republican
    democrat conservative liberal driver pilot nurse guard police""".split()
)
ORG_NOUNS = frozenset(
    """ministry government company firm alliance bank club agency office department army military
    committee council commission organisation organization group union bloc embassy kremlin
    administration party court police service authority authorities institute campaign
    team board panel parliament congress senate house white federation association network
    newspaper paper outlet broadcaster channel station carrier airline operator manufacturer
    maker producer insurer lender fund foundation charity university school hospital
    regulator watchdog prosecutor's""".split()
)
STATE_NOUNS = frozenset(
    "government administration kremlin ministry army military state country nation authorities "
    "police embassy parliament congress senate".split()
)
GENERIC_PEOPLE = frozenset("official leader representative spokesman spokeswoman".split())
SOURCE_NOUNS = frozenset(
    """report study survey poll assessment analysis document documents memo letter data figures
    estimate estimates statistics research review audit investigation inquiry paper findings
    record records filing filings statement release ad video advertisement book article
    census index model forecast projection calculation calculations tally count""".split()
)
NOT_SPEAKERS = frozenset(
    "there this that these those what which something nothing everything anything".split()
)


@dataclass(slots=True)
class Speaker:
    """Who speaks: entity id when known, the name as resolved, and where the text says so.

    ``evidence`` is the mention a pronoun or role noun was resolved to (its start and end),
    kept so that the coreference can be checked."""

    entity_id: str | None
    name: str | None
    start: int
    end: int
    evidence: tuple[int, int] | None = None


@cache
def _role_words() -> frozenset[str]:
    """Single words that name a person by role: the gazetteer's titles' last words."""
    return frozenset(title.split()[-1] for title in load_gazetteer().roles) | PEOPLE_NOUNS


def is_person_noun(token: Token) -> bool:
    """A common noun that names a person ("the prosecutor", "a man")."""
    return token.lemma_.lower() in _role_words() or token.lower_ in _role_words()


def is_source_noun(token: Token) -> bool:
    """A common noun for a document or figure that can be a source ("the report")."""
    return token.lemma_.lower() in SOURCE_NOUNS or token.lower_ in SOURCE_NOUNS


def inside(position: int, segments: list[Segment]) -> bool:
    """Whether ``position`` lies inside a quoted segment (segments are in text order)."""
    i = bisect_right(segments, position, key=lambda s: s.start) - 1
    return i >= 0 and segments[i].start <= position < segments[i].end


def _is_subject(token: Token) -> bool:
    """A clause subject, or in apposition to one ("Its spokeswoman, Mila Korsun, said")."""
    if token.dep_ in SUBJECT_DEPS:
        return True
    return token.dep_ in {"appos", "compound"} and token.head.dep_ in SUBJECT_DEPS


def _antecedent(people: Iterator[Found], position: int, segments: list[Segment]) -> Found | None:
    """The person a pronoun refers to: the nearest one outside quotes that is the subject of
    its clause ("Stoltenberg told a conference alongside X. … he said"), else the nearest."""
    nearest: Found | None = None
    for person in people:
        if inside(person.start, segments):
            continue
        if nearest is None:
            nearest = person
        if position - person.end > ANTECEDENT_WINDOW:
            break
        if person.root is not None and _is_subject(person.root):
            return person
    return nearest


def _unnamed_between(
    token: Token, after: int, offset: int, segments: list[Segment]
) -> Token | None:
    """An unnamed person subject ("A man selling coffee … was less patient.") between the
    antecedent candidate ending at ``after`` and the pronoun ``token``: the nearer referent."""
    doc = token.doc
    sent_start = token.sent.start
    i = sent_start - 1
    while i >= 0 and doc[i].idx + offset > after:
        t = doc[i]
        if (
            t.dep_ in SUBJECT_DEPS
            and t.pos_ == "NOUN"
            and t.tag_ in {"NN", "NNP"}
            and is_person_noun(t)
            and not inside(t.idx + offset, segments)
            and any(c.lower_ in {"a", "an", "one", "another"} for c in t.children)
        ):
            return t
        i -= 1
    return None


def _plural_before(token: Token, offset: int, segments: list[Segment]) -> Token | None:
    """The plural subject "they" refers to: in its sentence or the two before ("The three
    chairmen issued a statement. The documents, they said, …"), outside quotes."""
    doc = token.doc
    first = token.sent.start
    for _ in range(2):
        if first > 0:
            first = doc[first - 1].sent.start
    for i in range(token.i - 1, first - 1, -1):
        t = doc[i]
        if (
            t.dep_ == "nsubj"
            and t.tag_ in {"NNS", "NNPS"}
            and (is_person_noun(t) or lower_org(t))
            and not inside(t.idx + offset, segments)
        ):
            return t
    return None


def _holds(person: Found, noun: Token) -> bool:
    """Whether the person was introduced with the role the noun names ("Prosecutor X" … "the
    prosecutor"); people without a known role may be referred to by the generic nouns."""
    role = (person.role or "").casefold()
    if not role:
        return noun.lemma_.lower() in GENERIC_PEOPLE
    return noun.lemma_.lower() in role.split() or noun.lower_ in role.split()


def _mention_in(
    ents: ArticleEntities, token: Token, offset: int, people_only: bool
) -> Found | None:
    """A named mention in apposition to the subject, else (a person; for a source noun, any
    actor: "NATO figures") inside its phrase."""
    for child in token.children:
        if child.dep_ == "appos":
            found = ents.at(child.idx + offset, child.idx + offset + len(child.text))
            if found is not None and found.key and (not people_only or _is_person(found)):
                return found
    left = token.left_edge.idx + offset
    right = token.idx + len(token.text) + offset
    best: Found | None = None
    for person in ents.persons_before(right):
        if person.start < left:
            break
        best = best or person
    if best is None and is_source_noun(token):
        for actor in ents.actors_before(right):
            if actor.start < left:
                break
            return actor
    return best


def _is_person(found: Found) -> bool:
    return (found.key or "").startswith("person:")


def _named(ents: ArticleEntities, found: Found, start: int, end: int, evidence: bool) -> Speaker:
    return Speaker(
        stable_id(found.key or ""),
        ents.display(found).strip(" ―—–-,.:;"),
        start,
        end,
        (found.start, found.end) if evidence else None,
    )


def resolve(
    token: Token,
    offset: int,
    ents: ArticleEntities,
    segments: list[Segment],
    strict: bool = True,
) -> Speaker:
    """The speaker named by a subject token: a mention, a pronoun, or plain words. A speaker
    with neither entity nor name is no speaker at all ("there"; with ``strict``, also common
    nouns that name no person, organisation or source: "copies", "that exchange")."""
    relative: tuple[int, int] | None = None
    if (
        token.lower_ in RELATIVE_PRONOUNS
        and token.head.dep_ == "relcl"
        and token.head.head.i != token.i
    ):
        relative = (token.idx + offset, token.idx + offset + len(token.text))
        token = token.head.head  # "Stoltenberg, who said ..." speaks through "who"
    speaker = _resolve(token, offset, ents, segments, strict)
    if relative is not None and (speaker.entity_id or speaker.name):
        # the text names the speaker with "who": that is where, the antecedent the evidence
        return Speaker(
            speaker.entity_id, speaker.name, relative[0], relative[1], (speaker.start, speaker.end)
        )
    return speaker


def _resolve(
    token: Token, offset: int, ents: ArticleEntities, segments: list[Segment], strict: bool
) -> Speaker:
    start = token.idx + offset
    phrase = (
        token.doc[token.left_edge.i : token.i + 1]
        if token.pos_ != "PRON"
        else token.doc[token.i : token.i + 1]
    )
    p_start, p_end = phrase.start_char + offset, phrase.end_char + offset
    end = start + len(token.text)
    if is_dateline(ents.text, start, end):
        # "OSLO — Halvard Shipping said": the parser took the dateline for the subject
        found = ents.first_after(end, token.head.idx + offset)
        if found is not None and found.key:
            return _named(ents, found, found.start, found.end, False)
        return Speaker(None, None, p_start, p_end)
    lower = token.lower_
    if lower in NOT_SPEAKERS or token.dep_ == "expl":
        return Speaker(None, None, p_start, p_end)
    found = ents.at(start, end)
    if found is not None and found.key:
        return _named(ents, found, found.start, found.end, False)
    if token.pos_ != "PRON":
        person_noun = is_person_noun(token)
        found = _mention_in(ents, token, offset, people_only=False)
        # "Britain's Defence Secretary, Rupert Hale," → Hale; "Belgium's prosecutor" is not
        # Belgium; "Russia's foreign ministry" speaks for Russia
        if found is not None and (
            _is_person(found)
            or (
                not person_noun
                and (token.pos_ == "PROPN" or lower_org(token) or is_source_noun(token))
            )
        ):
            return _named(ents, found, found.start, found.end, False)
    definite = any(
        c.lower_ in {"the", "his", "her", "its", "their", "this"} or c.dep_ == "poss"
        for c in token.children
    )
    plural = token.tag_ in {"NNS", "NNPS"}
    if lower in PERSON_PRONOUNS or (
        token.pos_ == "NOUN" and definite and not plural and is_person_noun(token)
    ):
        person = _antecedent(ents.persons_before(start), start, segments)
        if person is not None and token.pos_ == "NOUN" and not _holds(person, token):
            # "Belgium's federal prosecutor said" after "suicide bomber Hadfi Bilal": a role
            # noun refers back only to someone who holds that role
            return Speaker(None, phrase.text, p_start, p_end)
        if person is not None:
            unnamed = _unnamed_between(token, person.end, offset, segments)
            if unnamed is not None:
                words = unnamed.doc[unnamed.left_edge.i : unnamed.i + 1]
                return Speaker(None, words.text, p_start, p_end)
            return _named(ents, person, p_start, p_end, True)
    if lower == "they":
        group = _plural_before(token, offset, segments)
        if group is not None:
            words = group.doc[group.left_edge.i : group.i + 1]
            return Speaker(
                None,
                words.text,
                p_start,
                p_end,
                (words.start_char + offset, words.end_char + offset),
            )
    if lower in GROUP_PRONOUNS or (token.pos_ == "NOUN" and definite and lower_org(token)):
        states = lower in GROUP_PRONOUNS or token.lemma_.lower() in STATE_NOUNS
        for actor in ents.actors_before(start):
            if start - actor.end > ANTECEDENT_WINDOW * 2:
                break
            if inside(actor.start, segments):
                continue
            if lower == "they" and (actor.root is None or actor.root.dep_ not in SUBJECT_DEPS):
                continue  # "they" is a group that acts, not a committee someone belongs to
            if states or (actor.key or "").startswith("org:"):
                return _named(ents, actor, p_start, p_end, True)
        return Speaker(None, None if token.pos_ == "PRON" else phrase.text, p_start, p_end)
    if lower in PERSON_PRONOUNS | GROUP_PRONOUNS:
        return Speaker(None, None, p_start, p_end)  # "SHE" in capitals: a pronoun, not a name
    if token.pos_ in {"PROPN", "PRON"} or is_person_noun(token) or is_source_noun(token):
        return Speaker(None, phrase.text, p_start, p_end)
    if (token.pos_ == "NOUN" and lower_org(token)) or not strict:
        return Speaker(None, phrase.text, p_start, p_end)
    return Speaker(None, None, p_start, p_end)  # "copies", "that exchange": nobody speaks


def lower_org(token: Token) -> bool:
    """A common noun for an organisation ("the ministry", "the company")."""
    return token.lemma_.lower() in ORG_NOUNS or token.lower_ in ORG_NOUNS
