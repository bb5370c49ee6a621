"""What the classifier reads in a question: word stems, stem pairs and character n-grams.

A message is cut into sentences; the sentences that ask (bot.answers.understanding.is_asking) count
fully and the story around them `STORY_WEIGHT`, so a long story does not drown the question. Words are
folded (no diacritics, lowercase), stemmed with Snowball in the question's language, paired with their
neighbour (word order: "forward to" / "to forward"), and cut into character n-grams (typos and
compounds: "distributionsgruppen" shares most of its n-grams with "distributionsgrupp"). The vector is
scaled to length 1, so a long message and a short one weigh alike.

Each feature has a name ("w:alias", "b:hur_lagg", "c:lia") and a number: Python's own 64-bit hash of
the name (SipHash; it differs between processes, and numbers are only compared within one). A word's
features and their numbers are worked out once per process (`word_features`, remembered by
`sentence_tokens`); a message's features are then added up in numpy, and the model and the taught
examples look them up by number. Two names share a number with odds of a few in 10^12 for a
2,000-character message against the model's vocabulary (the model checks its own when it loads).

The feature vector is also what taught examples are compared with (bot/answers/taught.py).
"""

from __future__ import annotations

import math
import operator
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from bot.answers.text import fold, sentences, stem, without_addresses, words
from bot.answers.understanding import is_asking
from bot.config import LANGS, Lang

STORY_WEIGHT = 0.35  # measured: 0.2, 0.5 and 1.0 did worse on held-out authors (docs/answers.md)
UNMARKED_WEIGHT = 0.6  # an asking sentence beside one that ends in "?"
CHAR_WEIGHT = 0.3  # a character n-gram against a whole stem
NGRAM_SIZES = (3, 4, 5)
MAX_REMEMBERED = 32768  # words per language, and word pairs, whose features a process keeps

Features = dict[str, float]
K = TypeVar("K")
V = TypeVar("V")
FeatureIds = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]


if sys.hash_info.width < 64:
    raise ImportError("feature numbers need 64-bit hashes (a 64-bit Python)")


def feature_ids(names: Iterable[str]) -> FeatureIds:
    """The features' numbers: each name's hash (in this process)."""
    return np.fromiter(map(hash, names), dtype=np.int64)


# A feature as a message's tokens hold it: its number and its count.
FEATURE = np.dtype([("id", np.int64), ("count", np.float64)])


class Token(NamedTuple):
    """The features one word, or one pair of neighbouring words, adds to a sentence: their names, and
    their numbers and counts as bytes (`FEATURE` records). A message's tokens are joined into one array,
    and joining bytes costs a small part of what concatenating hundreds of small arrays does."""

    names: tuple[str, ...]
    features: bytes


_FEATURES = operator.attrgetter("features")


def _token(counts: Features) -> Token:
    fields = [field for name, count in counts.items() for field in (hash(name), count)]
    return Token(tuple(counts), struct.pack("=" + "qd" * len(counts), *fields))  # as FEATURE lays them out


def word_features(word: str, lang: Lang) -> tuple[str, Token]:
    """A folded word's stem, and its stem and character n-gram features with their counts."""
    padded = f" {word} "
    word_stem = stem(word, lang)
    counts: Features = {"w:" + word_stem: 1.0}
    for n in NGRAM_SIZES:
        for i in range(len(padded) - n + 1):
            gram = "c:" + padded[i : i + n]
            counts[gram] = counts.get(gram, 0.0) + CHAR_WEIGHT
    return word_stem, _token(counts)


def pair_features(first_stem: str, second_stem: str) -> Token:
    """The feature of two neighbouring words (word order: "forward to" is not "to forward")."""
    return _token({f"b:{first_stem}_{second_stem}": 1.0})


# The features of the words (per language) and pairs a process has seen. Plain dictionaries, looked up
# in sentence_tokens' loop itself, which runs for every word of a message: with functools.lru_cache
# there the loop took about 1.5 times as long (measured).
_words_seen: dict[Lang, dict[str, tuple[str, Token]]] = {lang: {} for lang in LANGS}
_pairs_seen: dict[tuple[str, str], Token] = {}


def _remember(seen: dict[K, V], key: K, value: V) -> V:
    if len(seen) >= MAX_REMEMBERED:
        seen.clear()  # forget them all: simpler than least recently used
    seen[key] = value
    return value


def sentence_tokens(sentence_words: list[str], lang: Lang) -> list[Token]:
    """The features of one folded sentence, word by word: each word's, then the pair it ends."""
    words_seen = _words_seen[lang]
    tokens = []
    previous = None
    for word in sentence_words:
        word_stem, token = words_seen.get(word) or _remember(words_seen, word, word_features(word, lang))
        tokens.append(token)
        if previous is not None:
            pair = (previous, word_stem)
            tokens.append(_pairs_seen.get(pair) or _remember(_pairs_seen, pair, pair_features(*pair)))
        previous = word_stem
    return tokens


def asking_weights(text: str) -> list[tuple[list[str], float]]:
    """The words of each folded sentence of a message, with the sentence's weight: a sentence that asks
    counts 1, the story `STORY_WEIGHT`. When some sentence ends in "?", that is the question: the other
    asking sentences ("I wonder", "it doesn't work") count `UNMARKED_WEIGHT`, like a strong part of the
    story."""
    parts = sentences(fold(without_addresses(text).casefold()))
    parts_words = [words(sentence) for sentence in parts]
    asking = [is_asking(sentence, its_words) for sentence, its_words in zip(parts, parts_words, strict=True)]
    if not any(asking):  # nothing asks: every sentence is the question
        return [(sentence_words, 1.0) for sentence_words in parts_words]
    marked = [sentence.endswith("?") for sentence in parts]
    return [
        (
            sentence_words,
            1.0 if mark or (asks and not any(marked)) else UNMARKED_WEIGHT if asks else STORY_WEIGHT,
        )
        for sentence_words, asks, mark in zip(parts_words, asking, marked, strict=True)
    ]


@dataclass(frozen=True)
class FeatureVector:
    """A question's features, scaled to length 1: their numbers (ascending, for lookups) and values.
    `order` puts them in the order they are first read (the asking sentences first): sums over them
    follow it, as they did when the training data's vectors were made. `names()` says which they are
    (training keeps names)."""

    ids: FeatureIds
    values: Values
    order: npt.NDArray[np.intp]
    groups: tuple[list[Token], ...]  # every word's and pair's features, as they were read
    first: npt.NDArray[np.intp]  # where the features, in `order`, are first read among the groups' names

    def names(self) -> list[str]:
        """The features' names, in `order`."""
        read = [name for group in self.groups for token in group for name in token.names]
        return [read[i] for i in self.first.tolist()]

    def as_dict(self) -> Features:
        return dict(zip(self.names(), self.values[self.order].tolist(), strict=True))


def question_vector(text: str, lang: Lang) -> FeatureVector:
    """The feature vector of a question (`lang` chooses the stemmer). Asking sentences add up; the rest
    counts once per feature (its strongest sentence), so a story that keeps talking about meetings does
    not outweigh the one sentence that asks."""
    weighted = [
        (weight, sentence_tokens(sentence_words, lang)) for sentence_words, weight in asking_weights(text)
    ]
    story = [(weight, tokens) for weight, tokens in weighted if weight != 1.0]
    # Read in this order: the asking sentences (one group: their counts add up), then each story sentence.
    asked = [token for weight, tokens in weighted if weight == 1.0 for token in tokens]
    groups = (asked, *(tokens for _, tokens in story))
    joined = [b"".join(map(_FEATURES, group)) for group in groups]
    read = np.frombuffer(b"".join(joined), dtype=FEATURE)
    ids, counts = read["id"], read["count"]
    unique, feature_of = np.unique(ids, return_inverse=True)
    first_read = np.full(len(unique), len(ids))
    np.minimum.at(first_read, feature_of, np.arange(len(ids)))
    first = np.sort(first_read)
    order = feature_of[first]  # the features in the order they are first read
    sizes = [len(group_features) // FEATURE.itemsize for group_features in joined]
    values = running_sums(feature_of[: sizes[0]], counts[: sizes[0]], len(unique))
    if story:
        sentence_of = np.repeat(np.arange(len(story)), sizes[1:])
        sentence_weights = np.array([weight for weight, _ in story])
        values += _story_values(
            sentence_of, sentence_weights, feature_of[sizes[0] :], counts[sizes[0] :], len(unique)
        )
    squares = values[order] * values[order]
    length = math.sqrt(np.add.accumulate(squares)[-1]) if len(squares) else 0.0  # added one by one
    scale = 1.0 / (length or 1.0)
    return FeatureVector(unique, np.multiply(values, scale, dtype=np.float64), order, groups, first)


def running_sums(bins: npt.NDArray[np.intp], weights: Values, length: int) -> Values:
    """The weights added up per bin, one by one in their order (as a running sum in a loop would: the
    same floating-point result)."""
    return np.asarray(np.bincount(bins, weights=weights, minlength=length), dtype=np.float64)


def _story_values(
    sentence_of: npt.NDArray[np.intp],
    weights: Values,
    feature_of: npt.NDArray[np.intp],
    counts: Values,
    features: int,
) -> Values:
    """Each feature's strongest story sentence: its count there times the sentence's weight (0 for the
    features the story does not name)."""
    in_sentence, at = np.unique(sentence_of * features + feature_of, return_inverse=True)
    told = np.zeros(features)
    sums = running_sums(at, counts, len(in_sentence)) * weights[in_sentence // features]
    np.maximum.at(told, in_sentence % features, sums)
    return told


def question_features(text: str, lang: Lang) -> Features:
    """The feature vector of a question by feature name (what training reads)."""
    return question_vector(text, lang).as_dict()
