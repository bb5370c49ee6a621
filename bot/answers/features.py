"""What the classifier reads in a question: word stems, stem pairs and character n-grams.

A message is cut into sentences; the sentences that ask (bot.answers.understanding.is_asking) count
fully and the story around them `STORY_WEIGHT`, so a long story does not drown the question. Words are
folded (no diacritics, lowercase), stemmed with Snowball in the question's language, paired with their
neighbour (word order: "forward to" / "to forward"), and cut into character n-grams (typos and
compounds: "distributionsgruppen" shares most of its n-grams with "distributionsgrupp"). The vector is
scaled to length 1, so a long message and a short one weigh alike.

The feature vector is also what taught examples are compared with (bot/answers/taught.py).
"""

from __future__ import annotations

import functools
import math

from bot.answers.text import fold, sentences, stem, without_addresses, words
from bot.answers.understanding import is_asking
from bot.config import Lang

STORY_WEIGHT = 0.35  # measured: 0.2, 0.5 and 1.0 did worse on held-out authors (docs/answers.md)
UNMARKED_WEIGHT = 0.6  # an asking sentence beside one that ends in "?"
CHAR_WEIGHT = 0.3  # a character n-gram against a whole stem
NGRAM_SIZES = (3, 4, 5)

Features = dict[str, float]


@functools.lru_cache(maxsize=65536)
def word_features(word: str, lang: Lang) -> tuple[str, tuple[tuple[str, float], ...]]:
    """A folded word's stem feature, and its stem and character n-gram features with their counts."""
    padded = f" {word} "
    stem_feature = "w:" + stem(word, lang)
    counts: dict[str, float] = {stem_feature: 1.0}
    for n in NGRAM_SIZES:
        for i in range(len(padded) - n + 1):
            gram = "c:" + padded[i : i + n]
            counts[gram] = counts.get(gram, 0.0) + CHAR_WEIGHT
    return stem_feature, tuple(counts.items())


def asking_weights(text: str) -> list[tuple[str, float]]:
    """The folded sentences of a message, each with its weight: a sentence that asks counts 1, the story
    `STORY_WEIGHT`. When some sentence ends in "?", that is the question: the other asking sentences
    ("I wonder", "it doesn't work") count `UNMARKED_WEIGHT`, like a strong part of the story."""
    parts = sentences(fold(without_addresses(text).casefold()))
    asking = [is_asking(sentence) for sentence in parts]
    if not any(asking):  # nothing asks: every sentence is the question
        return [(sentence, 1.0) for sentence in parts]
    marked = [sentence.endswith("?") for sentence in parts]
    return [
        (sentence, 1.0 if mark or (asks and not any(marked)) else UNMARKED_WEIGHT if asks else STORY_WEIGHT)
        for sentence, asks, mark in zip(parts, asking, marked, strict=True)
    ]


def add_sentence(counts: dict[str, float], sentence: str, lang: Lang) -> None:
    """Add the features of one folded sentence to `counts`."""
    previous = ""
    for word in words(sentence):
        stem_feature, word_counts = word_features(word, lang)
        for feature, count in word_counts:
            counts[feature] = counts.get(feature, 0.0) + count
        if previous:
            pair = "b:" + previous[2:] + "_" + stem_feature[2:]
            counts[pair] = counts.get(pair, 0.0) + 1.0
        previous = stem_feature


def question_features(text: str, lang: Lang) -> Features:
    """The L2-normalised feature vector of a question (`lang` chooses the stemmer). Asking sentences
    add up; the rest counts once per feature (its strongest sentence), so a story that keeps talking
    about meetings does not outweigh the one sentence that asks."""
    counts: dict[str, float] = {}
    told: dict[str, float] = {}
    for sentence, weight in asking_weights(text):
        if weight == 1.0:
            add_sentence(counts, sentence, lang)
            continue
        sentence_counts: dict[str, float] = {}
        add_sentence(sentence_counts, sentence, lang)
        for feature, count in sentence_counts.items():
            if weight * count > told.get(feature, 0.0):
                told[feature] = weight * count
    for feature, count in told.items():
        counts[feature] = counts.get(feature, 0.0) + count
    scale = 1.0 / (math.sqrt(sum(v * v for v in counts.values())) or 1.0)
    return {feature: value * scale for feature, value in counts.items()}
