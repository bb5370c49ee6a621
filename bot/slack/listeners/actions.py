"""Buttons under an answer: "Was this helpful?", a related topic, "talk to a person"."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import question_lang, show_topic
from bot.feedback import vote
from bot.slack.blocks import (
    ASK_PERSON_ACTION,
    FEEDBACK_ACTION,
    SHOW_TOPIC_ACTION,
    feedback_modal,
    parse_feedback_value,
    parse_topic_value,
)
from bot.slack.private_replies import reply_to
from bot.slack.replies import request_person, turn_message
from bot.slack.runtime import Runtime


def reply_beside(body: dict[str, Any], client: WebClient, message: dict[str, Any]) -> None:
    """A new message next to the clicked one: in its channel and thread, or privately if it was private
    (or not in a message: App Home's clicks have no channel and no response_url)."""
    container = body.get("container") or {}
    if (
        container.get("type") == "message"
        and not container.get("is_ephemeral")
        and container.get("channel_id")
    ):
        thread_ts = (body.get("message") or {}).get("thread_ts")
        client.chat_postMessage(channel=container["channel_id"], thread_ts=thread_ts, **message)
    else:
        reply_to(client, body, message)


def private_note(body: dict[str, Any], client: WebClient, text: str) -> None:
    """`text` to the person who clicked only: by the click's response_url, else by the Web API."""
    reply_to(client, body, {"text": text})


def on_feedback(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
) -> None:
    ack()
    default_lang = runtime.settings.default_lang
    parsed = parse_feedback_value(action.get("value") or "")
    if parsed is None:
        private_note(body, client, CONVERSATION.text("unknown_question", default_lang))
        return
    helpful, question_id = parsed
    with runtime.sessions() as session:
        stored = vote(session, question_id, body["user"]["id"], helpful=helpful)
        lang = question_lang(session, question_id, default_lang)
    if stored is None:
        private_note(body, client, CONVERSATION.text("unknown_question", lang))
    elif helpful:
        private_note(body, client, CONVERSATION.text("thanks_helpful", lang))
    else:
        client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(lang, question_id))


def on_topic(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
) -> None:
    ack()
    parsed = parse_topic_value(action.get("value") or "")
    turn = None
    if parsed is not None:
        customer = runtime.clicker(body, client).customer  # their own domain in the examples
        with runtime.sessions() as session:
            turn = show_topic(
                session, runtime.settings, *parsed, user_id=body["user"]["id"], customer=customer
            )
    if turn is None:
        private_note(body, client, CONVERSATION.text("unknown_question", runtime.settings.default_lang))
        return
    reply_beside(body, client, turn_message(turn))


def on_ask_person(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
) -> None:
    ack()
    value = action.get("value") or ""
    told = request_person(runtime, client, int(value), body["user"]["id"]) if value.isdigit() else None
    private_note(body, client, told or CONVERSATION.text("unknown_question", runtime.settings.default_lang))


def register(app: App, runtime: Runtime) -> None:
    app.action(FEEDBACK_ACTION)(partial(on_feedback, runtime))
    app.action(re.compile(f"^{SHOW_TOPIC_ACTION}:"))(partial(on_topic, runtime))
    app.action(ASK_PERSON_ACTION)(partial(on_ask_person, runtime))
