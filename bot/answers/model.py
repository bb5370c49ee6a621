"""The trained classifier: which topic a question is about, or none of ours (and which neighbour).

Three linear models (multinomial logistic regression, trained by `python -m bot.answers.train`) share
one feature vector (bot/answers/features.py):
- *flat*: the 12 topics, small talk aside, and "none" split by neighbouring subject ("none:login",
  "none:spam" ... "none:other");
- *object*: alias, forward, group, the comparison, shared mailbox, other accounts, or none;
- *intent* (for alias, forward and group): what it is, set up or change, or the special case
  (send as an alias, forward outside, outsiders writing to a group).
A topic's probability is the geometric mean of the flat model's and object x intent's: the factored
pair shares what "how do I add" means across aliases, forwards and groups, which the flat model has
to learn three times. Measured on held-out authors the mix beats either alone (docs/answers.md).

The weights ship inside the package (`weights.npz`, `weights.json`) and are read once per process;
inference looks the question's features up by number (bot/answers/features.py) and is a sparse dot
product in numpy.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.answers.features import FeatureTable, FeatureVector, feature_ids
from bot.answers.vocabulary import Subject

MODEL_DIR = Path(__file__).resolve().parent
WEIGHTS = MODEL_DIR / "weights.npz"
MANIFEST = MODEL_DIR / "weights.json"
NONE = "none"
NONE_PREFIX = "none:"
NO_SUBJECT = "other"
HEADS = ("flat", "object", "intent")

# topic -> (object, intent); intent only where one object has several topics.
TOPIC_PARTS: dict[str, tuple[str, str | None]] = {
    "alias": ("alias", "what"),
    "manage-aliases": ("alias", "setup"),
    "send-from-alias": ("alias", "special"),
    "forwarding": ("forward", "what"),
    "manage-forwarding": ("forward", "setup"),
    "external-forwarding": ("forward", "special"),
    "distribution-group": ("group", "what"),
    "manage-groups": ("group", "setup"),
    "group-external-senders": ("group", "special"),
    "alias-vs-forwarding-vs-group": ("compare", None),
    "shared-mailbox-vs-group": ("shared", None),
    "connected-accounts": ("accounts", None),
    NONE: (NONE, None),
}
_TOPIC_OF_PARTS = {parts: topic for topic, parts in TOPIC_PARTS.items()}
_NOT_LOOKED_UP = -2  # a feature's row not looked up yet (-1: training did not keep it)
_FLOOR = 1e-12  # keeps the logarithm of a probability that underflowed finite
# "none" that names no neighbouring subject is where on-topic questions told as a story go wrong: it
# counts this much before the decision (held-out authors, docs/answers.md: 1.0 / 0.85 / 0.7 / 0.5).
UNNAMED_NONE_WEIGHT = 0.7

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Head:
    classes: tuple[str, ...]
    weights: Matrix  # features x classes
    bias: Matrix  # classes

    def probabilities(self, logits: Matrix) -> dict[str, float]:
        """The classes' probabilities from their logits (a message's features' values times `weights`,
        plus `bias`)."""
        # The ufuncs' own reductions, as logits.max() and exp.sum() call them, without their Python wrappers.
        exp = np.exp(logits - np.maximum.reduce(logits))
        return dict(zip(self.classes, (exp / np.add.reduce(exp)).tolist(), strict=True))


@dataclass(frozen=True)
class Prediction:
    """Probabilities per topic id and "none" (they add up to 1), and the likeliest neighbouring subject
    when it is none of ours (None when the question names none we know)."""

    topics: Mapping[str, float]
    subject: Subject | None

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.topics.items(), key=lambda pair: (-pair[1], pair[0]))


class Model:
    def __init__(self, vocabulary: list[str], heads: Mapping[str, Head], manifest: Mapping[str, Any]) -> None:
        self.index = {feature: row for row, feature in enumerate(vocabulary)}
        self.manifest = dict(manifest)
        # The heads' weights side by side, a row per feature (each head's weights are a view of its
        # columns), and one product for all three: copying a long message's ~2,400 rows from three
        # matrices and multiplying three times took 15% of its answer's time where other work evicts them
        # from the caches between messages (sampled), one matrix 8.5%. The sums add up in another order
        # than three products did: the same answers, probabilities within 1.3e-6 (docs/answers.md).
        self._weights = np.concatenate([heads[name].weights for name in HEADS], axis=1)
        self._bias = np.concatenate([heads[name].bias for name in HEADS])
        bounds = np.cumsum([0, *(len(heads[name].classes) for name in HEADS)]).tolist()
        self._columns = [slice(start, end) for start, end in zip(bounds, bounds[1:], strict=False)]
        self.heads = {
            name: Head(heads[name].classes, self._weights[:, columns], heads[name].bias)
            for name, columns in zip(HEADS, self._columns, strict=True)
        }
        ids = feature_ids(vocabulary)
        self._rows_by_id = np.argsort(ids)  # the rows in the order of their features' numbers
        self._sorted_ids = ids[self._rows_by_id]
        if np.any(self._sorted_ids[1:] == self._sorted_ids[:-1]):
            # odds of about 1 in 10^11 per process (bot/answers/features.py): another process will do
            raise ValueError("two features of the vocabulary have the same hash: start the process again")
        self._rows_lock = threading.Lock()
        self._rows_by_number: tuple[FeatureTable | None, npt.NDArray[np.intp]] = (None, np.empty(0, np.intp))

    def rows(self, features: FeatureVector) -> tuple[npt.NDArray[np.intp], Matrix]:
        """The rows of the features training kept, with their values, in the features' order (a feature
        training never saw, or saw once, carries no weight)."""
        rows = self._rows_of(features)
        known = rows >= 0
        return rows[known], features.values[known].astype(np.float32)

    def _rows_of(self, features: FeatureVector) -> npt.NDArray[np.intp]:
        """Each feature's row, or -1: looked up by id once per feature of a FeatureTable, then kept by
        the feature's number there (one gather a message instead of a binary search per feature)."""
        numbers = features.numbers
        with self._rows_lock:
            table, rows = self._rows_by_number
            if table is not features.table:
                table, rows = features.table, np.empty(0, np.intp)
            if len(numbers) and numbers.max() >= len(rows):
                size = max(2 * len(rows), int(numbers.max()) + 1)
                rows = np.concatenate([rows, np.full(size - len(rows), _NOT_LOOKED_UP)])
            found = rows[numbers]
            missing = found == _NOT_LOOKED_UP
            if missing.any():
                at = np.searchsorted(self._sorted_ids, features.ids[missing])
                at = np.minimum(at, len(self._sorted_ids) - 1)
                known = self._sorted_ids[at] == features.ids[missing]
                found[missing] = np.where(known, self._rows_by_id[at], -1)
                rows[numbers[missing]] = found[missing]
            self._rows_by_number = (table, rows)
        return found

    def predict(self, features: FeatureVector) -> Prediction:
        rows, values = self.rows(features)
        logits = values @ self._weights.take(rows, axis=0) + self._bias
        flat, objects, intents = (
            self.heads[name].probabilities(logits[columns])
            for name, columns in zip(HEADS, self._columns, strict=True)
        )
        flat_topics: dict[str, float] = {}
        for label, p in flat.items():
            topic = NONE if label.startswith(NONE_PREFIX) else label
            flat_topics[topic] = flat_topics.get(topic, 0.0) + p
        factored = {
            topic: objects[obj] * (intents[intent] if intent else 1.0)
            for topic, (obj, intent) in TOPIC_PARTS.items()
        }
        mixed = {
            topic: math.sqrt(max(flat_topics.get(topic, 0.0), _FLOOR) * max(p, _FLOOR))
            for topic, p in factored.items()
        }
        subject_label = max((label for label in flat if label.startswith(NONE_PREFIX)), key=flat.__getitem__)
        subject_name = subject_label.removeprefix(NONE_PREFIX)
        subject = Subject(subject_name) if subject_name != NO_SUBJECT else None
        if subject is None:
            mixed[NONE] *= UNNAMED_NONE_WEIGHT
        total = sum(mixed.values())
        return Prediction({topic: p / total for topic, p in mixed.items()}, subject)

    def save(self, directory: Path = MODEL_DIR) -> None:
        vocabulary = sorted(self.index, key=self.index.__getitem__)
        arrays: dict[str, Any] = {}
        for name, head in self.heads.items():
            arrays[f"{name}_weights"] = head.weights
            arrays[f"{name}_bias"] = head.bias
        np.savez_compressed(directory / WEIGHTS.name, allow_pickle=False, **arrays)
        manifest = {
            **self.manifest,
            "classes": {name: list(head.classes) for name, head in self.heads.items()},
            "vocabulary": vocabulary,
        }
        (directory / MANIFEST.name).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )


def load_model(directory: Path = MODEL_DIR) -> Model:
    manifest = json.loads((directory / MANIFEST.name).read_text(encoding="utf-8"))
    with np.load(directory / WEIGHTS.name) as arrays:
        heads = {
            name: Head(
                tuple(manifest["classes"][name]),
                arrays[f"{name}_weights"].astype(np.float32),
                arrays[f"{name}_bias"].astype(np.float32),
            )
            for name in HEADS
        }
    vocabulary = manifest.pop("vocabulary")
    manifest.pop("classes")
    return Model(vocabulary, heads, manifest)


_MODEL_LOCK = threading.Lock()


def shipped_model() -> Model:
    """The model inside the package, read once per process (under a lock: one read, not one per thread)."""
    with _MODEL_LOCK:
        return _shipped_model()


@functools.cache
def _shipped_model() -> Model:
    return load_model()
