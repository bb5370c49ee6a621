"""Socket Mode for real: `mailbot serve` with SLACK_APP_TOKEN connects to a local WebSocket stand-in,
acknowledges what Slack delivers and answers through the Web API stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.slack_fixtures import APP_TOKEN, CUSTOMER, SocketModeAppProcess, migrated_sqlite
from tests.support.slack_standin import TEAM_ID, SlackStandIn
from tests.support.socket_mode_standin import SocketModeStandIn


@pytest.fixture(scope="module")
def socket_mode(
    slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SocketModeStandIn]:
    directory = tmp_path_factory.mktemp("socket-mode")
    app = SocketModeAppProcess(migrated_sqlite(directory), slack_standin, directory / "app.log")
    yield app.websocket
    app.stop()


def test_connects_with_the_app_token(socket_mode: SocketModeStandIn, slack_standin: SlackStandIn) -> None:
    [opened] = slack_standin.calls_to("apps.connections.open")
    assert opened.args["_authorization"] == f"Bearer {APP_TOKEN}"


def test_dm_event_is_acknowledged_and_answered(
    socket_mode: SocketModeStandIn, slack_standin: SlackStandIn
) -> None:
    event = {
        "type": "message",
        "channel": "D9",
        "channel_type": "im",
        "user": CUSTOMER,
        "text": "vad är ett alias?",
    }
    payload = {"type": "event_callback", "team_id": TEAM_ID, "event": {**event, "ts": "1700000000.000900"}}
    envelope_id = socket_mode.send("events_api", {**payload, "event_id": "EvSocket1", "api_app_id": "A1"})
    socket_mode.wait_ack(envelope_id)
    [reply] = slack_standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "D9")
    assert "Var det här till hjälp?" in reply.text()


def test_mailhelp_is_acknowledged_then_answered(
    socket_mode: SocketModeStandIn, slack_standin: SlackStandIn
) -> None:
    command = {
        "command": "/mailhelp",
        "text": "what is a distribution group?",
        "user_id": CUSTOMER,
        "team_id": TEAM_ID,
        "channel_id": "C9",
        "response_url": slack_standin.response_url("socket-mailhelp"),
        "trigger_id": "trigger-socket",
    }
    socket_mode.wait_ack(socket_mode.send("slash_commands", command))
    [reply] = slack_standin.wait_for("response_url", lambda call: call.path.endswith("socket-mailhelp"))
    assert "Was this helpful?" in reply.text()
