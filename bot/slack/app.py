"""The Bolt app factory: one app for Socket Mode, `serve --http` and WSGI servers alike."""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.models import PERSONAL_DATA
from bot.privacy.retention import prune_daily
from bot.slack import production

# Modules with a `register(app, runtime)` function, one per kind of Slack request.
LISTENER_MODULES = (
    "bot.slack.listeners.events",
    "bot.slack.listeners.commands",
    "bot.slack.listeners.actions",
    "bot.slack.listeners.views",
    "bot.slack.listeners.flows",
)


# More than the requests one instance sees at once (Slack retries what is not acked in 3 seconds).
LISTENER_THREADS = 64


@dataclass(frozen=True)
class Runtime:
    """What listeners need besides Bolt's own arguments."""

    settings: Settings
    sessions: sessionmaker


def create_app(settings: Settings, sessions: sessionmaker | None = None) -> App:
    """A Bolt app whose Web API calls all go to SLACK_API_URL (GovSlack, or a test stand-in)."""
    runtime = Runtime(settings, sessions or make_sessionmaker(make_engine(settings.database_url)))
    # One token, or per-workspace tokens from OAuth installs; a Web API client that waits out 429s.
    options = production.app_options(settings, runtime.sessions)
    app = App(
        signing_secret=settings.slack_signing_secret or "",
        # Listeners ack first and work after; Bolt runs them in this pool. Its default of 5 threads
        # made the 6th concurrent request wait for a free thread before it could even ack.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
        **options,
    )
    production.install(app, runtime.sessions, settings)
    for module_name in LISTENER_MODULES:
        importlib.import_module(module_name).register(app, runtime)
    prune_daily(runtime.sessions, settings, PERSONAL_DATA)  # retention: now, then once a day
    return app
