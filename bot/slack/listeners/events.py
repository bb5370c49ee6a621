"""Events: direct messages and mentions get an answer (App Home is in `bot.slack.listeners.flows`).

Bolt acks an event before its listener runs; the listener only hands it to the worker process
(`bot.slack.flow_work`), which records its receipt (`handle_once`), works out the answer and posts it:
done here, that CPU held the interpreter lock while the acks of the requests behind it waited."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.app import Runtime
from bot.slack.flow_work import after_ack

# `<@U123>` or `<@U123|name>`: the mention that addressed the bot is not part of the question.
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Edits, joins and other subtypes, and every bot's messages (ours too) get no answer: no loops."""
    return not event.get("subtype") and not event.get("bot_id") and bool(event.get("user"))


def register(app: App, runtime: Runtime) -> None:
    work = after_ack(runtime.settings)

    @app.event("message")
    def on_direct_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if event.get("channel_type") != "im" or not is_from_a_person(event):
            return
        # A question asked in a thread is answered there.
        work.answer_event(body, context, question=event.get("text") or "", thread_ts=event.get("thread_ts"))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if not is_from_a_person(event):
            return
        question = MENTION.sub(" ", event.get("text") or "").strip()
        work.answer_event(body, context, question=question, thread_ts=event.get("thread_ts") or event["ts"])
