"""Answers benchmark: `.venv/bin/python bench/answers.py`.

Runs every labelled question of bench/eval_questions.tsv through the answering core (language
detection + retrieval + rendering, i.e. `bot.answers.answer`) and through a plain baseline in the
same run, and prints top-1 accuracy, the share of off-topic questions declined, language-ID
accuracy and time per question, for all questions and for the held-out half alone (the
thresholds in bot/answers/core.py were tuned on the other half); for fresh set 1
(bench/eval_questions_fresh.tsv, written after tuning; its errors then guided the last article
edits) and for the final set (bench/eval_questions_final.tsv, written after every change).

Baseline: keyword overlap (the topic whose title and example questions share the most words
with the question, none when no word is shared) and "å/ä/ö means Swedish, else the default".
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.answers import Answer, AnswerKind, answer  # noqa: E402
from bot.answers import core as answers_core  # noqa: E402
from bot.answers.knowledge import load_knowledge  # noqa: E402
from bot.answers.language import EN_WORDS, SV_WORDS  # noqa: E402
from bot.answers.text import words  # noqa: E402
from bot.config import Lang, Settings  # noqa: E402
from tests.support.answers_eval import (
    FINAL_QUESTIONS,
    FRESH_QUESTIONS,
    SMALLTALK,
    Labelled,
    Scores,
    load_labelled,
    score,
)  # noqa: E402


class KeywordBaseline:
    def __init__(self, settings: Settings) -> None:
        knowledge = load_knowledge(settings.knowledge_dir)
        self.default_lang = settings.default_lang
        self.keywords: dict[str, set[str]] = {}
        for article in knowledge.articles.values():
            text = " ".join((article.title, *article.questions))
            self.keywords.setdefault(article.topic_id, set()).update(self._keywords(text))

    @staticmethod
    def _keywords(text: str) -> set[str]:
        return set(words(text)) - SV_WORDS - EN_WORDS

    def __call__(self, question: str) -> Answer:
        lang: Lang = "sv" if any(c in "åäöÅÄÖ" for c in question) else self.default_lang
        asked = self._keywords(question)
        overlap, topic_id = max((len(asked & keys), topic) for topic, keys in self.keywords.items())
        if not overlap:
            return Answer(AnswerKind.NO_ANSWER, lang, "")
        return Answer(AnswerKind.ARTICLE, lang, "", topic_id=topic_id)


@dataclass(frozen=True)
class Run:
    scores: Scores
    median_ms: float
    p95_ms: float


def measure(rows: list[Labelled], ask: Callable[[str], Answer]) -> Run:
    timings = []

    def timed(question: str) -> Answer:
        start = time.perf_counter()
        result = ask(question)
        timings.append((time.perf_counter() - start) * 1000)
        return result

    scores = score(rows, timed)
    return Run(scores, statistics.median(timings), statistics.quantiles(timings, n=20)[-1])


def print_table(title: str, rows: list[Labelled], ours: Run, baseline: Run) -> None:
    languages = f"sv {sum(r.lang == 'sv' for r in rows)} / en {sum(r.lang == 'en' for r in rows)}"
    print(
        f"\n{title}: {len(rows)} questions ({ours.scores.answerable} answerable, "
        f"{ours.scores.unanswerable} off-topic, {languages})"
    )
    table = [
        ("top-1 on answerable", ours.scores.top1, baseline.scores.top1, "%"),
        ("off-topic declined", ours.scores.declined, baseline.scores.declined, "%"),
        ("language right", ours.scores.language, baseline.scores.language, "%"),
        ("median ms / question", ours.median_ms, baseline.median_ms, "ms"),
        ("p95 ms / question", ours.p95_ms, baseline.p95_ms, "ms"),
    ]
    print(f"{'metric':<24}{'mailbot':>10}{'baseline':>10}{'ratio':>8}")
    for name, value, base, unit in table:
        shown = [f"{v:.1%}" if unit == "%" else f"{v:.3f}" for v in (value, base)]
        ratio = f"{value / base:.2f}" if base else "-"
        print(f"{name:<24}{shown[0]:>10}{shown[1]:>10}{ratio:>8}")


def main() -> None:
    settings = Settings()
    answer("warm up: load and compile the knowledge base", settings)
    baseline = KeywordBaseline(settings)
    print(
        f"thresholds: score >= {answers_core.MIN_SCORE} and margin >= {answers_core.MIN_MARGIN}; "
        f"when no topic term is named: score >= {answers_core.MIN_SCORE_UNNAMED} and margin >= "
        f"{answers_core.MIN_MARGIN_UNNAMED}"
    )
    labelled = load_labelled()
    sets = [
        ("eval set, all", labelled),
        ("eval set, held-out half", [row for row in labelled if not row.tuning]),
        ("fresh set 1 (written after tuning, then seen)", load_labelled(FRESH_QUESTIONS)),
        ("final set (written last, never tuned on)", load_labelled(FINAL_QUESTIONS)),
    ]
    for title, rows in sets:
        print_table(title, rows, measure(rows, lambda q: answer(q, settings)), measure(rows, baseline))
    small_talk = [row for row in labelled if row.label == SMALLTALK]
    recognised = score(small_talk, lambda q: answer(q, settings)).smalltalk
    print(f"\nsmall talk recognised: {recognised:.0%} of {len(small_talk)}")


if __name__ == "__main__":
    main()
