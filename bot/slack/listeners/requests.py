"""Customers' requests in Slack: "Request this change" under a preview, and the support channel's
Approve / Reject (Reject asks for a reason in a form first).

Every listener queues its job and acks; the request, the reason form and the decisions are made by
the after-ack worker (`bot.slack.request_jobs`). The form's job goes first: its `trigger_id` lives
3 seconds. Only the form's submission is checked before its ack: a missing reason must be the ack.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.customers.messages import MESSAGES
from bot.slack.after_ack import AfterAck, queued
from bot.slack.flow_blocks import REQUEST_ACTION
from bot.slack.job_queue import Priority
from bot.slack.jobs import new_job
from bot.slack.listeners.actions import on_button
from bot.slack.request_blocks import (
    APPROVE_ACTION,
    REASON_BLOCK,
    REJECT_ACTION,
    REJECT_MODAL,
    submitted_reason,
)
from bot.slack.request_jobs import APPROVE, DECISION, REJECT, REJECT_FORM, REQUEST
from bot.slack.runtime import Runtime


def on_approve(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    ack()
    value = action.get("value") or ""
    if not value.isdigit():
        return None
    return queued(
        work, new_job(DECISION, body, context, act=APPROVE, request_id=int(value), reason=""), context
    )


def on_reason_submitted(
    runtime: Runtime,
    work: AfterAck,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> BoltResponse | None:
    reason = submitted_reason(view).strip()
    metadata = view.get("private_metadata") or ""
    if not reason:
        lang = runtime.lang(client, body["user"]["id"])
        ack(response_action="errors", errors={REASON_BLOCK: MESSAGES.text("reason_required", lang)})
        return None
    ack()
    if not metadata.isdigit():
        return None
    job = new_job(DECISION, body, context, act=REJECT, request_id=int(metadata), reason=reason)
    return queued(work, job, context)


def register(app: App, runtime: Runtime, work: AfterAck) -> None:
    app.action(REQUEST_ACTION)(partial(on_button, work, REQUEST, Priority.NORMAL))
    app.action(APPROVE_ACTION)(partial(on_approve, work))
    # The reason form, for agents; anyone else is told privately that only agents decide.
    app.action(REJECT_ACTION)(partial(on_button, work, REJECT_FORM, Priority.URGENT))
    app.view(REJECT_MODAL)(partial(on_reason_submitted, runtime, work))
