"""Privacy benchmark: `.venv/bin/python bench/privacy.py [--questions 100000]`.

1. Masking: every question of the evaluation sets (bench/*.tsv, written as customers write) and the
   same with personal data added, through `mask_personal_data`, timed against storing a question
   (`record_answer`, SQLite, masking included) in the same run; and how many real questions masking
   changed (each printed: they should all be real addresses, numbers or identity numbers).
2. Prune, erase and export on a SQLite database of N questions with a vote each, half of them past
   the retention, timed against the plainest SQL that does the same rows' work in the same run
   (one UPDATE on the time column alone, no "still holds something" check) on a copy of the database.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bot.answers.types import Answer, AnswerKind  # noqa: E402
from bot.db import (  # noqa: E402
    make_engine,
    make_sessionmaker,
    upgrade,
    utcnow,  # noqa: E402
)
from bot.feedback import AnsweredQuestion, FeedbackVote, record_answer  # noqa: E402
from bot.models import PERSONAL_DATA  # noqa: E402
from bot.privacy.masking import mask_personal_data  # noqa: E402
from bot.privacy.people import erase, export  # noqa: E402
from bot.privacy.retention import prune  # noqa: E402

BENCH = Path(__file__).resolve().parent
RETENTION = timedelta(days=180)
SECRET = "bench-pseudonym-secret-0123456789"
ANSWER = Answer(kind=AnswerKind.ARTICLE, lang="sv", text="...", topic_id="alias", title="Alias", score=0.8)
PERSONAL = " Ring mig på 070-123 45 67 eller mejla anna.svensson@example.com, pnr 811218-9876."


def questions() -> list[str]:
    found = []
    for path in sorted(BENCH.glob("eval_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                found.append(line.split("\t")[-1])
    return found


def median_us(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def masking(directory: Path) -> None:
    texts = questions()
    changed = [(t, mask_personal_data(t)) for t in texts if mask_personal_data(t) != t]
    engine = make_engine(f"sqlite:///{directory / 'store.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    plain = [median_us(partial(mask_personal_data, t), 20) for t in texts]
    personal = [median_us(partial(mask_personal_data, t + PERSONAL), 20) for t in texts]
    with sessions() as session:
        stored = [median_us(partial(record_answer, session, t, ANSWER, user_id="U1"), 1) for t in texts]
    engine.dispose()
    print(f"masking: {len(texts)} questions from bench/eval_*.tsv; masking changed {len(changed)}:")
    for before, after in changed:
        print(f"  {before[:70]!r}\n    -> {after[:70]!r}")
    print(f"{'per question (median)':34} {'mask':>10} {'store (baseline)':>18} {'ratio':>7}")
    for label, times in (("as written", plain), ("with personal data added", personal)):
        mask, store = statistics.median(times), statistics.median(stored)
        print(f"{label:34} {mask:8.1f}µs {store:16.1f}µs {mask / store:7.3f}")


def filled_database(path: Path, count: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = utcnow()
    rows = [
        {
            "id": n + 1,
            "question": f"fråga {n} om alias",
            "lang": "sv",
            "kind": "article",
            "topic_id": "alias",
            "score": 0.8,
            "user_id": f"U{n % 1000:09d}",
            "team_id": "T1",
            "channel_id": "D1",
            "asked_at": now - timedelta(days=365 if n % 2 else 1),
        }
        for n in range(count)
    ]
    votes = [
        {
            "question_id": r["id"],
            "user_id": r["user_id"],
            "helpful": True,
            "wants_person": False,
            "voted_at": r["asked_at"],
        }
        for r in rows
    ]
    with engine.begin() as connection:
        connection.execute(insert(AnsweredQuestion), rows)
        connection.execute(insert(FeedbackVote), votes)
    engine.dispose()


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def maintenance(directory: Path, count: int, rounds: int) -> None:
    original = directory / "original.db"
    filled_database(original, count)
    times: dict[str, list[tuple[float, float]]] = {}
    for _ in range(rounds):  # each round on fresh copies: ours and the plain SQL take turns
        for label, mine, baseline in one_round(directory, original):
            times.setdefault(label, []).append((mine, baseline))
    print(
        f"\nSQLite, {count} questions with a vote each, half older than {RETENTION.days} days "
        f"(median of {rounds} rounds):"
    )
    print(f"{'operation':32} {'ours':>10} {'plain SQL':>10} {'ratio':>7}")
    for label, pairs in times.items():
        mine = statistics.median(m for m, _ in pairs)
        baseline = statistics.median(b for _, b in pairs)
        print(f"{label:32} {mine:8.1f}ms {baseline:8.1f}ms {mine / baseline:7.2f}")


def one_round(directory: Path, original: Path) -> list[tuple[str, float, float]]:
    ours, plain = directory / "ours.db", directory / "plain.db"
    for copy in (ours, plain):
        for stale in copy.parent.glob(copy.name + "*"):
            stale.unlink()
        shutil.copy(original, copy)
    our_engine, plain_engine = make_engine(f"sqlite:///{ours}"), make_engine(f"sqlite:///{plain}")
    sessions = make_sessionmaker(our_engine)
    cutoff = utcnow() - RETENTION

    def plain_prune() -> None:
        with plain_engine.begin() as connection:
            for table, column, cleared in (
                (
                    "answered_questions",
                    "asked_at",
                    "question = '', user_id = NULL, team_id = NULL, channel_id = NULL",
                ),
                ("feedback_votes", "voted_at", "user_id = NULL, comment = NULL"),
            ):
                connection.execute(
                    text(f"UPDATE {table} SET {cleared} WHERE {column} < :cutoff"), {"cutoff": cutoff}
                )

    def our_prune() -> None:
        with sessions() as session:
            prune(session, PERSONAL_DATA, RETENTION)

    def plain_erase(user: str) -> None:
        with plain_engine.begin() as connection:
            connection.execute(
                text("UPDATE answered_questions SET question = '', user_id = NULL WHERE user_id = :u"),
                {"u": user},
            )
            connection.execute(
                text("UPDATE feedback_votes SET user_id = NULL WHERE user_id = :u"), {"u": user}
            )

    def our_erase(user: str) -> None:
        with sessions() as session:
            erase(session, PERSONAL_DATA, user, secret=SECRET, actor="bench")

    def our_export(user: str) -> None:
        with sessions() as session:
            export(session, PERSONAL_DATA, user, titles={}, lang="sv", retention=RETENTION)

    def plain_export(user: str) -> None:
        with plain_engine.connect() as connection:
            connection.execute(text("SELECT * FROM answered_questions WHERE user_id = :u"), {"u": user}).all()
            connection.execute(text("SELECT * FROM feedback_votes WHERE user_id = :u"), {"u": user}).all()

    for engine in (our_engine, plain_engine):  # connected (and SQLite's pragmas set) before timing
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    user = "U000000002"  # one of 1000 users: count / 1000 questions and votes, half of them still whole
    results = [
        ("prune (half the rows expired)", timed(our_prune), timed(plain_prune)),
        ("prune again (nothing left)", timed(our_prune), timed(plain_prune)),
        ("export one person", timed(lambda: our_export(user)), timed(lambda: plain_export(user))),
        ("erase one person", timed(lambda: our_erase(user)), timed(lambda: plain_erase(user))),
    ]
    our_engine.dispose()
    plain_engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        masking(Path(directory))
        maintenance(Path(directory), args.questions, args.rounds)


if __name__ == "__main__":
    main()
