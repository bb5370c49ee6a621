"""One JSON log line per Slack request, in HTTP and Socket Mode alike: team, user, command, outcome, time.

`LoggedApp` is Bolt's App writing that line when `dispatch` returns (both transports call it, and it
sees the request as Bolt parsed it, its final status and its context). A middleware, listener or error
handler names a finer outcome than the status, and adds fields such as a reason, with `set_outcome`
(a redelivered event that was skipped, an event that is not a question, ...). Bolt's own middlewares
cannot do this: they run one after the other before the listener and never see the response.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

REQUEST_LOGGER = logging.getLogger("mailbot.requests")
OUTCOME = "mailbot_request_log"  # context key: the outcome and extra fields of this request's line


def set_outcome(context: BoltContext, outcome: str, **fields: str) -> None:
    context[OUTCOME] = {"outcome": outcome, **fields}


def describe(payload: dict[str, Any]) -> dict[str, str | None]:
    """Who sent a Slack request and what it asks for: a slash command, an event type or an action."""
    command: str | None
    if payload.get("command"):
        command = f"{payload['command']} {payload.get('text', '').split(' ')[0]}".strip()
    elif payload.get("type") == "event_callback":
        command = f"event:{payload.get('event', {}).get('type')}"
    elif payload.get("actions"):
        command = f"action:{payload['actions'][0].get('action_id')}"
    elif payload.get("view"):
        command = f"view:{payload['view'].get('callback_id')}"
    else:
        command = payload.get("type") or ("ssl_check" if payload.get("ssl_check") else None)
    team = payload.get("team_id") or (payload.get("team") or {}).get("id")
    user = (
        payload.get("user_id")
        or (payload.get("user") or {}).get("id")
        or payload.get("event", {}).get("user")
    )
    return {"team": team, "user": user, "command": command}


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (400, 401, 403):
        return "refused"
    return "not_found" if status == 404 else "error"


def log_request(fields: dict[str, Any]) -> None:
    REQUEST_LOGGER.info("request", extra={"fields": fields})


class LoggedApp(App):
    """Bolt's App, writing one request log line for each request it dispatches."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = super().dispatch(req)
        refused = response.status in (401, 403)  # not verified: what the body claims is not logged
        fields: dict[str, Any] = {
            "mode": req.mode,
            **(describe({}) if refused else describe(req.body)),
            "status": response.status,
            "outcome": outcome_of(response.status),
            **(req.context.get(OUTCOME) or {}),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        log_request(fields)
        return response
