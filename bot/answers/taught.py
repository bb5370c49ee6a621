"""Questions agents taught the bot: a question's text and its right label (a topic id, or "none").

A new question whose nearest taught example is at least `SIMILAR` alike (cosine of the classifier's own
feature vectors, bot/answers/features.py) takes that example's label before the classifier is asked: the
question that was answered wrongly is answered rightly from then on, and so are its close rewordings. The
index is built from the examples the database holds (bot/teaching.py keeps it current in each process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answers.features import FeatureVector, question_vector, running_sums
from bot.answers.language import detect_language
from bot.config import Lang

# Measured by teaching one half of a held-out author's questions and asking the other half
# (bench/answers.py, "taught examples"): docs/answers.md gives the numbers per threshold.
SIMILAR = 0.8
FEATURE_LANG_DEFAULT: Lang = "sv"  # as in training (bot/answers/train.py)


@dataclass(frozen=True)
class TaughtExample:
    question: str
    label: str  # a topic id, or "none": not our topic


@dataclass(frozen=True)
class TaughtMatch:
    example: TaughtExample
    similarity: float


def features_of(question: str) -> FeatureVector:
    return question_vector(question, detect_language(question, FEATURE_LANG_DEFAULT))


def _ranges(starts: npt.NDArray[np.intp], lengths: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """start, start + 1 ... start + length - 1 for each start and length, one after the other."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())


class TaughtIndex:
    """Taught examples by feature (an inverted index: a question only meets examples it shares a
    feature with): every (feature, example, value) sorted by feature number."""

    def __init__(self, examples: Sequence[TaughtExample]) -> None:
        self.examples = tuple(examples)
        vectors = [features_of(example.question) for example in self.examples]
        ids = np.concatenate([vector.ids for vector in vectors] + [np.zeros(0, np.int64)])
        values = np.concatenate([vector.values for vector in vectors] + [np.zeros(0)])
        numbers = np.repeat(np.arange(len(vectors)), [len(vector.ids) for vector in vectors])
        by_feature = np.argsort(ids, kind="stable")  # one feature's examples stay in their order
        self._ids, self._values, self._numbers = ids[by_feature], values[by_feature], numbers[by_feature]

    def __len__(self) -> int:
        return len(self.examples)

    def nearest(self, features: FeatureVector, similar: float = SIMILAR) -> TaughtMatch | None:
        """The most alike taught example, if it is at least `similar` alike."""
        if not self.examples:
            return None
        starts = np.searchsorted(self._ids, features.ids, side="left")
        shared = np.searchsorted(self._ids, features.ids, side="right") - starts
        if not shared.any():
            return None
        postings = _ranges(starts, shared)  # by the question's features in their order, then by example
        products = np.repeat(features.values, shared) * self._values[postings]
        scores = running_sums(self._numbers[postings], products, len(self.examples))
        similarity = scores.max()
        number = int(np.flatnonzero(scores == similarity)[-1])  # a tie: the newest
        return TaughtMatch(self.examples[number], float(similarity)) if similarity >= similar else None


NOTHING_TAUGHT = TaughtIndex(())
