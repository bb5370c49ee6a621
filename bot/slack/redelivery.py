"""A question is answered once: per event, however often Slack delivers it and to whichever instance,
and per message (an edited mention comes again as a new event about the same message).

Slack redelivers an event it saw no ack for within 3 seconds, numbering the attempts in
`X-Slack-Retry-Num` (Socket Mode passes its `retry_attempt` on as that header, 0 for a first delivery).
Receipts are recorded (`bot.slack.stores.first_delivery`) in the database the instances share: a
redelivery's before its ack, so a duplicate is acked, logged as such and not handled; a first delivery's
after the ack, by the after-ack worker (`handle_once`): a database write before every ack made acks queue
behind the other writers (SQLite's write lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.slack.request_log import set_outcome
from bot.slack.stores import first_delivery

log = logging.getLogger(__name__)

# Set in a request's context when its event was already taken in before the ack (a redelivery).
TAKEN_IN = "mailbot_event_taken_in"


def retry_number(request: BoltRequest) -> int:
    """Which redelivery this is: 0 for a first delivery (no header, or Socket Mode's "0")."""
    value = (request.headers.get("x-slack-retry-num") or ["0"])[0]
    return int(value) if value.isdigit() else 0


def message_key(event: dict[str, Any]) -> str | None:
    """The receipt key of the message a question came in (its channel and timestamp), whichever event
    brought it."""
    channel, ts = event.get("channel"), event.get("ts")
    return f"message:{channel}:{ts}" if channel and ts else None


def _taken_in(sessions: sessionmaker, key: str) -> bool:
    try:
        return first_delivery(sessions, key)
    except SQLAlchemyError:
        # Without the database an event may be answered twice; better than not at all.
        log.warning("%s: could not record its delivery", key, exc_info=True)
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
        if body.get("type") == "event_callback" and event_id and retry_number(request) > 0:
            if not _taken_in(sessions, event_id):
                set_outcome(context, "duplicate")
                return BoltResponse(status=200, body="")
            context[TAKEN_IN] = True
        next()
        return None

    return middleware


def handle_once(sessions: sessionmaker, body: dict[str, Any], taken_in: bool) -> bool:
    """After the ack: record the event and the message it brings; False when either was taken in before
    (a redelivery, maybe to another instance, or another event about the same message, such as the
    mention again after an edit). `taken_in`: this delivery was recorded before its ack."""
    event_id = body.get("event_id")
    if not (taken_in or not event_id or _taken_in(sessions, event_id)):
        return False
    key = message_key(body.get("event") or {})
    return key is None or _taken_in(sessions, key)
