"""Slash commands: `/mailhelp <question>` answers privately (ack first, then respond)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.slack.app import Runtime
from bot.slack.flow_work import after_ack

HELP_COMMAND = "/mailhelp"


def register(app: App, runtime: Runtime) -> None:
    work = after_ack(runtime.settings)

    @app.command(HELP_COMMAND)
    def on_mailhelp(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        ack()
        # Answered in the worker process (bot.slack.flow_work): retrieval in this process's threads
        # held the interpreter lock while later requests waited to be acked.
        work.answer_question(command, context.bot_token)
