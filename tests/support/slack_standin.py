"""A local stand-in for Slack's Web API and `response_url`s that records every call.

Point the app at it with SLACK_API_URL=standin.api_url. Every POST is recorded as a `Call`
(Web API method name, or "response_url" for posts to `standin.response_url(...)`), with its
arguments decoded from JSON or form encoding (JSON-valued form fields such as `blocks` decoded too).
Answers are plausible successes, except for blocks and views Slack would refuse, refused as Slack
refuses them (`block_kit_limits`); `script()` queues a different answer (e.g. a 429, or a
`response_url`'s 404 "expired_url") for one call, and `slow()` makes every call of a method take
longer to answer (Slack has the call as soon as it arrives, as a slow Slack would). Messages posted
with chat.postMessage are kept per channel and read back by conversations.history and
conversations.replies, metadata included.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.support.block_kit_limits import message_problems, view_problems

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T1"
RESPONSE_PATH = "/response/"
MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")


@dataclass(frozen=True)
class Call:
    method: str  # "chat.postMessage", "views.open", ... or "response_url"
    path: str
    args: dict[str, Any]
    headers: dict[str, str]
    received: float = field(default_factory=time.monotonic)  # for benchmarks: when it arrived

    def text(self) -> str:
        """Everything a person could read in this call (text, blocks, view), as one JSON string."""
        return json.dumps(self.args, ensure_ascii=False)


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any] | str  # a str is sent as text/plain
    headers: dict[str, str] = field(default_factory=dict)


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.socket_mode_url: str | None = None  # what apps.connections.open answers (Socket Mode)
        # The workspace's user groups: id -> {"handle": ..., "users": [...]} (usergroups.* answer from it).
        self.user_groups: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._scripted: dict[str, list[_Scripted]] = {}
        self._delays: dict[str, float] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}  # channel -> posted messages, oldest first
        self._ts = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "default") -> str:
        return f"{self.base_url}{RESPONSE_PATH}{name}"

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._changed:
            self.calls.clear()
            self._scripted.clear()
            self._delays.clear()
            self._messages.clear()

    def slow(self, method: str, seconds: float) -> None:
        """Answer every call of `method` only after `seconds` (until `reset`)."""
        with self._changed:
            self._delays[method] = seconds

    def script(
        self, method: str, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next call of `method` with this instead of a success."""
        with self._changed:
            self._scripted.setdefault(method, []).append(_Scripted(status, body, headers or {}))

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(
        self,
        method: str,
        where: Callable[[Call], bool] = lambda call: True,
        count: int = 1,
        timeout: float = 20,
    ) -> list[Call]:
        """The calls of `method` matching `where`, once there are `count` of them (the app answers
        after its ack, in the background)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self.calls if call.method == method and where(call)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [call.method for call in self.calls]
                    raise AssertionError(f"no {count} call(s) of {method} matching; calls seen: {seen}")
                self._changed.wait(remaining)

    def _record(self, call: Call) -> tuple[_Scripted | None, float]:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
            queue = self._scripted.get(call.method)
            return (queue.pop(0) if queue else None), self._delays.get(call.method, 0.0)

    def _success(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "team_id": TEAM_ID,
                "user": "mailbot",
            }
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._ts):06d}"
            message = {**args, "ts": ts, "user": BOT_USER_ID, "bot_id": BOT_ID}
            if method == "chat.postMessage":
                with self._changed:
                    self._messages.setdefault(args.get("channel") or "", []).append(message)
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            with self._changed:
                posted = list(self._messages.get(args.get("channel") or "", []))
            if method == "conversations.replies":
                posted = [message for message in posted if message.get("thread_ts") == args.get("ts")]
            return {"ok": True, "messages": posted[::-1], "has_more": False}
        if method in VIEW_METHODS:
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(args.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_mode_url}
        if method == "users.info":
            return {"ok": True, "user": {"id": args.get("user"), "locale": "en-US"}}
        if method == "usergroups.list":
            groups = [
                {"id": group_id, "team_id": TEAM_ID, "handle": group["handle"], "name": group["handle"]}
                for group_id, group in self.user_groups.items()
            ]
            return {"ok": True, "usergroups": groups}
        if method == "usergroups.users.list":
            group = self.user_groups.get(args.get("usergroup") or "")
            if group is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(group["users"])}
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                args = _decode(body, self.headers.get("Content-Type") or "")
                if self.path.startswith(RESPONSE_PATH):
                    method = "response_url"
                else:
                    method = self.path.removeprefix("/api/").split("?")[0]
                    # The token travels in the Authorization header; keep it visible to tests.
                    args.setdefault("_authorization", self.headers.get("Authorization"))
                scripted, delay = standin._record(Call(method, self.path, args, dict(self.headers.items())))
                time.sleep(delay)
                refused = _refusal(method, args)
                if scripted is not None:
                    self._send(scripted.status, scripted.body, scripted.headers)
                elif refused is not None:
                    self._send(*refused, {})
                elif method == "response_url":
                    self._send(200, "ok", {})
                else:
                    self._send(200, standin._success(method, args), {})

            def _send(self, status: int, body: dict[str, Any] | str, headers: dict[str, str]) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/plain" if isinstance(body, str) else "application/json"
                )
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away before its answer (an app killed by a test) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _refusal(method: str, args: dict[str, Any]) -> tuple[int, dict[str, Any] | str] | None:
    """Slack's answer to blocks or a view it does not take (`block_kit_limits`), else None."""
    if method in MESSAGE_METHODS:
        refused = message_problems(args)
        if refused is None:
            return None
        error, problems = refused
        if method == "response_url":
            return 400, error
        return 200, {"ok": False, "error": error, "errors": problems, **_metadata(problems)}
    if method in VIEW_METHODS:
        problems = view_problems(args.get("view") or {})
        if problems:
            return 200, {"ok": False, "error": "invalid_arguments", **_metadata(problems)}
    return None


def _metadata(problems: list[str]) -> dict[str, Any]:
    return {"response_metadata": {"messages": [f"[ERROR] {problem}" for problem in problems]}}


def _decode(body: str, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        return json.loads(body)
    args: dict[str, Any] = dict(parse_qsl(body, keep_blank_values=True))
    for key, value in args.items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args
