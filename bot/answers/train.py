"""Train the answering core's classifier: `python -m bot.answers.train` (from a checkout, with the
test extras installed: it needs scikit-learn).

It reads every labelled question in bench/ (the authors in bot/answers/labelled.py; never the blind
sets) and the articles' own example questions, fits the three heads of bot/answers/model.py and
writes `bot/answers/weights.npz` and `weights.json`. The manifest records a hash of everything the
weights are made from (the data, the articles, the code that reads them); tests/test_answers_model.py
checks that the hash is current and that training again gives the shipped weights, so nobody edits
them by hand. `--check` only compares the hash (exit 1 when the weights are stale).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import sklearn
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.answers import features, labelled, language, model, text, understanding, vocabulary
from bot.answers.features import question_features
from bot.answers.knowledge import load_knowledge
from bot.answers.labelled import AUTHORS, NO_ARTICLE, SMALLTALK, Labelled, by_author
from bot.answers.language import detect_language
from bot.answers.model import HEADS, NO_SUBJECT, NONE_PREFIX, TOPIC_PARTS, Head, Model
from bot.answers.understanding import read
from bot.config import DEFAULT_KNOWLEDGE_DIR, Lang

# Measured by leave-one-author-out validation (bench/answers.py): C 3/10/30/100 gave 82.8/85.3/86.3/86.5%
# right overall (flat model alone); 30 is as good as 100 with smaller weights.
REGULARISATION_C = 30.0
MAX_ITERATIONS = 3000
MIN_DOCUMENTS = 2  # a feature seen in one training question only is noise (and weight to ship)
FEATURE_LANG_DEFAULT: Lang = "sv"  # stemmer for a question whose language shows no evidence
CODE = (features, labelled, language, model, text, understanding, vocabulary)


def article_examples(knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR) -> list[Labelled]:
    """Each article's title and example questions, labelled with its topic."""
    knowledge = load_knowledge(knowledge_dir)
    return [
        Labelled(article.lang, article.topic_id, question, tuning=False)
        for article in knowledge.articles.values()
        for question in (article.title, *article.questions)
    ]


def training_rows(authors: Iterable[str]) -> list[Labelled]:
    """The authors' questions (small talk is a rule, not a class) and the articles' examples."""
    rows = [row for author in authors for row in by_author(author) if row.label != SMALLTALK]
    return rows + article_examples()


def flat_label(row: Labelled) -> str:
    """A topic id, or "none:<subject>" with the neighbouring subject the vocabulary finds in it."""
    if row.label != NO_ARTICLE:
        return row.label
    subject, _ = read(row.question).neighbour()
    return NONE_PREFIX + (subject.value if subject else NO_SUBJECT)


def _features(question: str) -> dict[str, float]:
    return question_features(question, detect_language(question, FEATURE_LANG_DEFAULT))


def _head(matrix: csr_matrix, labels: Sequence[str]) -> Head:
    fitted = LogisticRegression(C=REGULARISATION_C, max_iter=MAX_ITERATIONS).fit(matrix, labels)
    return Head(
        tuple(str(c) for c in fitted.classes_),
        fitted.coef_.T.astype(np.float32),
        fitted.intercept_.astype(np.float32),
    )


def fit(rows: Sequence[Labelled], manifest: dict[str, object] | None = None) -> Model:
    """The three heads trained on `rows` (labels: topic ids and "none")."""
    vectors = [_features(row.question) for row in rows]
    seen = Counter(feature for vector in vectors for feature in vector)
    vocabulary_ = sorted(feature for feature, count in seen.items() if count >= MIN_DOCUMENTS)
    index = {feature: column for column, feature in enumerate(vocabulary_)}
    data, columns, pointers = [], [], [0]
    for vector in vectors:
        kept = sorted((index[f], v) for f, v in vector.items() if f in index)
        columns += [column for column, _ in kept]
        data += [value for _, value in kept]
        pointers.append(len(columns))
    matrix = csr_matrix((data, columns, pointers), shape=(len(rows), len(vocabulary_)), dtype=np.float64)
    parts = [TOPIC_PARTS[row.label] for row in rows]
    with_intent = [i for i, (_, intent) in enumerate(parts) if intent]
    heads = {
        "flat": _head(matrix, [flat_label(row) for row in rows]),
        "object": _head(matrix, [obj for obj, _ in parts]),
        "intent": _head(matrix[with_intent], [str(parts[i][1]) for i in with_intent]),
    }
    assert tuple(heads) == HEADS
    return Model(vocabulary_, heads, manifest or {})


def inputs_hash() -> str:
    """SHA-256 of what the shipped weights are made from: labelled data, articles, code."""
    digest = hashlib.sha256()
    files = [path for author in sorted(AUTHORS) for path in AUTHORS[author]]
    files += sorted(DEFAULT_KNOWLEDGE_DIR.glob("*/*.md.j2"))
    files += [Path(str(module.__file__)) for module in CODE] + [Path(__file__)]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"C={REGULARISATION_C};min={MIN_DOCUMENTS};iter={MAX_ITERATIONS}".encode())
    return digest.hexdigest()


def train_shipped() -> Model:
    """The model as shipped: every author's questions and the articles' examples."""
    rows = training_rows(sorted(AUTHORS))
    counts = Counter(row.label for row in rows)
    manifest: dict[str, object] = {
        "inputs_sha256": inputs_hash(),
        "questions": len(rows),
        "labels": dict(sorted(counts.items())),
        "scikit_learn": sklearn.__version__,
    }
    return fit(rows, manifest)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped weights are stale")
    args = parser.parse_args(argv)
    if args.check:
        shipped = model.load_model().manifest.get("inputs_sha256")
        current = inputs_hash()
        print("weights are current" if shipped == current else f"weights are stale: retrain ({current})")
        return 0 if shipped == current else 1
    trained = train_shipped()
    trained.save()
    print(f"wrote {model.WEIGHTS} and {model.MANIFEST}: {trained.manifest['questions']} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
