"""Scoring the answering core against labelled questions (the eval sets, or a team's own log).

Two file formats, `#` comments allowed:
- `lang<TAB>label<TAB>question` (the first three sets), and
- `lang<TAB>label<TAB>tags<TAB>question` (tags comma-separated: short, long, typo, jargon, o365,
  gmail, mixed, neighbour, offtopic, scenario).
A label is a topic id, "none" (must get no article) or "smalltalk". Rows alternate between a tuning
half and a held-out half within each label, so thresholds can be tuned on one and reported on the other.
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
DEV_QUESTIONS = BENCH_DIR / "eval_dev.tsv"  # written for issue 11 before the engine changed; tuned on
HOLDOUT_QUESTIONS = BENCH_DIR / "eval_holdout.tsv"  # written with it; looked at rarely
BLIND_QUESTIONS = BENCH_DIR / "eval_blind.tsv"  # written by someone else; only the coordinator runs it
NO_ARTICLE = "none"
SMALLTALK = "smalltalk"
TAGS = frozenset(
    {"short", "long", "typo", "jargon", "o365", "gmail", "mixed", "neighbour", "offtopic", "scenario"}
)


@dataclass(frozen=True)
class Labelled:
    lang: Lang
    label: str
    question: str
    tuning: bool  # in the tuning half (else held out)
    tags: frozenset[str] = frozenset()


def load_labelled(path: Path = EVAL_QUESTIONS) -> list[Labelled]:
    seen: Counter[str] = Counter()
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 3:
            lang, label, question = fields
            tags: frozenset[str] = frozenset()
        elif len(fields) == 4:
            lang, label, tag_list, question = fields
            # "-" marks a question with no tags (the blind set's convention).
            tags = frozenset(tag.strip() for tag in tag_list.split(",") if tag.strip() not in ("", "-"))
        else:
            raise ValueError(f"{path}:{number}: expected 3 or 4 tab-separated fields, got {len(fields)}")
        if lang not in LANGS:
            raise ValueError(f"{path}:{number}: language must be one of {LANGS}")
        if unknown := sorted(tags - TAGS):
            raise ValueError(f"{path}:{number}: unknown tags {unknown}")
        rows.append(Labelled(lang, label, question, seen[label] % 2 == 0, tags))  # type: ignore[arg-type]
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
    right: float = 0.0  # every question: its article, declined when "none", small talk when small talk
    total: int = 0


def outcome(result: Answer) -> str:
    if result.kind is AnswerKind.ARTICLE:
        return result.topic_id or ""
    return SMALLTALK if result.kind is AnswerKind.SMALLTALK else NO_ARTICLE


def score(rows: Iterable[Labelled], ask: Callable[[str], Answer]) -> Scores:
    return score_outcomes([(row, ask(row.question)) for row in rows])


def score_outcomes(answered: Iterable[tuple[Labelled, Answer]]) -> Scores:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row, result in answered:
        group = row.label if row.label in (NO_ARTICLE, SMALLTALK) else "topic"
        correct = outcome(result) == row.label
        total[group] += 1
        right[group] += correct
        total["all"] += 1
        right["all"] += correct
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
        share("all"),
        total["all"],
    )
