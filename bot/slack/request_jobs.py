"""The work after the ack for customers' requests: opening one (and posting it to the support
channel), the reason form of Reject, and an agent's Approve or Reject (updating that post, telling
the requester in their DM). Either way the customer's admins get their App Home again, showing it.

Like every job's work (`bot.slack.jobs`), each does its database work and ends in the replies as
deliveries (`bot.slack.deliveries`), which the job queue records and sends. The request's post in the
support channel names the request (POSTED_REQUEST): once it is sent, where it went is recorded
(`record_post`), so a decision can update it.

A decision made in the terminal (`mailbot request approve|reject`) is shown the same way: the command
queues a job (`bot.slack.decided_elsewhere`), and whichever instance's worker takes it updates the
post, tells the requester and publishes the admins' App Home (`show_decided_elsewhere`).
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.customers.messages import MESSAGES as CUSTOMERS
from bot.customers.requests import mark_posted
from bot.flows.approvals import RequestStatus
from bot.flows.core import Reply, ReplyKind
from bot.flows.messages import MESSAGES
from bot.i18n import Text
from bot.slack.deliveries import in_channel, modal, privately, updated
from bot.slack.flow_blocks import mrkdwn, reply_message
from bot.slack.home import request_watchers_homes
from bot.slack.job_queue import Delivery
from bot.slack.request_blocks import reject_modal, request_message
from bot.slack.runtime import Runtime

REQUEST = "request"
REJECT_FORM = "reject_form"
DECISION = "decision"
APPROVE, REJECT = "approve", "reject"
# A delivery's key: the id of the request it posts to the support channel.
POSTED_REQUEST = "posted_request"


def open_request(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """A customer's "Request this change" under a preview (the action carries the pending change's id)."""
    body, value = job["payload"], job["action"].get("value") or ""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    reply = (
        runtime.flows.request(int(value), who, lang, origin=job["team"])
        if value.isdigit()
        else Reply.info(MESSAGES("unknown_pending"))
    )
    deliveries = [privately(body, reply_message(lang, reply), replace_original=True)]
    if reply.kind is not ReplyKind.REQUESTED or reply.request_id is None or who.customer is None:
        return deliveries
    channel = runtime.settings.support_channel
    if channel:
        deliveries.append(request_post(runtime, channel, reply.request_id))
    workspace = job["team"]["team_id"]
    homes = request_watchers_homes(runtime, client, who.customer.customer_id, who.user_id, workspace)
    return [*deliveries, *homes]


def request_post(runtime: Runtime, channel: str, request_id: int) -> Delivery:
    """The request in the support channel, in MAILBOT_LANG, with Approve and Reject. The request is
    made whether or not Slack takes the post (agents see it in App Home too): a refusal is logged for
    the operator, and the customer is not told that their request failed."""
    status = runtime.approvals.status(request_id)
    assert status is not None  # just opened; requests are never deleted
    message = request_message(status, runtime.settings.default_lang)
    post = in_channel(channel, None, message, best_effort=True)
    return {**post, POSTED_REQUEST: request_id}


def record_post(runtime: Runtime, request_id: int, posted: SlackResponse) -> bool:
    """Where the request's post went (chat.postMessage's answer), for the decision to update it."""
    with runtime.sessions() as session:
        mark_posted(session, request_id, posted["channel"], posted["ts"])
    return True


def reject_form(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """Reject's form asking for the reason, for agents; anyone else is told privately that only
    agents decide."""
    body, value = job["payload"], job["action"].get("value") or ""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    if who.role is None or not value.isdigit():
        return [privately(body, {"text": mrkdwn(CUSTOMERS("agents_only"), lang)})]
    return [modal(body["trigger_id"], reject_modal(lang, int(value)))]


def decide(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """An agent's Approve, or Reject with its reason (the job's payload: the click's or the form's)."""
    body, request_id = job["payload"], job["request_id"]
    who = runtime.clicker(body, client)
    if job["act"] == APPROVE:
        result = runtime.approvals.approve(request_id, who)
    else:
        result = runtime.approvals.reject(request_id, who, job["reason"])
    if isinstance(result, Text):  # for the agent alone (not allowed, decided before ...)
        return [privately(body, {"text": mrkdwn(result, runtime.lang(client, who.user_id))})]
    return decision_shown(runtime, client, result, job["team"]["team_id"], body)


def show_decided_elsewhere(runtime: Runtime, client: WebClient, job: dict[str, Any]) -> list[Delivery]:
    """What an agent's click would have shown: the post updated, the requester told, the admins' homes."""
    status = RequestStatus.from_json(job["status"])
    return decision_shown(runtime, client, status, job["team"]["team_id"], clicked=None)


def decision_shown(
    runtime: Runtime,
    client: WebClient,
    status: RequestStatus,
    workspace: str | None,
    clicked: dict[str, Any] | None,
) -> list[Delivery]:
    """Update the post agents decide on (or, without one, the message the agent `clicked` in), tell the
    requester in their language what was decided, and show it in the App Home of the customer's admins
    and the requester.
    Decided elsewhere (`clicked` None) nobody waits for an answer here: each is a best effort."""
    message = request_message(status, runtime.settings.default_lang)
    deliveries = []
    if status.posted is not None:
        channel, ts = status.posted
        deliveries.append(updated(channel, ts, message, best_effort=clicked is None))
    elif clicked is not None:
        deliveries.append(privately(clicked, message, replace_original=True))
    if status.told is None:  # nothing decided (Approve found routing changed): the post asks again
        return deliveries
    told = {"text": mrkdwn(status.told, status.requester_lang)}
    deliveries.append(in_channel(status.requester.user_id, None, told, best_effort=True))
    if status.customer_id is not None:
        requester = status.requester.user_id
        deliveries += request_watchers_homes(runtime, client, status.customer_id, requester, workspace)
    return deliveries
