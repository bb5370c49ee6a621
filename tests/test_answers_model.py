"""The shipped classifier is what the training script makes from the committed data: nobody edits the
weights by hand, and nobody changes the data or the code that reads it without training again."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answers.features import question_vector
from bot.answers.labelled import AUTHORS, by_author
from bot.answers.model import HEADS, Model, load_model, shipped_model
from bot.answers.train import inputs_hash, train_shipped


@pytest.fixture(scope="module")
def retrained() -> Model:
    return train_shipped()  # about 30 s of CPU


def test_the_weights_were_trained_from_the_committed_data_and_code() -> None:
    assert shipped_model().manifest["inputs_sha256"] == inputs_hash(), "run: python -m bot.answers.train"


def test_training_again_gives_the_shipped_weights(retrained: Model) -> None:
    shipped = load_model()
    assert retrained.index == shipped.index
    for name in HEADS:
        assert retrained.heads[name].classes == shipped.heads[name].classes
        # lbfgs on another machine's BLAS may differ in the last bits, never in what the model says
        np.testing.assert_allclose(retrained.heads[name].weights, shipped.heads[name].weights, atol=1e-3)
        np.testing.assert_allclose(retrained.heads[name].bias, shipped.heads[name].bias, atol=1e-3)
    questions = [row.question for author in AUTHORS for row in by_author(author)]
    for question in questions:
        features = question_vector(question, "sv")
        assert retrained.predict(features).ranked()[0][0] == shipped.predict(features).ranked()[0][0]


def test_the_shipped_model_knows_every_topic_and_neighbour_class() -> None:
    model = shipped_model()
    flat = set(model.heads["flat"].classes)
    assert {"alias", "connected-accounts", "none:login", "none:other"} <= flat
    assert set(model.heads["object"].classes) == {
        "alias", "forward", "group", "compare", "shared", "accounts", "none"
    }  # fmt: skip
