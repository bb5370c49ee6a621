"""The guided flows in Slack: /alias, /forward, /group, /mailtrace, their modal, Confirm/Cancel/Undo,
the articles' "Create an alias" buttons and App Home.

Every listener acks first and then works (Slack wants the ack within 3 seconds). Previews and
changes are made after the ack in a worker process (`bot.slack.flow_work`) and answered through the
request's `response_url` (by the Web API when Slack refuses that: `bot.slack.private_replies`). Done
here: opening a modal (its trigger_id lives 3 seconds), a modal submission (its field errors must be
the ack itself, so the quick read-only check runs before it) and App Home.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import topics
from bot.config import Lang
from bot.feedback import report
from bot.flows.commands import COMMANDS, FLOWS, NeedsInput, parse_command
from bot.flows.core import Person
from bot.flows.messages import MESSAGES
from bot.slack.app import Runtime
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
)
from bot.slack.flow_work import FlowContext, after_ack, slack_user_lang
from bot.slack.private_replies import reply_privately, reply_to

# Message buttons -> the Flows method they call with the pending change's id.
CLICKS = {CONFIRM_ACTION: "confirm", CANCEL_ACTION: "cancel", UNDO_ACTION: "undo"}


def user_lang(runtime: Runtime, client: WebClient, user_id: str) -> Lang:
    """The user's Slack locale, else MAILBOT_LANG (bot.slack.replies answers with it too)."""
    return slack_user_lang(runtime.sessions, client, user_id, runtime.settings.default_lang)


def register(app: App, runtime: Runtime) -> None:
    settings = runtime.settings
    local = FlowContext.create(settings, runtime.sessions)  # what is answered in this process
    work = after_ack(settings)

    def on_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        if not isinstance(parse_command(command["command"], command.get("text") or ""), NeedsInput):
            work.answer_command(command, context.bot_token)
            return
        lang, reply = local.command(command, client)  # a modal, or a refusal for a non-agent
        if isinstance(reply, NeedsInput):
            metadata = modal_metadata(reply.flow.id, command.get("response_url"))
            view = flow_modal(lang, reply.flow, reply.values, metadata)
            client.views_open(trigger_id=command["trigger_id"], view=view)
        else:
            reply_to(client, command, reply_message(lang, reply))

    for name in COMMANDS:
        app.command(name)(on_command)

    @app.view(FLOW_MODAL)
    def on_modal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        flow_id, response_url = parse_modal_metadata(view.get("private_metadata") or "{}")
        who = local.clicker(body)
        lang = local.lang(client, who.user_id)
        result = local.flows.submit(flow_id, modal_values(view), who)
        if isinstance(result, dict):
            ack(response_action="errors", errors={field: text.render(lang) for field, text in result.items()})
            return
        ack()
        # Opened from App Home there is no response_url: the preview comes in the app's DM.
        reply_privately(
            client, response_url, reply_message(lang, result), user_id=who.user_id, channel_id=None
        )

    @app.action(re.compile(f"^({'|'.join(CLICKS)})$"))
    def on_click(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        """Confirm, Cancel, Undo: ack; the worker acts on the pending change and replaces the message."""
        ack()
        work.answer_click(CLICKS[action["action_id"]], body, action, context.bot_token)

    @app.action(re.compile(f"^{START_FLOW_ACTION}(:|$)"))
    def on_start_flow(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """An article's (or App Home's) "Create an alias": the modal for agents, how to ask for others."""
        ack()
        who = local.clicker(body)
        lang = local.lang(client, who.user_id)
        flow = FLOWS.get(action.get("value") or "")
        if flow is None:
            return
        if who.role is None:
            example = f"support@{settings.example_domain}"
            text = MESSAGES(
                "ask_support_for", flow=flow.title, support=settings.support_contact, example=example
            )
            reply_to(client, body, {"text": mrkdwn(text, lang)})
            return
        metadata = modal_metadata(flow.id, body.get("response_url"))
        client.views_open(trigger_id=body["trigger_id"], view=flow_modal(lang, flow, {}, metadata))

    @app.action(HOME_UNDO_ACTION)
    def on_home_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        lang, reply = local.click(local.flows.undo_change, body, action, client)
        notice = "\n".join(mrkdwn(line, lang) for line in reply.lines)
        publish_home(client, local.clicker(body), lang, notice)

    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        who = local.person(event["user"], body.get("team_id"))
        publish_home(client, who, local.lang(client, who.user_id))

    def publish_home(client: WebClient, who: Person, lang: Lang, notice: str | None = None) -> None:
        """How to ask; for agents also the feedback per article and the latest changes with Undo."""
        titles = {ref.topic_id: ref.title for ref in topics(lang, settings)}
        if who.role is None:
            client.views_publish(user_id=who.user_id, view=home_view(lang, None, titles))
            return
        with runtime.sessions() as session:
            feedback = report(session)
        view = home_view(lang, feedback, titles)
        view.blocks = [*view.blocks, *changes_blocks(lang, local.flows.latest_changes(), notice)]
        client.views_publish(user_id=who.user_id, view=view)
