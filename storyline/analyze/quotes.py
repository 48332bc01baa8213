"""Quotes: who said, believed or reported what, with speaker, cue, kind and channel.

Direct quotes come from quote marks (`quote_marks`); each is attributed from its frame: a speech
verb after it (", Stoltenberg said."; ", Mr. Trump said" — title abbreviations do not end the
frame), before it ("Peskov said: “…”", also in the sentence before), "according to X", a
signature ("“…” ― Name"), a transcript line ("WALLACE: …"), the named person whose clause holds
it, or else the speaker of the quote it continues. A quoted line standing alone without closing
punctuation is a headline or subheading, never a quote.

Indirect attributions are verbs with what they report: speech with a clause ("Peskov said that
…", "…, he said"), "according to X", acts and intentions with their object ("called for an
inquiry", "wants to cut taxes"), beliefs and findings with a clause ("analysts believe that …",
"the report found that …"). Each has a ``kind``: direct, mixed or indirect (speech), belief
(thoughts and intentions) or source (documents and figures). Speakers are resolved by
`speakers.resolve`; an attribution whose subject cannot speak is dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storyline.analyze.entities import ArticleEntities
from storyline.analyze.names import stable_id
from storyline.analyze.nlp import Chunk, Parsed
from storyline.analyze.quote_marks import Segment, find_segments
from storyline.analyze.speakers import (
    SUBJECT_DEPS,
    Speaker,
    inside,
    is_person_noun,
    is_source_noun,
    lower_org,
    resolve,
)
from storyline.model import Quote, Span

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

SPEECH_LEMMAS = frozenset(
    """say tell add warn stress declare insist explain note state announce claim argue assert
    write tweet post acknowledge assure emphasize emphasise underline recall reply respond comment
    admit confirm deny urge suggest predict vow promise pledge threaten reiterate caution ask
    conclude remark observe maintain contend complain report allege quip accuse demand stress
    point continue testify told show find reveal indicate estimate believe think""".split()
)
# Attributions that are not speech (PolNeAR labels them): beliefs, thoughts and intentions
# ("belief"), and what documents, figures and "according to" attribute ("source").
BELIEF_LEMMAS = frozenset(
    """believe think expect hope fear worry know feel suspect doubt agree wonder consider
    assume understand recognize recognise realize realise guess imagine reckon bet trust
    acknowledge""".split()
)
SOURCE_LEMMAS = frozenset("show find reveal indicate estimate suggest conclude project".split())
# Speech acts and intentions whose object is what is attributed ("called for an inquiry",
# "criticised X for Y", "wants to cut taxes"): PolNeAR labels them; the subject must speak.
SPEECH_ACTS = frozenset(
    """warn urge accuse caution call cite criticize criticise attack blast praise describe defend
    reject condemn denounce question propose announce unveil mention demand blame dismiss
    slam decry hail welcome endorse applaud challenge dispute rebut refute""".split()
)
INTENTIONS = frozenset("want plan seek intend refuse hope vow promise pledge agree".split())
CLAUSE_ONLY = frozenset({"agree"})  # an attribution only with a clause ("agreed to X")
COMMAND_LEMMAS = frozenset({"tell", "order", "instruct", "direct"})  # "told aides to …"
TOPIC_LEMMAS = frozenset({"speak", "talk"})  # only with what they are about
OBJECT_LEMMAS = SPEECH_ACTS | INTENTIONS
TOPIC_PREPOSITIONS = {"about", "against"}
OBJECT_DEPS = {"dobj", "prep", "xcomp", "dative", "oprd"}
SPEECH_ONLY = frozenset({"acknowledge"})  # a speech verb first, though a belief verb too
INDIRECT_LEMMAS = (
    SPEECH_LEMMAS | BELIEF_LEMMAS | SOURCE_LEMMAS | OBJECT_LEMMAS | TOPIC_LEMMAS | COMMAND_LEMMAS
)
ACTIVE_LEMMAS = SPEECH_LEMMAS | OBJECT_LEMMAS | TOPIC_LEMMAS | COMMAND_LEMMAS
INDIRECT_ONLY_EXCLUDED = frozenset({"continue", "ask", "point"})
EVIDENTIAL = frozenset({"show", "find", "reveal", "indicate", "estimate", "believe", "think"})
BARE_ONLY = frozenset({"continue", "add", "point"})
MAX_FRAGMENT_WORDS = 4  # a shorter quote inside a running clause is a fragment, not a quote
ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Maj|Cmdr|Pres|Amb|Supt|"
    r"Insp|Det|Rev|Fr|Sr|Jr|St|Hon|No|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Inc|Corp|Co|Ltd|"
    r"U\.S|U\.K|U\.N|[A-Z])\.)$"
)
MIN_UNATTRIBUTED_WORDS = 4  # shorter quotes need a speaker, else they are scare quotes

_CHANNELS = [
    (
        re.compile(r"\b(?:tweet(?:ed|s)?|on (?:\w+ )?twitter|twitter (?:account|post|feed))", re.I),
        "Twitter",
    ),
    (
        re.compile(r"\b(?:on|via) (?:\w+ )?(?:official )?telegram\b|telegram channel", re.I),
        "Telegram",
    ),
    (re.compile(r"\bfacebook\b", re.I), "Facebook"),
    (re.compile(r"\b(?:written )?statement\b|\bcommuniqu[eé]\b", re.I), "statement"),
    (
        re.compile(r"\b(?:press|news) conference\b|\bpress briefing\b|\bbriefing\b", re.I),
        "press conference",
    ),
    (re.compile(r"\binterview\b", re.I), "interview"),
    (re.compile(r"\b(?:television|TV)\b"), "television"),
    (re.compile(r"\bradio\b", re.I), "radio"),
    (re.compile(r"\bletter\b", re.I), "letter"),
    (
        re.compile(r"\bspeech\b|\baddress(?:ed)? (?:to )?(?:the )?(?:nation|parliament)", re.I),
        "speech",
    ),
]


def _chunk_at(parsed: Parsed, position: int) -> Chunk | None:
    for chunk in parsed.chunks:
        if chunk.offset <= position < chunk.offset + chunk.length:
            return chunk
    return None


def _channel(text: str) -> str | None:
    for pattern, name in _CHANNELS:
        if pattern.search(text):
            return name
    return None


def _subject(verb: Token) -> Token | None:
    """Who does the saying: the subject, or for a passive verb the agent ("was reported by
    The Times"); a passive without an agent names no speaker ("that exchange was reported")."""
    for child in verb.children:
        if child.dep_ == "nsubjpass":
            for agent in verb.children:
                if agent.dep_ == "agent":
                    return next((c for c in agent.children if c.dep_ == "pobj"), None)
            return None
        if child.dep_ in SUBJECT_DEPS:
            return child
    if verb.dep_ in {"conj", "advcl"} and verb.head.pos_ in {"VERB", "AUX"}:
        return _subject(verb.head)
    return None


def _speech_verbs(doc_tokens: list[Token], lemmas: frozenset[str] = SPEECH_LEMMAS) -> list[Token]:
    """Verbs that can introduce speech; "continue", "add", "point" only when used bare."""
    verbs = []
    for t in doc_tokens:
        lemma = t.lemma_.lower()
        if lemma not in lemmas or t.pos_ not in {"VERB", "AUX"}:
            continue
        if lemma in BARE_ONLY and any(c.dep_ in {"prep", "dobj", "xcomp"} for c in t.children):
            continue  # "Russia continues with the build-up" reports nothing
        verbs.append(t)
    return verbs


def _according_to(tokens: list[Token]) -> Token | None:
    """Who "according to X" names: X, or who stands behind it ("estimates published by Y")."""
    noun = _according_noun(tokens)
    return _author(noun) if noun is not None else None


def _according_noun(tokens: list[Token]) -> Token | None:
    for tok in tokens:
        if (
            tok.lower_ == "according"
            and tok.i + 1 < len(tok.doc)
            and tok.doc[tok.i + 1].lower_ == "to"
        ):
            for child in tok.doc[tok.i + 1].children:
                if child.dep_ == "pobj":
                    return child
    return None


def _author(source: Token) -> Token:
    """Who stands behind a source noun: "estimates published by the Institute" → Institute."""
    if source.pos_ != "NOUN":
        return source
    for child in source.subtree:
        if child.lower_ in {"by", "from"} and child.dep_ in {"agent", "prep"}:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in {"PROPN", "NOUN"}:
                    return obj
    return source


def _frame_tokens(chunk: Chunk, start: int, end: int, segments: list[Segment]) -> list[Token]:
    """Tokens of the chunk in [start, end) that are not inside any quote."""
    doc, off = chunk.doc, chunk.offset
    span = doc.char_span(
        max(start - off, 0), min(end - off, chunk.length), alignment_mode="contract"
    )
    if span is None:
        return []
    return [t for t in span if not inside(t.idx + off, segments)]


def _paragraph_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end == -1 else end


def _attribute(
    seg: Segment, parsed: Parsed, ents: ArticleEntities, segments: list[Segment]
) -> tuple[Speaker | None, str | None, str]:
    """Speaker, cue and the frame text that attribute one direct quote."""
    chunk = _chunk_at(parsed, seg.start)
    if chunk is None:
        return None, None, ""
    text = parsed.text
    p_start, p_end = _paragraph_bounds(text, seg.start)
    later = [s.start for s in segments if s.start > seg.end and s.start < p_end]
    after_end = min(later) if later else p_end
    sentence_end = _sentence_end(text, seg.end, after_end)
    after = _frame_tokens(
        chunk, seg.end, after_end if sentence_end == -1 else sentence_end + 1, segments
    )
    earlier = [s.end for s in segments if s.end < seg.start and s.end > p_start]
    before = _frame_tokens(chunk, max(earlier) if earlier else p_start, seg.start, segments)
    signed = _signature(seg, text, ents)
    if signed is not None:
        return signed, None, text[p_start:p_end]
    frames = (after, before[::-1])
    closed = text[seg.start : seg.end].rstrip().endswith((".", "!", "?"))
    if closed and text[seg.end + seg.width : seg.end + seg.width + 2].strip()[:1].isupper():
        # The quote ends its sentence and a new one starts: the words before it ("X said:") are
        # its attribution; the next sentence's verbs belong to the next sentence.
        frames = (before[::-1], after)
    for tokens in frames:
        for verb in _speech_verbs(tokens):
            if verb.lemma_.lower() in EVIDENTIAL:
                continue  # "the images showed ‘…’": things show, people speak
            subject = _subject(verb)
            if subject is None:
                subject = next(
                    (t for t in tokens if t.i > verb.i and t.pos_ in {"PROPN", "PRON"}), None
                )
            if subject is not None:
                speaker = resolve(subject, chunk.offset, ents, segments)
                if speaker.entity_id is None and speaker.name is None:
                    continue  # "there", "copies": not a speaker
                frame = text[
                    min(t.idx + chunk.offset for t in tokens) : max(
                        t.idx + chunk.offset + len(t) for t in tokens
                    )
                ]
                return speaker, verb.text, frame
    source = _according_to(after + before)
    if source is not None:
        return resolve(source, chunk.offset, ents, segments), "according to", text[p_start:p_end]
    holder = _clause_holder(seg, chunk, ents, segments)
    if holder is not None:
        return holder
    lead = text[:p_start].rstrip()
    if seg.start - seg.width == p_start and lead.endswith(":"):
        # "…, the minister said:" closes the paragraph before the quote
        l_start, l_end = _paragraph_bounds(text, len(lead) - 1)
        lead_chunk = _chunk_at(parsed, l_start)
        if lead_chunk is not None:
            tokens = _frame_tokens(lead_chunk, l_start, l_end, segments)
            for verb in _speech_verbs(tokens)[::-1]:
                subject = _subject(verb)
                if subject is not None:
                    return (
                        resolve(subject, lead_chunk.offset, ents, segments),
                        verb.text,
                        text[l_start:l_end],
                    )
    return None, None, text[p_start:p_end]


SIGNATURE = re.compile(r"(?:[^\S\n]|[,.])*(?:―|—|–|--)[^\S\n]*(?=[A-Z])")
TRANSCRIPT = re.compile(r"^[\"“]?([A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,2}):[^\S\n]+(?=\S)", re.M)


def _person_named(ents: ArticleEntities, name: str, start: int, end: int) -> Speaker:
    """The person a bare name refers to ("WALLACE", "Pamela Padilla"): a mention there, else a
    person of the article with that surname, else the name as written."""
    found = ents.at(start, end)
    if found is None or not (found.key or "").startswith("person:"):
        surname = name.split()[-1].casefold()
        found = next(
            (
                f
                for f in ents.found
                if f.key
                and f.key.startswith("person:")
                and f.text.split()[-1].casefold() == surname
            ),
            None,
        )
    if found is not None and found.key:
        shown = ents.display(found).strip(" ―—–-")
        return Speaker(
            stable_id(found.key), shown.title() if shown.isupper() else shown, start, end
        )
    return Speaker(None, name.title() if name.isupper() else name, start, end)


def _signature(seg: Segment, text: str, ents: ArticleEntities) -> Speaker | None:
    """A quote signed after a dash ("“…” ― Pamela Padilla") or a transcript line ("WALLACE:
    …"): the name is the speaker."""
    close = seg.end + seg.width
    signed = SIGNATURE.match(text, close)
    if signed is not None:
        line_end = text.find("\n", signed.end())
        line_end = len(text) if line_end == -1 else line_end
        words = re.match(r"(?:[A-Z][\w.'’\-]*\s?){1,4}", text[signed.end() : line_end])
        if words is not None:
            name = words.group(0).strip()
            return _person_named(ents, name, signed.end(), signed.end() + len(name))
    return None


def transcript_quotes(text: str, article_id: str, ents: ArticleEntities) -> list[Quote]:
    """Lines of a transcript ("WALLACE: Let's start with …"): each is its speaker's words."""
    quotes = []
    for line in TRANSCRIPT.finditer(text):
        end = text.find("\n", line.end())
        end = len(text) if end == -1 else end
        while end > line.end() and text[end - 1].isspace():
            end -= 1
        if len(text[line.end() : end].split()) < MIN_UNATTRIBUTED_WORDS:
            continue
        speaker = _person_named(ents, line.group(1), line.start(1), line.end(1))
        quotes.append(
            Quote(
                Span(article_id, line.end(), end),
                text[line.end() : end],
                speaker.entity_id,
                ":",
                True,
                speaker.name,
                Span(article_id, speaker.start, speaker.end),
                "direct",
                None,
            )
        )
    return quotes


def _sentence_end(text: str, start: int, limit: int) -> int:
    """Where the sentence running from ``start`` ends (the index of its full stop), or -1;
    "Mr. Trump said" and "Sen. X" do not end a sentence."""
    at = text.find(". ", start, limit)
    while at != -1 and ABBREVIATIONS.search(text[max(start, at - 6) : at + 1]):
        at = text.find(". ", at + 2, limit)
    return at


def _in_heading(text: str, position: int) -> bool:
    """Whether ``position`` lies in a line without closing punctuation: a headline or
    subheading ("Suspect charged in Belgium over Paris attacks")."""
    p_start, p_end = _paragraph_bounds(text, position)
    line = text[p_start:p_end].strip()
    return bool(line) and not line.endswith((".", "!", "?", ":", ";", "”", '"', "’", "'", ")", "…"))


def _heading(text: str, seg: Segment) -> bool:
    """A quoted line standing alone without closing punctuation: a headline or subheading
    ("“The USA and Russia did not take into account our security demands”"), never a quote."""
    p_start, p_end = _paragraph_bounds(text, seg.start)
    line = text[p_start:p_end].strip()
    body = text[seg.start : seg.end].rstrip()
    return (
        not seg.continued
        and len(line) <= len(body) + 3
        and not body.endswith((".", "!", "?", ",", "…", ":", ";"))
    )


def _clause_holder(
    seg: Segment, chunk: Chunk, ents: ArticleEntities, segments: list[Segment]
) -> tuple[Speaker, str, str] | None:
    """A quote inside a clause whose subject is a named person or a pronoun for one, though
    the verb is not a speech verb ("Stoltenberg opted for “a serious conversation …”")."""
    span = chunk.doc.char_span(
        seg.start - chunk.offset, seg.end - chunk.offset, alignment_mode="expand"
    )
    if span is None or span.sent.start >= span.start:
        return None
    root = span.sent.root
    if root.pos_ not in {"VERB", "AUX"} or root.i > span.start:
        return None
    subject = _subject(root)
    if subject is None or not (subject.pos_ == "PROPN" or subject.lower_ in {"he", "she"}):
        return None
    speaker = resolve(subject, chunk.offset, ents, segments)
    if speaker.entity_id is None:
        return None
    return speaker, root.text, span.sent.text


def _embedded(text: str, seg: Segment) -> bool:
    """True when a quote opens mid-clause: after a word, not after a colon, comma or a break."""
    before = text[: seg.start - seg.width].rstrip(" ")
    return bool(before) and (before[-1].isalnum() or before[-1] in "’'")


def _direct_quotes(
    parsed: Parsed, article_id: str, ents: ArticleEntities, segments: list[Segment]
) -> list[Quote]:
    quotes: list[Quote] = []
    previous: Quote | None = None
    for seg in segments:
        if _heading(parsed.text, seg):
            previous = None
            continue
        speaker, cue, frame = _attribute(seg, parsed, ents, segments)
        if speaker is not None and speaker.entity_id is None and speaker.name is None:
            speaker = None
        words = len(parsed.text[seg.start : seg.end].split())
        if words <= MAX_FRAGMENT_WORDS and _embedded(parsed.text, seg):
            continue  # “severe costs” inside a running sentence: part of indirect speech
        if speaker is None and previous is not None and previous.speaker is not None:
            gap = parsed.text[previous.span.end : seg.start]
            if gap.count("\n") <= 2 and len(gap) < 300:
                quotes.append(_continued(previous, seg, parsed.text, article_id))
                previous = quotes[-1]
                continue
        if speaker is None and words < MIN_UNATTRIBUTED_WORDS:
            continue
        quote = Quote(
            Span(article_id, seg.start, seg.end),
            parsed.text[seg.start : seg.end],
            speaker.entity_id if speaker else None,
            cue,
            True,
            speaker.name if speaker else None,
            Span(article_id, speaker.start, speaker.end) if speaker else None,
            "direct",
            _channel(frame),
        )
        quotes.append(quote)
        previous = quote
    return _carried_back(quotes, segments)


def _carried_back(quotes: list[Quote], segments: list[Segment]) -> list[Quote]:
    """A quote that runs on into the next paragraph without a speaker takes the speaker of
    the quote it runs into (“… midnight.¶“By the morning …,” he said)."""
    running = {s.start for s in segments if s.continued}
    for i in range(len(quotes) - 2, -1, -1):
        quote, following = quotes[i], quotes[i + 1]
        if quote.span.start in running and quote.speaker is None and following.speaker:
            quotes[i] = Quote(
                quote.span, quote.text, following.speaker_entity_id, following.cue, True,
                following.speaker, following.speaker_span, "direct", following.channel,
            )  # fmt: skip
    return quotes


def _continued(previous: Quote, seg: Segment, text: str, article_id: str) -> Quote:
    return Quote(
        Span(article_id, seg.start, seg.end),
        text[seg.start : seg.end],
        previous.speaker_entity_id,
        previous.cue,
        True,
        previous.speaker,
        previous.speaker_span,
        "direct",
        previous.channel,
    )


def _trimmed(left: Token, right: Token) -> tuple[int, int] | None:
    """Character range from ``left`` to ``right`` without a leading "that" or edge punctuation."""
    doc = left.doc
    while left.i < right.i and (
        left.is_punct or left.is_space or (left.lower_ == "that" and left.dep_ == "mark")
    ):
        left = doc[left.i + 1]
    while right.i > left.i and (right.is_punct or right.is_space):
        right = doc[right.i - 1]
    if right.i < left.i:
        return None
    return left.idx, right.idx + len(right.text)


def _content(verb: Token) -> tuple[int, int] | None:
    """Character range of what a speech verb reports: its clause ("said that X", "X, he said"),
    or "Y of Z" after "warned"."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            return _trimmed(child.left_edge, child.right_edge)
    head = verb.head
    lemma = verb.lemma_.lower()
    speech = lemma in SPEECH_LEMMAS and lemma not in EVIDENTIAL
    if speech and verb.dep_ in {"parataxis", "ccomp"} and head.pos_ in {"VERB", "AUX"}:
        # "Officials should be vigilant, he said": the report is the head clause before the verb;
        # "The museum, he said, would make visitors face …": the whole clause around it
        end = verb.left_edge.i - 1
        if head.i > verb.i and head.left_edge.i < verb.left_edge.i:
            return _trimmed(head.left_edge, head.right_edge)
        if head.i < verb.i and end > head.left_edge.i:
            return _trimmed(head.left_edge, head.doc[end])
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in TOPIC_PREPOSITIONS and child.i > verb.i:
            return _trimmed(child.doc[child.i + 1], child.right_edge)  # "complained about X"
    commands = lemma in COMMAND_LEMMAS and any(c.dep_ == "xcomp" for c in verb.children)
    if lemma in CLAUSE_ONLY and not any(c.dep_ == "xcomp" for c in verb.children):
        return None  # "agreed a contract", "agree on a question": no attribution
    if (verb.lemma_ in OBJECT_LEMMAS or commands) and not any(
        c.dep_ == "auxpass" for c in verb.children
    ):
        objects = [c for c in verb.children if c.dep_ in OBJECT_DEPS and c.i > verb.i]
        if len(objects) >= 1:
            left = objects[0].left_edge
            right = objects[-1].right_edge
            while right.is_punct and right.i > left.i:
                right = right.doc[right.i - 1]
            return left.idx, right.idx + len(right.text)
    return None


def _quoted_share(start: int, end: int, segments: list[Segment]) -> float:
    """How much of [start, end) lies inside quote marks."""
    inside = sum(max(0, min(end, s.end) - max(start, s.start)) for s in segments)
    return inside / max(end - start, 1)


def _according_content(
    text: str, sent: SpacySpan, source: Token, offset: int
) -> tuple[int, int] | None:
    """What "according to X" attributes: the rest of its sentence, before or after the phrase."""
    according = source.doc[source.i - 1].head if source.i >= 1 else source
    while according.i > sent.start and according.lower_ != "according":
        according = source.doc[according.i - 1]
    phrase_start = according.idx + offset
    phrase_end = source.right_edge.idx + len(source.right_edge.text) + offset
    sent_start, sent_end = sent.start_char + offset, sent.end_char + offset
    if text[sent_start:phrase_start].strip(" ,;:\n"):
        start, end = sent_start, phrase_start
    else:
        start, end = phrase_end, sent_end
    while start < end and text[start] in " ,;:.\n":
        start += 1
    while end > start and text[end - 1] in " ,;:.\n":
        end -= 1
    if len(text[start:end].split()) < 3:
        return None
    return start, end


def _indirect_quotes(
    parsed: Parsed, article_id: str, ents: ArticleEntities, segments: list[Segment]
) -> list[Quote]:
    quotes: list[Quote] = []
    for offset, sent in parsed.sentences():
        if _in_heading(parsed.text, sent.start_char + offset):
            continue  # "Paris attacks: death toll rises to 130" is a headline, not a report
        tokens = [t for t in sent if not inside(t.idx + offset, segments)]
        for verb in _speech_verbs(tokens, INDIRECT_LEMMAS):
            if verb.lemma_ in INDIRECT_ONLY_EXCLUDED:
                continue
            lemma = verb.lemma_.lower()
            if lemma not in ACTIVE_LEMMAS and not _believes(verb):
                continue
            if lemma not in SPEECH_LEMMAS and _reported(verb):
                continue  # "Zhelev told TV the images showed …": the images do not speak
            content = _content(verb)
            subject = _subject(verb)
            if content is None or subject is None:
                continue
            if lemma not in SPEECH_LEMMAS and not _speaks(subject):
                continue  # "this increase seeks to …": only people and bodies intend
            start, end = content[0] + offset, content[1] + offset
            if "\n" in parsed.text[start:end]:
                continue  # a report does not run over a paragraph break
            if len(parsed.text[start:end].split()) < 3 or _quoted_share(start, end, segments) > 0.5:
                continue  # too short, or the frame of a direct quote ("“…,” he said")
            quote = _indirect(
                parsed, article_id, ents, segments, subject, verb, start, end, sent.text, offset
            )  # fmt: skip
            if quote is not None:
                quotes.append(quote)
        noun = _according_noun(tokens)
        if noun is not None:
            span = _according_content(parsed.text, sent, noun, offset)
            if span is not None:
                quote = _indirect(
                    parsed, article_id, ents, segments, _author(noun), None, span[0], span[1],
                    sent.text, offset,
                )  # fmt: skip
                if quote is not None:
                    if is_source_noun(noun):
                        quote.kind = "source"  # "according to estimates …": a document
                    quotes.append(quote)
    return quotes


def _reported(verb: Token) -> bool:
    """Whether the verb sits inside what a speech verb reports (its clausal complement)."""
    head = verb
    while head.dep_ in {"ccomp", "conj", "xcomp"} and head.head.i != head.i:
        head = head.head
        if head.lemma_.lower() in SPEECH_LEMMAS and head.pos_ == "VERB":
            return True
    return False


def _speaks(subject: Token) -> bool:
    """A subject that can hold beliefs and intentions: a name, a pronoun, a person or a body."""
    return (
        subject.pos_ in {"PROPN", "PRON"}
        or subject.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}
        or is_person_noun(subject)
        or lower_org(subject)
    ) and subject.lower_ not in {"it", "this", "that", "which"}


def _believes(verb: Token) -> bool:
    """A belief or source verb reports something when it has an active subject and a clause
    ("Analysts expect that …"), not "X is expected to" nor "…, Moscow recognised"."""
    return any(c.dep_ == "nsubj" for c in verb.children) and any(
        c.dep_ == "ccomp" and c.i > verb.i for c in verb.children
    )


def _attribution_kind(verb: Token | None, subject: Token, inner: bool) -> str:
    """What an indirect attribution is: speech ("indirect", or "mixed" with quoted words),
    a belief or intention ("belief"), or what a source says ("source": "according to X", "the
    report found")."""
    if verb is None:
        return "source" if is_source_noun(subject) else "indirect"  # "according to X"
    lemma = verb.lemma_.lower()
    if (lemma in BELIEF_LEMMAS or lemma in INTENTIONS) and lemma not in SPEECH_ONLY:
        return "belief"
    if lemma in SOURCE_LEMMAS and (is_source_noun(subject) or lemma != "suggest"):
        return "source"
    if is_source_noun(subject):
        return "source"
    return "mixed" if inner else "indirect"


def _indirect(
    parsed: Parsed,
    article_id: str,
    ents: ArticleEntities,
    segments: list[Segment],
    subject: Token,
    verb: Token | None,
    start: int,
    end: int,
    frame: str,
    offset: int,
) -> Quote | None:
    """An indirect attribution of [start, end) to ``subject``; None when it names no speaker."""
    speaker = resolve(subject, offset, ents, segments, strict=False)
    if speaker.entity_id is None and speaker.name is None:
        return None
    inner = any(start <= s.start and s.end <= end + 1 for s in segments)
    return Quote(
        Span(article_id, start, end),
        parsed.text[start:end],
        speaker.entity_id,
        verb.text if verb is not None else "according to",
        False,
        speaker.name,
        Span(article_id, speaker.start, speaker.end),
        _attribution_kind(verb, subject, inner),
        _channel(frame),
    )


def find_quotes(parsed: Parsed, article_id: str, ents: ArticleEntities) -> list[Quote]:
    """Direct and indirect quotes of one parsed article, in text order."""
    segments = find_segments(parsed.text)
    direct = _direct_quotes(parsed, article_id, ents, segments)
    indirect = _indirect_quotes(parsed, article_id, ents, segments)
    kept_direct = []
    for quote in direct:
        host = next(
            (
                q
                for q in indirect
                if q.kind == "mixed"
                and q.span.start <= quote.span.start
                and quote.span.end <= q.span.end + 1
            ),
            None,
        )
        if host is None:
            kept_direct.append(quote)
        elif len(quote.text.split()) >= MIN_UNATTRIBUTED_WORDS * 2:
            # a long quotation inside reported speech is the reporter's speaker's words
            kept_direct.append(
                Quote(
                    quote.span, quote.text, host.speaker_entity_id, host.cue, True,
                    host.speaker, host.speaker_span, "direct", host.channel,
                )
            )  # fmt: skip
    overlapping = []
    for quote in indirect:
        covered = sum(
            max(0, min(quote.span.end, d.span.end) - max(quote.span.start, d.span.start))
            for d in kept_direct
        )
        if covered < 0.5 * (quote.span.end - quote.span.start):
            overlapping.append(quote)
    transcript = transcript_quotes(parsed.text, article_id, ents)
    if transcript:
        lines = [(q.span.start, q.span.end) for q in transcript]
        kept = [
            q for q in kept_direct + overlapping
            if not any(q.span.start < b and a < q.span.end for a, b in lines)
        ]  # fmt: skip
        quotes = kept + transcript
    else:
        quotes = kept_direct + overlapping
    quotes.sort(key=lambda q: q.span.start)
    return quotes
