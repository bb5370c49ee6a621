"""Answers benchmark: three engines side by side in one run, and leave-one-author-out validation.

`.venv/bin/python bench/answers.py --skip-blind` (needs the test extras: scikit-learn trains the
held-out models).

Engines: the old one before issue 11 (commit 2eac749), the first round of issue 11 (the merge
18f41d4: hand-written cues and TF-IDF retrieval) and this checkout's classifier. `git archive` exports
an old commit's `bot/` and `knowledge/` into a temporary directory (laid out like an installed wheel)
and a subprocess of the same Python answers every question from there; each engine times itself. For the
time per question every engine, this checkout's too, answers in a worker process of its own, the engines
taking turns of `TURN` questions.

Printed:
- per set: right overall (its article, declined when "none", small talk when small talk), top-1 on
  answerable, off-topic declined, language, and right overall per tag. The new engine appears twice:
  "held out", a model trained without the set's author (the honest figure), and "shipped", the model
  trained on every author (it has seen these questions: a check that training fits, not a score);
- the leave-one-author-out matrix (train on all other authors and the articles, test on the one left out);
- taught examples: half of each held-out author's questions taught, the other half asked;
- "Did you mean": how often it is offered, and how often it names the right article when the answer
  was wrong;
- time per question, per 2,000-character message, and per 2,000 characters of questions no engine has
  read (the blind sets not trained on); timed also: this classifier as merged (a9cb5ac), before its
  features were added up in numpy, as the third round left it (39ccc04), before the feature table, and
  as the fourth left it (6f8a7b6) (all give the same answers), with the new engine's time as a ratio of
  round 1's and of theirs.
`--skip-blind` leaves out bench/eval_blind*.tsv (written by others, run only by the coordinator);
`--blind-only` runs only those not yet trained on, once, at the end of the round they judge, with the
previous round's shipped model beside the old engines (no held-out models: a few minutes).

`--same-answers COMMIT` checks that a speed-up changed nothing: this checkout and COMMIT each read
every labelled question, the 2,000-character messages and hostile texts, and must say the same: every
answer (with half of the questions taught too), the feature vectors, the language and the nearest
taught example to the last bit, the model's probabilities and the answers' scores within
`SCORES_WITHIN`.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers import Answer, AnswerKind, answer  # noqa: E402
from bot.answers.labelled import BENCH_DIR, TRAINING_FILES  # noqa: E402
from bot.answers.model import Model  # noqa: E402
from bot.answers.taught import TaughtExample, TaughtIndex, features_of  # noqa: E402
from bot.answers.train import fit, training_rows  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.support.answers_eval import (  # noqa: E402
    AUTHORS,
    EVAL_QUESTIONS,
    LONG_MESSAGE_CHARS,
    NO_ARTICLE,
    SMALLTALK,
    Labelled,
    Scores,
    by_author,
    hostile_texts,
    load_labelled,
    long_messages,
    outcome,
    score_outcomes,
    unseen_messages,
)

OLD_ENGINES = {"old (2eac749)": "2eac749", "round 1 (18f41d4)": "18f41d4"}
# The round before this checkout's (`--blind-only`; 6f8a7b6 answers as the fourth round's model does, to
# the last bit): what a blind set says the new round's data and rules changed.
PREVIOUS_ROUND = {"round 4 (6f8a7b6)": "6f8a7b6"}
# Timed only: the classifier as merged (a9cb5ac), before its features were added up in numpy, as the
# third round left it (39ccc04), before the feature table, and as the fourth round left it (6f8a7b6).
# They give the same answers as this checkout, so they have no column in the scores.
SPEED_BASELINE = {
    "round 2 (a9cb5ac)": "a9cb5ac",
    "round 3 (39ccc04)": "39ccc04",
    "round 4 (6f8a7b6)": "6f8a7b6",
}
RATIOS_AGAINST = ("round 1 (18f41d4)", "round 2 (a9cb5ac)", "round 3 (39ccc04)", "round 4 (6f8a7b6)")
# PyStemmer (which snowballstemmer uses when it can import it) became a dependency after 6f8a7b6: the
# older engines stem in pure Python, as they did when shipped.
NOT_DEPENDED_ON = ("Stemmer",)
TURN = 10  # questions an engine answers in a row when timed side by side
TAUGHT_THRESHOLDS = (0.95, 0.9, 0.8, 0.7, 0.6)
AUTHOR_NAMES = {
    "D": "issue-11 dev + holdout (author D)",
    "A": "pool writer A: office staff, expats",
    "B": "pool writer B: admins, tickets",
    "O": "first sets: eval, fresh, final (author O)",
    "C": "pool writer C: shop owners, bounces",
    "E": "pool writer E: HR, consultants",
    "F": "blind set 1, spent (author F)",
    "G": "blind set 2, spent (author G)",
    "H": "blind set 3, spent (author H)",
    "I": "pool writer I: webshops, agencies, events",
    "J": "pool writer J: families, freelancers, labs",
    "K": "pool writer K: studios, musicians, gamers",
    "L": "pool writer L: stores, gyms, workshops",
    "M": "pool writer M: many words for one thing",
    "R": "blind set 4, spent (author R)",
    "N": "pool writer N: tech forums, issue trackers",
    "P": "pool writer P: help-centre searches, FAQs",
    "Q": "pool writer Q: community groups, threads",
}

# Runs inside an engine's tree: answers one question a line (JSON strings) and prints kind, topic,
# language and the milliseconds the call took.
_WORKER = """
import json, sys, time
from bot.answers import answer
from bot.config import Settings
settings = Settings()
answer("warm up", settings)
for line in sys.stdin:
    question = json.loads(line)
    start, cpu_start = time.perf_counter(), time.thread_time()
    result = answer(question, settings)
    ms, cpu_ms = (time.perf_counter() - start) * 1000, (time.thread_time() - cpu_start) * 1000
    print(json.dumps([result.kind.value, result.topic_id, result.lang, ms, cpu_ms]), flush=True)
"""


# Runs inside an engine's tree: everything the answering core says about each text (a JSON string a line;
# the first line: the examples to teach), floats as hex so that a last bit counts.
_DETAILS_WORKER = """
import json, sys
from bot.answers import answer
from bot.answers.features import question_features, question_vector
from bot.answers.language import detect_language
from bot.answers.model import shipped_model
from bot.answers.taught import TaughtExample, TaughtIndex, features_of
from bot.config import Settings

def said(a):
    alternative = a.alternative and [a.alternative.topic_id, a.alternative.title]
    related = [[r.topic_id, r.title] for r in a.related]
    score = a.score.hex()
    return [a.kind.value, a.lang, a.text, a.topic_id, a.title, score, related, a.flow, alternative, a.subject]

settings, model = Settings(), shipped_model()
taught = TaughtIndex([TaughtExample(q, label) for q, label in json.loads(sys.stdin.readline())])
for line in sys.stdin:
    text = json.loads(line)
    found = {"answer": said(answer(text, settings)), "taught": said(answer(text, settings, taught=taught))}
    for lang in ("sv", "en"):
        vector = [[name, value.hex()] for name, value in question_features(text, lang).items()]
        p = model.predict(question_vector(text, lang))
        topics = [[topic, value.hex()] for topic, value in p.topics.items()]
        found[lang] = [detect_language(text, lang), vector, topics, p.subject]
    match = taught.nearest(features_of(text), similar=0.0)
    found["nearest"] = match and [match.example.question, match.example.label, match.similarity.hex()]
    print(json.dumps(found, default=str), flush=True)
"""
SAME_ANSWERS_HOSTILE = 1500  # hostile texts the --same-answers check reads, besides the labelled ones
# How far the model's probabilities may be from COMMIT's in --same-answers: since 6f8a7b6 one product
# for the three heads adds up in another order (bot/answers/model.py).
SCORES_WITHIN = 1e-5


@dataclass(frozen=True)
class Timed:
    answer: Answer
    ms: float  # wall-clock time
    # CPU time of the answering thread: on a shared machine the wall clock also counts the time the
    # process waited for a core, which a loaded machine makes most of a slow answer's time.
    cpu_ms: float = 0.0


Engine = Callable[[list[str]], list[Timed]]


def new_engine(model: Model | None = None) -> Engine:
    def run(questions: list[str]) -> list[Timed]:
        settings = Settings()
        answer("warm up", settings, model=model)
        timed = []
        for question in questions:
            start = time.perf_counter()
            result = answer(question, settings, model=model)
            timed.append(Timed(result, (time.perf_counter() - start) * 1000))
        return timed

    return run


def export_tree(commit: str, target: Path) -> None:
    """A commit's bot/ and knowledge/ (as bot/knowledge, like an installed wheel) in `target`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "bot", "knowledge"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "knowledge").rename(target / "bot" / "knowledge")


@dataclass(frozen=True)
class Tree:
    """An engine's code (`path`, put on PYTHONPATH), its articles, and the installed modules its commit
    did not depend on (hidden from it, so that it runs as it was shipped)."""

    path: Path
    knowledge_dir: Path
    hidden_modules: tuple[str, ...] = ()


def start_worker(tree: Tree, code: str = _WORKER) -> subprocess.Popen[str]:
    """The engine in `tree`, answering in a subprocess of its own."""
    env = {**os.environ, "PYTHONPATH": str(tree.path), "MAILBOT_KNOWLEDGE_DIR": str(tree.knowledge_dir)}
    hide = f"import sys\nsys.modules.update(dict.fromkeys({list(tree.hidden_modules)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", hide + code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=tree.path,
        text=True,
    )


def ask(worker: subprocess.Popen[str], question: str) -> Timed:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps(question) + "\n")
    worker.stdin.flush()
    line = worker.stdout.readline()
    if not line:
        raise SystemExit("an engine failed (its error is above)")
    kind, topic_id, lang, ms, cpu_ms = json.loads(line)
    return Timed(Answer(AnswerKind(kind), lang, "", topic_id=topic_id), ms, cpu_ms)


def stop(worker: subprocess.Popen[str]) -> None:
    assert worker.stdin is not None
    worker.stdin.close()
    worker.wait()


def tree_engine(tree: Tree) -> Engine:
    def run(questions: list[str]) -> list[Timed]:
        worker = start_worker(tree)
        timed = [ask(worker, question) for question in questions]
        stop(worker)
        return timed

    return run


def percent(value: float) -> str:
    return f"{value:6.1%}"


def scores(rows: Sequence[Labelled], timed: Sequence[Timed]) -> Scores:
    return score_outcomes(zip(rows, (t.answer for t in timed), strict=True))


def print_scores(title: str, rows: list[Labelled], columns: dict[str, list[Timed]]) -> None:
    """One set: each engine's scores in a column, then right overall per tag."""
    answered = {name: scores(rows, timed) for name, timed in columns.items()}
    first = next(iter(answered.values()))
    sv = sum(r.lang == "sv" for r in rows)
    print(
        f"\n{title}: {len(rows)} questions ({first.answerable} answerable, "
        f"{first.unanswerable} to decline, sv {sv} / en {len(rows) - sv})"
    )
    print(f"  {'':<24}" + "".join(f"{name:>20}" for name in columns))
    metrics: list[tuple[str, Callable[[Scores], float]]] = [
        ("right overall", lambda s: s.right),
        ("top-1 on answerable", lambda s: s.top1),
        ("off-topic declined", lambda s: s.declined),
        ("language right", lambda s: s.language),
    ]
    for name, value in metrics:
        print(f"  {name:<24}" + "".join(f"{percent(value(s)):>20}" for s in answered.values()))
    tags = sorted({tag for row in rows for tag in row.tags})
    if tags:
        print(f"  right overall, per tag:{'n':>5}")
        for tag in tags:
            picked = [i for i, row in enumerate(rows) if tag in row.tags]
            cells = "".join(
                f"{percent(scores([rows[i] for i in picked], [timed[i] for i in picked]).right):>20}"
                for timed in columns.values()
            )
            print(f"    {tag:<22}{len(picked):>5}" + cells[5:])


def print_timing(title: str, columns: dict[str, list[Timed]]) -> None:
    def quantile(timed: list[Timed], q: int) -> float:
        return statistics.quantiles([t.ms for t in timed], n=100)[q - 1]

    def cpu_quantile(timed: list[Timed], q: int) -> float:
        return statistics.quantiles([t.cpu_ms for t in timed], n=100)[q - 1]

    names = list(columns)
    baselines = [name for name in RATIOS_AGAINST if name in columns]
    print(f"\n{title}: {len(columns[names[-1]])} messages")
    ratios = "".join(f"{'new / ' + name.split(' (')[0]:>16}" for name in baselines)
    print(f"  {'':<12}" + "".join(f"{name:>20}" for name in names) + ratios)
    for label, measure in [
        ("median ms", lambda t: statistics.median(x.ms for x in t)),
        ("p95 ms", lambda t: quantile(t, 95)),
        ("p99 ms", lambda t: quantile(t, 99)),
        ("CPU median", lambda t: statistics.median(x.cpu_ms for x in t)),
        ("CPU p99", lambda t: cpu_quantile(t, 99)),
    ]:
        values = {name: measure(columns[name]) for name in names}
        cells = "".join(f"{v:>20.2f}" for v in values.values())
        print(f"  {label:<12}" + cells + "".join(f"{values['new'] / values[b]:>16.2f}" for b in baselines))


def held_out_models() -> dict[str, Model]:
    """For each author, a model trained on the other authors and the articles' examples."""
    models = {}
    for author in AUTHORS:
        started = time.perf_counter()
        models[author] = fit(training_rows(a for a in AUTHORS if a != author))
        print(f"  trained without {author} in {time.perf_counter() - started:.0f} s", flush=True)
    return models


def print_matrix(held_out: dict[str, list[Timed]], rows: dict[str, list[Labelled]]) -> None:
    print("\nleave-one-author-out: trained on the other authors and the articles, tested on this one")
    print(f"  {'held-out author':<44}{'n':>5}{'right':>9}{'top-1':>9}{'declined':>10}{'language':>10}")
    results = {author: scores(rows[author], held_out[author]) for author in AUTHORS}
    for author, s in results.items():
        print(
            f"  {AUTHOR_NAMES[author]:<44}{s.total:>5}{percent(s.right):>9}{percent(s.top1):>9}"
            f"{percent(s.declined):>10}{percent(s.language):>10}"
        )
    mean = {
        name: statistics.mean(getattr(s, name) for s in results.values())
        for name in ("right", "top1", "declined", "language")
    }
    print(
        f"  {'mean over authors':<44}{'':>5}{percent(mean['right']):>9}{percent(mean['top1']):>9}"
        f"{percent(mean['declined']):>10}{percent(mean['language']):>10}"
    )


def print_teaching(models: dict[str, Model], rows: dict[str, list[Labelled]]) -> None:
    """Teach the tuning half of each held-out author's questions, ask the other half."""
    print(
        "\ntaught examples: each held-out author's tuning half taught, the other half asked (right overall)"
    )
    thresholds = "".join(f"{f'>= {t}':>10}" for t in TAUGHT_THRESHOLDS)
    print(f"  {'held-out author':<16}{'nothing taught':>16}{thresholds}")
    for author, model in models.items():
        taught = [
            TaughtExample(r.question, r.label) for r in rows[author] if r.tuning and r.label != SMALLTALK
        ]
        asked = [r for r in rows[author] if not r.tuning]
        index = TaughtIndex(taught)
        untaught = new_engine(model)([r.question for r in asked])
        nearest = [index.nearest(features_of(r.question), similar=0.0) for r in asked]
        cells = [scores(asked, untaught).right]
        for threshold in TAUGHT_THRESHOLDS:
            answered = []
            for timed, match in zip(untaught, nearest, strict=True):
                result = timed.answer
                if match is not None and match.similarity >= threshold:  # what answer() does with it
                    label = match.example.label
                    kind = AnswerKind.OFF_TOPIC if label == NO_ARTICLE else AnswerKind.ARTICLE
                    result = Answer(kind, result.lang, "", topic_id=None if label == NO_ARTICLE else label)
                answered.append(Timed(result, 0.0))
            cells.append(scores(asked, answered).right)
        print(f"  {author:<16}{percent(cells[0]):>16}" + "".join(f"{percent(c):>10}" for c in cells[1:]))


def print_close_calls(rows: list[Labelled], timed: list[Timed]) -> None:
    answered = [
        (row, t.answer) for row, t in zip(rows, timed, strict=True) if t.answer.kind is AnswerKind.ARTICLE
    ]
    offered = [(row, a) for row, a in answered if a.alternative is not None]
    wrong = [(row, a) for row, a in offered if outcome(a) != row.label]
    rescued = [(row, a) for row, a in wrong if a.alternative and a.alternative.topic_id == row.label]
    missed = [(row, a) for row, a in answered if outcome(a) != row.label and row.label != NO_ARTICLE]
    print(
        f'\n"Did you mean" (held-out models, every author): offered with {len(offered)} of {len(answered)} '
        f"articles; of the {len(missed)} wrong articles on answerable questions, {len(rescued)} offered the "
        "right one"
    )


def old_trees(directory: Path, engines: dict[str, str] = OLD_ENGINES) -> dict[str, Tree]:
    """The old engines (name: commit), exported into `directory`."""
    trees = {}
    for name, commit in engines.items():
        export_tree(commit, directory / commit)
        trees[name] = Tree(directory / commit, directory / commit / "bot" / "knowledge", NOT_DEPENDED_ON)
    return trees


def time_side_by_side(
    workers: dict[str, subprocess.Popen[str]], questions: list[str]
) -> dict[str, list[Timed]]:
    """The engines take turns, `TURN` questions each (each engine first in its turn), so the load of a
    shared machine, which comes and goes, weighs on all of them alike."""
    names = list(workers)
    timed: dict[str, list[Timed]] = {name: [] for name in names}
    for turn, start in enumerate(range(0, len(questions), TURN)):
        first = turn % len(names)
        for name in names[first:] + names[:first]:
            timed[name] += [ask(workers[name], question) for question in questions[start : start + TURN]]
    return timed


def print_all_timing(trees: dict[str, Tree], rows: list[Labelled]) -> None:
    """Time per question (every author's questions), then per 2,000-character message, every engine in a
    process of its own (this checkout's too, so all are timed alike) that answers both in turn, like a
    server: the long messages come after it has seen the questions they are made of. Last, 2,000
    characters of questions no engine has read (the blind sets not trained on), each used once: new
    words and word pairs, whose features are worked out as they come."""
    workers = {
        name: start_worker(tree) for name, tree in {**trees, "new": Tree(ROOT, ROOT / "knowledge")}.items()
    }
    questions = [row.question for row in rows]
    print_timing("time per question, every author's questions", time_side_by_side(workers, questions))
    messages = long_messages(rows)
    print_timing(f"time per {LONG_MESSAGE_CHARS}-character message", time_side_by_side(workers, messages))
    unseen = unseen_messages(row for path in untrained_blind_sets() for row in load_labelled(path))
    if len(unseen) >= 2:  # when every blind set is training data there are none: write the next set
        print_timing(
            f"time per {LONG_MESSAGE_CHARS}-character message of questions not read before (blind sets)",
            time_side_by_side(workers, unseen),
        )
    else:
        print("\nno blind set that is not training data: no messages of questions not read before to time")
    for worker in workers.values():
        stop(worker)


def untrained_blind_sets() -> list[Path]:
    """The blind sets that are not training data (yet)."""
    blind = sorted(BENCH_DIR.glob("eval_blind*.tsv"))
    return [path for path in blind if "unlabelled" not in path.name and path not in TRAINING_FILES]


def check_same_answers(commit: str, rows: list[Labelled]) -> bool:
    """This checkout and `commit` say the same about every labelled question, the long messages and
    hostile texts (`_DETAILS_WORKER`): the same answers, feature vectors, languages and nearest taught
    examples to the last bit, and the model's probabilities (and the scores they give answers) at most
    `SCORES_WITHIN` apart; prints the first texts where they differ and the largest difference."""
    texts = [row.question for row in rows] + long_messages(rows)
    texts += hostile_texts(SAME_ANSWERS_HOSTILE, 400, seed=11)
    taught = [[row.question, row.label] for row in rows[::2] if row.label != SMALLTALK]
    with tempfile.TemporaryDirectory() as tmp:
        trees = {**old_trees(Path(tmp), {commit: commit}), "this checkout": Tree(ROOT, ROOT / "knowledge")}
        workers = {name: start_worker(tree, _DETAILS_WORKER) for name, tree in trees.items()}
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.write(json.dumps(taught) + "\n")
        differ, same_bits, largest = [], 0, 0.0
        for text in texts:
            said = []
            for worker in workers.values():
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(json.dumps(text) + "\n")
                worker.stdin.flush()
                said.append(worker.stdout.readline())
            if not said[0] or not said[1]:
                raise SystemExit("an engine failed (its error is above)")
            same_bits += said[0] == said[1]
            apart = _probabilities_apart(json.loads(said[0]), json.loads(said[1]))
            if apart is None:
                differ.append(text)
            else:
                largest = max(largest, apart)
        for worker in workers.values():
            stop(worker)
    for text in differ[:5]:
        print(f"  differs: {text[:100]!r}")
    print(
        f"{len(texts)} texts ({len(rows)} labelled): {len(differ)} answered differently from {commit} (kind, "
        "article, title, text, related topics, runner-up, subject; feature vectors, language, nearest taught "
        f"example: to the last bit); probabilities and scores at most {largest:.1e} apart; {same_bits} texts "
        "the same to the last bit"
    )
    return not differ and largest <= SCORES_WITHIN


def _probabilities_apart(this: dict[str, Any], that: dict[str, Any]) -> float | None:
    """How far apart two `_DETAILS_WORKER` lines are in the model's probabilities and the answers' scores
    (None when they differ in anything else)."""
    gaps = [0.0]
    for key in ("answer", "taught"):
        score = 5  # where `said` puts the score, a float in hex
        ours, theirs = this[key], that[key]
        if ours[:score] + ours[score + 1 :] != theirs[:score] + theirs[score + 1 :]:
            return None
        gaps.append(abs(float.fromhex(ours[score]) - float.fromhex(theirs[score])))
    for lang in ("sv", "en"):
        language, vector, topics, subject = this[lang]
        their_language, their_vector, their_topics, their_subject = that[lang]
        if (language, vector, subject) != (their_language, their_vector, their_subject):
            return None
        if [topic for topic, _ in topics] != [topic for topic, _ in their_topics]:
            return None
        probabilities = zip(topics, their_topics, strict=True)
        gaps += [abs(float.fromhex(p) - float.fromhex(q)) for (_, p), (_, q) in probabilities]
    return max(gaps) if this["nearest"] == that["nearest"] else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--skip-blind", action="store_true", help="leave out bench/eval_blind*.tsv")
    parser.add_argument("--timing-only", action="store_true", help="only the time per question")
    parser.add_argument(
        "--blind-only",
        action="store_true",
        help="only the blind sets not trained on (no held-out models), the previous round's model beside",
    )
    parser.add_argument("--same-answers", metavar="COMMIT", help="only check that COMMIT answers the same")
    args = parser.parse_args()
    by = {author: by_author(author) for author in AUTHORS}
    all_rows = [row for author in AUTHORS for row in by[author]]
    if args.same_answers:
        sys.exit(0 if check_same_answers(args.same_answers, all_rows) else 1)
    if args.timing_only:
        with tempfile.TemporaryDirectory() as tmp:
            print_all_timing(old_trees(Path(tmp), OLD_ENGINES | SPEED_BASELINE), all_rows)
        return
    if args.blind_only:
        with tempfile.TemporaryDirectory() as tmp:
            trees = old_trees(Path(tmp), OLD_ENGINES | PREVIOUS_ROUND)
            for path in untrained_blind_sets():
                rows = load_labelled(path)
                questions = [row.question for row in rows]
                columns = {name: tree_engine(tree)(questions) for name, tree in trees.items()}
                columns["new, shipped"] = new_engine()(questions)
                print_scores(f"blind: {path.name} (run once, by the coordinator)", rows, columns)
        return
    eval_set = load_labelled(EVAL_QUESTIONS)
    print("training the held-out models (one per author)", flush=True)
    models = held_out_models()
    blind = [] if args.skip_blind else untrained_blind_sets()
    with tempfile.TemporaryDirectory() as tmp:
        trees = old_trees(Path(tmp))
        sets: list[tuple[str, list[Labelled], str | None]] = [
            (AUTHOR_NAMES[author], rows, author) for author, rows in by.items()
        ]
        sets.insert(1, ("  eval set, held-out half (author O)", [r for r in eval_set if not r.tuning], "O"))
        sets += [
            (f"blind: {path.name} (run once, by the coordinator)", load_labelled(path), None)
            for path in blind
        ]
        held_out_all: dict[str, list[Timed]] = {}
        for title, rows, author in sets:
            questions = [row.question for row in rows]
            columns = {name: tree_engine(tree)(questions) for name, tree in trees.items()}
            if author is not None:
                columns["new, held out"] = new_engine(models[author])(questions)
                if title == AUTHOR_NAMES[author]:
                    held_out_all[author] = columns["new, held out"]
            columns["new, shipped"] = new_engine()(questions)
            print_scores(title, rows, columns)
        print_matrix(held_out_all, by)
        print_close_calls(all_rows, [t for author in AUTHORS for t in held_out_all[author]])
        print_teaching(models, by)
        print_all_timing(trees | old_trees(Path(tmp), SPEED_BASELINE), all_rows)


if __name__ == "__main__":
    main()
