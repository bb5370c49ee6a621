"""Which sentences of a message ask, and which neighbouring subject a message names.

A message may be one line or a story of several sentences with the question somewhere inside.
`is_asking` tells the sentences that ask (a "?", a question word first, "I want", "can you", "it
doesn't work" ...) from the story: the classifier's features weigh them (bot/answers/features.py).
`read` adds up the neighbouring-subject cues of bot/answers/vocabulary.py, the asking sentences
`ASKING`, the story `STORY`; training names each "none" question's subject with it.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.answers.text import fold, sentences, without_addresses, word_set, words
from bot.answers.vocabulary import EXACT_CUES, PHRASE_CUES, WORD_CUES, PhraseCue, Subject, WordCue

ASKING = 1.0
STORY = 0.35

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
# Phrases that ask, each from a word's start to a word's end.
_SWEDISH_WISHES = ("vill", "behover", "skulle vilja", "undrar", "onskar")
_ENGLISH_WISHES = ("want", "need", "would like", "'d like", "wonder")
_ASKING_PHRASES = (
    *(f"{who} {wish}" for who in ("jag", "vi") for wish in _SWEDISH_WISHES),
    *(f"{who} {wish}" for who in ("i", "we") for wish in _ENGLISH_WISHES),
    "i'd like",
    "we'd like",
    *(f"{verb} {who}" for verb in ("can", "could") for who in ("you", "i", "we", "someone")),
    *(f"{verb} {who}" for verb in ("kan", "kunde") for who in ("ni", "du", "jag", "vi", "man")),
    "gar det",
    *(f"is {what}" for what in ("it", "there", "that")),
    "ar det",
    "please",
    "snalla",
    "how",
    "hur",
    "doesn't",
    "does not",
    "isn't",
    "won't",
    "can't",
    "cannot",
    "kan inte",
    "hjalp",
)
_NOT_WORKING = ("fungerar inte", "funkar inte")  # these from anywhere, a word's end too ("ofunkar inte")


def _phrase_pattern(at_word_start: Sequence[str], anywhere: Sequence[str]) -> re.Pattern[str]:
    r"""One regular expression for the phrases, each alternative led by a letter: the regex engine then
    skips, at C speed, every character that no phrase starts with. `(?<!\w.)` after a phrase's first
    letter says what `\b` before it would (measured: about half the time of one `\b` before them all)."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for phrase in at_word_start:
        by_first[phrase[0]].append(re.escape(phrase[1:]))
    alternatives = [
        rf"{re.escape(first)}(?<!\w.)(?:{'|'.join(rests)})\b" for first, rests in by_first.items()
    ]
    return re.compile("|".join([*alternatives, *(rf"{re.escape(phrase)}\b" for phrase in anywhere)]))


_ASKING_PHRASE = _phrase_pattern(_ASKING_PHRASES, _NOT_WORKING)

# "... but that is not what I'm asking": the sentence sets a subject aside, so it is story even though
# it says "undrar" / "asking".
_SET_ASIDE = re.compile(
    r"\binte (?:det|vad|sa) (?:jag|vi) (?:undrar|fragar|menar)\b|\binte (?:min|var) fraga\b"
    r"|\bnot (?:what|why) (?:i'm|i am|we're|we are) (?:asking|writing|after)\b|\bnot my question\b"
)


@dataclass(frozen=True)
class Reading:
    """Evidence per neighbouring subject a message names (asking sentences count fully, the story
    around them less)."""

    subjects: Mapping[Subject, float] = field(default_factory=dict)

    def __getitem__(self, meaning: Subject) -> float:
        return self.subjects.get(meaning, 0.0)

    def neighbour(self) -> tuple[Subject | None, float]:
        """The strongest neighbouring subject named, with its evidence."""
        found = [(self[s], s) for s in Subject if self[s] > 0]
        if not found:
            return None, 0.0
        weight, subject = max(found)
        return subject, weight


def is_asking(sentence: str, sentence_words: Sequence[str]) -> bool:
    """Does a (folded, lowercase) sentence ask something, or tell the story around the question?
    (`sentence_words`: its words, as the caller reads them too.)"""
    first = sentence_words[0] if sentence_words else ""
    # Every phrase that sets a subject aside has "inte " or "not ": a fast search for them first spares
    # most sentences the regular expression (about a third of the time this function took).
    if ("inte " in sentence or "not " in sentence) and _SET_ASIDE.search(sentence):
        return False
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
def word_meanings(word: str) -> tuple[tuple[Subject, float], ...]:
    """What one folded word names (its strongest cue per meaning)."""
    found: dict[Subject, float] = {}
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


def sentence_meanings(sentence: str) -> dict[Subject, float]:
    """The cues of one folded sentence: the strongest weight per meaning."""
    sentence_words = words(sentence)
    found: dict[Subject, float] = {}
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
    asking = [is_asking(s, words(s)) for s in parts]
    if not any(asking):
        asking = [True] * len(parts)
    # Asking sentences add up; the story counts once per meaning (its strongest sentence), so a long
    # story that keeps mentioning meetings does not outweigh the one sentence that asks.
    asked: dict[Subject, float] = defaultdict(float)
    told: dict[Subject, float] = defaultdict(float)
    for sentence, asks in zip(parts, asking, strict=True):
        for meaning, evidence in sentence_meanings(sentence).items():
            if asks:
                asked[meaning] += ASKING * evidence
            else:
                told[meaning] = max(told[meaning], STORY * evidence)
    subjects = {meaning: asked.get(meaning, 0.0) + told.get(meaning, 0.0) for meaning in {*asked, *told}}
    return Reading(subjects)
