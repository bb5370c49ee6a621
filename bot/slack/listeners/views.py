"""Modal submissions: what was unclear in a "not helpful" answer, and whether a person should help
(stored, and the person called in, by the after-ack worker: `bot.slack.jobs`); closed forms."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse

from bot.slack.after_ack import AfterAck, queued
from bot.slack.blocks import FEEDBACK_MODAL
from bot.slack.jobs import new_job


def on_feedback_submitted(
    work: AfterAck, ack: Ack, body: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    ack()
    return queued(work, new_job("feedback_form", body, context), context)


def on_view_closed(ack: Ack) -> None:
    """A form closed with Cancel: Slack tells only of forms opened with notify_on_close (none of ours
    are; an older version's may be). Nothing to do, but unacknowledged it would be an error."""
    ack()


def register(app: App, work: AfterAck) -> None:
    app.view(FEEDBACK_MODAL)(partial(on_feedback_submitted, work))
    app.view_closed(re.compile(".*"))(on_view_closed)
