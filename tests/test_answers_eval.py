"""Accuracy of the answering core on questions by authors its model never saw (bench/answers.py prints
the details, with every author held out in turn), and the evaluation sets' own discipline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.answers import answer
from bot.answers.knowledge import TOPIC_IDS, load_knowledge
from bot.answers.model import Model
from bot.answers.train import fit, training_rows
from bot.config import Settings
from tests.support.answers_eval import (
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
    Scores,
    by_author,
    load_labelled,
    score,
)

SETTINGS = Settings()


def normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@pytest.fixture(scope="module")
def labelled() -> list[Labelled]:
    return load_labelled()


def scores(rows: list[Labelled]) -> Scores:
    result = score(rows, lambda question: answer(question, SETTINGS))
    print(f"\n{result}")
    return result


@pytest.mark.parametrize(
    "path",
    [
        EVAL_QUESTIONS,
        FRESH_QUESTIONS,
        FINAL_QUESTIONS,
        DEV_QUESTIONS,
        HOLDOUT_QUESTIONS,
        WRITER_A_QUESTIONS,
        WRITER_B_QUESTIONS,
        WRITER_C_QUESTIONS,
        WRITER_E_QUESTIONS,
        BLIND_1_QUESTIONS,
        BLIND_2_QUESTIONS,
        BLIND_3_QUESTIONS,
    ],
)
def test_no_evaluation_question_is_copied_from_the_articles(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not in this checkout")
    knowledge = load_knowledge(SETTINGS.knowledge_dir)
    examples = {normalised(q) for a in knowledge.articles.values() for q in (a.title, *a.questions)}
    copied = [row.question for row in load_labelled(path) if normalised(row.question) in examples]
    allowed = {
        BLIND_1_QUESTIONS: BLIND_PLAIN_QUESTIONS,
        BLIND_2_QUESTIONS: BLIND2_PLAIN_QUESTIONS,
        BLIND_3_QUESTIONS: {normalised("Vad är ett anslutet konto?")},  # an article's before 88d1e1d
        WRITER_A_QUESTIONS: POOL_PLAIN_QUESTIONS,
        WRITER_B_QUESTIONS: POOL_PLAIN_QUESTIONS,
    }.get(path, set())
    assert [q for q in copied if normalised(q) not in allowed] == []


# The blind set's writer never saw the articles' example questions, yet wrote these eight plainest ways
# of asking, which the articles already had as examples before the blind set existed (commit 2eac749).
# Any other overlap would mean a blind question leaked into an article.
BLIND_PLAIN_QUESTIONS = {
    normalised(question)
    for question in (
        "vad är ett alias?",
        "Hur lägger jag till ett alias?",
        "how do I add an alias?",
        "hur slår jag på vidarebefordran?",
        "how do I set up forwarding?",
        "vad är en distributionsgrupp?",
        "hur skapar jag en distributionsgrupp?",
        "how do I create a distribution group?",
    )
}


# The second blind set's writer likewise wrote three questions the articles had before it was frozen
# (commit ad250b2).
BLIND2_PLAIN_QUESTIONS = {
    normalised(question)
    for question in (
        "vad är en distributionsgrupp",
        "what is a connected account",
        "Vad är ett anslutet konto?",
    )
}


# The same for writers A and B (their pools were written for this round without the articles): the
# plainest question about connected accounts was an article's example before the pools existed.
POOL_PLAIN_QUESTIONS = {normalised("vad är ett anslutet konto?")}


def test_the_evaluation_set_covers_every_topic_both_languages_and_off_topic_questions(
    labelled: list[Labelled],
) -> None:
    assert len(labelled) >= 150
    assert {row.label for row in labelled} == {*TOPIC_IDS, NO_ARTICLE, SMALLTALK}
    for topic in TOPIC_IDS:
        languages = [row.lang for row in labelled if row.label == topic]
        assert languages.count("sv") >= 6 and languages.count("en") >= 6, topic
    assert sum(row.label == NO_ARTICLE for row in labelled) >= 50


def test_greetings_and_thanks_in_the_evaluation_set_are_all_small_talk(labelled: list[Labelled]) -> None:
    assert scores([row for row in labelled if row.label == SMALLTALK]).smalltalk == 1.0


@pytest.mark.parametrize("path", [DEV_QUESTIONS, HOLDOUT_QUESTIONS])
def test_the_issue_11_sets_keep_their_mix(path: Path) -> None:
    rows = load_labelled(path)
    assert sum(row.lang == "sv" for row in rows) == sum(row.lang == "en" for row in rows)
    assert sum(row.label == NO_ARTICLE for row in rows) >= 0.3 * len(rows)
    assert sum("long" in row.tags for row in rows) >= 0.25 * len(rows)


# Measured by bench/answers.py (2026-11-30, fifth round: eighteen authors): a model trained without the
# author, tested on the author (A 93.5% right, 94.3% declined; B 91.5%, 95.4%). Writers A and B are
# honest held-out authors (nothing in the engine or the articles was written while looking at their
# questions); the others are in the benchmark. Asserted slightly below.
HELD_OUT = {"A": (0.92, 0.93), "B": (0.90, 0.94)}  # right overall, off-topic declined


@pytest.fixture(scope="module", params=sorted(HELD_OUT))
def held_out(request: pytest.FixtureRequest) -> tuple[str, Model]:
    author = request.param
    return author, fit(training_rows(a for a in AUTHORS if a != author))  # about 20 s of CPU each


def test_accuracy_on_an_author_the_model_never_saw(held_out: tuple[str, Model]) -> None:
    author, model = held_out
    result = score(by_author(author), lambda question: answer(question, SETTINGS, model=model))
    print(f"\nheld-out author {author}: {result}")
    right, declined = HELD_OUT[author]
    assert result.right >= right
    assert result.declined >= declined
    assert result.language >= 0.99
