"""A job taken over from a worker that died part way: what was worked out is not worked out again,
what reached Slack is not sent again, and a job that keeps killing its workers ends in an apology.

The dead worker's part is played by the real steps of `bot.slack.jobs.run` (work out, record, send),
stopped where a worker could die; the taking-over worker runs the job as it would in production.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import sessionmaker

from bot.db import make_sessionmaker, utcnow
from bot.feedback import AnsweredQuestion
from bot.slack import jobs
from bot.slack.deliveries import deliver, marker
from bot.slack.failures import MESSAGES as FAILURES
from bot.slack.job_queue import MAX_ATTEMPTS, Claimed, Delivery, Job, JobQueue, JobState, SlackJob
from bot.slack.runtime import Runtime
from bot.slack.web_api import web_client
from tests.support.slack_dispatch import app_settings
from tests.support.slack_fixtures import BOT_TOKEN, CUSTOMER
from tests.support.slack_standin import TEAM_ID, SlackStandIn

TEAM = {"team_id": TEAM_ID, "enterprise_id": None, "is_enterprise_install": False}


@pytest.fixture
def runtime(database_url: str, engine: Engine, slack_standin: SlackStandIn) -> Runtime:
    slack_standin.reset()
    return Runtime.create(app_settings(database_url, slack_standin), make_sessionmaker(engine))


@pytest.fixture
def queue(engine: Engine) -> JobQueue:
    return JobQueue(engine)


def dm_job(channel: str, question: str) -> Job:
    event = {"type": "message", "channel": channel, "channel_type": "im", "user": CUSTOMER, "text": question}
    body = {"type": "event_callback", "team_id": TEAM_ID, "event_id": f"Ev{channel}", "event": event}
    return Job("event", {"payload": body, "team": TEAM, "question": question, "thread_ts": None})


def mailhelp_job(standin: SlackStandIn, question: str) -> Job:
    command = {
        "command": "/mailhelp",
        "text": question,
        "user_id": CUSTOMER,
        "team_id": TEAM_ID,
        "channel_id": "C1",
        "response_url": standin.response_url("mailhelp"),
    }
    return Job("question", {"payload": command, "team": TEAM})


def refused(write: jobs.Record) -> None:
    raise AssertionError("the database refused a queue write")


def lease_runs_out(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(SlackJob).values(lease_until=utcnow() - timedelta(seconds=1)))


def take_over(queue: JobQueue, engine: Engine) -> Claimed:
    lease_runs_out(engine)
    taken = queue.claim("taker")
    assert taken is not None and taken.attempt > 1
    return taken


def questions(sessions: sessionmaker) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AnsweredQuestion)) or 0


def state_of(engine: Engine, job_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(select(SlackJob.state).where(SlackJob.id == job_id)).scalar_one()


def worked_out_then_died(runtime: Runtime, queue: JobQueue, job: Job) -> tuple[Claimed, list[Delivery]]:
    """A worker takes the job, works it out and records the replies; then it dies."""
    queue.enqueue(job)
    dead = queue.claim("dead")
    assert dead is not None
    worked_out = jobs.WORK[dead.kind](runtime, client_of(runtime), dead.details)
    assert queue.store_result(dead, worked_out)
    return dead, worked_out


def client_of(runtime: Runtime) -> WebClient:
    return web_client(runtime.settings.slack_api_url, BOT_TOKEN)


def test_a_dm_answer_that_reached_slack_before_its_worker_died_is_not_posted_again(
    runtime: Runtime, queue: JobQueue, engine: Engine, slack_standin: SlackStandIn
) -> None:
    dead, worked_out = worked_out_then_died(runtime, queue, dm_job("DDIED", "vad är ett alias?"))
    deliver(client_of(runtime), worked_out[0], marker(dead.id, 0))  # Slack had it before the worker died

    taken = take_over(queue, engine)
    jobs.run(runtime, queue, taken, later=refused)
    assert len(slack_standin.calls_to("chat.postMessage")) == 1
    assert slack_standin.calls_to("conversations.history")  # it looked before posting
    assert questions(runtime.sessions) == 1 and state_of(engine, dead.id) == JobState.DONE


def test_a_dm_answer_that_never_reached_slack_is_posted_once(
    runtime: Runtime, queue: JobQueue, engine: Engine, slack_standin: SlackStandIn
) -> None:
    worked_out_then_died(runtime, queue, dm_job("DLOST", "vad är ett alias?"))

    jobs.run(runtime, queue, take_over(queue, engine), later=refused)
    [answer] = slack_standin.calls_to("chat.postMessage")
    assert answer.args["channel"] == "DLOST" and "alias" in answer.text().lower()
    assert questions(runtime.sessions) == 1  # worked out once: the second worker used the stored answer


def test_a_job_that_keeps_killing_its_workers_ends_in_an_apology(
    runtime: Runtime, queue: JobQueue, engine: Engine, slack_standin: SlackStandIn
) -> None:
    job_id = queue.enqueue(mailhelp_job(slack_standin, "how do I forward my mail?"))
    assert job_id is not None
    for _ in range(MAX_ATTEMPTS):
        assert queue.claim("dies") is not None
        lease_runs_out(engine)
    last = queue.claim("last")
    assert last is not None and last.attempt == MAX_ATTEMPTS + 1
    jobs.run(runtime, queue, last, later=refused)
    [told] = slack_standin.calls_to("response_url")
    assert told.args["text"] == FAILURES.text("something_went_wrong", "en")
    assert questions(runtime.sessions) == 0 and state_of(engine, job_id) == JobState.DONE


def test_a_worker_that_was_too_slow_sends_nothing_after_its_job_was_taken_over(
    runtime: Runtime, queue: JobQueue, engine: Engine, slack_standin: SlackStandIn
) -> None:
    queue.enqueue(mailhelp_job(slack_standin, "how do I forward my mail?"))
    slow = queue.claim("slow")
    assert slow is not None
    taken = take_over(queue, engine)  # its lease ran out while it was stuck
    jobs.run(runtime, queue, slow, later=refused)  # it wakes up
    assert slack_standin.calls_to("response_url") == []
    jobs.run(runtime, queue, taken, later=refused)
    assert len(slack_standin.calls_to("response_url")) == 1
