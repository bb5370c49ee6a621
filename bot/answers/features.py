"""What the classifier reads in a question: word stems, stem pairs and character n-grams.

A message is cut into sentences; the sentences that ask (bot.answers.understanding.is_asking) count
fully and the story around them `STORY_WEIGHT`, so a long story does not drown the question. Words are
folded (no diacritics, lowercase), stemmed with Snowball in the question's language, paired with their
neighbour (word order: "forward to" / "to forward"), and cut into character n-grams (typos and
compounds: "distributionsgruppen" shares most of its n-grams with "distributionsgrupp"). The vector is
scaled to length 1, so a long message and a short one weigh alike.

Each feature has a name ("w:alias", "b:hur_lagg", "c:lia"); an id, Python's own 64-bit hash of the
name (SipHash; it differs between processes, and ids are only compared within one); and a number in
the process's `FeatureTable` (0, 1, 2 ... as first read). A word's features are worked out once per
process and kept as records of numbers and counts; a message's records are added up in numpy, and
the model (by number) and the taught examples (by id) look its features up. Two names share an id
with odds of a few in 10^12 for a 2,000-character message against the model's vocabulary (the model
checks its own when it loads).

The feature vector is also what taught examples are compared with (bot/answers/taught.py).
"""

from __future__ import annotations

import math
import struct
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from bot.answers.text import fold, sentences, stem, without_addresses, words
from bot.answers.understanding import is_asking
from bot.config import LANGS, Lang

STORY_WEIGHT = 0.35  # measured: 0.2, 0.5 and 1.0 did worse on held-out authors (docs/answers.md)
UNMARKED_WEIGHT = 0.6  # an asking sentence beside one that ends in "?"
CHAR_WEIGHT = 0.3  # a character n-gram against a whole stem
NGRAM_SIZES = (3, 4, 5)
MAX_WORDS = 32768  # words per language whose features a process keeps ...
MAX_WORD_PAIRS = 1 << 16  # ... pairs of neighbouring words (about 350 bytes each) ...
MAX_FEATURES = 1 << 18  # ... and features (FeatureTable)
MAX_STORY_PAIRS = 1 << 20  # story sentences x features: the length of an array _story_values adds up in

Features = dict[str, float]
FeatureIds = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]


if sys.hash_info.width < 64:
    raise ImportError("feature numbers need 64-bit hashes (a 64-bit Python)")


def feature_ids(names: Iterable[str]) -> FeatureIds:
    """The features' ids: each name's hash (in this process)."""
    return np.fromiter(map(hash, names), dtype=np.int64)


def word_features(word: str, lang: Lang) -> tuple[str, Features]:
    """A folded word's stem, and its stem and character n-gram features with their counts."""
    padded = f" {word} "
    word_stem = stem(word, lang)
    counts: Features = {"w:" + word_stem: 1.0}
    for n in NGRAM_SIZES:
        for i in range(len(padded) - n + 1):
            gram = "c:" + padded[i : i + n]
            counts[gram] = counts.get(gram, 0.0) + CHAR_WEIGHT
    return word_stem, counts


def pair_feature(first_stem: str, second_stem: str) -> str:
    """The feature of two neighbouring words (word order: "forward to" is not "to forward")."""
    return f"b:{first_stem}_{second_stem}"


# A word as a FeatureTable keeps it: its stem and its features' records.
Word = tuple[str, bytes]
# Two neighbouring words of a sentence (None before its first word).
WordPair = tuple[str | None, str]
# A feature as a message's words and pairs hold it: its number in the FeatureTable, and its count.
FEATURE = np.dtype([("number", np.int64), ("count", np.float64)])
_PAIR_RECORD = struct.Struct("=qd")  # a pair's one feature, counted once
_NOT_READ = np.iinfo(np.int64).max


class FeatureTable:
    """Every feature a process has read, numbered 0, 1, 2 ... as first seen, with its name and id; the
    features of every word (per language) it has read, as `FEATURE` records; and for every two
    neighbouring words it has read, the second word's records and those of their stems' pair.

    A message's records are joined into one array (joining bytes costs a small part of what
    concatenating hundreds of small arrays does), and because the numbers are small, the features a
    message names are found with two arrays the size of the table instead of a sort. A table keeps
    `MAX_WORDS` words per language, `MAX_WORD_PAIRS` pairs of words and `MAX_FEATURES` features; then
    `question_vector` starts a new one.
    Used under `_TABLE_LOCK` (its arrays are scratch space for one message at a time)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._numbers: dict[str, int] = {}
        self._new_ids: list[int] = []  # the ids of the features named since the arrays were last grown
        self._ids = np.empty(0, np.int64)  # by number, up to the features before those
        self._first_read = np.empty(0, np.int64)  # by number: _NOT_READ between messages
        self._local = np.empty(0, np.int64)  # by number
        self.words: dict[Lang, dict[str, Word]] = {lang: {} for lang in LANGS}
        self._word_pairs: dict[Lang, dict[WordPair, bytes]] = {lang: {} for lang in LANGS}

    def full(self) -> bool:
        return (
            len(self.names) >= MAX_FEATURES
            or any(len(seen) >= MAX_WORDS for seen in self.words.values())
            or sum(map(len, self._word_pairs.values())) >= MAX_WORD_PAIRS
        )

    def _number(self, name: str) -> int:
        number = self._numbers.get(name)
        if number is None:
            number = self._numbers[name] = len(self.names)
            self.names.append(name)
            self._new_ids.append(hash(name))
        return number

    def _records(self, counts: Features) -> bytes:
        """`counts` as FEATURE records, numbering the features not seen before."""
        known = self._numbers
        numbers = [known.get(name, -1) for name in counts]
        if -1 in numbers:
            numbers = [self._number(name) for name in counts]
        fields: list[float] = [0.0] * (2 * len(numbers))
        fields[0::2] = numbers
        fields[1::2] = counts.values()
        return struct.pack("=" + "qd" * len(numbers), *fields)  # as FEATURE lays them out

    def _grow(self) -> None:
        """The arrays by feature number as long as the features named."""
        start = len(self.names) - len(self._new_ids)
        if len(self._ids) < len(self.names):
            room = max(1024, 2 * len(self.names)) - len(self._ids)
            self._ids = np.concatenate([self._ids, np.zeros(room, np.int64)])
            self._first_read = np.concatenate([self._first_read, np.full(room, _NOT_READ)])
            self._local = np.concatenate([self._local, np.zeros(room, np.int64)])
        self._ids[start : len(self.names)] = self._new_ids
        self._new_ids.clear()

    def _new_word(self, word: str, lang: Lang) -> Word:
        word_stem, counts = word_features(word, lang)
        self.words[lang][word] = known = (word_stem, self._records(counts))
        return known

    def _new_word_pair(self, word_pair: WordPair, lang: Lang) -> bytes:
        """The second word's records and those of the pair of stems it ends (numbered in that order)."""
        before, word = word_pair
        seen = self.words[lang]
        word_stem, records = seen.get(word) or self._new_word(word, lang)
        if before is not None:  # a pair's word before was read, and kept, just before it
            records += _PAIR_RECORD.pack(self._number(pair_feature(seen[before][0], word_stem)), 1.0)
        self._word_pairs[lang][word_pair] = records
        return records

    def sentence_records(self, sentence_words: list[str], lang: Lang) -> bytes:
        """The features of one folded sentence, word by word: each word's, then the pair it ends; looked
        up by the word and the one before it. One lookup a word, `map`ped in C: in a server, whose other
        work evicts them from the caches, a long message's words took 0.6 of the time two lookups a word
        in a loop did (the word, then the pair of stems), each in memory of its own (docs/answers.md)."""
        known = self._word_pairs[lang]
        found = list(map(known.get, _word_pairs(sentence_words)))
        if None in found:  # words or pairs not read before: made in the order a loop reads them
            found = [
                known.get(pair) or self._new_word_pair(pair, lang) for pair in _word_pairs(sentence_words)
            ]
        return b"".join(cast(list[bytes], found))

    def vector(self, weighted: list[tuple[list[str], float]], lang: Lang) -> FeatureVector:
        """The feature vector of a message's weighted sentences (`asking_weights`)."""
        asked, story, story_weights = [], [], []
        for sentence_words, weight in weighted:
            records = self.sentence_records(sentence_words, lang)
            if weight == 1.0:
                asked.append(records)
            else:
                story.append(records)
                story_weights.append(weight)
        if self._new_ids:
            self._grow()
        # Read in this order: the asking sentences (one group: their counts add up), then each story sentence.
        read = np.frombuffer(b"".join([*asked, *story]), dtype=FEATURE)
        numbers, counts = read["number"], read["count"]
        positions = np.arange(len(numbers))
        np.minimum.at(self._first_read, numbers, positions)
        features = numbers[self._first_read[numbers] == positions]  # each once, in the order first read
        self._first_read[features] = _NOT_READ
        self._local[features] = np.arange(len(features))
        feature_of = self._local[numbers]
        in_asked = sum(map(len, asked)) // FEATURE.itemsize
        values = running_sums(feature_of[:in_asked], counts[:in_asked], len(features))
        if story:
            sizes = [len(records) // FEATURE.itemsize for records in story]
            sentence_of = np.arange(len(story)).repeat(sizes)  # the method: np.repeat wraps it in Python
            values += _story_values(
                sentence_of, np.array(story_weights), feature_of[in_asked:], counts[in_asked:], len(features)
            )
        squares = values * values
        length = math.sqrt(np.add.accumulate(squares)[-1]) if len(squares) else 0.0  # added one by one
        scale = 1.0 / (length or 1.0)
        values = np.multiply(values, scale, dtype=np.float64)
        return FeatureVector(features, self._ids[features], values, self)


def _word_pairs(sentence_words: list[str]) -> Iterator[WordPair]:
    """Each word with the one before it (None before the first)."""
    return zip([None, *sentence_words], sentence_words, strict=False)


_TABLE_LOCK = threading.Lock()
_table = FeatureTable()


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
    """A question's features, scaled to length 1, in the order they are first read (the asking sentences
    first: sums over them follow it, as they did when the training data's vectors were made): their
    numbers in `table`, their ids (for the model's and the taught examples' lookups) and values.
    `names()` says which they are (training keeps names)."""

    numbers: npt.NDArray[np.int64]
    ids: FeatureIds
    values: Values
    table: FeatureTable

    def names(self) -> list[str]:
        return [self.table.names[number] for number in self.numbers.tolist()]

    def as_dict(self) -> Features:
        return dict(zip(self.names(), self.values.tolist(), strict=True))


def question_vector(text: str, lang: Lang) -> FeatureVector:
    """The feature vector of a question (`lang` chooses the stemmer). Asking sentences add up; the rest
    counts once per feature (its strongest sentence), so a story that keeps talking about meetings does
    not outweigh the one sentence that asks."""
    global _table
    weighted = asking_weights(text)
    with _TABLE_LOCK:
        if _table.full():
            _table = FeatureTable()  # forget every word: simpler than least recently used
        return _table.vector(weighted, lang)


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
    pairs = sentence_of * features + feature_of  # (sentence, feature) as one number
    if len(weights) * features > MAX_STORY_PAIRS:  # a very long text: its pairs numbered 0, 1 ... (a sort)
        pairs = np.unique(pairs, return_inverse=True)[1]
    sums = running_sums(pairs, counts, 0)  # each pair's counts added in reading order
    told = np.zeros(features)
    np.maximum.at(told, feature_of, sums[pairs] * weights[sentence_of])
    return told


def question_features(text: str, lang: Lang) -> Features:
    """The feature vector of a question by feature name (what training reads)."""
    return question_vector(text, lang).as_dict()
