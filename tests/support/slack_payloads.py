"""The payload files of tests/data/slack/, and their replay against a running app over HTTP (signed as
Slack signs them) or over Socket Mode (as envelopes on the WebSocket stand-in).

Each file says in `shape` which documented shape it follows; `kind` says how Slack delivers it
(`event`, `command`, `interaction`, or the HTTP-only `url_verification` and `ssl_check`); `retry`
(optional) is the delivery attempt: the X-Slack-Retry-Num / X-Slack-Retry-Reason headers over HTTP,
`retry_attempt` / `retry_reason` in a Socket Mode envelope. `${response_url}` in a file is replaced
with a stand-in URL named after the file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.slack_fixtures import SlackAppProcess, SocketModeAppProcess
from tests.support.slack_standin import SlackStandIn

PAYLOADS = Path(__file__).resolve().parent.parent / "data" / "slack"
KINDS = ("event", "command", "interaction", "url_verification", "ssl_check")
HTTP_ONLY = ("url_verification", "ssl_check")
ENVELOPE_TYPES = {"event": "events_api", "command": "slash_commands", "interaction": "interactive"}


@dataclass(frozen=True)
class Payload:
    name: str
    shape: str
    kind: str
    body: dict[str, Any]
    retry: dict[str, Any] | None = None


def payload_names() -> list[str]:
    return sorted(path.stem for path in PAYLOADS.glob("*.json"))


def load(name: str, standin: SlackStandIn | None = None) -> Payload:
    text = (PAYLOADS / f"{name}.json").read_text()
    if standin is not None:
        text = text.replace("${response_url}", standin.response_url(name))
    data = json.loads(text)
    return Payload(name, data["shape"], data["kind"], data["body"], data.get("retry"))


@dataclass(frozen=True)
class Ack:
    status: int  # HTTP status; over Socket Mode 200 once the envelope is acknowledged
    body: Any  # the JSON body (or the envelope's payload), else the text ("" for an empty ack)
    seconds: float


def http_body(payload: Payload) -> tuple[bytes, str]:
    """The body and content type Slack POSTs for `payload`."""
    if payload.kind in ("event", "url_verification"):
        return json.dumps(payload.body).encode(), "application/json"
    form = {"payload": json.dumps(payload.body)} if payload.kind == "interaction" else payload.body
    return urlencode(form).encode(), "application/x-www-form-urlencoded"


class Replay:
    """Sends payload files to one running app, over HTTP or Socket Mode, and reads its log."""

    def __init__(self, transport: str, app: SlackAppProcess | SocketModeAppProcess) -> None:
        self.transport = transport
        self.app = app
        self.standin: SlackStandIn = app.standin
        self.database_url = app.database_url
        self.log_path = app.log_path

    def load(self, name: str, *, event_id: str | None = None, **event: Any) -> Payload:
        """The file `name`; for an event, `event_id` and `event` fields replace the file's."""
        payload = load(name, self.standin)
        if event_id or event:
            body = {**payload.body, "event": {**payload.body["event"], **event}}
            body["event_id"] = event_id or body["event_id"]
            payload = Payload(payload.name, payload.shape, payload.kind, body, payload.retry)
        return payload

    def send(self, name: str, *, ack_timeout: float = 20, **changes: Any) -> Ack:
        return self.deliver(self.load(name, **changes), ack_timeout)

    def deliver(self, payload: Payload, ack_timeout: float = 20) -> Ack:
        started = time.monotonic()
        if isinstance(self.app, SocketModeAppProcess):
            retry = payload.retry or {"num": 0, "reason": ""}
            websocket = self.app.websocket
            envelope_id = websocket.send(
                ENVELOPE_TYPES[payload.kind], payload.body, retry["num"], retry["reason"]
            )
            acknowledged = websocket.wait_ack(envelope_id, timeout=ack_timeout)
            return Ack(200, acknowledged.get("payload") or "", time.monotonic() - started)
        body, content_type = http_body(payload)
        headers = {}
        if payload.retry is not None:
            headers = {
                "X-Slack-Retry-Num": str(payload.retry["num"]),
                "X-Slack-Retry-Reason": payload.retry["reason"],
            }
        response = self.app.signed_post(body, content_type, headers=headers)
        try:
            answer = response.json() if response.body else ""
        except ValueError:
            answer = response.body
        return Ack(response.status, answer, time.monotonic() - started)

    def log_lines(self) -> list[dict[str, Any]]:
        """The app's log, every process's lines: each must be a JSON object (else this fails). The last
        line is left out until its newline is written."""
        complete = self.log_path.read_text(errors="replace").split("\n")[:-1]
        return [json.loads(line) for line in complete if line]

    def request_lines(self, command: str) -> list[dict[str, Any]]:
        """The request log's lines whose `command` is this (event:message, /mailhelp what, ...)."""
        return [
            line
            for line in self.log_lines()
            if line.get("logger") == "mailbot.requests" and line.get("command") == command
        ]

    def wait_for_log(self, matches: Callable[[dict[str, Any]], bool], timeout: float = 20) -> dict[str, Any]:
        """The first log line for which `matches(line)` holds, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_lines():
                if matches(line):
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"no such log line in {self.log_path}")
            time.sleep(0.05)
