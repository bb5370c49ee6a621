"""The guided flows in Slack: /alias, /forward, /group, /mailtrace, their modal, Confirm/Cancel/Undo,
the articles' "Create an alias" buttons and App Home.

Every listener acks first and then works (Slack wants the ack within 3 seconds); replies go through
the request's `response_url`. The one exception is a modal submission: its field errors must be
the ack itself, so the (fast, read-only) check runs before it.

The work after a command's or a button's ack runs in a small pool of its own (`AfterAck`): under a
burst, previews and changes queue there instead of twenty threads contending for the interpreter
lock with the acks of the requests still arriving. Opening a modal is not queued: its trigger_id
lives only 3 seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.answers import topics
from bot.config import Lang
from bot.db import is_database_unavailable
from bot.feedback import report
from bot.flows.commands import COMMANDS, FLOWS, NeedsInput, parse_command
from bot.flows.core import Flows, Person, Reply, role_of
from bot.flows.messages import MESSAGES
from bot.flows.store import cached_lang, remember_locale
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
from bot.slack.production import MESSAGES as OUTAGE_MESSAGES

log = logging.getLogger(__name__)

# Threads doing flows' work after the ack, per instance; more would only contend with the acks.
AFTER_ACK_THREADS = 2


class AfterAck:
    """Runs work after the ack in `AFTER_ACK_THREADS` threads; a failure is logged and, when the
    database is down, the user is told so (Bolt's own error handler no longer sees it)."""

    def __init__(self, default_lang: Lang) -> None:
        self.pool = ThreadPoolExecutor(max_workers=AFTER_ACK_THREADS, thread_name_prefix="flows")
        self.default_lang = default_lang

    def submit(self, respond: Respond, work: Callable[[], None]) -> None:
        self.pool.submit(self._run, respond, work)

    def _run(self, respond: Respond, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as error:
            log.exception("flow work after the ack failed")
            if is_database_unavailable(error):
                text = OUTAGE_MESSAGES.text("database_unavailable", self.default_lang)
                respond(text=text, response_type="ephemeral", replace_original=False)


def user_lang(runtime: Runtime, client: WebClient, user_id: str) -> Lang:
    """The user's Slack locale (asked once a week, kept in the database), else MAILBOT_LANG."""
    with runtime.sessions() as session:
        known, lang = cached_lang(session, user_id)
        if not known:
            try:
                # POSTed as a form like every other call (Slack takes both; users_info() would GET).
                answer = client.api_call("users.info", data={"user": user_id, "include_locale": "true"})
                user = answer.get("user") or {}
            except SlackApiError:
                log.warning("users.info failed for %s; using the default language", user_id, exc_info=True)
                return runtime.settings.default_lang
            remember_locale(session, user_id, user.get("locale"))
            _, lang = cached_lang(session, user_id)
    return lang or runtime.settings.default_lang


def register(app: App, runtime: Runtime) -> None:
    settings = runtime.settings
    flows = Flows(settings, runtime.sessions)
    after_ack = AfterAck(settings.default_lang)

    def person(user_id: str, team_id: str | None) -> Person:
        return Person(user_id, team_id, role_of(settings, user_id))

    def clicked(body: dict[str, Any], client: WebClient) -> tuple[Person, Lang]:
        """Who clicked or submitted, and their language."""
        who = person(body["user"]["id"], (body.get("team") or {}).get("id"))
        return who, user_lang(runtime, client, who.user_id)

    def act_on(act: Callable[[int, Person], Reply], action: dict[str, Any], who: Person) -> Reply:
        value = action.get("value") or ""
        return act(int(value), who) if value.isdigit() else Reply.info(MESSAGES("unknown_pending"))

    def on_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        if isinstance(parse_command(command["command"], command.get("text") or ""), NeedsInput):
            run_command(command, respond, client)  # a modal: its trigger_id expires in 3 seconds
        else:
            after_ack.submit(respond, lambda: run_command(command, respond, client))

    def run_command(command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = command["user_id"]
        lang = user_lang(runtime, client, user_id)
        reply = flows.command(
            command["command"], command.get("text") or "", person(user_id, command.get("team_id"))
        )
        if isinstance(reply, NeedsInput):
            metadata = modal_metadata(reply.flow.id, command.get("response_url"))
            client.views_open(
                trigger_id=command["trigger_id"], view=flow_modal(lang, reply.flow, reply.values, metadata)
            )
            return
        respond(response_type="ephemeral", **reply_message(lang, reply))

    for name in COMMANDS:
        app.command(name)(on_command)

    @app.view(FLOW_MODAL)
    def on_modal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        flow_id, response_url = parse_modal_metadata(view.get("private_metadata") or "{}")
        who, lang = clicked(body, client)
        result = flows.submit(flow_id, modal_values(view), who)
        if isinstance(result, dict):
            ack(response_action="errors", errors={field: text.render(lang) for field, text in result.items()})
            return
        ack()
        show(client, who.user_id, response_url, reply_message(lang, result))

    def on_button(act: Callable[[int, Person], Reply]) -> Callable[..., None]:
        """A Confirm/Cancel/Undo listener: ack, act on the pending change, replace the message."""

        def listener(
            ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
        ) -> None:
            ack()

            def work() -> None:
                who, lang = clicked(body, client)
                reply = act_on(act, action, who)
                respond(replace_original=True, response_type="ephemeral", **reply_message(lang, reply))

            after_ack.submit(respond, work)

        return listener

    app.action(CONFIRM_ACTION)(on_button(flows.confirm))
    app.action(CANCEL_ACTION)(on_button(flows.cancel))
    app.action(UNDO_ACTION)(on_button(flows.undo))

    @app.action(re.compile(f"^{START_FLOW_ACTION}(:|$)"))
    def on_start_flow(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """An article's (or App Home's) "Create an alias": the modal for agents, how to ask for others."""
        ack()
        who, lang = clicked(body, client)
        flow = FLOWS.get(action.get("value") or "")
        if flow is None:
            return
        if who.role is None:
            example = f"support@{settings.example_domain}"
            text = MESSAGES(
                "ask_support_for", flow=flow.title, support=settings.support_contact, example=example
            )
            show(client, who.user_id, body.get("response_url"), {"text": mrkdwn(text, lang)})
            return
        metadata = modal_metadata(flow.id, body.get("response_url"))
        client.views_open(trigger_id=body["trigger_id"], view=flow_modal(lang, flow, {}, metadata))

    @app.action(HOME_UNDO_ACTION)
    def on_home_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        who, lang = clicked(body, client)
        reply = act_on(flows.undo_change, action, who)
        publish_home(client, who, lang, notice="\n".join(mrkdwn(line, lang) for line in reply.lines))

    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        who = person(event["user"], body.get("team_id"))
        publish_home(client, who, user_lang(runtime, client, who.user_id))

    def publish_home(client: WebClient, who: Person, lang: Lang, notice: str | None = None) -> None:
        """How to ask; for agents also the feedback per article and the latest changes with Undo."""
        titles = {ref.topic_id: ref.title for ref in topics(lang, settings)}
        if who.role is None:
            client.views_publish(user_id=who.user_id, view=home_view(lang, None, titles))
            return
        with runtime.sessions() as session:
            feedback = report(session)
        view = home_view(lang, feedback, titles)
        view.blocks = [*view.blocks, *changes_blocks(lang, flows.latest_changes(), notice)]
        client.views_publish(user_id=who.user_id, view=view)


def show(client: WebClient, user_id: str, response_url: str | None, message: dict[str, Any]) -> None:
    """Show a reply privately where the flow began (its response_url), else in the app's DM."""
    if response_url:
        WebhookClient(response_url).send(response_type="ephemeral", replace_original=False, **message)
    else:
        client.chat_postMessage(channel=user_id, **message)
