"""The Bolt app factory: one app for Socket Mode, `serve --http` and WSGI servers alike."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.privacy.retention import prune_daily
from bot.slack import listeners
from bot.slack.after_ack import AfterAck, WorkerProcess
from bot.slack.failures import answer_failures
from bot.slack.job_queue import JobQueue
from bot.slack.other_workspaces import ignore_other_workspaces
from bot.slack.request_log import LoggedApp
from bot.slack.runtime import Runtime
from bot.slack.stores import ALL_PERSONAL_DATA
from bot.slack.web_api import app_options

# Threads that tell a person, after the ack, that their request failed before it (database down).
FAILURE_REPLY_THREADS = 4


def create_app(settings: Settings, sessions: sessionmaker | None = None, work: AfterAck | None = None) -> App:
    """A Bolt app whose Web API calls all go to SLACK_API_URL (GovSlack, or a test stand-in). Its work
    after the ack goes to `work` (default: the job queue in the database and a worker process of its
    own, started now so it also takes up jobs a stopped or crashed instance left)."""
    if sessions is None:
        sessions = make_sessionmaker(make_engine(settings.database_url, for_acks=True))
    runtime = Runtime.create(settings, sessions)
    app = LoggedApp(
        signing_secret=settings.slack_signing_secret or "",
        # Each listener only queues its job (or, for a form, checks its fields) and acks: run it in the
        # request's own thread and answer Slack when it returns. Bolt's default runs it in another
        # thread and polls for the ack every 10 ms, and a listener failing just after its ack made
        # Bolt drop the ack (Slack then saw a 404 after 3 seconds).
        process_before_response=True,
        # One token, or per-workspace tokens from OAuth installs; a Web API client that waits out 429s.
        **app_options(settings, runtime.sessions),
    )
    if not settings.uses_oauth:  # with OAuth, Bolt finds each workspace's installation (or refuses)
        app.use(ignore_other_workspaces)
    app.error(answer_failures(settings, ThreadPoolExecutor(FAILURE_REPLY_THREADS)))
    if work is None:
        worker = WorkerProcess(settings, job_queue(settings))
        worker.start()
        work = worker
    listeners.register(app, runtime, work)
    # Retention: now, then once a day. Its connections wait for the database as the command line's
    # do, not as briefly as an ack's.
    prune_daily(make_sessionmaker(make_engine(settings.database_url)), settings, ALL_PERSONAL_DATA)
    return app


def job_queue(settings: Settings) -> JobQueue:
    """The queue on a connection pool of its own: an ack never waits for a connection the app's other
    database work holds."""
    return JobQueue(make_engine(settings.database_url, for_acks=True))
