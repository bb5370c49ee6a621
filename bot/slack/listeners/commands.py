"""Slash commands: `/mailhelp <question>` answers privately (ack first, then respond)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.app import Runtime
from bot.slack.replies import answer_message

HELP_COMMAND = "/mailhelp"


def register(app: App, runtime: Runtime) -> None:
    @app.command(HELP_COMMAND)
    def on_mailhelp(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        message = answer_message(
            runtime,
            client,
            command.get("text") or "",
            user_id=command["user_id"],
            team_id=command.get("team_id"),
            channel_id=command.get("channel_id"),
        )
        respond(response_type="ephemeral", **message)
