"""Questions agents taught the bot: a question's text and its right label (a topic id, or "none").

A new question whose nearest taught example is at least `SIMILAR` alike (cosine of the classifier's own
feature vectors) takes that example's label before the classifier is asked: the question that was
answered wrongly is answered rightly from then on, and so are its close rewordings. The index is built
from the examples the database holds (bot/teaching.py keeps it current in each process).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answers.features import Features, question_features
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


def features_of(question: str) -> Features:
    return question_features(question, detect_language(question, FEATURE_LANG_DEFAULT))


class TaughtIndex:
    """Taught examples by feature (an inverted index: a question only meets examples it shares a
    feature with)."""

    def __init__(self, examples: Sequence[TaughtExample]) -> None:
        self.examples = tuple(examples)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, example in enumerate(self.examples):
            for feature, value in features_of(example.question).items():
                self._postings[feature].append((number, value))

    def __len__(self) -> int:
        return len(self.examples)

    def nearest(self, features: Features, similar: float = SIMILAR) -> TaughtMatch | None:
        """The most alike taught example, if it is at least `similar` alike."""
        if not self.examples:
            return None
        scores: defaultdict[int, float] = defaultdict(float)
        for feature, value in features.items():
            for number, weight in self._postings.get(feature, ()):
                scores[number] += value * weight
        if not scores:
            return None
        number, similarity = max(scores.items(), key=lambda pair: (pair[1], pair[0]))  # a tie: the newest
        return TaughtMatch(self.examples[number], similarity) if similarity >= similar else None


NOTHING_TAUGHT = TaughtIndex(())
