"""Events: direct messages and mentions get an answer (App Home is in `bot.slack.listeners.flows`)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext, Say
from slack_sdk import WebClient

from bot.slack.app import Runtime
from bot.slack.production import handle_once
from bot.slack.replies import answer_message

# `<@U123>` or `<@U123|name>`: the mention that addressed the bot is not part of the question.
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Edits, joins and other subtypes, and every bot's messages (ours too) get no answer: no loops."""
    return not event.get("subtype") and not event.get("bot_id") and bool(event.get("user"))


def register(app: App, runtime: Runtime) -> None:
    @app.event("message")
    def on_direct_message(
        event: dict[str, Any], body: dict[str, Any], say: Say, context: BoltContext, client: WebClient
    ) -> None:
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return
        if not handle_once(runtime.sessions, body, context):
            return
        message = answer_message(
            runtime,
            client,
            event.get("text") or "",
            user_id=event["user"],
            team_id=context.team_id,
            channel_id=event.get("channel"),
        )
        say(thread_ts=event.get("thread_ts"), **message)  # a question asked in a thread is answered there

    @app.event("app_mention")
    def on_mention(
        event: dict[str, Any], body: dict[str, Any], say: Say, context: BoltContext, client: WebClient
    ) -> None:
        if not is_from_a_person(event) or not handle_once(runtime.sessions, body, context):
            return
        message = answer_message(
            runtime,
            client,
            MENTION.sub(" ", event.get("text") or "").strip(),
            user_id=event["user"],
            team_id=context.team_id,
            channel_id=event.get("channel"),
        )
        say(thread_ts=event.get("thread_ts") or event["ts"], **message)
