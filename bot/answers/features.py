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
from collections import defaultdict

from bot.answers.text import fold, sentences, stem, without_addresses, words
from bot.answers.understanding import is_asking
from bot.config import Lang

STORY_WEIGHT = 0.35  # measured: 0.2, 0.5 and 1.0 did worse on held-out authors (docs/answers.md)
UNMARKED_WEIGHT = 0.6  # an asking sentence beside one that ends in "?"
CHAR_WEIGHT = 0.3  # a character n-gram against a whole stem
NGRAM_SIZES = (3, 4, 5)

Features = dict[str, float]


@functools.lru_cache(maxsize=65536)
def word_features(word: str, lang: Lang) -> tuple[str, tuple[str, ...]]:
    """A folded word's stem feature and its character n-gram features."""
    padded = f" {word} "
    grams = tuple("c:" + padded[i : i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1))
    return "w:" + stem(word, lang), grams


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


def sentence_counts(sentence: str, lang: Lang) -> defaultdict[str, float]:
    """The features of one folded sentence, counted."""
    counts: defaultdict[str, float] = defaultdict(float)
    stems = []
    for word in words(sentence):
        stem_feature, grams = word_features(word, lang)
        stems.append(stem_feature)
        counts[stem_feature] += 1.0
        for gram in grams:
            counts[gram] += CHAR_WEIGHT
    for first, second in zip(stems, stems[1:], strict=False):
        counts["b:" + first[2:] + "_" + second[2:]] += 1.0
    return counts


def question_features(text: str, lang: Lang) -> Features:
    """The L2-normalised feature vector of a question (`lang` chooses the stemmer). Asking sentences
    add up; the rest counts once per feature (its strongest sentence), so a story that keeps talking
    about meetings does not outweigh the one sentence that asks."""
    asked: defaultdict[str, float] = defaultdict(float)
    told: defaultdict[str, float] = defaultdict(float)
    for sentence, weight in asking_weights(text):
        for feature, count in sentence_counts(sentence, lang).items():
            if weight == 1.0:
                asked[feature] += count
            else:
                told[feature] = max(told[feature], weight * count)
    counts = {feature: asked.get(feature, 0.0) + told.get(feature, 0.0) for feature in {*asked, *told}}
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {feature: value / norm for feature, value in counts.items()}
