"""Teaching the bot from Slack: an agent picks the right article (or "not our topic") for a question a
customer was unhappy with, in the support channel's post or in App Home, or takes an example back.

Each queues its job and acks; the after-ack worker checks that the clicker is an agent, teaches or
removes the example and replaces the menu with what was done, or publishes App Home again
(`bot.slack.jobs`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck, queued
from bot.slack.jobs import new_job
from bot.slack.teaching_blocks import FORGET_ACTION, TEACH_ACTION


def on_teach(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    ack()
    return queued(work, new_job("teach", body, context, action=action), context)


def on_forget(
    work: AfterAck, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    ack()
    return queued(work, new_job("forget", body, context, action=action), context)


def register(app: App, work: AfterAck) -> None:
    app.action(TEACH_ACTION)(partial(on_teach, work))
    app.action(FORGET_ACTION)(partial(on_forget, work))
