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
Probabilities = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Head:
    classes: tuple[str, ...]
    weights: Matrix  # features x classes
    bias: Matrix  # classes

    def probabilities(self, values: Matrix, rows: Matrix) -> Probabilities:
        """The classes' probabilities (in the order of `classes`) of a message: its features' values and
        their rows of `weights` (a contiguous matrix)."""
        logits = values @ rows + self.bias
        # The ufuncs' own reductions, as logits.max() and exp.sum() call them, without their Python wrappers.
        exp = np.exp(logits - np.maximum.reduce(logits))
        probabilities: Probabilities = (exp / np.add.reduce(exp)).astype(np.float64)  # computed in float32
        return probabilities


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
        # columns): a message's ~2,400 rows of 37,794 are copied from one matrix, each row's weights
        # together in memory. In a server, where other work has evicted them from the caches, that took
        # 0.7 of the time three matrices did (bench/README.md).
        self._weights = np.concatenate([heads[name].weights for name in HEADS], axis=1)
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
        self._mixing = _Mixing(self.heads)

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
        taken = self._weights.take(rows, axis=0)
        # Each head's columns copied out: a product with them in place (every row 34 columns apart) is not
        # bit for bit the same for a 3-column head (OpenBLAS takes another path for it).
        flat, objects, intents = (
            self.heads[name].probabilities(values, np.ascontiguousarray(taken[:, columns]))
            for name, columns in zip(HEADS, self._columns, strict=True)
        )
        return self._mixing.prediction(flat, objects, intents)

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


class _Mixing:
    """How the three heads' probabilities make a prediction, as arrays in the order of `TOPIC_PARTS`:
    the flat model's "none:" classes add up to "none" (one after the other, in their order), object x
    intent is each topic's factored probability, and a topic's probability is their geometric mean (a
    floor keeps it above 0), normalised. (Dictionaries of labels did the same in about 50 us a question;
    the arithmetic, in float64, is the same to the last bit.)"""

    def __init__(self, heads: Mapping[str, Head]) -> None:
        flat, objects, intents = (heads[name].classes for name in HEADS)
        topics = [label for label in flat if not label.startswith(NONE_PREFIX)]
        if NONE in topics or not set(topics) <= set(TOPIC_PARTS):
            raise ValueError(f"the flat model's classes are not topics and 'none:' classes: {flat}")
        self.none_columns = np.array([i for i, label in enumerate(flat) if label.startswith(NONE_PREFIX)])
        self.subjects = [label.removeprefix(NONE_PREFIX) for label in flat if label.startswith(NONE_PREFIX)]
        # Each topic's flat column; a topic the flat model does not have gets 0 (an extra column).
        self.flat_columns = np.array([flat.index(t) if t in flat else len(flat) for t in TOPIC_PARTS])
        self.none_position = list(TOPIC_PARTS).index(NONE)
        parts = TOPIC_PARTS.values()
        self.object_columns = np.array([objects.index(obj) for obj, _ in parts])
        # A topic with no intent gets 1 (an extra column).
        self.intent_columns = np.array(
            [intents.index(intent) if intent else len(intents) for _, intent in parts]
        )

    def prediction(self, flat: Probabilities, objects: Probabilities, intents: Probabilities) -> Prediction:
        nones = flat[self.none_columns]
        flat_topics = np.append(flat, 0.0)[self.flat_columns]
        flat_topics[self.none_position] = np.add.accumulate(nones)[-1] if len(nones) else 0.0
        factored = objects[self.object_columns] * np.append(intents, 1.0)[self.intent_columns]
        mixed = np.sqrt(np.maximum(flat_topics, _FLOOR) * np.maximum(factored, _FLOOR))
        subject_name = self.subjects[int(np.argmax(nones))]  # the first of the likeliest
        subject = Subject(subject_name) if subject_name != NO_SUBJECT else None
        if subject is None:
            mixed[self.none_position] *= UNNAMED_NONE_WEIGHT
        total = sum(mixed.tolist())  # one after the other, as the sum of a dictionary's values
        return Prediction(dict(zip(TOPIC_PARTS, (mixed / total).tolist(), strict=True)), subject)


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
