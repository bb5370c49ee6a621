"""Slash commands: `/mailhelp <question>` answers privately (ack first, then respond)."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.slack.after_ack import AfterAck
from bot.slack.jobs import question_job

HELP_COMMAND = "/mailhelp"


def on_mailhelp(work: AfterAck, ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    ack()
    # Answered by the after-ack worker: retrieval in this process's threads held the interpreter
    # lock while later requests waited to be acked.
    work.submit(question_job(command, context.bot_token))


def register(app: App, work: AfterAck) -> None:
    app.command(HELP_COMMAND)(partial(on_mailhelp, work))
