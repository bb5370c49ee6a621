"""Answers benchmark, old engine against new in the same run: `.venv/bin/python bench/answers.py`.

The old engine is the answering core as it was before issue 11 (commit 2eac749): `git archive`
exports that commit's `bot/` and `knowledge/` into a temporary directory (laid out like an installed
wheel, articles as `bot/knowledge`), and a subprocess of the same Python answers every question from
there. The new engine is this checkout's `bot.answers.answer`. Both answer the same questions on the
same machine in the same run, each timing itself, so the ratios hold even on a busy machine.

Printed per set: right overall (its article, declined when "none", small talk when small talk),
top-1 on answerable, off-topic declined, language; per tag for the sets that have tags. Sets: the
three old ones (eval_questions.tsv, its held-out half, fresh, final), the issue-11 dev set (tuned on),
its holdout (looked at rarely), and bench/eval_blind.tsv when present (`--skip-blind` leaves it out).
Then time per question: the sets' own questions, and 2,000-character messages (long questions of the
dev set strung together; the old engine read only the first 1,000 characters of a message).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers import Answer, AnswerKind, answer  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.support.answers_eval import (  # noqa: E402
    BLIND_QUESTIONS,
    DEV_QUESTIONS,
    EVAL_QUESTIONS,
    FINAL_QUESTIONS,
    FRESH_QUESTIONS,
    HOLDOUT_QUESTIONS,
    Labelled,
    Scores,
    load_labelled,
    score_outcomes,
)

OLD_COMMIT = "2eac749"
LONG_MESSAGE_CHARS = 2000
LONG_MESSAGES = 200

# Runs inside the old tree: answers one question a line (JSON strings) and prints kind, topic, language
# and the milliseconds the call took.
_WORKER = """
import json, sys, time
from bot.answers import answer
from bot.config import Settings
settings = Settings()
answer("warm up", settings)
for line in sys.stdin:
    question = json.loads(line)
    start = time.perf_counter()
    result = answer(question, settings)
    ms = (time.perf_counter() - start) * 1000
    print(json.dumps([result.kind.value, result.topic_id, result.lang, ms]), flush=True)
"""


@dataclass(frozen=True)
class Timed:
    answer: Answer
    ms: float


Engine = Callable[[list[str]], list[Timed]]


def new_engine(questions: list[str]) -> list[Timed]:
    settings = Settings()
    answer("warm up", settings)
    timed = []
    for question in questions:
        start = time.perf_counter()
        result = answer(question, settings)
        timed.append(Timed(result, (time.perf_counter() - start) * 1000))
    return timed


def export_old_tree(target: Path) -> None:
    """The old commit's bot/ and knowledge/ (as bot/knowledge, like an installed wheel) in `target`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", OLD_COMMIT, "bot", "knowledge"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "knowledge").rename(target / "bot" / "knowledge")


def old_engine(tree: Path) -> Engine:
    def run(questions: list[str]) -> list[Timed]:
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "MAILBOT_KNOWLEDGE_DIR": str(tree / "bot" / "knowledge"),
        }
        lines = "".join(json.dumps(q) + "\n" for q in questions)
        done = subprocess.run(
            [sys.executable, "-c", _WORKER], input=lines, env=env, cwd=tree, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"old engine failed:\n{done.stderr}")
        timed = []
        for line in done.stdout.splitlines():
            kind, topic_id, lang, ms = json.loads(line)
            timed.append(Timed(Answer(AnswerKind(kind), lang, "", topic_id=topic_id), ms))
        return timed

    return run


def percent(value: float) -> str:
    return f"{value:6.1%}"


def print_scores(title: str, rows: list[Labelled], old: list[Timed], new: list[Timed]) -> None:
    old_scores = score_outcomes(zip(rows, (t.answer for t in old), strict=True))
    new_scores = score_outcomes(zip(rows, (t.answer for t in new), strict=True))
    sv = sum(r.lang == "sv" for r in rows)
    print(
        f"\n{title}: {len(rows)} questions ({new_scores.answerable} answerable, "
        f"{new_scores.unanswerable} to decline, sv {sv} / en {len(rows) - sv})"
    )
    print(f"  {'':<24}{'old':>8}{'new':>8}")
    metrics: list[tuple[str, Callable[[Scores], float]]] = [
        ("right overall", lambda s: s.right),
        ("top-1 on answerable", lambda s: s.top1),
        ("off-topic declined", lambda s: s.declined),
        ("language right", lambda s: s.language),
    ]
    for name, value in metrics:
        print(f"  {name:<24}{percent(value(old_scores)):>8}{percent(value(new_scores)):>8}")
    tags = sorted({tag for row in rows for tag in row.tags})
    if tags:
        print(f"  right overall, per tag:{'n':>5}{'old':>8}{'new':>8}")
        for tag in tags:
            picked = [i for i, row in enumerate(rows) if tag in row.tags]
            tagged = [rows[i] for i in picked]
            old_tag = score_outcomes(zip(tagged, (old[i].answer for i in picked), strict=True))
            new_tag = score_outcomes(zip(tagged, (new[i].answer for i in picked), strict=True))
            print(f"    {tag:<22}{len(picked):>5}{percent(old_tag.right):>8}{percent(new_tag.right):>8}")


def long_messages(rows: Iterable[Labelled]) -> list[str]:
    """2,000-character messages: the dev set's long questions strung together, each starting elsewhere."""
    stories = [row.question for row in rows if "long" in row.tags]
    messages = []
    for start in range(LONG_MESSAGES):
        parts: list[str] = []
        i = start
        while sum(len(p) + 1 for p in parts) < LONG_MESSAGE_CHARS:
            parts.append(stories[i % len(stories)])
            i += 7
        messages.append(" ".join(parts)[:LONG_MESSAGE_CHARS])
    return messages


def print_timing(title: str, old: list[Timed], new: list[Timed]) -> None:
    def quantile(timed: list[Timed], q: int) -> float:
        return statistics.quantiles([t.ms for t in timed], n=100)[q - 1]

    old_median, new_median = (statistics.median(t.ms for t in timed) for timed in (old, new))
    print(f"\n{title}: {len(new)} messages")
    print(f"  {'':<24}{'old':>8}{'new':>8}{'new/old':>9}")
    for name, old_ms, new_ms in [
        ("median ms", old_median, new_median),
        ("p95 ms", quantile(old, 95), quantile(new, 95)),
        ("p99 ms", quantile(old, 99), quantile(new, 99)),
    ]:
        print(f"  {name:<24}{old_ms:>8.2f}{new_ms:>8.2f}{new_ms / old_ms:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-blind", action="store_true", help="leave out bench/eval_blind.tsv")
    args = parser.parse_args()
    labelled = load_labelled(EVAL_QUESTIONS)
    sets = [
        ("eval set, all (3 columns; tuned on before issue 11)", labelled),
        ("eval set, held-out half", [row for row in labelled if not row.tuning]),
        ("fresh set 1", load_labelled(FRESH_QUESTIONS)),
        ("final set", load_labelled(FINAL_QUESTIONS)),
        ("issue-11 dev set (tuned on)", load_labelled(DEV_QUESTIONS)),
        ("issue-11 holdout (looked at rarely)", load_labelled(HOLDOUT_QUESTIONS)),
    ]
    if BLIND_QUESTIONS.exists() and not args.skip_blind:
        sets.append(("blind set (run once, by the coordinator)", load_labelled(BLIND_QUESTIONS)))
    dev = load_labelled(DEV_QUESTIONS)
    with tempfile.TemporaryDirectory() as tmp:
        export_old_tree(Path(tmp))
        old = old_engine(Path(tmp))
        print(
            f"old engine: commit {OLD_COMMIT} (git archive, run in a subprocess); new engine: this checkout"
        )
        questions = [row.question for _, rows in sets for row in rows]
        old_all, new_all = old(questions), new_engine(questions)
        at = 0
        for title, rows in sets:
            print_scores(title, rows, old_all[at : at + len(rows)], new_all[at : at + len(rows)])
            at += len(rows)
        print_timing("time per question, every set above", old_all, new_all)
        messages = long_messages(dev)
        print_timing(f"time per {LONG_MESSAGE_CHARS}-character message", old(messages), new_engine(messages))


if __name__ == "__main__":
    main()
