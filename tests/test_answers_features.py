"""The answering core's numpy arithmetic against plain loops over the words: the feature vector, the
model's rows and the nearest taught example come out exactly as the loops make them (bit for bit, in
the same order), which is how the shipped weights were trained. bench/answers.py times them."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.answers import answer, features
from bot.answers.features import (
    Features,
    asking_weights,
    question_features,
    question_vector,
    word_features,
)
from bot.answers.labelled import AUTHORS, by_author
from bot.answers.model import shipped_model
from bot.answers.taught import TaughtExample, TaughtIndex, features_of
from bot.config import Lang, Settings
from tests.support.answers_eval import long_messages

ROWS = [row for author in sorted(AUTHORS) for row in by_author(author)]
ODD = [
    "",
    "?",
    "... !!",
    "Hej!\n\nKan ni lägga till info@ som alias? Tack.\nMvh Anna",
    "ﬁle ﬂow Straße ÅÄÖ e\u0301 한글 漢字 ² ⅸ 😀 x-y snake_case don't",
    "a. b. c. a. b. c? " * 40,
    "{{ domain }} <!channel> <@U123> faktura@ anna@example.com",
]
TEXTS = [row.question for row in ROWS] + long_messages(ROWS)[:40] + ODD


def plain_features(text: str, lang: Lang) -> Features:
    """The vector as running sums in dictionaries, word by word: the asking sentences add up, a story
    sentence counts a feature at most once (its strongest sentence); scaled to length 1."""
    counts: Features = {}
    told: Features = {}
    for sentence_words, weight in asking_weights(text):
        sentence: Features = counts if weight == 1.0 else {}
        previous = None
        for word in sentence_words:
            word_stem, word_counts = word_features(word, lang)
            for name, count in word_counts.items():
                sentence[name] = sentence.get(name, 0.0) + count
            if previous is not None:
                pair = f"b:{previous}_{word_stem}"
                sentence[pair] = sentence.get(pair, 0.0) + 1.0
            previous = word_stem
        if weight != 1.0:
            for name, count in sentence.items():
                if weight * count > told.get(name, 0.0):
                    told[name] = weight * count
    for name, count in told.items():
        counts[name] = counts.get(name, 0.0) + count
    total = 0.0
    for value in counts.values():
        total += value * value
    scale = 1.0 / (math.sqrt(total) or 1.0)
    return {name: value * scale for name, value in counts.items()}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_feature_vector_is_what_running_sums_over_the_words_make(lang: Lang) -> None:
    for text in TEXTS:
        assert list(question_features(text, lang).items()) == list(plain_features(text, lang).items()), text


def test_the_model_reads_the_rows_of_the_features_it_knows_in_reading_order() -> None:
    model = shipped_model()
    for text in TEXTS[::5]:
        vector = question_vector(text, "sv")
        features = vector.as_dict().items()
        known = [(model.index[name], value) for name, value in features if name in model.index]
        rows, values = model.rows(vector)
        assert rows.tolist() == [row for row, _ in known]
        assert values.tolist() == np.array([value for _, value in known], dtype=np.float32).tolist()


def test_the_nearest_taught_example_is_the_largest_plain_dot_product() -> None:
    examples = [TaughtExample(row.question, row.label) for row in ROWS[::9]]
    examples += examples[:3]  # taught twice: the newer one is taken
    index = TaughtIndex(examples)
    taught = [features_of(example.question).as_dict() for example in examples]
    for text in TEXTS[4::13]:
        asked = features_of(text).as_dict()
        scores: dict[int, float] = {}
        for number, vector in enumerate(taught):
            for name, value in asked.items():
                if name in vector:
                    scores[number] = scores.get(number, 0.0) + value * vector[name]
        match = index.nearest(features_of(text), similar=0.0)
        if not scores:
            assert match is None
            continue
        number, similarity = max(scores.items(), key=lambda pair: (pair[1], pair[0]))
        assert match is not None and match.similarity == similarity
        assert match.example is examples[number]


def test_a_very_long_story_numbers_its_sentences_features_by_sorting_with_the_same_sums(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(features, "MAX_STORY_PAIRS", 0)  # every story as long as a very long one
    for text in TEXTS[::7]:
        assert list(question_features(text, "sv").items()) == list(plain_features(text, "sv").items()), text


@pytest.mark.parametrize(("limit", "size"), [("MAX_FEATURES", 300), ("MAX_WORD_PAIRS", 30)])
def test_a_full_table_is_replaced_and_the_model_looks_its_features_up_again(
    monkeypatch: pytest.MonkeyPatch, limit: str, size: int
) -> None:
    model = shipped_model()
    expected = {text: model.predict(question_vector(text, "en")) for text in TEXTS[::11]}
    monkeypatch.setattr(features, limit, size)  # a new table every message or two
    for text, prediction in expected.items():
        vector = question_vector(text, "en")
        assert list(vector.as_dict().items()) == list(plain_features(text, "en").items()), text
        assert model.predict(vector) == prediction, text


def test_answers_from_many_threads_are_the_answers_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    texts = TEXTS[::3]
    one_at_a_time = [answer(text, settings) for text in texts]
    monkeypatch.setattr(features, "MAX_FEATURES", 2000)  # tables replaced while other threads read
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda text: answer(text, settings), texts)) == one_at_a_time
