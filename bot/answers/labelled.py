"""Labelled questions: the evaluation sets and question pools in bench/, by the people who wrote them.

Two file formats, `#` comments allowed:
- `lang<TAB>label<TAB>question` (the first three sets), and
- `lang<TAB>label<TAB>tags<TAB>question` (tags comma-separated: short, long, typo, jargon, o365,
  gmail, mixed, neighbour, offtopic, scenario; "-" means none).
A label is a topic id, "none" (must get no article) or "smalltalk". Rows alternate between a tuning
half and a held-out half within each label (the first sets' thresholds were tuned on one half).

The files live in the repository's bench/ directory (not in an installed wheel): the training script
(`python -m bot.answers.train`), the benchmark and the tests read them from a checkout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.config import LANGS, Lang

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "bench"
EVAL_QUESTIONS = BENCH_DIR / "eval_questions.tsv"
FRESH_QUESTIONS = BENCH_DIR / "eval_questions_fresh.tsv"
FINAL_QUESTIONS = BENCH_DIR / "eval_questions_final.tsv"
DEV_QUESTIONS = BENCH_DIR / "eval_dev.tsv"  # written for issue 11 before its first engine; tuned on
HOLDOUT_QUESTIONS = BENCH_DIR / "eval_holdout.tsv"  # written with it
WRITER_A_QUESTIONS = BENCH_DIR / "pool_writer_a.tsv"  # office staff and expats
WRITER_B_QUESTIONS = BENCH_DIR / "pool_writer_b.tsv"  # IT admins and terse tickets
WRITER_C_QUESTIONS = BENCH_DIR / "pool_writer_c.tsv"  # shop owners, non-technical customers, bounces
WRITER_E_QUESTIONS = BENCH_DIR / "pool_writer_e.tsv"  # office managers, HR, consultants for clients
WRITER_I_QUESTIONS = BENCH_DIR / "pool_writer_i.tsv"  # webshops, agencies, event organisers, recruiters
WRITER_J_QUESTIONS = BENCH_DIR / "pool_writer_j.tsv"  # families, freelancers, student unions, labs, trades
WRITER_K_QUESTIONS = BENCH_DIR / "pool_writer_k.tsv"  # studios, media, musicians, gamers, retired engineers
WRITER_L_QUESTIONS = BENCH_DIR / "pool_writer_l.tsv"  # store managers, gyms and schools, workshops, lists
WRITER_M_QUESTIONS = BENCH_DIR / "pool_writer_m.tsv"  # the same things in many words, every age and role
# The fifth round's pools: people as they write in public places (then paste or retell into Slack).
WRITER_N_QUESTIONS = BENCH_DIR / "pool_writer_n.tsv"  # tech forums, Q&A sites, issue trackers
WRITER_P_QUESTIONS = BENCH_DIR / "pool_writer_p.tsv"  # help-centre searches, FAQs, chat widgets
WRITER_Q_QUESTIONS = BENCH_DIR / "pool_writer_q.tsv"  # everyday people in community groups and threads
# The blind sets, each run once at the end of the round it judged, then spent: from the next round on
# they are training data like any other author's questions (bench/eval_blind*.md).
BLIND_1_QUESTIONS = BENCH_DIR / "eval_blind.tsv"  # judged the first round of issue 11
BLIND_2_QUESTIONS = BENCH_DIR / "eval_blind2.tsv"  # judged the second round
BLIND_3_QUESTIONS = BENCH_DIR / "eval_blind3.tsv"  # judged the third round
BLIND_4_QUESTIONS = BENCH_DIR / "eval_blind4.tsv"  # judged the fourth round
# Who wrote which files. Leave-one-author-out validation trains on all but one and tests on that one;
# a blind set not yet run (written by others again, run only by the coordinator) is never among them.
AUTHORS: dict[str, tuple[Path, ...]] = {
    "D": (DEV_QUESTIONS, HOLDOUT_QUESTIONS),
    "A": (WRITER_A_QUESTIONS,),
    "B": (WRITER_B_QUESTIONS,),
    "O": (EVAL_QUESTIONS, FRESH_QUESTIONS, FINAL_QUESTIONS),
    "C": (WRITER_C_QUESTIONS,),
    "E": (WRITER_E_QUESTIONS,),
    "F": (BLIND_1_QUESTIONS,),
    "G": (BLIND_2_QUESTIONS,),
    "H": (BLIND_3_QUESTIONS,),
    "I": (WRITER_I_QUESTIONS,),
    "J": (WRITER_J_QUESTIONS,),
    "K": (WRITER_K_QUESTIONS,),
    "L": (WRITER_L_QUESTIONS,),
    "M": (WRITER_M_QUESTIONS,),
    "R": (BLIND_4_QUESTIONS,),
    "N": (WRITER_N_QUESTIONS,),
    "P": (WRITER_P_QUESTIONS,),
    "Q": (WRITER_Q_QUESTIONS,),
}
TRAINING_FILES = frozenset(path for paths in AUTHORS.values() for path in paths)
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
        rows.append(Labelled(lang, label, question, seen[label] % 2 == 0, tags))
        seen[label] += 1
    return rows


def by_author(author: str) -> list[Labelled]:
    """Every labelled question one author wrote."""
    return [row for path in AUTHORS[author] for row in load_labelled(path)]
