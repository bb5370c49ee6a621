"""The work after the ack for customers' requests: opening one (and posting it to the support
channel), and an agent's Approve or Reject (updating that post, telling the requester in their DM).

Jobs are plain JSON like those of `bot.slack.jobs`, which runs them.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.customers.requests import mark_posted
from bot.flows.approvals import RequestStatus
from bot.flows.core import Reply, ReplyKind
from bot.flows.messages import MESSAGES
from bot.i18n import Text
from bot.slack.flow_blocks import mrkdwn, reply_message
from bot.slack.private_replies import reply_to
from bot.slack.request_blocks import request_message
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)

REQUEST = "request"
DECISION = "decision"
APPROVE, REJECT = "approve", "reject"


def request_job(body: dict[str, Any], action: dict[str, Any], token: str | None) -> dict[str, Any]:
    """A customer's "Request this change" under a preview (`action` carries the pending change's id)."""
    return {"kind": REQUEST, "payload": body, "action": action, "token": token}


def decision_job(
    act: str, body: dict[str, Any], request_id: int, token: str | None, reason: str = ""
) -> dict[str, Any]:
    """An agent's Approve, or Reject with its reason (`body`: the click's or the reason form's payload)."""
    return {
        "kind": DECISION,
        "act": act,
        "payload": body,
        "request_id": request_id,
        "reason": reason,
        "token": token,
    }


def open_request(runtime: Runtime, job: dict[str, Any], client: WebClient) -> None:
    body, value = job["payload"], job["action"].get("value") or ""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    reply = (
        runtime.flows.request(int(value), who, lang)
        if value.isdigit()
        else Reply.info(MESSAGES("unknown_pending"))
    )
    reply_to(client, body, reply_message(lang, reply), replace_original=True)
    if (
        reply.kind is ReplyKind.REQUESTED
        and reply.request_id is not None
        and runtime.settings.support_channel
    ):
        post_request(runtime, client, runtime.settings.support_channel, reply.request_id)


def post_request(runtime: Runtime, client: WebClient, channel: str, request_id: int) -> None:
    """The request in the support channel, in MAILBOT_LANG, with Approve and Reject."""
    status = runtime.approvals.status(request_id)
    assert status is not None  # just opened; requests are never deleted
    posted = client.chat_postMessage(
        channel=channel, **request_message(status, runtime.settings.default_lang)
    )
    with runtime.sessions() as session:
        mark_posted(session, request_id, posted["channel"], posted["ts"])


def decide(runtime: Runtime, job: dict[str, Any], client: WebClient) -> None:
    body, request_id = job["payload"], job["request_id"]
    who = runtime.clicker(body, client)
    if job["act"] == APPROVE:
        result = runtime.approvals.approve(request_id, who)
    else:
        result = runtime.approvals.reject(request_id, who, job["reason"])
    if isinstance(result, Text):  # for the agent alone (not allowed, decided before ...)
        reply_to(client, body, {"text": mrkdwn(result, runtime.lang(client, who.user_id))})
        return
    show_decision(runtime, client, body, result)


def show_decision(runtime: Runtime, client: WebClient, body: dict[str, Any], status: RequestStatus) -> None:
    """Update the post agents decide on, and tell the requester (in their language) what was decided."""
    message = request_message(status, runtime.settings.default_lang)
    if status.posted is not None:
        channel, ts = status.posted
        client.chat_update(channel=channel, ts=ts, **message)
    else:
        reply_to(client, body, message, replace_original=True)
    if status.told is not None:
        tell_requester(client, status.requester.user_id, mrkdwn(status.told, status.requester_lang))


def tell_requester(client: WebClient, user_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError:  # a person of another organisation the app cannot write to, say
        log.warning("could not tell %s the outcome of their request", user_id, exc_info=True)
