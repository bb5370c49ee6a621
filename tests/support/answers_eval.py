"""Scoring the answering core against labelled questions (bot/answers/labelled.py reads them)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.answers.labelled import (
    AUTHORS,
    BLIND_1_QUESTIONS,
    BLIND_2_QUESTIONS,
    BLIND_3_QUESTIONS,
    DEV_QUESTIONS,
    EVAL_QUESTIONS,
    FINAL_QUESTIONS,
    FRESH_QUESTIONS,
    HOLDOUT_QUESTIONS,
    NO_ARTICLE,
    SMALLTALK,
    WRITER_A_QUESTIONS,
    WRITER_B_QUESTIONS,
    WRITER_C_QUESTIONS,
    WRITER_E_QUESTIONS,
    Labelled,
    by_author,
    load_labelled,
)
from bot.answers.types import Answer, AnswerKind

LONG_MESSAGE_CHARS = 2000
LONG_MESSAGES = 200
# What hostile texts are made of: punctuation and spaces of every kind, addresses, combining marks,
# compatibility characters, letters whose casefolding adds letters, and the asking phrases.
HOSTILE_PIECES = [
    *"abcxyzABC019 -_.!?@'\"<>()[],;:\n\t",
    *["--", "a-b", "x@y", "info@", "@@", "\u00a0", "\u2003", "\u2028", "\u200b", "\ufeff"],
    *["å", "ä", "ö", "Å", "é", "e\u0301", "\u0301", "\u0308", "\u0327", "\u0345", "\u0483", "\u0653", "ا"],
    *["ß", "ẞ", "İ", "ǅ", "ﬁ", "ﬀ", "²", "Ⅻ", "Ω", "ΐ", "ᾳ", "가", "\u1100", "\u1161", "\u0cbf", "\u0cd5"],
    *["’", "–", "…", "😀", "\u200d", "\ufe0f", "ＡＢ", "？"],
    *["jag vill", "vi undrar", "i want", "i 'd like", "i'd like", "we'd like", "can you", "could someone"],
    *["kan ni", "kunde man", "gar det", "is it", "ar det", "please", "snalla", "how", "hur", "hjalp"],
    *["doesn't", "does not", "isn't", "won't", "can't", "cannot", "kan inte", "funkar inte"],
    *["xfungerar inte", "alias", "vidarebefordra", "gmail", "distributionsgrupp", "forward"],
]
__all__ = [
    "AUTHORS",
    "BLIND_1_QUESTIONS",
    "BLIND_2_QUESTIONS",
    "BLIND_3_QUESTIONS",
    "DEV_QUESTIONS",
    "EVAL_QUESTIONS",
    "FINAL_QUESTIONS",
    "FRESH_QUESTIONS",
    "HOLDOUT_QUESTIONS",
    "LONG_MESSAGE_CHARS",
    "NO_ARTICLE",
    "SMALLTALK",
    "WRITER_A_QUESTIONS",
    "WRITER_B_QUESTIONS",
    "WRITER_C_QUESTIONS",
    "WRITER_E_QUESTIONS",
    "Labelled",
    "Scores",
    "by_author",
    "hostile_texts",
    "load_labelled",
    "long_messages",
    "outcome",
    "score",
    "score_outcomes",
    "unseen_messages",
]


@dataclass(frozen=True)
class Scores:
    top1: float  # answerable questions given their article
    declined: float  # "none" questions given no article
    smalltalk: float  # greetings/thanks recognised
    language: float  # replies in the labelled language
    answerable: int
    unanswerable: int
    right: float = 0.0  # every question: its article, declined when "none", small talk when small talk
    total: int = 0


def outcome(result: Answer) -> str:
    if result.kind is AnswerKind.ARTICLE:
        return result.topic_id or ""
    return SMALLTALK if result.kind is AnswerKind.SMALLTALK else NO_ARTICLE


def score(rows: Iterable[Labelled], ask: Callable[[str], Answer]) -> Scores:
    return score_outcomes([(row, ask(row.question)) for row in rows])


def score_outcomes(answered: Iterable[tuple[Labelled, Answer]]) -> Scores:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row, result in answered:
        group = row.label if row.label in (NO_ARTICLE, SMALLTALK) else "topic"
        correct = outcome(result) == row.label
        total[group] += 1
        right[group] += correct
        total["all"] += 1
        right["all"] += correct
        total["language"] += 1
        right["language"] += result.lang == row.lang

    def share(group: str) -> float:
        return right[group] / total[group] if total[group] else 0.0

    return Scores(
        share("topic"),
        share(NO_ARTICLE),
        share(SMALLTALK),
        share("language"),
        total["topic"],
        total[NO_ARTICLE],
        share("all"),
        total["all"],
    )


def long_messages(rows: Iterable[Labelled]) -> list[str]:
    """2,000-character messages: long questions strung together, each starting elsewhere."""
    stories = [row.question for row in rows if "long" in row.tags]
    messages = []
    for start in range(LONG_MESSAGES):
        parts: list[str] = []
        i = start
        while sum(len(p) + 1 for p in parts) < LONG_MESSAGE_CHARS:
            parts.append(stories[i % len(stories)])
            i += 7
        messages.append(" ".join(parts)[:LONG_MESSAGE_CHARS])
    return messages


def unseen_messages(rows: Iterable[Labelled], seed: int = 4) -> list[str]:
    """2,000-character messages of questions each used once, in an order shuffled by `seed` (so that
    both languages and every topic mix): from texts an engine has not read, each brings words and word
    pairs it has not seen."""
    questions = [row.question for row in rows]
    random.Random(seed).shuffle(questions)
    messages: list[str] = []
    parts: list[str] = []
    for question in questions:
        parts.append(question)
        if sum(len(p) + 1 for p in parts) >= LONG_MESSAGE_CHARS:
            messages.append(" ".join(parts)[:LONG_MESSAGE_CHARS])
            parts = []
    return messages


def hostile_texts(count: int, longest: int, seed: int) -> list[str]:
    """`count` texts of up to `longest` pieces of HOSTILE_PIECES, chosen at random (the same for a seed)."""
    chosen = random.Random(seed)
    return ["".join(chosen.choices(HOSTILE_PIECES, k=chosen.randint(0, longest))) for _ in range(count)]
