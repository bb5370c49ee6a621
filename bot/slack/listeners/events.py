"""Events: direct messages and mentions get an answer (App Home is in `bot.slack.listeners.flows`).

Bolt acks an event before its listener runs; the listener only hands it to the after-ack worker
(`bot.slack.after_ack`), which records its receipt (`handle_once`), works out the answer and posts
it: done here, that CPU held the interpreter lock while the acks of the requests behind it waited."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.after_ack import AfterAck
from bot.slack.jobs import event_job

# `<@U123>` or `<@U123|name>`: the mention that addressed the bot is not part of the question.
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def is_from_a_person(event: dict[str, Any]) -> bool:
    """Edits, joins and other subtypes, and every bot's messages (ours too) get no answer: no loops."""
    return not event.get("subtype") and not event.get("bot_id") and bool(event.get("user"))


def on_direct_message(
    work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> None:
    if event.get("channel_type") != "im" or not is_from_a_person(event):
        return
    # A question asked in a thread is answered there.
    work.submit(event_job(body, context, question=event.get("text") or "", thread_ts=event.get("thread_ts")))


def on_mention(work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    if not is_from_a_person(event):
        return
    question = MENTION.sub(" ", event.get("text") or "").strip()
    work.submit(event_job(body, context, question=question, thread_ts=event.get("thread_ts") or event["ts"]))


def register(app: App, work: AfterAck) -> None:
    app.event("message")(partial(on_direct_message, work))
    app.event("app_mention")(partial(on_mention, work))
