"""Neighbouring subjects this bot does not handle (passwords, calendars, spam ...), in the words
customers and admins use (Swedish and English, folded).

The classifier (bot/answers/model.py) decides whether a question is ours; these cues name the subject
of the questions that are not, in training (each "none" question's class, "none:login" ...), so the
classifier learns to tell the subjects apart and the reply can name it. (The first round of issue 11
also read objects and intents from hand-written cues; measured on authors they were not written from,
they made the classifier worse, and they are gone: docs/answers.md.)

Cues are matched against folded words (no diacritics: "brevlåda" is "brevlada") and folded sentences:
- `WORD_CUES`: a word starting with the stem ("vidarebef" covers vidarebefordran, vidarebefodran ...);
  stems marked `inside` also count inside compounds ("säljgruppen", "e-postalias");
- `EXACT_CUES`: whole words only (short or ambiguous ones: "dl", "mx", "pop");
- `PHRASE_CUES`: regular expressions over the folded sentence (several words, word order).
A cue's weight says how sure it is: 1.0 names the thing, lower values only hint at it; a neighbour
cue of 1.5 is a question about that subject ("forgot my password"), 0.6 only mentions it ("password").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Subject(enum.StrEnum):
    """Neighbouring subjects this bot does not handle (each has its sv/en name in messages.py)."""

    LOGIN = "login"
    CALENDAR = "calendar"
    APPS = "apps"
    SPAM = "spam"
    DNS = "dns"
    STORAGE = "storage"
    BILLING = "billing"
    SIGNATURE = "signature"
    AUTO_REPLY = "auto_reply"
    CLIENT_SETUP = "client_setup"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class WordCue:
    stem: str
    meaning: Subject
    weight: float = 1.0
    inside: bool = False  # also counts inside a compound word


def _words(meaning: Subject, weight: float, stems: str, inside: bool = False) -> list[WordCue]:
    return [WordCue(stem, meaning, weight, inside) for stem in stems.split()]


S = Subject
WORD_CUES: list[WordCue] = [
    *_words(S.LOGIN, 0.6, "losenord password losen"),
    *_words(S.LOGIN, 1.5, "utelast tvafaktor tvastegs 2fa mfa two-factor verifieringskod verification"),
    *_words(S.LOGIN, 0.4, "login inloggning"),
    *_words(S.CALENDAR, 1.5, "kalender calendar motesinbjud dubbelbok double-book"),
    *_words(S.CALENDAR, 0.6, "meeting invite"),
    *_words(S.APPS, 1.5, "krasch crash frys freez hanger hangs startar"),
    *_words(S.APPS, 1.5, "installer install"),
    *_words(S.APPS, 0.8, "teams langsam slow"),
    *_words(S.SPAM, 1.5, "spam skrappost phishing natfiske"),
    *_words(S.SPAM, 0.6, "skrap junk"),
    *_words(S.DNS, 1.5, "dns mx-post mx-record spf dkim dmarc cname namnserver nameserver"),
    *_words(S.STORAGE, 1.5, "lagring lagringsutrymme storage quota kvot utrymme"),
    *_words(S.BILLING, 1.5, "faktur invoice billing charged debiter betalning betalningsmetod payment"),
    *_words(S.BILLING, 1.5, "betalkort abonnemang subscription licens license pris price kostar refund"),
    *_words(S.SIGNATURE, 1.5, "signatur signature"),
    *_words(S.AUTO_REPLY, 1.5, "franvaro out-of-office autoreply auto-reply"),
    *_words(S.RECOVERY, 1.5, "papperskorg trash aterskap"),
    *_words(S.RECOVERY, 0.8, "raderade deleted aterstall restore recover"),
]
EXACT_CUES: dict[str, tuple[Subject, float]] = {
    "mx": (S.DNS, 1.5),
    "smtp": (S.CLIENT_SETUP, 0.6),
    "port": (S.CLIENT_SETUP, 1.5),
    "iphone": (S.CLIENT_SETUP, 0.6),
    "android": (S.CLIENT_SETUP, 0.6),
    "thunderbird": (S.CLIENT_SETUP, 1.0),
    "full": (S.STORAGE, 0.6),
    "mobilen": (S.CLIENT_SETUP, 0.6),
    "space": (S.STORAGE, 0.8),
}


@dataclass(frozen=True)
class PhraseCue:
    pattern: re.Pattern[str]
    meaning: Subject
    weight: float
    # Substrings of which the text must contain one for the pattern to match: a substring test is far
    # cheaper than a regular expression, and most sentences of a long message match no pattern.
    needs: tuple[str, ...] | None


_LEADING_GROUP = re.compile(r"\^?(?:\\b)?\(\?:([^()]*)\)")
_LITERAL = re.compile(r"[a-z' ]+")


def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(?:c|d)` -> [a, b(?:c|d)]: a pattern split where it says "or" outside any group."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(pattern):
        if at and pattern[at - 1] == "\\":
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(pattern[start:at])
            start = at + 1
    return [*parts, pattern[start:]]


def leading_literals(pattern: str) -> tuple[str, ...] | None:
    """The literal starts of a pattern's first alternatives (`\\b(?:send|skicka) ...` -> send, skicka),
    or None when the pattern does not start with such a group (then it is always tried)."""
    group = _LEADING_GROUP.match(pattern)
    if group is not None and pattern[group.end() : group.end() + 1] in ("?", "*"):
        return None  # an optional first group: the pattern may start anywhere after it
    if group is None:
        literal = _LITERAL.match(pattern.removeprefix("^").removeprefix("\\b"))
        return (literal.group(),) if literal and len(literal.group()) >= 2 else None
    starts = []
    for alternative in group.group(1).split("|"):
        literal = _LITERAL.match(alternative)
        if literal is None or not literal.group():
            return None
        starts.append(literal.group())
    return tuple(starts)


def _phrases(meaning: Subject, weight: float, *patterns: str) -> list[PhraseCue]:
    pieces = [piece for pattern in patterns for piece in top_level_alternatives(pattern)]
    return [PhraseCue(re.compile(p), meaning, weight, leading_literals(p)) for p in pieces]


PHRASE_CUES: list[PhraseCue] = [
    *_phrases(
        S.LOGIN,
        1.5,
        r"\b(?:forgot|forgotten|glomt|reset|aterstall\w*|change|andra|byt|byta|new|nytt|stopped) "
        r"(?:[\w-]+ )?(?:[\w-]+ )?(?:password|losenord)",
        r"\b(?:password|losenord)\w* (?:[\w-]+ )?(?:fungerar inte|funkar inte|doesn't work|stopped working|"
        r"expired|har gatt ut)",
        r"\b(?:can't|cannot|can not|kan inte|unable to) (?:[\w-]+ )?(?:log|sign|logga)",
        r"\b(?:utelast|locked out)\b",
        r"\b(?:kontot|account|konto) (?:verkar |seems to |ar |is )?(?:[\w-]+ )?(?:last|locked|sparrat)",
        r"\b(?:login|inloggning\w*) (?:failed|misslyck\w*)",
        r"\bsign (?:out|in)\b|\blogga (?:ut|in) (?:alla|i webb)",
        r"\bsessions?\b",
    ),
    *_phrases(
        S.SPAM,
        1.5,
        r"\bjunk (?:folder|mail)\b|\bspam ?filter",
        r"\bblock\w* (?:[\w-]+ ){0,2}(?:sender|avsand)",
    ),
    *_phrases(
        S.DNS,
        1.5,
        r"\b(?:dns|mx|txt)[- ](?:records?|post\w*)",
        r"\b(?:move|flytta\w*|transfer) (?:[\w-]+ )?dom",
    ),
    *_phrases(S.STORAGE, 1.5, r"\b(?:mailbox|inbox|brevladan|inkorgen) (?:is |ar )?(?:almost |nastan )?full"),
    *_phrases(
        S.AUTO_REPLY,
        1.5,
        r"\b(?:automatic|automatiskt?|auto) (?:[\w-]+ )?(?:reply|replies|svar)",
        r"\bout of (?:the )?office\b|\bvacation (?:responder|reply)",
    ),
    *_phrases(
        S.CLIENT_SETUP,
        1.5,
        r"\b(?:utgaende|inkommande|outgoing|incoming) (?:[\w-]+ )?server",
        r"\b(?:imap|smtp|pop)\w*(?:-| and | och | )(?:[\w-]+ )?(?:settings|installningar|server)",
        r"\b(?:settings|installningar) (?:[\w-]+ )?(?:phone|telefon|iphone|android|outlook|thunderbird)",
        r"\b(?:set up|satta upp|stalla in) (?:e-?mail|mail|mejl|e-?post) (?:on|in|pa|i) "
        r"(?:my |min )?(?:phone|telefon|iphone|android|thunderbird)",
    ),
    *_phrases(
        S.RECOVERY, 1.5, r"\b(?:restore|recover|aterstall\w*|bring back|fa tillbaka) .*\b(?:deleted|radera)"
    ),
]
