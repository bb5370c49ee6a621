"""Events: direct messages and mentions get an answer (App Home is in `bot.slack.listeners.flows`).

Bolt acks an event before its listener runs; the listener only hands it to the after-ack worker
(`bot.slack.after_ack`), which records its receipt (`handle_once`: an edited mention comes again as a
new event about the same message, and is not answered twice), works out the answer and posts it: done
here, that CPU held the interpreter lock while the acks of the requests behind it waited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck
from bot.slack.jobs import event_job
from bot.slack.request_log import set_outcome

# `<@U123>` or `<@U123|name>`: the mention that addressed the bot is not part of the question.
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Subtypes of messages a person typed: with a file (a screenshot), sent to the channel too from a
# thread, or /me. Every other subtype is Slack's own (edits, deletions, joins, topics) or a bot's.
TYPED_SUBTYPES = frozenset({"file_share", "thread_broadcast", "me_message"})


def not_a_question(event: dict[str, Any]) -> str | None:
    """Why `event` gets no answer (for the request log), or None for a person's message to the bot.
    Every bot's messages (ours too) are left alone: no loops."""
    subtype = event.get("subtype")
    if event.get("bot_id") or subtype == "bot_message":
        return "a bot's message"
    if subtype and subtype not in TYPED_SUBTYPES:
        return f"subtype {subtype}"
    if not event.get("user"):
        return "no user"
    if event.get("type") == "message" and event.get("channel_type") != "im":
        return "not a direct message"
    return None


def questions_only(
    event: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],  # noqa: A002
) -> BoltResponse | None:
    """Listener middleware, run before the ack: what is not a question is acked, logged with its reason
    (outcome `ignored`) and not handed to the listener."""
    reason = not_a_question(event)
    if reason is None:
        next()
        return None
    set_outcome(context, "ignored", reason=reason)
    return BoltResponse(status=200, body="")


def on_direct_message(
    work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> None:
    # A question asked in a thread is answered there.
    work.submit(event_job(body, context, question=event.get("text") or "", thread_ts=event.get("thread_ts")))


def on_mention(work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    question = MENTION.sub(" ", event.get("text") or "").strip()
    work.submit(event_job(body, context, question=question, thread_ts=event.get("thread_ts") or event["ts"]))


def register(app: App, work: AfterAck) -> None:
    app.event("message", middleware=[questions_only])(partial(on_direct_message, work))
    app.event("app_mention", middleware=[questions_only])(partial(on_mention, work))
