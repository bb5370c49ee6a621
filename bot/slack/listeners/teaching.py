"""Teaching the bot from Slack: an agent picks the right article (or "not our topic") for a question a
customer was unhappy with, in the support channel's post or in App Home, or takes an example back."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.answers import topics
from bot.config import Lang
from bot.slack.listeners.actions import private_note
from bot.slack.listeners.flows import publish_home
from bot.slack.messages import MESSAGES
from bot.slack.private_replies import reply_to
from bot.slack.runtime import Runtime
from bot.slack.teaching_blocks import (
    FORGET_ACTION,
    TEACH_ACTION,
    TEACH_BLOCKS,
    forgotten_blocks,
    parse_teach_value,
    taught_blocks,
)
from bot.teaching import Taught, TeachingError, forget, teach_answered


def _titles(runtime: Runtime, lang: Lang) -> dict[str, str]:
    return {ref.topic_id: ref.title for ref in topics(lang, runtime.settings)}


def _show(runtime: Runtime, body: dict[str, Any], client: WebClient, lang: Lang, note: list[Any]) -> None:
    """After a change: App Home is published again; in a message the menu (or note) is replaced."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        publish_home(runtime, client, runtime.clicker(body, client), lang)
        return
    kept = [
        b for b in (body.get("message") or {}).get("blocks") or [] if b.get("block_id") not in TEACH_BLOCKS
    ]
    blocks = [*kept, *(block.to_dict() for block in note)]
    message = {"text": (body.get("message") or {}).get("text") or "", "blocks": blocks}
    reply_to(client, body, message, replace_original=True)


def _act(
    runtime: Runtime, body: dict[str, Any], client: WebClient, change: Any
) -> tuple[Lang, Taught | None]:
    """Run `change(session, user_id)` for an agent; tell anyone else, or a refused change, privately."""
    who = runtime.clicker(body, client)
    lang = runtime.lang(client, who.user_id)
    if who.role is None:
        private_note(body, client, MESSAGES.text("teach_agents_only", lang))
        return lang, None
    try:
        with runtime.sessions() as session:
            return lang, change(session, who.user_id)
    except TeachingError as error:
        private_note(body, client, error.text.render(lang))
        return lang, None


def on_teach(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
) -> None:
    ack()
    parsed = parse_teach_value((action.get("selected_option") or {}).get("value") or "")
    if parsed is None:
        return
    question_id, label = parsed
    lang, example = _act(
        runtime,
        body,
        client,
        lambda session, agent: teach_answered(session, question_id, label, agent),
    )
    if example is not None:
        _show(runtime, body, client, lang, taught_blocks(lang, example, _titles(runtime, lang)))


def on_forget(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
) -> None:
    ack()
    value = action.get("value") or ""
    if not value.isdigit():
        return
    lang, example = _act(runtime, body, client, lambda session, agent: forget(session, int(value), agent))
    if example is not None:
        _show(runtime, body, client, lang, forgotten_blocks(lang, example))


def register(app: App, runtime: Runtime) -> None:
    app.action(TEACH_ACTION)(partial(on_teach, runtime))
    app.action(FORGET_ACTION)(partial(on_forget, runtime))
