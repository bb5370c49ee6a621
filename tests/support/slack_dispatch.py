"""Pytest plugin (loaded from conftest.py): the Slack app in the test's own process, for fast tests.

    def test_something(slack_dispatch: InProcessApp) -> None:
        assert slack_dispatch.command("/mailhelp", "vad är ett alias?").status == 200
        [reply] = slack_dispatch.standin.wait_for("response_url")

The app is `bot.slack.app.create_app` itself, listeners, middleware and error handler included; a
request goes through Bolt's `app.dispatch` as the `BoltRequest` HTTP mode builds from the body and
headers Slack would send (signed, or not), and its Web API calls go to the local stand-in. Only who
does the work after the ack differs from a running app: `InlineWork` writes each job to the real job
queue, claims it and runs it (`bot.slack.jobs.run`) in the listener's own thread instead of leaving
it to the worker process. The full-process tests (`slack_fixtures.SlackAppProcess`, Socket Mode)
cover the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from slack_bolt import App

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker, upgrade
from bot.slack import jobs
from bot.slack.app import create_app
from bot.slack.http import bolt_request
from bot.slack.job_queue import Job, JobQueue
from bot.slack.runtime import Runtime
from tests.support.slack_fixtures import (
    ADMIN,
    AGENT,
    BOT_TOKEN,
    SIGNING_SECRET,
    SUPPORT_CHANNEL,
    Response,
    SlackRequests,
)
from tests.support.slack_standin import SlackStandIn


class InlineWork:
    """The after-ack work, queued and done at once in the calling thread (the listener's, before Bolt
    sends the ack)."""

    def __init__(self, runtime: Runtime, queue: JobQueue) -> None:
        self.runtime = runtime
        self.queue = queue
        self.unrecorded: list[jobs.Record] = []  # queue writes the database refused (none expected)

    def submit(self, job: Job) -> bool:
        job_id = self.queue.enqueue(job)
        if job_id is None:
            return False
        claimed = self.queue.claim("in-process", job_id)
        assert claimed is not None
        jobs.run(self.runtime, self.queue, claimed, self.unrecorded.append)
        return True


class InProcessApp(SlackRequests):
    def __init__(self, settings: Settings, standin: SlackStandIn) -> None:
        self.database_url = settings.database_url
        self.standin = standin
        engine = make_engine(settings.database_url)
        upgrade(engine)
        self.sessions = sessions = make_sessionmaker(engine)
        self.work = InlineWork(Runtime.create(settings, sessions), JobQueue(engine))
        self.app: App = create_app(settings, sessions, self.work)

    def run_queued(self) -> int:
        """What a running app's after-ack worker does with jobs queued elsewhere (by the command line):
        claim each waiting job and do it. How many it did."""
        done = 0
        while (claimed := self.work.queue.claim("in-process")) is not None:
            jobs.run(self.work.runtime, self.work.queue, claimed, self.work.unrecorded.append)
            done += 1
        return done

    def post(self, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> Response:
        request = bolt_request(body.decode(), headers={"Content-Type": content_type, **(headers or {})})
        answer = self.app.dispatch(request)
        return Response(answer.status, answer.body)


def app_settings(database_url: str, standin: SlackStandIn, **changes: Any) -> Settings:
    """The settings `SlackAppProcess` gives a running app, for an app in this process."""
    settings = Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.api_url,
        support_channel=SUPPORT_CHANNEL,
        agents=frozenset({AGENT}),
        admins=frozenset({ADMIN}),
    )
    return replace(settings, **changes)


@pytest.fixture(scope="module")
def slack_dispatch(tmp_path_factory: pytest.TempPathFactory, slack_standin: SlackStandIn) -> InProcessApp:
    """The app in this process on a fresh SQLite database (one per test module)."""
    database = tmp_path_factory.mktemp("in-process") / "mailbot.db"
    return InProcessApp(app_settings(f"sqlite:///{database}", slack_standin), slack_standin)
