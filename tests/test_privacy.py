"""Retention, erasure and export of people's data (bot.privacy), on SQLite and PostgreSQL.

The database is filled through mailbot's own code (tests/support/personal_data.py); erasure is
checked by reading every value of every table the database has, so a table added later that keeps
someone's id or text fails here until it is declared in its module's PERSONAL_DATA."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select, text, update
from sqlalchemy.orm import Session, sessionmaker

import bot.models  # noqa: F401  (registers every table)
from bot.config import Settings
from bot.db import Base, alembic_config, upgrade, utcnow
from bot.feedback import AnsweredQuestion, FeedbackVote, add_comment, record_answer, report, vote
from bot.flows.store import LOCALE_LIFETIME, PENDING_RETENTION, PendingChange, UserLocale, remember_locale
from bot.privacy.messages import PrivacyError
from bot.privacy.people import ACTION_ERASE, erase, export, pseudonym
from bot.privacy.retention import prune, prune_daily, question_retention
from bot.routing.service import RoutingService
from bot.slack.job_queue import RETENTION as JOB_RETENTION
from bot.slack.job_queue import JobQueue, SlackJob
from bot.slack.stores import ALL_PERSONAL_DATA as PERSONAL_DATA
from bot.teaching import TaughtChange, TaughtQuestion, forget, taught_examples, taught_index, teach
from tests.support.personal_data import (
    OPERATOR,
    OTHER,
    PERSON,
    SECRET,
    Written,
    all_rows,
    dm_job,
    fill,
    settings_for,
    shown,
    texts_in,
)
from tests.test_feedback import ALIAS_ANSWER, NO_ANSWER

# Tables that hold nobody's Slack id or text: customers and their domains, the mail routing itself
# (addresses and names of mailboxes are the customer's service, removed with the mailbox) and the
# workspace's bot.
SERVICE_TABLES = {
    "domains",
    "mailboxes",
    "routes",
    "distribution_groups",
    "slack_bots",
    "customers",  # a company's name
    "customer_domains",
}
RETENTION = timedelta(days=180)


@pytest.fixture
def filled(database_url: str, engine: Engine, session_factory: sessionmaker) -> Written:
    return fill(settings_for(database_url), session_factory, engine)


def counts(sessions: sessionmaker) -> list[tuple[str | None, int, int, int]]:
    with sessions() as session:
        return [(row.topic_id, row.answered, row.helpful, row.not_helpful) for row in report(session)]


def test_every_table_is_declared_as_personal_data_or_holds_none() -> None:
    declared = {entry.table.name for entry in PERSONAL_DATA}
    undecided = set(Base.metadata.tables) - declared - SERVICE_TABLES
    assert not undecided, f"declare {undecided} in its module's PERSONAL_DATA, or add it to SERVICE_TABLES"


def test_stored_question_and_comment_are_masked(filled: Written, session_factory: sessionmaker) -> None:
    with session_factory() as session:
        stored = session.scalars(
            select(AnsweredQuestion.question).where(AnsweredQuestion.user_id == PERSON)
        ).all()
        comment = session.scalar(select(FeedbackVote.comment).where(FeedbackVote.user_id == PERSON))
    assert sorted(stored) == sorted(filled.person_texts[:2])
    assert comment == filled.person_texts[2]


# -- retention --------------------------------------------------------------------------------------


def test_prune_removes_exactly_what_is_older_than_each_limit_and_keeps_the_counts(
    session_factory: sessionmaker,
) -> None:
    now = utcnow()
    minute = timedelta(minutes=1)
    with session_factory() as session:
        old_q = record_answer(
            session, "gammal fråga", ALIAS_ANSWER, user_id="U0OLD", team_id="T1", channel_id="C1"
        )
        new_q = record_answer(
            session, "ny fråga", ALIAS_ANSWER, user_id="U0NEW", team_id="T1", channel_id="C1"
        )
        unanswered = record_answer(session, "bröd?", NO_ANSWER, user_id="U0OLD")
        for question_id, user in ((old_q, "U0OLD"), (new_q, "U0NEW"), (unanswered, "U0OLD")):
            add_comment(session, question_id, user, f"oklart för {user}")
        vote(session, old_q, "U0NEW", helpful=True)  # a recent vote on an old question
        remember_locale(session, "U0OLD", "sv-SE")
        remember_locale(session, "U0NEW", "en-US")
        session.add_all(
            [
                SlackJob(receipt=f"event:Ev{u}", kind="event", details={}, user_id=u)
                for u in ("U0OLD", "U0NEW")
            ]
        )
        session.add_all(
            [
                PendingChange(flow_id="alias.add", change={}, user_id=u, team_id="T1")
                for u in ("U0OLD", "U0NEW")
            ]
        )
        session.commit()
        for question_id, age in (
            (old_q, RETENTION + minute),
            (unanswered, RETENTION + minute),
            (new_q, RETENTION - minute),
        ):
            session.execute(
                update(AnsweredQuestion).where(AnsweredQuestion.id == question_id).values(asked_at=now - age)
            )
        for user_id, age in (("U0OLD", RETENTION + minute), ("U0NEW", RETENTION - minute)):
            session.execute(
                update(FeedbackVote).where(FeedbackVote.user_id == user_id).values(voted_at=now - age)
            )
        session.execute(
            update(FeedbackVote)
            .where(FeedbackVote.question_id == old_q, FeedbackVote.user_id == "U0NEW")
            .values(voted_at=now - minute)
        )
        for user_id, age in (("U0OLD", LOCALE_LIFETIME + minute), ("U0NEW", LOCALE_LIFETIME - minute)):
            session.execute(
                update(UserLocale).where(UserLocale.user_id == user_id).values(fetched_at=now - age)
            )
        for user_id, age in (("U0OLD", PENDING_RETENTION + minute), ("U0NEW", PENDING_RETENTION - minute)):
            session.execute(
                update(PendingChange).where(PendingChange.user_id == user_id).values(created_at=now - age)
            )
        for user_id, age in (("U0OLD", JOB_RETENTION + minute), ("U0NEW", JOB_RETENTION - minute)):
            session.execute(update(SlackJob).where(SlackJob.user_id == user_id).values(created_at=now - age))
        session.commit()
    before = counts(session_factory)

    with session_factory() as session:
        dry = {p.entry.name: p.rows for p in prune(session, PERSONAL_DATA, RETENTION, now=now, dry_run=True)}
    with session_factory() as session:
        done = {p.entry.name: p.rows for p in prune(session, PERSONAL_DATA, RETENTION, now=now)}
    expected = {
        "questions": 2,
        "feedback": 2,  # U0OLD's votes with comments on its two old questions; U0NEW's stay
        "pending_changes": 1,
        "language_setting": 1,
        "slack_requests": 1,
        "oauth_states": 0,
        "change_requests": 0,
        "user_group_members": 0,
    }
    assert dry == done == expected
    assert counts(session_factory) == before  # `mailbot feedback` counts exactly as before

    with session_factory() as session:
        questions = {q.id: q for q in session.scalars(select(AnsweredQuestion))}
        assert (questions[old_q].question, questions[old_q].user_id, questions[old_q].channel_id) == (
            "",
            None,
            None,
        )
        assert questions[old_q].team_id is None and questions[old_q].topic_id == "alias"
        assert (questions[new_q].question, questions[new_q].user_id) == ("ny fråga", "U0NEW")
        votes = session.execute(
            select(FeedbackVote.question_id, FeedbackVote.user_id, FeedbackVote.comment)
        ).all()
        assert sorted(votes, key=str) == sorted(
            [
                (old_q, None, None),
                (unanswered, None, None),
                (new_q, "U0NEW", "oklart för U0NEW"),
                (old_q, "U0NEW", None),
            ],
            key=str,
        )
        assert session.scalars(select(UserLocale.user_id)).all() == ["U0NEW"]
        assert session.scalars(select(PendingChange.user_id)).all() == ["U0NEW"]
        assert session.scalars(select(SlackJob.receipt)).all() == ["event:EvU0NEW"]
    with session_factory() as session:  # nothing is counted twice
        assert all(p.rows == 0 for p in prune(session, PERSONAL_DATA, RETENTION, now=now))


def test_dry_run_changes_nothing(filled: Written, engine: Engine, session_factory: sessionmaker) -> None:
    before = all_rows(engine)
    with session_factory() as session:
        pruned = prune(
            session, PERSONAL_DATA, timedelta(days=1), now=utcnow() + timedelta(days=30), dry_run=True
        )
    assert sum(p.rows for p in pruned) > 0
    assert all_rows(engine) == before


def test_expired_oauth_states_are_deleted(
    filled: Written, session_factory: sessionmaker, engine: Engine
) -> None:
    with session_factory() as session:
        assert _pruned(session, utcnow())["oauth_states"] == 0  # valid for ten minutes
    with session_factory() as session:
        assert _pruned(session, utcnow() + timedelta(minutes=11))["oauth_states"] == 1
    assert all_rows(engine)["slack_oauth_states"] == []


def _pruned(session: Session, now: Any) -> dict[str, int]:
    return {p.entry.name: p.rows for p in prune(session, PERSONAL_DATA, RETENTION, now=now)}


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", "36501", " ", "180 days", "1e3"])
def test_a_retention_of_zero_or_below_or_not_a_number_is_refused(value: str) -> None:
    with pytest.raises(PrivacyError) as refused:
        question_retention(Settings(question_retention_days=value))
    assert "MAILBOT_QUESTION_RETENTION_DAYS" in refused.value.text.render("en")
    assert "Inget har ändrats" in refused.value.text.render("sv")


def test_retention_default_and_setting() -> None:
    assert question_retention(Settings()) == timedelta(days=180)
    assert question_retention(Settings.from_env({"MAILBOT_QUESTION_RETENTION_DAYS": " 30 "})) == timedelta(
        days=30
    )


def test_the_daily_prune_runs_at_once_and_again_after_its_interval(session_factory: sessionmaker) -> None:
    settings = settings_for("sqlite://")
    with session_factory() as session:
        question_id = record_answer(session, "gammal fråga", ALIAS_ANSWER, user_id="U0OLD")
        session.execute(update(AnsweredQuestion).values(asked_at=utcnow() - RETENTION - timedelta(minutes=1)))
        session.commit()
    stop = threading.Event()
    thread = prune_daily(session_factory, settings, PERSONAL_DATA, interval=timedelta(seconds=0.2), stop=stop)
    try:
        wait_for(lambda: _question(session_factory, question_id).user_id is None)
        # A question that ages past the limit while the app runs goes at the next round.
        with session_factory() as session:
            later = record_answer(session, "fråga", ALIAS_ANSWER, user_id="U0LATER")
            session.execute(
                update(AnsweredQuestion)
                .where(AnsweredQuestion.id == later)
                .values(asked_at=utcnow() - RETENTION)
            )
            session.commit()
        wait_for(lambda: _question(session_factory, later).user_id is None)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _question(sessions: sessionmaker, question_id: int) -> AnsweredQuestion:
    with sessions() as session:
        question = session.get(AnsweredQuestion, question_id)
        assert question is not None
        return question


def wait_for(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


# -- erasure and export -----------------------------------------------------------------------------


def test_erasure_leaves_no_trace_of_the_person_in_any_table(
    filled: Written, engine: Engine, session_factory: sessionmaker
) -> None:
    before = all_rows(engine)
    assert any(PERSON in value for _, _, value in texts_in(before))
    feedback_before = counts(session_factory)
    with session_factory() as session:
        erased = erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    after = all_rows(engine)

    traces = [
        (table, column, value)
        for table, column, value in texts_in(after)
        if PERSON in value or any(text in value for text in filled.person_texts)
    ]
    assert traces == []
    # The other person's own data is untouched, and the counts per article are the same.
    other_values = [value for _, _, value in texts_in(after)]
    assert all(text in other_values for text in filled.other_texts)
    assert any(row["user_id"] == OTHER for row in after["flow_user_locales"])
    assert counts(session_factory) == feedback_before
    assert {entry.name: count for entry, count in erased.rows} == {
        "questions": 3,  # their two questions, and the copy recorded under the other person
        "feedback": 2,
        "pending_changes": 3,  # two previews of their own and the one they requested
        "language_setting": 1,
        "routing_changes": len(filled.person_change_ids) + 1,  # and the one another approved for them
        "customer_listings": 1,
        "change_requests": 1,
        "taught_examples": 2,  # the example they taught, and removed
        "teaching_audit": 2,
        "taught_questions": 1,  # their question the other person taught: withdrawn, its text emptied
        "slack_installations": 1,
        "slack_requests": 1,  # the DM they sent the Slack app, answered: its receipt
    }


def test_the_audit_shows_the_persons_changes_under_a_pseudonym_and_records_the_erasure(
    filled: Written, session_factory: sessionmaker
) -> None:
    with session_factory() as session:
        erased = erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    alias = pseudonym(PERSON, SECRET)
    assert erased.pseudonym == alias and alias.startswith("erased-") and PERSON not in alias
    audit = {record.id: record for record in RoutingService(session_factory).audit()}
    assert [audit[i].actor for i in filled.person_change_ids] == [alias] * len(filled.person_change_ids)
    assert audit[filled.person_change_ids[0]].subject == "support@kulexempel.se"  # the change itself is kept
    record = audit[erased.change_id]
    assert (record.actor, record.action, record.subject) == ("operator", ACTION_ERASE, alias)
    assert PERSON not in json.dumps(record.after)
    # The erasure is not a routing change: undo refuses it and changes nothing.
    assert RoutingService(session_factory).undo(erased.change_id, OPERATOR).status.value == "refused"


def test_the_pseudonym_is_stable_and_depends_on_the_secret() -> None:
    assert pseudonym(PERSON, SECRET) == pseudonym(PERSON, SECRET)
    assert pseudonym(PERSON, SECRET) != pseudonym(OTHER, SECRET)
    assert pseudonym(PERSON, SECRET) != pseudonym(PERSON, SECRET + "x")


def test_export_holds_everything_erasure_removes(
    filled: Written, engine: Engine, session_factory: sessionmaker
) -> None:
    with session_factory() as session:
        document = export(
            session, PERSONAL_DATA, PERSON, titles={"manage-aliases": "Alias"}, lang="en", retention=RETENTION
        )
    before = all_rows(engine)
    with session_factory() as session:
        erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    removed = _removed_values(before, all_rows(engine))

    sections_of: dict[str, list[str]] = {}
    for entry in PERSONAL_DATA:
        sections_of.setdefault(entry.table.name, []).append(entry.name)
    assert set(removed) == {
        "answered_questions",
        "feedback_votes",
        "flow_pending_changes",
        "flow_user_locales",
        "audit_log",
        "customer_members",
        "change_requests",
        "taught_examples",
        "taught_example_changes",
        "slack_installations",
        "slack_jobs",
    }
    for table, values in removed.items():
        # In the sections of that table (their id also as "slack_user"), to the microsecond.
        exported = {*_values([document[name] for name in sections_of[table]]), document["slack_user"]}
        assert values - exported == set(), table


def _removed_values(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, set[str]]:
    """Per table, every value erasure deleted or changed (as text), row numbers and flags aside: on
    their own they say nothing about a person."""
    removed: dict[str, set[str]] = {}
    for table, rows in before.items():
        if not rows:
            continue
        key = "id" if "id" in rows[0] else next(iter(rows[0]))
        remaining = {row[key]: row for row in after[table]}
        for row in rows:
            kept = remaining.get(row[key], {})
            for column, value in row.items():
                if value in (None, "") or kept.get(column) == value or isinstance(value, bool | int):
                    continue
                removed.setdefault(table, set()).add(shown(value))
    return removed


def _values(document: Any) -> list[str]:
    """Every value in an exported document as text, and each object as a whole (a stored JSON value)."""
    if isinstance(document, dict):
        return [*(v for value in document.values() for v in _values(value)), shown(document)]
    if isinstance(document, list):
        return [v for value in document for v in _values(value)]
    return [shown(document)]


def test_a_request_still_waiting_is_erased_with_its_text_and_exported_without_its_payload(
    filled: Written, engine: Engine, session_factory: sessionmaker
) -> None:
    """What a person sent the Slack app stays in the job queue until it is answered (and holds Slack's
    one-off response URL and trigger id): erasure deletes it, export names it only."""
    text = "Ring mig på 070-123 45 67, var är mitt alias?"
    assert JobQueue(engine).enqueue(dm_job(PERSON, text, ts="1700000100.000100")) is not None
    with session_factory() as session:
        document = export(session, PERSONAL_DATA, PERSON, titles={}, lang="en", retention=RETENTION)
    waiting = [row for row in document["slack_requests"] if row["state"] == "queued"]
    assert [row["request"] for row in waiting] == ["event"] and text not in json.dumps(document)
    with session_factory() as session:
        erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    assert not [value for _, _, value in texts_in(all_rows(engine)) if PERSON in value or text in value]


def test_erasing_the_asker_withdraws_every_example_taught_from_their_words(
    filled: Written, session_factory: sessionmaker
) -> None:
    """The example the other person taught from their question, one an agent typed with the very text of
    a question of theirs (no asker: taught before askers were kept, or from a copy of their question),
    and one already removed all lose the text and are out of use; agents' own examples stay."""
    with session_factory() as session:
        [from_theirs] = session.scalars(select(TaughtQuestion.id).where(TaughtQuestion.asked_by == PERSON))
        typed = teach(session, filled.person_texts[1], "manage-forwarding", "karin")
        own = teach(session, "två adresser till en inkorg?", "manage-aliases", "karin")
        earlier = forget(session, teach(session, "ring mig", "alias", "karin", asked_by=PERSON).id, "olle")
        last_change = session.scalar(select(func.max(TaughtChange.id)))
        assert {e.id for e in taught_examples(session)} == {from_theirs, typed.id, own.id}
        assert filled.person_texts[0] in [e.question for e in taught_index(session).examples]
    with session_factory() as session:
        erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    alias = pseudonym(PERSON, SECRET)

    with session_factory() as session:
        rows = {row.id: row for row in session.scalars(select(TaughtQuestion))}
        changes = session.execute(
            select(TaughtChange.example_id, TaughtChange.action, TaughtChange.actor)
            .where(TaughtChange.id > last_change)
            .order_by(TaughtChange.id)
        ).all()
        in_use = taught_examples(session)
        indexed = [e.question for e in taught_index(session).examples]
    withdrawn = (from_theirs, typed.id, earlier.id)
    assert [(rows[i].question, rows[i].removed_at is not None) for i in withdrawn] == [("", True)] * 3
    assert [(rows[i].asked_by, rows[i].removed_by) for i in withdrawn] == [
        (alias, alias),
        (None, alias),
        (alias, "olle"),  # removed before: it keeps who removed it, and gets no second removal
    ]
    assert [tuple(change) for change in changes] == [
        (from_theirs, "remove", alias),
        (typed.id, "remove", alias),
    ]
    assert [e.id for e in in_use] == [own.id] and indexed == ["två adresser till en inkorg?"]
    # The example the person (as an agent) taught from the other person's question keeps its text.
    assert "vad är en distributionsgrupp?" in [row.question for row in rows.values()]


def test_examples_taught_before_askers_were_kept_get_the_first_asker_of_their_text(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0011_slack_job_queue")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO answered_questions"
                " (id, question, lang, kind, topic_id, score, user_id, asked_at) "
                "VALUES (1, 'två adresser?', 'sv', 'article', 'alias', 0.9, 'U07FIRST', :now), "
                "(2, 'två adresser?', 'sv', 'article', 'alias', 0.9, 'U07CLICKER', :now), "
                "(3, '', 'sv', 'article', 'alias', 0.9, NULL, :now)"
            ),
            {"now": utcnow()},
        )
        connection.execute(
            text(
                "INSERT INTO taught_examples (id, question, lang, label, taught_by, taught_at) "
                "VALUES (1, 'två adresser?', 'sv', 'alias', 'karin', :now), "
                "(2, 'skrivet av en agent', 'sv', 'none', 'karin', :now)"
            ),
            {"now": utcnow()},
        )
    upgrade(engine)
    with engine.connect() as connection:
        linked = {
            row.id: row.asked_by
            for row in connection.execute(text("SELECT id, asked_by FROM taught_examples"))
        }
    assert linked == {1: "U07FIRST", 2: None}
    command.downgrade(alembic_config(engine), "0011_slack_job_queue")
    assert "asked_by" not in {column["name"] for column in inspect(engine).get_columns("taught_examples")}
    upgrade(engine)


def test_examples_taught_before_they_kept_their_question_are_linked_to_their_askers_question(
    engine: Engine,
) -> None:
    command.downgrade(alembic_config(engine), "0015_request_origins")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO answered_questions"
                " (id, question, lang, kind, topic_id, score, user_id, asked_at) "
                "VALUES (1, 'två adresser?', 'sv', 'article', 'alias', 0.9, 'U07CLICKER', :now), "
                "(2, 'två adresser?', 'sv', 'article', 'alias', 0.9, 'U07FIRST', :now)"
            ),
            {"now": utcnow()},
        )
        connection.execute(
            text(
                "INSERT INTO taught_examples (id, question, lang, label, taught_by, taught_at, asked_by) "
                "VALUES (1, 'två adresser?', 'sv', 'alias', 'karin', :now, 'U07FIRST'), "
                "(2, 'skrivet av en agent', 'sv', 'none', 'karin', :now, NULL)"
            ),
            {"now": utcnow()},
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, question_id FROM taught_examples"))
        linked = {row.id: row.question_id for row in rows}
    assert linked == {1: 2, 2: None}
    command.downgrade(alembic_config(engine), "0015_request_origins")
    assert "question_id" not in {column["name"] for column in inspect(engine).get_columns("taught_examples")}
    upgrade(engine)


def test_export_shows_the_examples_taught_from_their_questions(
    filled: Written, session_factory: sessionmaker
) -> None:
    with session_factory() as session:
        document = export(
            session, PERSONAL_DATA, PERSON, titles={"manage-aliases": "Alias"}, lang="en", retention=RETENTION
        )
    [taught] = document["taught_questions"]
    assert (taught["question"], taught["label"], taught["removed_at"]) == (
        filled.person_texts[0],
        {"id": "manage-aliases", "title": "Alias"},
        None,
    )
    assert set(taught) == {"number", "taught_at", "question", "label", "removed_at"}  # not who taught it


def test_export_is_readable(filled: Written, session_factory: sessionmaker) -> None:
    with session_factory() as session:
        document = export(
            session,
            PERSONAL_DATA,
            PERSON,
            titles={"manage-aliases": "Adding or removing an alias"},
            lang="sv",
            retention=RETENTION,
        )
    assert document["slack_user"] == PERSON and "180 dagar" in document["about"]
    first = document["questions"][0]
    assert first["question"] == filled.person_texts[0]
    assert first["article"] == {"id": "manage-aliases", "title": "Adding or removing an alias"}
    assert first["asked_at"].endswith("+00:00") and first["asked_at"][:4].isdigit()
    assert {v["helpful"] for v in document["feedback"]} == {True, False}
    # Their own change, and the one an agent approved at their request.
    assert [c["address"] for c in document["routing_changes"]] == ["support@kulexempel.se", "order@kund.se"]
    assert document["language_setting"] == [
        {"language": "sv", "read_from_slack_at": document["language_setting"][0]["read_from_slack_at"]}
    ]
    assert document["slack_installations"][0]["workspace_name"] == "Kulexempel"
    assert "xoxb" not in json.dumps(document)  # never a token
    assert OTHER not in json.dumps(document) and "distributionsgrupp" not in json.dumps(document)


@pytest.mark.parametrize(
    "value", ["", "anna svensson", "u07person1", "<@U07PERSON1>", "U", "U07PERSON1; DROP TABLE x", "x" * 500]
)
def test_a_malformed_user_id_is_refused_and_changes_nothing(
    value: str, filled: Written, engine: Engine, session_factory: sessionmaker
) -> None:
    before = all_rows(engine)
    for act in (
        lambda s: erase(s, PERSONAL_DATA, value, secret=SECRET, actor="operator"),
        lambda s: export(s, PERSONAL_DATA, value, titles={}, lang="sv", retention=RETENTION),
    ):
        with session_factory() as session, pytest.raises(PrivacyError) as refused:
            act(session)
        assert "Slack" in refused.value.text.render(
            "sv"
        ) and "Nothing was changed" in refused.value.text.render("en")
    assert all_rows(engine) == before


def test_an_unknown_person_or_a_missing_secret_is_refused_and_changes_nothing(
    filled: Written, engine: Engine, session_factory: sessionmaker
) -> None:
    before = all_rows(engine)
    with session_factory() as session, pytest.raises(PrivacyError) as unknown:
        erase(session, PERSONAL_DATA, "U07NOBODY", secret=SECRET, actor="operator")
    assert unknown.value.text.render("en") == "mailbot holds no data about U07NOBODY. Nothing was changed."
    assert unknown.value.text.render("sv") == "mailbot har inga uppgifter om U07NOBODY. Inget har ändrats."
    with session_factory() as session, pytest.raises(PrivacyError):
        export(session, PERSONAL_DATA, "U07NOBODY", titles={}, lang="en", retention=RETENTION)
    for secret in (None, "short"):
        with session_factory() as session, pytest.raises(PrivacyError) as no_secret:
            erase(session, PERSONAL_DATA, PERSON, secret=secret, actor="operator")
        assert "MAILBOT_PSEUDONYM_SECRET" in no_secret.value.text.render("sv")
    assert all_rows(engine) == before


def test_erasing_twice_finds_nothing_the_second_time(filled: Written, session_factory: sessionmaker) -> None:
    with session_factory() as session:
        erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    with session_factory() as session, pytest.raises(PrivacyError):
        erase(session, PERSONAL_DATA, PERSON, secret=SECRET, actor="operator")
    with session_factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(FeedbackVote).where(FeedbackVote.user_id.is_(None))
            )
            == 2
        )
