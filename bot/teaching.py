"""Questions agents taught the bot: stored, audited, removable, and used by every instance at once.

An agent who sees a question the bot answered badly (a customer said 👎 or asked for a person) picks the
right article for it, or "not our topic", in Slack or with `mailbot examples add` (there also in their
own words, `--question N`). The question's text is kept, with its label, who taught it and when, and
who asked it (also through a rewording): never shown to agents, only so that erasing that person
withdraws the example and takes their words out (`withdraw_asked`), and their export shows it.
Every addition and removal is a row in `taught_example_changes`; its highest id is the examples'
version, which every answer checks (one small query) before it uses its process's index of the
examples, so a change made on one instance counts on every instance from the next question on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, case, exists, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.answers.knowledge import TOPIC_IDS
from bot.answers.language import detect_language
from bot.answers.model import NONE
from bot.answers.taught import NOTHING_TAUGHT, TaughtExample, TaughtIndex
from bot.config import Lang
from bot.db import Base, utcnow
from bot.feedback import MAX_STORED_QUESTION, AnsweredQuestion, FeedbackVote, storable, stored_lang
from bot.i18n import Catalog
from bot.i18n import Text as Message
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

LABELS = (*TOPIC_IDS, NONE)
ADDED, REMOVED = "add", "remove"

MESSAGES = Catalog(
    "teaching",
    {
        "unknown_label": {
            "sv": "Okänd etikett {label!r}: välj ett ämne ({labels}) eller 'none' (inte vårt ämne).",
            "en": "Unknown label {label!r}: choose a topic ({labels}) or 'none' (not our topic).",
        },
        "empty_question": {"sv": "Frågan är tom.", "en": "The question is empty."},
        "unknown_example": {
            "sv": "Det finns inget inlärt exempel nummer {id}.",
            "en": "There is no taught example number {id}.",
        },
        "already_removed": {
            "sv": "Exempel {id} togs redan bort.",
            "en": "Example {id} was already removed.",
        },
        "unknown_question": {
            "sv": "Den besvarade frågan {id} finns inte.",
            "en": "There is no answered question {id}.",
        },
    },
)


class TaughtQuestion(Base):
    __tablename__ = "taught_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(64))  # a topic id, or "none"
    taught_by: Mapped[str] = mapped_column(String(64))  # the agent (Slack user id, or the CLI's actor)
    # Who asked the question it was taught from (None: typed by an agent); their pseudonym once erased.
    # Kept when the agent reworded the question: the words may still be theirs, or tell their story.
    asked_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # The answered question it was taught from, as asked or reworded (None: typed by an agent).
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("answered_questions.id", name="fk_taught_examples_question_id_answered_questions"),
        default=None,
    )
    taught_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class TaughtChange(Base):
    """The audit of taught examples: one row per addition or removal; the highest id is the version."""

    __tablename__ = "taught_example_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    example_id: Mapped[int] = mapped_column(ForeignKey("taught_examples.id"))
    action: Mapped[str] = mapped_column(String(16))  # ADDED or REMOVED
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def withdraw_asked(session: Session, user_id: str, alias: str) -> int:
    """Erasing someone who asked: every example taught from their questions stops being used and loses
    its text, its removal audited under their pseudonym `alias`, which replaces their id. Their examples
    are those that name them and those holding the text of a question they asked (a copy of it
    recorded under someone else who clicked a related topic, an example taught before the asker was
    kept). How many examples changed."""
    their_texts = select(AnsweredQuestion.question).where(
        AnsweredQuestion.user_id == user_id, AnsweredQuestion.question != ""
    )
    examples = session.scalars(
        select(TaughtQuestion).where(
            or_(TaughtQuestion.asked_by == user_id, TaughtQuestion.question.in_(their_texts))
        )
    ).all()
    now = utcnow()
    for row in examples:
        if row.removed_at is None:
            row.removed_by, row.removed_at = alias, now
            session.add(TaughtChange(example_id=row.id, action=REMOVED, actor=alias, at=now))
        row.question = ""
        if row.asked_by == user_id:
            row.asked_by = alias
    session.flush()
    return len(examples)


# The examples are kept while they are in use (the question's text was masked when it was stored).
# Erasing an agent gives what they taught and removed their pseudonym; erasing the person who asked
# withdraws the examples taught from their questions. Agents never see who asked.
PERSONAL_DATA = (
    PersonalTable(
        "taught_examples",
        table_of(TaughtQuestion),
        time_column="taught_at",
        expiry=Expiry.KEEP,
        user_columns=("taught_by", "removed_by"),
        erasure=Erasure.PSEUDONYMISE,
        # not the question: the agent taught it, someone else wrote it
        exported={"id": "number", "taught_at": "taught_at", "label": "label"},
        article_column="label",
    ),
    PersonalTable(
        "taught_questions",
        table_of(TaughtQuestion),
        time_column="taught_at",
        expiry=Expiry.KEEP,
        user_columns=("asked_by",),
        erasure=Erasure.WITHDRAW,
        withdraw=withdraw_asked,
        # the asker's words, as an agent taught them; not the agent
        exported={
            "id": "number",
            "taught_at": "taught_at",
            "question": "question",
            "label": "label",
            "removed_at": "removed_at",
        },
        article_column="label",
    ),
    PersonalTable(
        "teaching_audit",
        table_of(TaughtChange),
        time_column="at",
        expiry=Expiry.KEEP,
        user_columns=("actor",),
        erasure=Erasure.PSEUDONYMISE,
        exported={"id": "number", "at": "at", "action": "action", "example_id": "example"},
    ),
)


class TeachingError(ValueError):
    """A teaching request that changes nothing; `text` says why in sv/en."""

    def __init__(self, text: Message) -> None:
        super().__init__(text.render("en"))
        self.text = text


@dataclass(frozen=True)
class Taught:
    id: int
    question: str
    lang: Lang
    label: str
    taught_by: str
    taught_at: datetime
    removed_by: str | None
    removed_at: datetime | None


def _taught(row: TaughtQuestion) -> Taught:
    return Taught(
        row.id,
        row.question,
        stored_lang(row.lang),
        row.label,
        row.taught_by,
        row.taught_at,
        row.removed_by,
        row.removed_at,
    )


def check_label(label: str) -> None:
    """Refuse anything but a topic id or "none"."""
    if label not in LABELS:
        raise TeachingError(MESSAGES("unknown_label", label=label, labels=", ".join(TOPIC_IDS)))


def teach(
    session: Session,
    question: str,
    label: str,
    actor: str,
    *,
    asked_by: str | None = None,
    question_id: int | None = None,
) -> Taught:
    """Store `question` as an example of `label` (a topic id or "none"), audited under `actor`;
    `asked_by` is the Slack user who asked it and `question_id` the answered question, when it was
    taught from their question."""
    check_label(label)
    text = storable(question.strip(), MAX_STORED_QUESTION)
    if not text:
        raise TeachingError(MESSAGES("empty_question"))
    row = TaughtQuestion(
        question=text,
        lang=detect_language(text, "sv"),
        label=label,
        taught_by=actor[:64],
        taught_at=utcnow(),
        asked_by=asked_by,
        question_id=question_id,
    )
    session.add(row)
    session.flush()
    session.add(TaughtChange(example_id=row.id, action=ADDED, actor=actor[:64], at=row.taught_at))
    session.commit()
    return _taught(row)


def teach_answered(
    session: Session, question_id: int, label: str, actor: str, *, reworded: str | None = None
) -> Taught:
    """Teach an answered question, as asked or as the agent `reworded` it, linked to the question and
    to who asked it (for their erasure and export: a rewording may keep their words or their story)."""
    asked = session.get(AnsweredQuestion, question_id)
    if asked is None:
        raise TeachingError(MESSAGES("unknown_question", id=question_id))
    text = asked.question if reworded is None else reworded
    return teach(session, text, label, actor, asked_by=asked.user_id, question_id=asked.id)


def forget(session: Session, example_id: int, actor: str) -> Taught:
    """Remove a taught example (kept, marked removed, and audited)."""
    row = session.get(TaughtQuestion, example_id)
    if row is None:
        raise TeachingError(MESSAGES("unknown_example", id=example_id))
    if row.removed_at is not None:
        raise TeachingError(MESSAGES("already_removed", id=example_id))
    row.removed_by, row.removed_at = actor[:64], utcnow()
    session.add(TaughtChange(example_id=row.id, action=REMOVED, actor=actor[:64], at=row.removed_at))
    session.commit()
    return _taught(row)


def taught_examples(session: Session, *, removed: bool = False) -> list[Taught]:
    """The examples in use (with `removed`, also the removed ones), oldest first."""
    query = select(TaughtQuestion).order_by(TaughtQuestion.id)
    if not removed:
        query = query.where(TaughtQuestion.removed_at.is_(None))
    return [_taught(row) for row in session.scalars(query)]


@dataclass(frozen=True)
class ToTeach:
    """An answered question a customer was unhappy with, not taught yet."""

    question_id: int
    question: str
    lang: Lang
    topic_id: str | None  # what the bot answered (None: no article)
    wants_person: bool


def questions_to_teach(session: Session, limit: int = 10) -> list[ToTeach]:
    """The newest answered questions with a 👎 or a request for a person whose text is not taught yet."""
    unhappy = (
        select(
            AnsweredQuestion.id,
            AnsweredQuestion.question,
            AnsweredQuestion.lang,
            AnsweredQuestion.topic_id,
            func.max(case((FeedbackVote.wants_person.is_(True), 1), else_=0)),
        )
        .join(FeedbackVote, FeedbackVote.question_id == AnsweredQuestion.id)
        .where(or_(FeedbackVote.helpful.is_(False), FeedbackVote.wants_person.is_(True)))
        .where(
            ~exists().where(
                or_(
                    TaughtQuestion.question == AnsweredQuestion.question,
                    TaughtQuestion.question_id == AnsweredQuestion.id,  # taught in other words
                ),
                TaughtQuestion.removed_at.is_(None),
            )
        )
        .group_by(AnsweredQuestion.id)
        .order_by(AnsweredQuestion.id.desc())
        .limit(limit)
    )
    return [
        ToTeach(question_id, question, stored_lang(lang), topic_id, bool(wants))
        for question_id, question, lang, topic_id, wants in session.execute(unhappy)
    ]


def version(session: Session) -> int:
    """The examples' version: it changes with every addition and removal, on every instance."""
    return session.scalar(select(func.max(TaughtChange.id))) or 0


_INDEXES: dict[str, tuple[int, TaughtIndex]] = {}
_INDEX_LOCK = threading.Lock()


def taught_index(session: Session) -> TaughtIndex:
    """The index of the examples in use, rebuilt in this process when the database's version moved."""
    current = version(session)
    if current == 0:
        return NOTHING_TAUGHT
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _INDEX_LOCK:
        known = _INDEXES.get(database)
        if known is not None and known[0] == current:
            return known[1]
    index = TaughtIndex([TaughtExample(t.question, t.label) for t in taught_examples(session)])
    with _INDEX_LOCK:
        _INDEXES[database] = (current, index)
    return index
