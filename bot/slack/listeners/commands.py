"""Slash commands: `/mailhelp <question>` answers privately (ack first, then respond)."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck, queued
from bot.slack.jobs import new_job

HELP_COMMAND = "/mailhelp"


def on_mailhelp(
    work: AfterAck, ack: Ack, command: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    # Answered by the after-ack worker: retrieval in this process's threads held the interpreter
    # lock while later requests waited to be acked.
    ack()
    return queued(work, new_job("question", command, context), context)


def register(app: App, work: AfterAck) -> None:
    app.command(HELP_COMMAND)(partial(on_mailhelp, work))
