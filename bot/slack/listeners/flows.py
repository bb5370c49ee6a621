"""The guided flows in Slack: /alias, /forward, /group, /mailtrace, their modal, Confirm/Cancel/Undo,
the articles' "Create an alias" buttons and App Home.

Every listener queues its job and acks; the after-ack worker makes previews and changes, opens the
forms and publishes App Home (`bot.slack.jobs`), and answers through the request's `response_url`
(by the Web API when Slack refuses that: `bot.slack.private_replies`). A job that opens a form goes
first: its `trigger_id` lives 3 seconds. Only a form's submission is worked on before its ack: its
field errors must be the ack itself, so the quick check (and the preview) is made here.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.flows.commands import COMMANDS, NeedsInput, parse_command
from bot.slack.after_ack import AfterAck, queued
from bot.slack.blocks import START_FLOW_ACTION
from bot.slack.deliveries import private_to
from bot.slack.flow_blocks import (
    CANCEL_ACTION,
    CONFIRM_ACTION,
    FLOW_MODAL,
    HOME_UNDO_ACTION,
    UNDO_ACTION,
    modal_values,
    parse_modal_metadata,
    reply_message,
    stale_form,
)
from bot.slack.job_queue import Priority
from bot.slack.jobs import new_job
from bot.slack.listeners.actions import on_button
from bot.slack.redelivery import receipt_of
from bot.slack.runtime import Runtime
from bot.slack.slack_text import command_text

# Message buttons -> the Flows method they call with the pending change's id.
CLICKS = {CONFIRM_ACTION: "confirm", CANCEL_ACTION: "cancel", UNDO_ACTION: "undo"}


def on_flow_command(
    work: AfterAck, ack: Ack, command: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    """A complete command is previewed (or looked up); one that lacks something opens its form."""
    ack()
    opens_form = isinstance(parse_command(command["command"], command_text(command)), NeedsInput)
    priority = Priority.URGENT if opens_form else Priority.NORMAL
    return queued(work, new_job("command", command, context, priority=priority), context)


def on_modal_submitted(
    runtime: Runtime,
    work: AfterAck,
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> BoltResponse | None:
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    metadata = parse_modal_metadata(view.get("private_metadata") or "")
    if metadata is None:  # a form an older version opened: nothing to queue
        ack(response_action="update", view=stale_form(lang))
        return None
    flow_id, response_url = metadata
    result = runtime.flows.submit(flow_id, modal_values(view), who)
    if isinstance(result, dict):
        ack(response_action="errors", errors={field: text.render(lang) for field, text in result.items()})
        return None
    ack()
    # Opened from App Home there is no response_url: the preview comes in the app's DM.
    preview = private_to(who.user_id, response_url, None, reply_message(lang, result))
    return queued(work, new_job("modal_reply", body, context, result=[preview]), context)


def on_click(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    """Confirm, Cancel, Undo: the worker acts on the pending change and replaces the message."""
    ack()
    return queued(
        work, new_job("click", body, context, act=CLICKS[action["action_id"]], action=action), context
    )


def on_start_flow(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    """An article's (or App Home's) "Create an alias": the form for agents, how to ask for others."""
    ack()
    return queued(
        work, new_job("start_flow", body, context, action=action, priority=Priority.URGENT), context
    )


def on_home_opened(
    work: AfterAck, event: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    if event.get("tab", "home") != "home":
        return None
    return queued(work, new_job("home", body, context, receipt=receipt_of(body)), context)


def register(app: App, runtime: Runtime, work: AfterAck) -> None:
    for name in COMMANDS:
        app.command(name)(partial(on_flow_command, work))
    app.view(FLOW_MODAL)(partial(on_modal_submitted, runtime, work))
    app.action(re.compile(f"^({'|'.join(CLICKS)})$"))(partial(on_click, work))
    app.action(re.compile(f"^{START_FLOW_ACTION}(:|$)"))(partial(on_start_flow, work))
    app.action(HOME_UNDO_ACTION)(partial(on_button, work, "home_undo", Priority.NORMAL))
    app.event("app_home_opened")(partial(on_home_opened, work))
