"""Events Slack delivers again are handled once, whichever instance gets which delivery.

Slack redelivers an event it saw no ack for within 3 seconds (`X-Slack-Retry-Num`). The `event_id`
of every question is recorded (`bot.slack.stores.first_delivery`) in the database the instances
share. A redelivery is checked before its ack, so a duplicate is acked, logged as such and not
handled; a first delivery is recorded after the ack, by the after-ack worker (`handle_once`): a
database write before every ack made acks queue behind the other writers (SQLite's write lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.slack.request_log import OUTCOME_HEADER
from bot.slack.stores import first_delivery

log = logging.getLogger(__name__)

# Set in a request's context when its event was already taken in before the ack (a redelivery).
TAKEN_IN = "mailbot_event_taken_in"


def _taken_in(sessions: sessionmaker, event_id: str) -> bool:
    try:
        return first_delivery(sessions, event_id)
    except SQLAlchemyError:
        # Without the database an event may be answered twice; better than not at all.
        log.warning("event %s: could not record its delivery", event_id, exc_info=True)
        return True


def skip_redelivered_events(sessions: sessionmaker) -> Callable[..., BoltResponse | None]:
    """A Bolt middleware: a redelivery taken in before (here or on another instance) is acked, not handled."""

    def middleware(
        body: dict[str, Any],
        request: BoltRequest,
        context: BoltContext,
        next: Callable[[], None],  # noqa: A002
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id and request.headers.get("x-slack-retry-num"):
            if not _taken_in(sessions, event_id):
                return BoltResponse(status=200, body="", headers={OUTCOME_HEADER: "duplicate"})
            context[TAKEN_IN] = True
        next()
        return None

    return middleware


def handle_once(sessions: sessionmaker, body: dict[str, Any], taken_in: bool) -> bool:
    """After the ack: record the event; False when another delivery of it (a redelivery, maybe to
    another instance) was taken in first. `taken_in`: this delivery was recorded before its ack."""
    event_id = body.get("event_id")
    return taken_in or not event_id or _taken_in(sessions, event_id)
