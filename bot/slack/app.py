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
from bot.slack.other_workspaces import ignore_other_workspaces
from bot.slack.redelivery import skip_redelivered_events
from bot.slack.request_log import LoggedApp
from bot.slack.runtime import Runtime
from bot.slack.stores import ALL_PERSONAL_DATA
from bot.slack.web_api import app_options

# More than the requests one instance sees at once (Slack retries what is not acked in 3 seconds).
LISTENER_THREADS = 64


def create_app(settings: Settings, sessions: sessionmaker | None = None, work: AfterAck | None = None) -> App:
    """A Bolt app whose Web API calls all go to SLACK_API_URL (GovSlack, or a test stand-in). Its work
    after the ack goes to `work` (default: a worker process of its own, started at the first job)."""
    runtime = Runtime.create(settings, sessions or make_sessionmaker(make_engine(settings.database_url)))
    app = LoggedApp(
        signing_secret=settings.slack_signing_secret or "",
        # Listeners ack first and work after; Bolt runs them in this pool. Its default of 5 threads
        # made the 6th concurrent request wait for a free thread before it could even ack.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
        # One token, or per-workspace tokens from OAuth installs; a Web API client that waits out 429s.
        **app_options(settings, runtime.sessions),
    )
    if not settings.uses_oauth:  # with OAuth, Bolt finds each workspace's installation (or refuses)
        app.use(ignore_other_workspaces)
    # Redeliveries are checked before the ack: their own connection pool, so listeners busy with the
    # database can never make an ack wait for a connection.
    url = runtime.sessions.kw["bind"].url.render_as_string(hide_password=False)
    app.use(skip_redelivered_events(make_sessionmaker(make_engine(url))))
    app.error(answer_failures(settings))
    listeners.register(app, runtime, work or WorkerProcess(settings))
    prune_daily(runtime.sessions, settings, ALL_PERSONAL_DATA)  # retention: now, then once a day
    return app
