"""Pytest plugin (loaded from conftest.py): the real Slack app as an HTTP server, and signed requests.

    def test_something(slack_app: SlackAppProcess) -> None:
        slack_app.standin.reset()
        assert slack_app.command("/mailhelp", "vad är ett alias?").status == 200
        [reply] = slack_app.standin.wait_for("response_url")

`slack_app` is one `mailbot serve --http` process per test module (SQLite), its Web API pointed at a
`SlackStandIn`. A module that needs other settings starts its own with `start_slack_app(...)`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.db import make_engine, upgrade
from tests.support.leftovers import guard
from tests.support.slack_standin import TEAM_ID, SlackStandIn
from tests.support.socket_mode_standin import SocketModeStandIn

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SUPPORT_CHANNEL = "CSUPPORT"
AGENT = "UAGENT"
ADMIN = "UADMIN"
CUSTOMER = "U1"


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What Slack puts in X-Slack-Signature: v0= HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Response:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def _serve_http(port: int) -> list[str]:
    return [sys.executable, "-m", "bot", "serve", "--http", "--port", str(port)]


# What a server started on port 0 writes once it listens, with the port the kernel gave it: `mailbot
# serve --http` ("Slack requests go to ..."), gunicorn ("Listening at: ...") and the benchmarks' bare
# apps ("Serving at ...").
LISTENING = re.compile(r"(?:Slack requests go to|Listening at:|Serving at) http://[^:/\s]+:(\d+)")


class SlackRequests(ABC):
    """Requests built as Slack builds them and signed as Slack signs them; a subclass delivers them
    (`post`) to the app: over HTTP to a running process, or in-process through Bolt's `app.dispatch`."""

    standin: SlackStandIn
    database_url: str

    @abstractmethod
    def post(self, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> Response:
        """Deliver one request as it is (signed or not) and return the app's answer."""

    def signed_post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": slack_signature(secret, ts, body)}
        return self.post(body, content_type, {**signature, **(headers or {})})

    def command(
        self,
        command: str,
        text: str,
        *,
        user_id: str = CUSTOMER,
        channel_id: str = "C1",
        channel_name: str = "general",
        **kw: Any,
    ) -> Response:
        """A slash command as Slack sends it; its `response_url` leads to the stand-in."""
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "kulexempel",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": self.standin.response_url(f"command-{user_id}"),
            "trigger_id": "trigger-command",
        }
        return self.signed_post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    def event(self, event: dict[str, Any], **kw: Any) -> Response:
        """An Events API callback wrapping `event`."""
        envelope = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
        }
        return self.signed_post(json.dumps(envelope).encode(), "application/json", **kw)

    def interact(self, payload: dict[str, Any], **kw: Any) -> Response:
        """An interactivity request (button click, modal submission): form field `payload` with JSON."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.signed_post(body, "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        message_blocks: list[dict[str, Any]],
        action_id: str,
        *,
        value: str | None = None,
        user_id: str = CUSTOMER,
        channel_id: str = "D1",
        response_url: str | None = None,
    ) -> Response:
        """Press element `action_id` (for feedback buttons: the one with `value`) in a posted message."""
        element = find_element(message_blocks, action_id)
        clicked = value if value is not None else element.get("value")
        action = {
            "type": element["type"],
            "action_id": element["action_id"],
            "block_id": "b",
            "value": clicked,
        }
        return self.interact(self._block_actions(message_blocks, action, user_id, channel_id, response_url))

    def select(
        self,
        message_blocks: list[dict[str, Any]],
        action_id: str,
        value: str,
        *,
        user_id: str = CUSTOMER,
        channel_id: str = "D1",
        response_url: str | None = None,
        in_home: bool = False,
    ) -> Response:
        """Choose the option whose value is `value` in the select menu `action_id` of a posted message
        (`in_home`: of the App Home view whose `message_blocks` these are)."""
        element = find_element(message_blocks, action_id)
        [option] = [option for option in element["options"] if option["value"] == value]
        action = {
            "type": element["type"],
            "action_id": element["action_id"],
            "block_id": "b",
            "selected_option": option,
            "action_ts": f"{time.time():.6f}",
        }
        payload = self._block_actions(message_blocks, action, user_id, channel_id, response_url)
        if in_home:  # Slack sends the view instead of a message, and no response_url
            for key in ("message", "channel", "response_url"):
                payload.pop(key)
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home", "blocks": message_blocks}
        return self.interact(payload)

    def _block_actions(
        self,
        message_blocks: list[dict[str, Any]],
        action: dict[str, Any],
        user_id: str,
        channel_id: str,
        response_url: str | None,
    ) -> dict[str, Any]:
        """A block_actions payload: `action` done in a message of `channel_id` by `user_id`."""
        return {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "kulexempel"},
            "user": {"id": user_id, "team_id": TEAM_ID},
            "api_app_id": "A1",
            "trigger_id": f"trigger-{action['action_id']}",
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel_id},
            "channel": {"id": channel_id},
            "message": {"type": "message", "ts": "1700000000.000001", "blocks": message_blocks},
            "response_url": response_url or self.standin.response_url(f"click-{user_id}"),
            "actions": [action],
        }

    def submit_view(
        self, view: dict[str, Any], values: dict[str, Any], *, user_id: str = CUSTOMER
    ) -> Response:
        """Submit a modal the app opened (as recorded by the stand-in) with these input `values`."""
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "kulexempel"},
            "user": {"id": user_id, "team_id": TEAM_ID},
            "api_app_id": "A1",
            "trigger_id": "trigger-view",
            "view": {**view, "id": "V1", "state": {"values": values}},
        }
        return self.interact(payload)


def app_environment(database_url: str, standin: SlackStandIn, env: Mapping[str, str]) -> dict[str, str]:
    """The environment of a test's app process: its database, the stand-in as Slack, agents and admins."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": standin.api_url,
        "MAILBOT_SUPPORT_CHANNEL": SUPPORT_CHANNEL,
        "MAILBOT_AGENTS": AGENT,
        "MAILBOT_ADMINS": ADMIN,
        **env,
    }


class AppProcess:
    """An app run as a subprocess, its output (stdout and stderr) in `log_path`."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def _start(self, argv: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        # A process group of its own: `signal_all` reaches the app and every process it starts, as a
        # platform stopping an instance does.
        self.process = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        # Its own session: a dying test process would leave it running but for the watchdog.
        self._guard = guard(group=self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal_all(self, signum: int) -> None:
        """Send `signum` to every process of the instance at once (SIGTERM: a deploy; SIGKILL: a crash)."""
        os.killpg(self.process.pid, signum)

    def running_processes(self) -> list[int]:
        """The processes of the instance still running."""
        self.process.poll()  # reaps the app itself, the group's leader
        return running_in_group(self.process.pid)

    def wait_all_ended(self, timeout: float) -> None:
        """Until no process of the instance is left (its after-ack workers drain before they exit)."""
        self.process.poll()
        wait_group_ended(self.process.pid, timeout)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)  # its after-ack worker drains first (after_ack.DRAIN_SECONDS)
        self._log.close()
        self._guard.release()


class SlackAppProcess(SlackRequests, AppProcess):
    """`mailbot serve --http` in a subprocess, and requests to it signed exactly as Slack signs them."""

    def __init__(
        self,
        database_url: str,
        standin: SlackStandIn,
        env: Mapping[str, str],
        log_path: Path,
        argv: Callable[[int], list[str]] | None = None,
    ) -> None:
        """`argv(port)` replaces `mailbot serve --http --port PORT` (a benchmark's bare app). It is
        given port 0: it listens on a port the kernel picks, so no other server can take it between a
        choice and the bind (as under pytest -n), writes the URL (`LISTENING`) and answers GET /health
        with 200 once it serves."""
        self.database_url = database_url
        self.standin = standin
        environment = app_environment(database_url, standin, {"SLACK_APP_TOKEN": "", **env})
        self._start((argv or _serve_http)(0), environment, log_path)
        self.port = self._listening_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_until_healthy()

    def _listening_port(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listening = LISTENING.search(self.log())
            if listening is not None:
                return int(listening.group(1))
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        raise RuntimeError(f"the app did not say where it listens:\n{self.log()}")

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/health").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the app did not become healthy:\n{self.log()}")

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.url + path))

    def post(self, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> Response:
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body,
            method="POST",
            headers={"Content-Type": content_type, **(headers or {})},
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return Response(reply.status, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode())


class SocketModeAppProcess(AppProcess):
    """`mailbot serve` with an app token: it opens a Socket Mode connection to `websocket` (the stand-in
    for Slack's WebSocket endpoint), which then delivers envelopes; the Web API is `standin`."""

    def __init__(
        self, database_url: str, standin: SlackStandIn, log_path: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.standin = standin
        self.websocket = SocketModeStandIn().start()
        standin.socket_mode_url = self.websocket.url
        environment = {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": "", **(env or {})}
        self._start(
            [sys.executable, "-m", "bot", "serve"],
            app_environment(database_url, standin, environment),
            log_path,
        )
        self.websocket.wait_connected()

    def stop(self) -> None:
        super().stop()
        self.websocket.stop()


def running_in_group(group: int) -> list[int]:
    """The processes of a process group still running (zombies, ended but not reaped, do not count)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


def wait_group_ended(group: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while running_in_group(group):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {running_in_group(group)} still run after {timeout} s")
        time.sleep(0.05)


def migrated_sqlite(directory: Path) -> str:
    """The URL of a fresh SQLite database in `directory`, migrated to the newest schema."""
    database_url = f"sqlite:///{directory / 'mailbot.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return database_url


def find_element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The interactive element with this action id (or action id prefix before ':') in a message: in
    an actions block or a section's accessory."""
    for block in blocks:
        accessory = [block["accessory"]] if block.get("accessory") else []
        for element in [*(block.get("elements") or []), *accessory]:
            if str(element.get("action_id")).partition(":")[0] == action_id:
                return element
    raise AssertionError(f"no element {action_id!r} in {json.dumps(blocks, ensure_ascii=False)[:2000]}")


@pytest.fixture(scope="module")
def slack_standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


def start_slack_app(
    tmp_path_factory: pytest.TempPathFactory, standin: SlackStandIn, env: Mapping[str, str] | None = None
) -> SlackAppProcess:
    """A running app on a fresh, migrated SQLite database (the caller stops it)."""
    directory = tmp_path_factory.mktemp("slack-app")
    return SlackAppProcess(migrated_sqlite(directory), standin, env or {}, directory / "app.log")


@pytest.fixture(scope="module")
def slack_app(
    tmp_path_factory: pytest.TempPathFactory, slack_standin: SlackStandIn
) -> Iterator[SlackAppProcess]:
    app = start_slack_app(tmp_path_factory, slack_standin)
    yield app
    app.stop()
