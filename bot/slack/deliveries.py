"""Replies to Slack as data: what a job worked out, stored in the queue before it is sent.

A job's work ends in a list of deliveries (plain JSON) instead of Web API calls made on the way, so
the queue can record them before any is sent and record each one sent (`bot.slack.job_queue`): a
job taken over after its worker died sends only what was not sent yet.

One delivery can still be in doubt: the one being sent when the worker died (Slack may have taken
it). A message in a DM carries the job's marker in its metadata, and before sending such a message
again the worker looks for it in the DM (`im:history`); everywhere else (replies through a
`response_url`, channels the app cannot read) that last reply is sent again: at least once.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models import JsonObject
from slack_sdk.web import SlackResponse

from bot.slack.job_queue import Delivery
from bot.slack.private_replies import reply_privately

log = logging.getLogger(__name__)

MARKER_EVENT = "mailbot_reply"
# Our own earlier message is among the latest few of its DM (a person does not write 100 in a minute).
HISTORY_LIMIT = 100


def plain(value: Any) -> Any:
    """Block Kit objects (slack_sdk.models) as the JSON Slack receives, so a delivery can be stored."""
    if isinstance(value, JsonObject):
        return value.to_dict()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def privately(
    payload: dict[str, Any], message: dict[str, Any], *, replace_original: bool = False
) -> Delivery:
    """To whoever sent a slash command or clicked (`payload` is what Slack sent): through its
    `response_url`, else ephemeral in its channel, else in a DM (`reply_privately`)."""
    if "user_id" in payload:  # a slash command
        user_id, channel_id = payload["user_id"], payload.get("channel_id")
    else:
        user_id, channel_id = payload["user"]["id"], (payload.get("channel") or {}).get("id")
    return private_to(user_id, payload.get("response_url"), channel_id, message, replace_original)


def private_to(
    user_id: str,
    response_url: str | None,
    channel_id: str | None,
    message: dict[str, Any],
    replace_original: bool = False,
) -> Delivery:
    return {
        "to": "private",
        "user_id": user_id,
        "response_url": response_url,
        "channel_id": channel_id,
        "replace_original": replace_original,
        "message": plain(message),
    }


def in_channel(
    channel: str, thread_ts: str | None, message: dict[str, Any], *, best_effort: bool = False
) -> Delivery:
    """chat.postMessage in `channel` (a DM: the user's id), in the thread `thread_ts` if given.
    `best_effort`: for someone other than the person who asked; if Slack refuses it, that is logged
    and nobody is told (say, a person of another organisation the app cannot write to)."""
    delivery = {"to": "channel", "channel": channel, "thread_ts": thread_ts, "message": plain(message)}
    return {**delivery, "best_effort": True} if best_effort else delivery


def updated(channel: str, ts: str, message: dict[str, Any], *, best_effort: bool = False) -> Delivery:
    """chat.update of the app's own message `ts` in `channel` (sent again, it changes nothing more).
    `best_effort`: nobody asked for it who could be told it failed (see `in_channel`)."""
    delivery = {"to": "update", "channel": channel, "ts": ts, "message": plain(message)}
    return {**delivery, "best_effort": True} if best_effort else delivery


def or_else(delivery: Delivery, replacement: Delivery) -> Delivery:
    """`delivery`, with what to send instead of the usual apology if Slack refuses it."""
    return {**delivery, "if_refused": replacement}


def only_if_sent(delivery: Delivery) -> Delivery:
    """`delivery`, sent only when Slack took every earlier delivery of its job (in the same attempt):
    "a person will get back to you" is true only once the support channel has the question."""
    return {**delivery, "only_if_sent": True}


def modal(trigger_id: str, view: Any) -> Delivery:
    return {"to": "modal", "trigger_id": trigger_id, "view": plain(view)}


def home(user_id: str, view: Any, *, best_effort: bool = False) -> Delivery:
    """views.publish of `user_id`'s App Home. `best_effort`: published for someone other than the
    person who asked (see `in_channel`)."""
    delivery = {"to": "home", "user_id": user_id, "view": plain(view)}
    return {**delivery, "best_effort": True} if best_effort else delivery


def marker(job_id: int, number: int) -> dict[str, Any]:
    return {"job": job_id, "delivery": number}


def deliver(
    client: WebClient, delivery: Delivery, mark: dict[str, Any] | None = None
) -> SlackResponse | None:
    """Send one delivery (a message in a channel carries `mark`, see `was_delivered`); Slack's answer
    to a message posted in a channel (its `channel` and `ts`). SlackApiError when Slack refuses it
    (`reply_privately` tries its fallbacks first)."""
    kind = delivery["to"]
    if kind == "private":
        reply_privately(
            client,
            delivery["response_url"],
            delivery["message"],
            user_id=delivery["user_id"],
            channel_id=delivery["channel_id"],
            replace_original=delivery["replace_original"],
        )
    elif kind == "channel":
        metadata = {"event_type": MARKER_EVENT, "event_payload": mark} if mark else None
        return client.chat_postMessage(
            channel=delivery["channel"],
            thread_ts=delivery["thread_ts"],
            metadata=metadata,
            **delivery["message"],
        )
    elif kind == "update":
        client.chat_update(channel=delivery["channel"], ts=delivery["ts"], **delivery["message"])
    elif kind == "modal":
        client.views_open(trigger_id=delivery["trigger_id"], view=delivery["view"])
    else:
        client.views_publish(user_id=delivery["user_id"], view=delivery["view"])
    return None


def was_delivered(client: WebClient, delivery: Delivery, mark: dict[str, Any]) -> bool:
    """Whether a message in a DM that may have been sent before the worker died is there already.
    False when it is not, and for anything that cannot be looked up (then it is sent again)."""
    channel = delivery.get("channel") or ""
    if delivery["to"] != "channel" or not channel.startswith("D"):
        return False
    thread_ts = delivery.get("thread_ts")
    method, args = "conversations.history", {"channel": channel, "limit": HISTORY_LIMIT}
    if thread_ts:
        method, args = "conversations.replies", {**args, "ts": thread_ts}
    try:
        found = client.api_call(method, data={**args, "include_all_metadata": "true"})
    except SlackApiError:
        log.warning("could not look for an earlier reply in %s; sending it again", channel, exc_info=True)
        return False
    return any(
        (message.get("metadata") or {}).get("event_payload") == mark
        for message in found.get("messages") or []
    )
