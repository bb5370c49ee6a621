"""Answered questions and "Was this helpful?" votes, with optional comments, and a report per article.

Every answer the bot gives is recorded first; its id travels in the feedback buttons, so a click (on
any instance) finds the question, its language and its article again. One vote per question and user:
voting again changes the vote, it never counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.answers.types import Answer, AnswerKind
from bot.config import Lang
from bot.db import Base, utcnow
from bot.privacy.masking import mask_personal_data
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

# Longest question kept: enough to read it later, small enough for a table row and a Slack message.
MAX_STORED_QUESTION = 4000
MAX_COMMENT = 3000


# Masking reads a little past the cut, so an address the cut would split is still found whole.
MASKING_MARGIN = 300


def storable(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, e-mail addresses, phone and personal identity numbers masked
    (the answer was worked out from the original), without NUL (PostgreSQL's text columns refuse it)."""
    return mask_personal_data(text.replace("\x00", "")[: limit + MASKING_MARGIN])[:limit]


class AnsweredQuestion(Base):
    __tablename__ = "answered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))  # AnswerKind value
    topic_id: Mapped[str | None] = mapped_column(String(64), index=True)  # None when no article fitted
    score: Mapped[float] = mapped_column(Float)
    # Slack user id, or the terminal's OS user; None (and question "") once anonymised.
    user_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class FeedbackVote(Base):
    __tablename__ = "feedback_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_feedback_votes_question_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("answered_questions.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(64))  # None once anonymised
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    wants_person: Mapped[bool] = mapped_column(Boolean, default=False)
    voted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Kept for MAILBOT_QUESTION_RETENTION_DAYS, then anonymised: the counts per article stay right.
PERSONAL_DATA = (
    PersonalTable(
        "questions",
        table_of(AnsweredQuestion),
        time_column="asked_at",
        expiry=Expiry.ANONYMISE,
        user_columns=("user_id",),
        cleared_columns=("question", "team_id", "channel_id"),
        text_columns=("question",),
        erasure=Erasure.ANONYMISE,
        exported={
            "id": "number",
            "asked_at": "asked_at",
            "question": "question",
            "lang": "language",
            "topic_id": "article",
            "team_id": "workspace",
            "channel_id": "channel",
        },
        article_column="topic_id",
    ),
    PersonalTable(
        "feedback",
        table_of(FeedbackVote),
        time_column="voted_at",
        expiry=Expiry.ANONYMISE,
        user_columns=("user_id",),
        cleared_columns=("comment",),
        text_columns=("comment",),
        erasure=Erasure.ANONYMISE,
        exported={
            "voted_at": "voted_at",
            "question_id": "question_number",
            "helpful": "helpful",
            "comment": "comment",
            "wants_person": "asked_for_a_person",
        },
    ),
)


def record_answer(
    session: Session,
    question: str,
    answer: Answer,
    *,
    user_id: str | None = None,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> int:
    """Store that `question` got `answer`; returns the id the feedback buttons carry."""
    row = AnsweredQuestion(
        question=storable(question, MAX_STORED_QUESTION),
        lang=answer.lang,
        kind=answer.kind.value,
        topic_id=answer.topic_id,
        score=answer.score,
        user_id=user_id,
        team_id=team_id,
        channel_id=channel_id,
    )
    session.add(row)
    session.commit()
    return row.id


def answered_question(session: Session, question_id: int) -> AnsweredQuestion | None:
    return session.get(AnsweredQuestion, question_id)


def vote(session: Session, question_id: int, user_id: str, *, helpful: bool) -> FeedbackVote | None:
    """Record or change `user_id`'s vote on one answered question; None if the question is unknown."""
    if session.get(AnsweredQuestion, question_id) is None:
        return None
    existing = _vote_of(session, question_id, user_id)
    if existing is None:
        try:
            existing = FeedbackVote(question_id=question_id, user_id=user_id, helpful=helpful)
            session.add(existing)
            session.commit()
            return existing
        except IntegrityError:
            # A double click raced us to the insert: the unique constraint kept one row, change that one.
            session.rollback()
            existing = _vote_of(session, question_id, user_id)
            assert existing is not None
    existing.helpful = helpful
    existing.voted_at = utcnow()
    session.commit()
    return existing


def add_comment(
    session: Session, question_id: int, user_id: str, comment: str | None, *, wants_person: bool = False
) -> FeedbackVote | None:
    """Attach what was unclear (and whether a person should follow up) to the user's "not helpful" vote."""
    existing = vote(session, question_id, user_id, helpful=False)
    if existing is None:
        return None
    text = storable((comment or "").strip(), MAX_COMMENT)
    if text:
        existing.comment = text
    existing.wants_person = existing.wants_person or wants_person
    session.commit()
    return existing


def _vote_of(session: Session, question_id: int, user_id: str) -> FeedbackVote | None:
    return session.scalar(
        select(FeedbackVote).where(FeedbackVote.question_id == question_id, FeedbackVote.user_id == user_id)
    )


def stored_lang(value: str) -> Lang:
    """The language column of a stored answer (written from a `Lang`) as a `Lang` again."""
    return "en" if value == "en" else "sv"


@dataclass(frozen=True)
class Comment:
    question: str
    lang: Lang
    comment: str
    wants_person: bool


@dataclass(frozen=True)
class ArticleFeedback:
    topic_id: str | None  # None: questions no article answered
    answered: int
    helpful: int
    not_helpful: int
    comments: list[Comment] = field(default_factory=list)

    @property
    def helpful_share(self) -> float | None:
        votes = self.helpful + self.not_helpful
        return self.helpful / votes if votes else None


def report(session: Session) -> list[ArticleFeedback]:
    """Helpful / not helpful per article (most "not helpful" first: those need work), with comments."""
    counts = session.execute(
        select(
            AnsweredQuestion.topic_id,
            func.count(func.distinct(AnsweredQuestion.id)),
            func.count(case((FeedbackVote.helpful.is_(True), 1))),
            func.count(case((FeedbackVote.helpful.is_(False), 1))),
        )
        .outerjoin(FeedbackVote, FeedbackVote.question_id == AnsweredQuestion.id)
        .where(AnsweredQuestion.kind != AnswerKind.SMALLTALK.value)  # greetings are not questions
        .group_by(AnsweredQuestion.topic_id)
    ).all()
    comments: dict[str | None, list[Comment]] = {}
    for topic_id, question, lang, comment, wants_person in session.execute(
        select(
            AnsweredQuestion.topic_id,
            AnsweredQuestion.question,
            AnsweredQuestion.lang,
            FeedbackVote.comment,
            FeedbackVote.wants_person,
        )
        .join(FeedbackVote, FeedbackVote.question_id == AnsweredQuestion.id)
        .where(FeedbackVote.comment.is_not(None))
        .order_by(FeedbackVote.voted_at)
    ):
        assert comment is not None  # the query keeps only votes with a comment
        comments.setdefault(topic_id, []).append(Comment(question, stored_lang(lang), comment, wants_person))
    articles = [
        ArticleFeedback(topic_id, answered, helpful, not_helpful, comments.get(topic_id, []))
        for topic_id, answered, helpful, not_helpful in counts
    ]
    return sorted(articles, key=lambda a: (-a.not_helpful, -a.answered, a.topic_id or ""))
