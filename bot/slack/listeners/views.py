"""Modal submissions: what was unclear in a "not helpful" answer, and whether a person should help;
closed forms."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.feedback import add_comment
from bot.slack.blocks import (
    COMMENT_BLOCK,
    COMMENT_INPUT,
    FEEDBACK_MODAL,
    PERSON_BLOCK,
    PERSON_INPUT,
    PERSON_WANTED,
)
from bot.slack.replies import request_person
from bot.slack.runtime import Runtime


def submitted_feedback(view: dict[str, Any]) -> tuple[str | None, bool]:
    """The comment (or None) and whether a person was asked for, from the modal's state."""
    values = (view.get("state") or {}).get("values") or {}
    comment = (values.get(COMMENT_BLOCK) or {}).get(COMMENT_INPUT, {}).get("value")
    chosen = (values.get(PERSON_BLOCK) or {}).get(PERSON_INPUT, {}).get("selected_options") or []
    return comment, any(option.get("value") == PERSON_WANTED for option in chosen)


def on_feedback_submitted(
    runtime: Runtime, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
) -> None:
    ack()
    metadata = view.get("private_metadata") or ""
    if not metadata.isdigit():
        return
    question_id, user_id = int(metadata), body["user"]["id"]
    comment, wants_person = submitted_feedback(view)
    if wants_person:
        told = request_person(runtime, client, question_id, user_id, comment)
        if told:
            client.chat_postMessage(channel=user_id, text=told)
        return
    with runtime.sessions() as session:
        add_comment(session, question_id, user_id, comment)


def on_view_closed(ack: Ack) -> None:
    """A form closed with Cancel: Slack tells only of forms opened with notify_on_close (none of ours
    are; an older version's may be). Nothing to do, but unacknowledged it would be an error."""
    ack()


def register(app: App, runtime: Runtime) -> None:
    app.view(FEEDBACK_MODAL)(partial(on_feedback_submitted, runtime))
    app.view_closed(re.compile(".*"))(on_view_closed)
