"""Votes and comments on answered questions, and the per-article report operators read."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.answers.types import Answer, AnswerKind
from bot.feedback import (
    MAX_STORED_QUESTION,
    FeedbackVote,
    add_comment,
    answered_question,
    record_answer,
    report,
    vote,
)

ALIAS_ANSWER = Answer(
    kind=AnswerKind.ARTICLE, lang="sv", text="...", topic_id="alias", title="Alias", score=0.8
)
NO_ANSWER = Answer(kind=AnswerKind.NO_ANSWER, lang="en", text="...", score=0.1)


def test_answer_is_recorded_with_who_and_where(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        question_id = record_answer(
            session, "vad är ett alias?", ALIAS_ANSWER, user_id="U1", team_id="T1", channel_id="D1"
        )
        stored = answered_question(session, question_id)
    assert stored is not None
    assert (stored.question, stored.lang, stored.topic_id, stored.score) == (
        "vad är ett alias?",
        "sv",
        "alias",
        0.8,
    )
    assert (stored.user_id, stored.team_id, stored.channel_id, stored.kind) == ("U1", "T1", "D1", "article")
    assert stored.asked_at is not None


def test_oversized_question_is_stored_cut_not_refused(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        question_id = record_answer(session, "x" * 40_000, NO_ANSWER)
        stored = answered_question(session, question_id)
    assert stored is not None and len(stored.question) == MAX_STORED_QUESTION


def test_a_changed_vote_counts_once(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        question_id = record_answer(session, "what is an alias", ALIAS_ANSWER, user_id="U1")
        vote(session, question_id, "U1", helpful=True)
        vote(session, question_id, "U1", helpful=True)  # a double click
        vote(session, question_id, "U1", helpful=False)  # changed their mind
        vote(session, question_id, "U2", helpful=True)  # someone else in the thread
        votes = session.scalars(select(FeedbackVote).order_by(FeedbackVote.user_id)).all()
        [alias] = report(session)
    assert [(v.user_id, v.helpful) for v in votes] == [("U1", False), ("U2", True)]
    assert (alias.topic_id, alias.answered, alias.helpful, alias.not_helpful) == ("alias", 1, 1, 1)
    assert alias.helpful_share == 0.5


def test_vote_on_unknown_question_changes_nothing(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        assert vote(session, 999, "U1", helpful=True) is None
        assert add_comment(session, 999, "U1", "unclear") is None
        assert session.scalar(select(func.count()).select_from(FeedbackVote)) == 0


def test_comment_lands_in_the_report_of_its_article(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        alias_id = record_answer(session, "vad är ett alias?", ALIAS_ANSWER, user_id="U1")
        unanswered_id = record_answer(session, "how do I bake bread", NO_ANSWER, user_id="U2")
        vote(session, alias_id, "U1", helpful=False)
        add_comment(session, alias_id, "U1", "  Oklart om svaret går till samma inkorg  ", wants_person=True)
        add_comment(session, unanswered_id, "U2", "   ")  # an empty comment box: a vote, no comment
        rows = {row.topic_id: row for row in report(session)}
    assert rows["alias"].not_helpful == 1 and rows["alias"].helpful == 0
    [comment] = rows["alias"].comments
    assert comment.comment == "Oklart om svaret går till samma inkorg"
    assert comment.question == "vad är ett alias?" and comment.wants_person
    assert rows[None].not_helpful == 1 and rows[None].comments == []


def test_report_lists_articles_needing_work_first(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        good = record_answer(session, "alias?", ALIAS_ANSWER)
        bad = record_answer(
            session, "forward?", Answer(AnswerKind.ARTICLE, "en", "...", "forwarding", "F", 0.7)
        )
        vote(session, good, "U1", helpful=True)
        vote(session, bad, "U1", helpful=False)
        assert [row.topic_id for row in report(session)] == ["forwarding", "alias"]
        unvoted = record_answer(session, "group?", Answer(AnswerKind.ARTICLE, "en", "...", "group", "G", 0.7))
        assert answered_question(session, unvoted) is not None
        assert [row for row in report(session) if row.topic_id == "group"][0].helpful_share is None


def test_simultaneous_clicks_store_one_vote_per_person(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        question_id = record_answer(session, "vad är ett alias?", ALIAS_ANSWER)
    failures: list[BaseException] = []

    def click(n: int) -> None:
        try:
            with session_factory() as session:
                vote(session, question_id, f"U{n % 3}", helpful=n % 2 == 0)
        except BaseException as error:  # any failure is the finding
            failures.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with session_factory() as session:
        voters = session.scalars(select(FeedbackVote.user_id).order_by(FeedbackVote.user_id)).all()
    assert voters == ["U0", "U1", "U2"]


def test_nul_characters_in_a_question_or_comment_are_dropped_not_an_error(
    session_factory: sessionmaker,
) -> None:
    # PostgreSQL's text columns refuse NUL; Slack's JSON can carry one (\u0000).
    with session_factory() as session:
        question_id = record_answer(session, "vad är\x00 ett alias?", ALIAS_ANSWER, user_id="U1")
        comment = add_comment(session, question_id, "U1", "oklart\x00 text")
        stored = answered_question(session, question_id)
    assert stored is not None and stored.question == "vad är ett alias?"
    assert comment is not None and comment.comment == "oklart text"
