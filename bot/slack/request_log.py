"""Structured logs: one JSON line per HTTP request (team, user, command, outcome, time).

`RequestLog` wraps the WSGI app, so every request is logged, also those Bolt turns away
(bad signature, unknown path). A listener can name a finer outcome than the HTTP status with
the `X-Mailbot-Outcome` response header (a redelivered event that was skipped, for example).
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body

REQUEST_LOGGER = logging.getLogger("mailbot.requests")
OUTCOME_HEADER = "X-Mailbot-Outcome"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class JsonLines(logging.Formatter):
    """A log record as one JSON object: the message, plus the fields passed as `extra={"fields": ...}`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    logging.basicConfig(level=level, handlers=[handler], force=True)


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
        command = payload.get("type")
    team = payload.get("team_id") or (payload.get("team") or {}).get("id")
    user = (
        payload.get("user_id")
        or (payload.get("user") or {}).get("id")
        or payload.get("event", {}).get("user")
    )
    return {"team": team, "user": user, "command": command}


def _described(body: bytes, content_type: str) -> dict[str, str | None]:
    """`describe` for a raw body; a body that is not what Slack sends describes nothing."""
    headers = build_normalized_headers({"content-type": content_type})
    try:
        return describe(parse_body(body.decode("utf-8", "replace"), extract_content_type(headers)))
    except (ValueError, AttributeError, TypeError, KeyError, IndexError):
        return describe({})


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (400, 401, 403):
        return "refused"
    return "not_found" if status == 404 else "error"


class RequestLog:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # the app reads the body again
        response: dict[str, Any] = {"status": 500, "outcome": None}

        def remember(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            response["status"] = int(status.split(" ", 1)[0])
            response["outcome"] = next((v for k, v in headers if k.lower() == OUTCOME_HEADER.lower()), None)
            return start_response(status, headers, *args)

        try:
            return self.app(environ, remember)
        finally:
            fields = {
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                **_described(body, environ.get("CONTENT_TYPE", "")),
                "status": response["status"],
                "outcome": response["outcome"] or outcome_of(response["status"]),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            REQUEST_LOGGER.info("request", extra={"fields": fields})
