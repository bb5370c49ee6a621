"""A database with people's data in every table that can hold it, written through mailbot's own code
(the conversation, feedback, flows, routing, the Slack job queue and slack_sdk's installation store),
and a look at every text in every table, for the privacy tests and the privacy benchmark."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.conversation import ask, show_topic
from bot.customers.directory import Additions, CustomerDirectory
from bot.feedback import add_comment, vote
from bot.flows.approvals import Approvals
from bot.flows.core import Flows, Person, Reply, ReplyKind
from bot.flows.store import remember_locale
from bot.i18n import Text
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from bot.slack.job_queue import Job, JobQueue
from bot.teaching import forget, teach_answered

PERSON = "U07PERSON1"  # whose data is erased or exported
OTHER = "U07OTHER22"  # someone else, whose data must stay
TEAM = "T07TEAM"
OPERATOR = Actor("operator", Role.ADMIN)
SECRET = "test-pseudonym-secret-0123456789"


@dataclass
class Written:
    """What was stored about the person (texts as stored, i.e. masked) and about the other one."""

    person_texts: list[str] = field(default_factory=list)
    other_texts: list[str] = field(default_factory=list)
    person_question_ids: list[int] = field(default_factory=list)
    person_change_ids: list[int] = field(default_factory=list)


def settings_for(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        agents=frozenset({PERSON, OTHER}),
        pseudonym_secret=SECRET,
    )


def fill(settings: Settings, sessions: sessionmaker[Session], engine: Engine) -> Written:
    """Questions, votes, comments, a related topic clicked by someone else, locales, a previewed and
    a confirmed routing change, an example taught and removed, a DM the Slack app answered, an OAuth
    state and an installation by the person; the person listed as a customer's, with a request another
    person approved; the person's question taught to the bot by the other person."""
    written = Written()
    routing = RoutingService(sessions)
    routing.add_domain("kulexempel.se", OPERATOR)
    for name in ("anna", "bo"):
        routing.add_mailbox(f"{name}@kulexempel.se", OPERATOR)
    with sessions() as session:
        mine = ask(
            session,
            settings,
            "Hur lägger jag till ett alias? Ring mig på 070-123 45 67, personnummer 811218-9876",
            user_id=PERSON,
            team_id=TEAM,
            channel_id="D07PERSON",
        )
        second = ask(session, settings, "can I forward mail to my gmail?", user_id=PERSON, team_id=TEAM)
        theirs = ask(session, settings, "vad är en distributionsgrupp?", user_id=OTHER, team_id=TEAM)
        # The other person clicks a related topic under the person's answer in a shared channel: that
        # records the person's question again, under the other person's id.
        assert mine.answer.related, "the alias article has related topics"
        copied = show_topic(
            session, settings, mine.question_id, mine.answer.related[0].topic_id, user_id=OTHER
        )
        assert copied is not None
        vote(session, mine.question_id, PERSON, helpful=False)
        add_comment(
            session,
            mine.question_id,
            PERSON,
            "Oklart! Mejla mig på anna.svensson@example.com",
            wants_person=True,
        )
        vote(session, theirs.question_id, PERSON, helpful=True)  # a vote on someone else's question
        vote(session, theirs.question_id, OTHER, helpful=False)
        add_comment(session, theirs.question_id, OTHER, "Kan en extern adress vara med?")
        remember_locale(session, PERSON, "sv-SE")
        remember_locale(session, OTHER, "en-GB")
    written.person_question_ids = [mine.question_id, second.question_id]
    written.person_texts = [
        "Hur lägger jag till ett alias? Ring mig på [phone], personnummer [personal-id]",
        "can I forward mail to my gmail?",
        "Oklart! Mejla mig på [email]",
    ]
    written.other_texts = ["vad är en distributionsgrupp?", "Kan en extern adress vara med?"]

    flows = Flows(settings, sessions)
    person, other = Person(PERSON, TEAM, Role.AGENT), Person(OTHER, TEAM, Role.AGENT)
    confirmed = _preview(flows, "add support@kulexempel.se anna@kulexempel.se", person)
    assert flows.confirm(confirmed, person).kind is ReplyKind.DONE
    _preview(flows, "add info@kulexempel.se bo@kulexempel.se", person)  # never confirmed
    assert flows.confirm(_preview(flows, "add sales@kulexempel.se bo@kulexempel.se", other), other)
    # The person is also one of a customer's people: listed, and asking for a change that the other
    # person approves (the audit names the person as the requester).
    routing.add_domain("kund.se", OPERATOR)
    routing.add_mailbox("info@kund.se", OPERATOR)
    directory = CustomerDirectory(sessions)
    assert directory.add("Kund AB", Additions(["kund.se"], users=[PERSON]), OPERATOR).ok
    customer = Person(PERSON, TEAM, None, directory.identify(PERSON, TEAM))
    preview = flows.command("/alias", "add order@kund.se info@kund.se", customer)
    assert isinstance(preview, Reply) and preview.kind is ReplyKind.REQUESTABLE and preview.pending_id
    request_id = flows.request(preview.pending_id, customer, "sv").request_id
    assert request_id is not None and not isinstance(Approvals(flows).approve(request_id, other), Text)
    with sessions() as session:  # the person, as an agent, teaches the bot someone else's question
        forget(session, teach_answered(session, theirs.question_id, "distribution-group", PERSON).id, PERSON)
        # and the other person teaches the bot the question the person said 👎 to
        teach_answered(session, mine.question_id, "manage-aliases", OTHER)
    written.person_change_ids = [entry.id for entry in routing.audit() if entry.actor == PERSON]
    assert written.person_change_ids

    answered_dm(JobQueue(engine), PERSON)
    SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine).issue()
    SQLAlchemyInstallationStore(client_id="111.222", engine=engine).save(
        Installation(
            app_id="A07APP",
            team_id=TEAM,
            team_name="Kulexempel",
            bot_token="xoxb-secret-token",
            bot_id="B07BOT",
            bot_user_id="U07BOTUSER",
            bot_scopes=["chat:write"],
            user_id=PERSON,
        )
    )
    return written


def dm_job(user_id: str, text: str, ts: str = "1700000000.000100") -> Job:
    """The job of a DM `user_id` sent the Slack app at `ts` (`bot.slack.jobs.event_job`'s shape)."""
    channel = f"D{user_id}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user_id,
        "text": text,
        "ts": ts,
    }
    payload = {"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{user_id}", "event": event}
    details = {"payload": payload, "team": {"team_id": TEAM}, "question": text, "thread_ts": None}
    return Job("event", details, receipt=f"message:{channel}:{ts}", user_id=user_id)


def answered_dm(queue: JobQueue, user_id: str) -> None:
    """A DM's job as the after-ack worker leaves it once the answer is sent: its receipt."""
    job_id = queue.enqueue(dm_job(user_id, "Hur lägger jag till ett alias?"))
    claimed = queue.claim("test-worker", job_id)
    assert claimed is not None and queue.store_result(claimed, [])
    assert queue.delivered(claimed, 0, done=True)


def _preview(flows: Flows, text: str, person: Person) -> int:
    """`/alias <text>` previewed by `person`: the pending change's id."""
    reply = flows.command("/alias", text, person)
    assert isinstance(reply, Reply) and reply.kind is ReplyKind.PREVIEW and reply.pending_id is not None
    return reply.pending_id


def all_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the database has (read from the database, not from our models)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: [dict(row._mapping) for row in connection.execute(select(table))]
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


def shown(value: Any) -> str:
    """A stored value as text, the way the scan and the export comparison read it."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def texts_in(rows: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty value of every row."""
    for table, table_rows in rows.items():
        for row in table_rows:
            for column, value in row.items():
                if value is not None and value != "":
                    yield table, column, shown(value)
