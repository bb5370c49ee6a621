"""A question is answered once: per event, however often Slack delivers it and to whichever instance,
and per message (an edited mention comes again as a new event about the same message).

Slack delivers an event again when it saw no ack within 3 seconds (HTTP `X-Slack-Retry-Num`, Socket
Mode `retry_attempt`), and a delivery may also reach an instance that dies before its ack. Every
delivery's job is written to the job queue before its ack under its receipt (`bot.slack.job_queue`,
unique): the one write both takes the event in and keeps its work safe. A question's receipt is the
message it came in (its channel and timestamp), whichever event brought it; any other event's is its
`event_id`. A delivery whose receipt is already there, from this instance or another, is acked and not
handled again (outcome `duplicate` in the request log, with the receipt), whatever its retry number says.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.slack.request_log import set_outcome


def receipt_of(body: dict[str, Any]) -> str | None:
    """What makes two deliveries the same: the message a question came in, else the event's id."""
    event = body.get("event") or {}
    channel, ts = event.get("channel"), event.get("ts")
    if channel and ts:
        return f"message:{channel}:{ts}"
    event_id = body.get("event_id")
    return f"event:{event_id}" if event_id else None


def duplicate(context: BoltContext, receipt: str | None) -> BoltResponse:
    """The ack of a delivery taken in before."""
    set_outcome(context, "duplicate", **({"receipt": receipt} if receipt else {}))
    return BoltResponse(status=200, body="")
