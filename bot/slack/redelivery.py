"""Events Slack delivers again are handled once, whichever instance gets which delivery.

Slack delivers an event again when it saw no ack within 3 seconds (HTTP `X-Slack-Retry-Num`, Socket
Mode `retry_attempt`), and a delivery may also reach an instance that dies before its ack. Every
delivery's job is written to the job queue before its ack under the event's receipt
(`bot.slack.job_queue`, unique): the one write both takes the event in and keeps its work safe.
A delivery whose receipt is already there, from this instance or another, is acked and not handled
again (outcome `duplicate` in the request log), whatever its retry number says.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltResponse

from bot.slack.request_log import OUTCOME_HEADER


def receipt_of(body: dict[str, Any]) -> str | None:
    """What makes two deliveries the same event: its `event_id`."""
    event_id = body.get("event_id")
    return f"event:{event_id}" if event_id else None


def duplicate() -> BoltResponse:
    """The ack of a delivery taken in before."""
    return BoltResponse(status=200, body="", headers={OUTCOME_HEADER: "duplicate"})
