"""Understand a question: which sentences ask, what they are about, and which article that means.

A message may be one line or a story of several sentences with the question somewhere inside. The
sentences that ask (a "?", a question word first, "I want", "can you", "it doesn't work" ...) weigh
`ASKING`, the story around them `STORY`. Each sentence's cues (bot/answers/vocabulary.py) add up per
concept, and the (object, intent, qualifier) reading is mapped to topics by `topic_evidence`.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.answers.text import fold, sentences, without_addresses, word_set, words
from bot.answers.vocabulary import (
    EXACT_CUES,
    OBJECTS,
    PHRASE_CUES,
    WORD_CUES,
    Concept,
    Meaning,
    PhraseCue,
    Subject,
    WordCue,
)

ASKING = 1.0
STORY = 0.35
SIBLING = 0.3  # evidence a topic gets when its object is named but the intent points to a sibling

_QUESTION_START = word_set(
    """
    hur vad varfor vilken vilket vilka kan far gar ar finns ska borde behover maste nar vem vart
    how what whats why which can could is are do does should would will where who when any anyone
    """
)
_REQUEST_START = word_set(
    """
    lagg skapa ta radera stang sla andra ordna fixa skicka byt sluta aktivera visa satt stall hjalp
    add create remove delete set turn stop change put make list show send forward help please pls
    """
)
_ASKING_PHRASE = re.compile(
    r"\b(?:jag|vi) (?:vill|behover|skulle vilja|undrar|onskar)\b|\b(?:i|we) (?:want|need|would like|'d like|"
    r"wonder)\b|\bi'd like\b|\bwe'd like\b|\b(?:can|could) (?:you|i|we|someone)\b|\b(?:kan|kunde) (?:ni"
    r"|du|jag|vi"
    r"|man)\b|\bgar det\b|\bis (?:it|there|that)\b|\bar det\b|\bplease\b|\bsnalla\b|\bhow\b|\bhur\b|"
    r"(?:fungerar|funkar) inte\b|\b(?:doesn't|does not|isn't|won't|can't|cannot)\b|\bkan inte\b|\bhjalp\b"
)


@dataclass(frozen=True)
class Reading:
    """What a message is about: evidence per concept and neighbouring subject (asking sentences count
    fully, the story around them less), and the words of the asking sentences (for retrieval)."""

    concepts: Mapping[Meaning, float] = field(default_factory=dict)
    asking_text: str = ""

    def __getitem__(self, meaning: Meaning) -> float:
        return self.concepts.get(meaning, 0.0)

    @property
    def object_evidence(self) -> float:
        return max((self[o] for o in OBJECTS), default=0.0)

    def neighbour(self) -> tuple[Subject | None, float]:
        """The strongest neighbouring subject named, with its evidence."""
        found = [(self[s], s) for s in Subject if self[s] > 0]
        if not found:
            return None, 0.0
        weight, subject = max(found)
        return subject, weight


def is_asking(sentence: str) -> bool:
    """Does a (folded, lowercase) sentence ask something, or tell the story around the question?"""
    first = next(iter(words(sentence)), "")
    return (
        sentence.rstrip().endswith("?")
        or first in _QUESTION_START
        or first in _REQUEST_START
        or _ASKING_PHRASE.search(sentence) is not None
    )


_BY_PREFIX: dict[str, list[WordCue]] = defaultdict(list)
for _cue in WORD_CUES:
    _BY_PREFIX[_cue.stem[:3]].append(_cue)
_INSIDE = [cue for cue in WORD_CUES if cue.inside]
# Phrase cues by the word starts they need (see PhraseCue.needs); the rest are tried on every sentence.
_PHRASES_BY_START: dict[str, list[PhraseCue]] = defaultdict(list)
for _phrase in PHRASE_CUES:
    for _start in _phrase.needs or ():
        _PHRASES_BY_START[_start.split(" ")[0]].append(_phrase)
_ALWAYS_TRIED = [phrase for phrase in PHRASE_CUES if phrase.needs is None]


@functools.lru_cache(maxsize=65536)
def word_meanings(word: str) -> tuple[tuple[Meaning, float], ...]:
    """What one folded word names (its strongest cue per meaning)."""
    found: dict[Meaning, float] = {}
    for cue in _BY_PREFIX.get(word[:3], ()):
        if word.startswith(cue.stem):
            found[cue.meaning] = max(found.get(cue.meaning, 0.0), cue.weight)
    for cue in _INSIDE:
        if cue.stem in word:
            found[cue.meaning] = max(found.get(cue.meaning, 0.0), cue.weight)
    if word in EXACT_CUES:  # a whole-word cue says what the word itself means ("lista" the verb)
        meaning, weight = EXACT_CUES[word]
        found[meaning] = weight
    return tuple(found.items())


@functools.lru_cache(maxsize=65536)
def _phrases_for(word: str) -> tuple[PhraseCue, ...]:
    """The phrase cues a word may start (its every prefix looked up once)."""
    return tuple(p for n in range(1, len(word) + 1) for p in _PHRASES_BY_START.get(word[:n], ()))


def sentence_meanings(sentence: str) -> dict[Meaning, float]:
    """The cues of one folded sentence: the strongest weight per meaning."""
    sentence_words = words(sentence)
    found: dict[Meaning, float] = {}
    for word in sentence_words:
        for meaning, weight in word_meanings(word):
            found[meaning] = max(found.get(meaning, 0.0), weight)
    text = " ".join(sentence_words)
    candidates = {id(p): p for word in sentence_words for p in _phrases_for(word)}
    for cue in [*candidates.values(), *_ALWAYS_TRIED]:
        if found.get(cue.meaning, 0.0) < cue.weight and cue.pattern.search(text):
            found[cue.meaning] = cue.weight
    return found


def read(message: str) -> Reading:
    """Weigh each sentence (asking or story) and add up what they name."""
    parts = sentences(fold(without_addresses(message).casefold()))
    asking = [is_asking(s) for s in parts]
    if not any(asking):
        asking = [True] * len(parts)
    # Asking sentences add up; the story counts once per meaning (its strongest sentence), so a long
    # story that keeps mentioning meetings does not outweigh the one sentence that asks.
    asked: dict[Meaning, float] = defaultdict(float)
    told: dict[Meaning, float] = defaultdict(float)
    for sentence, asks in zip(parts, asking, strict=True):
        for meaning, evidence in sentence_meanings(sentence).items():
            if asks:
                asked[meaning] += ASKING * evidence
            else:
                told[meaning] = max(told[meaning], STORY * evidence)
    concepts = {meaning: asked.get(meaning, 0.0) + told.get(meaning, 0.0) for meaning in {*asked, *told}}
    asking_text = " ".join(s for s, asks in zip(parts, asking, strict=True) if asks)
    return Reading(concepts, asking_text)


def topic_evidence(reading: Reading) -> dict[str, float]:
    """Evidence per topic id from the (object, intent, qualifier) reading; empty when no object is named."""
    r = reading
    alias, forward, group = r[Concept.ALIAS], r[Concept.FORWARD], r[Concept.GROUP]
    shared, accounts = r[Concept.SHARED], r[Concept.ACCOUNTS]
    evidence: dict[str, float] = defaultdict(float)

    def pick(weight: float, chosen: str, *siblings: str) -> None:
        evidence[chosen] += weight
        for sibling in siblings:
            evidence[sibling] += SIBLING * weight

    send_as = r[Concept.SEND_AS]
    setup = r[Concept.SETUP] > r[Concept.WHAT]  # asking what it is wins a tie over asking for a change
    if alias or send_as:
        if send_as:
            pick(max(alias, send_as), "send-from-alias", "alias", "manage-aliases")
        elif setup:
            pick(alias, "manage-aliases", "alias", "send-from-alias")
        else:
            pick(alias, "alias", "manage-aliases", "send-from-alias")
    if forward:
        if r[Concept.EXTERNAL]:
            pick(forward, "external-forwarding", "manage-forwarding", "forwarding")
        elif setup:
            pick(forward, "manage-forwarding", "forwarding", "external-forwarding")
        else:
            pick(forward, "forwarding", "manage-forwarding", "external-forwarding")
    if group:
        if r[Concept.OUTSIDERS] or r[Concept.EXTERNAL] or r[Concept.BROKEN]:
            pick(group, "group-external-senders", "distribution-group", "manage-groups")
        elif setup or r[Concept.MEMBERS]:
            pick(group, "manage-groups", "distribution-group", "group-external-senders")
        else:
            pick(group, "distribution-group", "manage-groups", "shared-mailbox-vs-group")
    if shared:
        # the shared-mailbox article compares it with a group: a group named beside it belongs to it
        pick(
            shared + (group if r[Concept.WHICH] else group / 2),
            "shared-mailbox-vs-group",
            "distribution-group",
        )
    if accounts:
        pick(accounts, "connected-accounts", "external-forwarding")
    compared = sorted((alias, forward, group), reverse=True)
    if r[Concept.WHICH] and compared[1] > 0:
        pick(compared[0] + compared[1], "alias-vs-forwarding-vs-group", "shared-mailbox-vs-group")
    return dict(evidence)
