"""Teaching the bot from Slack: an agent picks the right article (or "not our topic") for a question a
customer was unhappy with, in the support channel's post or in App Home, or takes an example back.

Each queues its job and acks; the after-ack worker checks that the clicker is an agent, teaches or
removes the example and replaces the menu with what was done, or publishes App Home again
(`bot.slack.jobs`).
"""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.slack.after_ack import AfterAck
from bot.slack.job_queue import Priority
from bot.slack.listeners.actions import on_button
from bot.slack.teaching_blocks import FORGET_ACTION, TEACH_ACTION


def register(app: App, work: AfterAck) -> None:
    app.action(TEACH_ACTION)(partial(on_button, work, "teach", Priority.NORMAL))
    app.action(FORGET_ACTION)(partial(on_button, work, "forget", Priority.NORMAL))
