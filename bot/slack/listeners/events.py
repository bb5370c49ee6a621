"""Events: direct messages and mentions get an answer (App Home is in `bot.slack.listeners.flows`).

What is not a question (edits, deletions, bots' messages ...) is acked and logged before any listener
runs (`questions_only`). A question's listener only queues its job under its receipt before the ack
(`bot.slack.after_ack`; a redelivery, or an edited mention, which comes again as a new event about
the same message, is acked as a duplicate: `bot.slack.redelivery`); the after-ack worker works out
the answer and posts it: done here, that CPU held the interpreter lock while the acks of the requests
behind it waited.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck, queued
from bot.slack.jobs import event_job
from bot.slack.request_log import set_outcome
from bot.slack.slack_text import message_words

log = logging.getLogger(__name__)

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
) -> BoltResponse | None:
    # A question asked in a thread is answered there.
    question = message_words(event)
    return queued(
        work, event_job(body, context, question=question, thread_ts=event.get("thread_ts")), context
    )


def on_mention(
    work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    question = message_words({**event, "text": MENTION.sub(" ", event.get("text") or "")})
    thread_ts = event.get("thread_ts") or event["ts"]
    return queued(work, event_job(body, context, question=question, thread_ts=thread_ts), context)


def on_access_ended(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """`app_uninstalled`, or `tokens_revoked` naming the bot's token, with one bot token: nothing to
    clean up, but an operator must know why every call to that workspace now fails (`invalid_auth`).
    Revoked user tokens leave the bot's alone (the app uses no user token)."""
    kind, team = event["type"], body.get("team_id") or body.get("enterprise_id")
    if kind == "app_uninstalled" or (event.get("tokens") or {}).get("bot"):
        log.error("Slack says %s for workspace %s: the bot token no longer works (reinstall)", kind, team)
    set_outcome(context, "ignored", reason=kind)


def on_other_event(event: dict[str, Any], context: BoltContext) -> None:
    """Any other event (one subscribed by hand, or new from Slack) is acked and logged: unanswered,
    Bolt would answer 404 and Slack would deliver it again, and count the failures against the app."""
    set_outcome(context, "ignored", reason=f"event {event.get('type')} not handled")


def register(app: App, work: AfterAck, uses_oauth: bool) -> None:
    app.event("message", middleware=[questions_only])(partial(on_direct_message, work))
    app.event("app_mention", middleware=[questions_only])(partial(on_mention, work))
    if uses_oauth:  # Bolt deletes the workspace's installation, so no token of it is used again
        app.enable_token_revocation_listeners()
    else:
        app.event("app_uninstalled")(on_access_ended)
        app.event("tokens_revoked")(on_access_ended)


def register_last(app: App) -> None:
    """After every other listener: Bolt hands an event to the first listener that matches."""
    app.event(re.compile(".*"))(on_other_event)
