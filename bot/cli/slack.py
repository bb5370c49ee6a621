"""`mailbot serve` (the Slack app) and `mailbot start` (Slack with tokens, else the terminal chat)."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

import click

from bot.cli.chat import run_chat
from bot.cli.common import database
from bot.cli.help import HelpCommand
from bot.cli.routing import demo
from bot.cli.usage import UsageProblem, WholeNumber
from bot.config import Settings
from bot.i18n import Catalog
from bot.logs import configure_logging

log = logging.getLogger(__name__)

MESSAGES = Catalog(
    "serve",
    {
        "http_needs_secrets": {
            "sv": "HTTP-läget behöver SLACK_SIGNING_SECRET och SLACK_BOT_TOKEN (eller SLACK_CLIENT_ID och "
            "SLACK_CLIENT_SECRET för flera arbetsytor); Socket Mode behöver SLACK_APP_TOKEN.",
            "en": "HTTP mode needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET for several workspaces); Socket Mode needs SLACK_APP_TOKEN.",
        },
    },
)


def exit_on_sigterm() -> None:
    """Platforms stop an app with SIGTERM, to every process of it: exit as on Ctrl-C. The exit waits
    for the after-ack worker, which drains on the same signal (`bot.slack.after_ack`), so an app that
    is its container's first process does not cut the drain short."""
    signal.signal(signal.SIGTERM, _exit_once)


def _exit_once(_signum: int, _frame: FrameType | None) -> None:
    # Only once: a second SIGTERM would raise in the middle of the exit (closing the connection to
    # Slack, waiting for the worker) and cut it short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


def run_slack(settings: Settings, http: bool, port: int) -> None:
    # Bolt and the app are imported here, when serving: at the top they added 0.3-0.4 s to the start
    # of every other command (measured with `python -X importtime`), not to dodge an import cycle.
    exit_on_sigterm()
    if settings.slack_app_token and not http:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.slack.app import create_app

        configure_logging()
        log.info("connecting to Slack in Socket Mode")
        handler = SocketModeHandler(create_app(settings), settings.slack_app_token)
        try:
            handler.start()
        finally:
            handler.close()  # no more envelopes; what was acked is in the job queue
        return
    if not (settings.slack_signing_secret and (settings.slack_bot_token or settings.slack_client_id)):
        raise UsageProblem(MESSAGES("http_needs_secrets"))
    from bot.slack.http import serve_http

    configure_logging()
    serve_http(settings, port, lambda url: log.info("Slack requests go to %s", url))


@click.command("serve", cls=HelpCommand)
@click.option("--http", "http", is_flag=True)
@click.option("--port", type=WholeNumber(0, 65535), default=None)
@click.pass_obj
def serve(settings: Settings, http: bool, port: int | None) -> None:
    database(settings)  # migrated before Slack is served
    run_slack(settings, http, settings.port if port is None else port)


@click.command("start", cls=HelpCommand)
@click.pass_context
def start(ctx: click.Context) -> None:
    settings: Settings = ctx.obj
    database(settings)
    if settings.has_slack:
        run_slack(settings, http=False, port=settings.port)
        return
    ctx.invoke(demo)
    run_chat(settings)


def register(main: click.Group) -> None:
    main.add_command(serve)
    main.add_command(start)
