"""Scoring the answering core against labelled questions (the eval set, or a team's own log).

The file format is `lang<TAB>label<TAB>question` per line, `#` comments allowed; a label is a
topic id, "none" (must get no article) or "smalltalk". Rows alternate between a tuning half and a
held-out half within each label, so thresholds can be tuned on one and reported on the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.answers.types import Answer, AnswerKind
from bot.config import LANGS, Lang

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "bench"
EVAL_QUESTIONS = BENCH_DIR / "eval_questions.tsv"
FRESH_QUESTIONS = BENCH_DIR / "eval_questions_fresh.tsv"
FINAL_QUESTIONS = BENCH_DIR / "eval_questions_final.tsv"
NO_ARTICLE = "none"
SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Labelled:
    lang: Lang
    label: str
    question: str
    tuning: bool  # in the tuning half (else held out)


def load_labelled(path: Path = EVAL_QUESTIONS) -> list[Labelled]:
    seen: Counter[str] = Counter()
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        lang, label, question = line.split("\t")
        if lang not in LANGS:
            raise ValueError(f"{path}:{number}: language must be one of {LANGS}")
        rows.append(Labelled(lang, label, question, tuning=seen[label] % 2 == 0))  # type: ignore[arg-type]
        seen[label] += 1
    return rows


@dataclass(frozen=True)
class Scores:
    top1: float  # answerable questions given their article
    declined: float  # "none" questions given no article
    smalltalk: float  # greetings/thanks recognised
    language: float  # replies in the labelled language
    answerable: int
    unanswerable: int


def outcome(result: Answer) -> str:
    if result.kind is AnswerKind.ARTICLE:
        return result.topic_id or ""
    return SMALLTALK if result.kind is AnswerKind.SMALLTALK else NO_ARTICLE


def score(rows: Iterable[Labelled], ask: Callable[[str], Answer]) -> Scores:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        result = ask(row.question)
        group = row.label if row.label in (NO_ARTICLE, SMALLTALK) else "topic"
        total[group] += 1
        right[group] += outcome(result) == row.label
        total["language"] += 1
        right["language"] += result.lang == row.lang

    def share(group: str) -> float:
        return right[group] / total[group] if total[group] else 0.0

    return Scores(
        share("topic"),
        share(NO_ARTICLE),
        share(SMALLTALK),
        share("language"),
        total["topic"],
        total[NO_ARTICLE],
    )
