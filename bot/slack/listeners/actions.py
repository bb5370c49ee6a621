"""Buttons under an answer: "Was this helpful?", a related topic, "talk to a person".

Each queues its job and acks; the after-ack worker records the vote, shows the topic or calls in a
person (`bot.slack.jobs`). 👎 opens a form, whose `trigger_id` lives 3 seconds: its job goes first.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck, queued
from bot.slack.blocks import ASK_PERSON_ACTION, FEEDBACK_ACTION, SHOW_TOPIC_ACTION
from bot.slack.job_queue import Priority
from bot.slack.jobs import new_job


def on_button(
    work: AfterAck,
    kind: str,
    priority: Priority,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
) -> BoltResponse | None:
    """A button or menu whose whole work is its job: `kind` and `priority` are bound at registration."""
    ack()
    return queued(work, new_job(kind, body, context, action=action, priority=priority), context)


def register(app: App, work: AfterAck) -> None:
    app.action(FEEDBACK_ACTION)(partial(on_button, work, "feedback", Priority.URGENT))
    app.action(re.compile(f"^{SHOW_TOPIC_ACTION}:"))(partial(on_button, work, "topic", Priority.NORMAL))
    app.action(ASK_PERSON_ACTION)(partial(on_button, work, "ask_person", Priority.NORMAL))
