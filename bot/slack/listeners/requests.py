"""Customers' requests in Slack: "Request this change" under a preview, and the support channel's
Approve / Reject (Reject asks for a reason in a form first).

Every listener acks first; the request and the decisions are made after the ack by the after-ack
worker (`bot.slack.request_jobs`). Opening the reason form is done here (its trigger_id lives 3 s).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.customers.messages import MESSAGES
from bot.slack.after_ack import AfterAck
from bot.slack.flow_blocks import REQUEST_ACTION, mrkdwn
from bot.slack.private_replies import reply_to
from bot.slack.request_blocks import (
    APPROVE_ACTION,
    REASON_BLOCK,
    REJECT_ACTION,
    REJECT_MODAL,
    reject_modal,
    submitted_reason,
)
from bot.slack.request_jobs import APPROVE, REJECT, decision_job, request_job
from bot.slack.runtime import Runtime


def on_request(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    ack()
    work.submit(request_job(body, action, context.bot_token))


def on_approve(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    ack()
    value = action.get("value") or ""
    if value.isdigit():
        work.submit(decision_job(APPROVE, body, int(value), context.bot_token))


def on_reject(
    runtime: Runtime, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    """The reason form, for agents; anyone else is told privately that only agents decide."""
    ack()
    value = action.get("value") or ""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    if who.role is None or not value.isdigit():
        reply_to(client, body, {"text": mrkdwn(MESSAGES("agents_only"), lang)})
        return
    client.views_open(trigger_id=body["trigger_id"], view=reject_modal(lang, int(value)))


def on_reason_submitted(
    runtime: Runtime,
    work: AfterAck,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    reason = submitted_reason(view).strip()
    metadata = view.get("private_metadata") or ""
    if not reason:
        lang = runtime.lang(client, body["user"]["id"])
        ack(response_action="errors", errors={REASON_BLOCK: MESSAGES.text("reason_required", lang)})
        return
    ack()
    if metadata.isdigit():
        work.submit(decision_job(REJECT, body, int(metadata), context.bot_token, reason))


def register(app: App, runtime: Runtime, work: AfterAck) -> None:
    app.action(REQUEST_ACTION)(partial(on_request, work))
    app.action(APPROVE_ACTION)(partial(on_approve, work))
    app.action(REJECT_ACTION)(partial(on_reject, runtime))
    app.view(REJECT_MODAL)(partial(on_reason_submitted, runtime, work))
