"""The guided flows in Slack: /alias, /forward, /group, /mailtrace, their modal, Confirm/Cancel/Undo,
the articles' "Create an alias" buttons and App Home.

Every listener acks first and then works (Slack wants the ack within 3 seconds). Previews and
changes are made after the ack by the after-ack worker (`bot.slack.jobs`) and answered through the
request's `response_url` (by the Web API when Slack refuses that: `bot.slack.private_replies`). Done
here: opening a modal (its trigger_id lives 3 seconds), a modal submission (its field errors must be
the ack itself, so the quick read-only check runs before it) and App Home.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import topics
from bot.config import Lang
from bot.feedback import report
from bot.flows.commands import COMMANDS, FLOWS, NeedsInput, parse_command
from bot.flows.core import Person
from bot.flows.messages import MESSAGES
from bot.slack.after_ack import AfterAck
from bot.slack.blocks import START_FLOW_ACTION, home_view
from bot.slack.flow_blocks import (
    CANCEL_ACTION,
    CONFIRM_ACTION,
    FLOW_MODAL,
    HOME_UNDO_ACTION,
    UNDO_ACTION,
    changes_blocks,
    flow_modal,
    modal_metadata,
    modal_values,
    mrkdwn,
    parse_modal_metadata,
    reply_message,
    stale_form,
)
from bot.slack.jobs import click_job, command_job
from bot.slack.private_replies import reply_privately, reply_to
from bot.slack.runtime import Runtime, event_team
from bot.slack.teaching_blocks import teach_queue_blocks
from bot.teaching import questions_to_teach

HOME_QUESTIONS_TO_TEACH = 8  # App Home holds 100 blocks; each question takes 3
# Message buttons -> the Flows method they call with the pending change's id.
CLICKS = {CONFIRM_ACTION: "confirm", CANCEL_ACTION: "cancel", UNDO_ACTION: "undo"}


def on_flow_command(
    runtime: Runtime,
    work: AfterAck,
    ack: Ack,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    if not isinstance(parse_command(command["command"], command.get("text") or ""), NeedsInput):
        work.submit(command_job(command, context.bot_token))
        return
    lang, reply = runtime.command(command, client)  # a modal, or a refusal for a non-agent
    if isinstance(reply, NeedsInput):
        metadata = modal_metadata(reply.flow.id, command.get("response_url"))
        view = flow_modal(lang, reply.flow, reply.values, metadata)
        client.views_open(trigger_id=command["trigger_id"], view=view)
    else:
        reply_to(client, command, reply_message(lang, reply))


def on_modal_submitted(
    runtime: Runtime, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    metadata = parse_modal_metadata(view.get("private_metadata") or "")
    if metadata is None:
        ack(response_action="update", view=stale_form(lang))
        return
    flow_id, response_url = metadata
    result = runtime.flows.submit(flow_id, modal_values(view), who)
    if isinstance(result, dict):
        ack(response_action="errors", errors={field: text.render(lang) for field, text in result.items()})
        return
    ack()
    # Opened from App Home there is no response_url: the preview comes in the app's DM.
    reply_privately(client, response_url, reply_message(lang, result), user_id=who.user_id, channel_id=None)


def on_click(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    """Confirm, Cancel, Undo: ack; the worker acts on the pending change and replaces the message."""
    ack()
    work.submit(click_job(CLICKS[action["action_id"]], body, action, context.bot_token))


def on_start_flow(
    runtime: Runtime, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    """An article's (or App Home's) "Create an alias": the modal for agents, how to ask for others."""
    ack()
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    flow = FLOWS.get(action.get("value") or "")
    if flow is None:
        return
    if not who.may_look:  # a customer's people get the form too: its preview offers Request this change
        settings = runtime.settings
        example = f"support@{settings.example_domain}"
        text = MESSAGES("ask_support_for", flow=flow.title, support=settings.support_contact, example=example)
        reply_to(client, body, {"text": mrkdwn(text, lang)})
        return
    metadata = modal_metadata(flow.id, body.get("response_url"))
    client.views_open(trigger_id=body["trigger_id"], view=flow_modal(lang, flow, {}, metadata))


def on_home_undo(
    runtime: Runtime, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    lang, reply = runtime.click(runtime.flows.undo_change, body, action, client)
    notice = "\n".join(mrkdwn(line, lang) for line in reply.lines)
    publish_home(runtime, client, runtime.clicker(body, client), lang, notice)


def on_home_opened(runtime: Runtime, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
    if event.get("tab", "home") != "home":
        return
    who = runtime.person(client, event["user"], event_team(body), body.get("team_id"))
    publish_home(runtime, client, who, runtime.lang(client, who.user_id))


def publish_home(
    runtime: Runtime, client: WebClient, who: Person, lang: Lang, notice: str | None = None
) -> None:
    """How to ask; for agents also the feedback per article, the questions to teach the bot and the
    latest changes with Undo."""
    titles = {ref.topic_id: ref.title for ref in topics(lang, runtime.settings)}
    if who.role is None:
        client.views_publish(user_id=who.user_id, view=home_view(lang, None, titles))
        return
    with runtime.sessions() as session:
        feedback = report(session)
        to_teach = questions_to_teach(session, HOME_QUESTIONS_TO_TEACH)
    view = home_view(lang, feedback, titles)
    teaching = teach_queue_blocks(lang, to_teach, titles)
    view.blocks = [*view.blocks, *teaching, *changes_blocks(lang, runtime.flows.latest_changes(), notice)]
    client.views_publish(user_id=who.user_id, view=view)


def register(app: App, runtime: Runtime, work: AfterAck) -> None:
    for name in COMMANDS:
        app.command(name)(partial(on_flow_command, runtime, work))
    app.view(FLOW_MODAL)(partial(on_modal_submitted, runtime))
    app.action(re.compile(f"^({'|'.join(CLICKS)})$"))(partial(on_click, work))
    app.action(re.compile(f"^{START_FLOW_ACTION}(:|$)"))(partial(on_start_flow, runtime))
    app.action(HOME_UNDO_ACTION)(partial(on_home_undo, runtime))
    app.event("app_home_opened")(partial(on_home_opened, runtime))
