"""A database outage: every request is still acknowledged at once with HTTP 200, and the person is
told, in their language, that the database cannot be reached; when it is back, the app works again.

The outage is real for each database: on SQLite another process holds the write lock (a backup, or
an operator's `sqlite3` shell with a write transaction open), on PostgreSQL the server is stopped.
Slack gives an ack 3 seconds; before this was fixed, clicks and commands got a 404 after those 3.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import Lang
from bot.slack.failures import MESSAGES
from tests.support.load import DOMAIN, prepare_database
from tests.support.postgres_server import PostgresServer, running_server
from tests.support.slack_fixtures import AGENT, Response, SlackAppProcess
from tests.support.slack_standin import Call, SlackStandIn

SLACK_ACK_SECONDS = 3.0  # Slack shows the person an error when the ack takes longer


@dataclass
class Outage:
    app: SlackAppProcess
    during: Any  # () -> a context manager: the database is unavailable inside it


@contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, until the transaction ends
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def stopped(server: PostgresServer) -> Iterator[None]:
    server.stop()
    try:
        yield
    finally:
        server.start()


@pytest.fixture(scope="module")
def outage(
    database_kind: str, slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Outage]:
    directory = tmp_path_factory.mktemp(f"outage-{database_kind}")
    if database_kind == "sqlite":
        url = f"sqlite:///{directory / 'mailbot.db'}"
        prepare_database(url)
        app = SlackAppProcess(url, slack_standin, {}, directory / "app.log")
        yield Outage(app, lambda: sqlite_write_lock(directory / "mailbot.db"))
        app.stop()
        return
    with running_server() as server:
        url = server.create_database("outage")
        prepare_database(url)
        app = SlackAppProcess(url, slack_standin, {}, directory / "app.log")
        yield Outage(app, lambda: stopped(server))
        app.stop()


def timed(send: Any) -> tuple[Response, float]:
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def assert_acked_in_time(response: Response, seconds: float, what: str) -> None:
    print(f"{what}: HTTP {response.status} after {seconds * 1000:.0f} ms")
    assert response.status == 200, what
    assert seconds < SLACK_ACK_SECONDS, what


def unavailable(lang: Lang) -> str:
    return MESSAGES.text("database_unavailable", lang)


def reply_to(standin: SlackStandIn, path_end: str) -> Call:
    [reply] = standin.wait_for("response_url", lambda call: call.path.endswith(path_end))
    return reply


def test_every_kind_of_request_is_acked_at_once_and_told_then_served_again(outage: Outage) -> None:
    app, standin = outage.app, outage.app.standin
    standin.reset()
    # Before the outage: a preview to confirm, and the form a bare /alias opens.
    assert app.command("/alias", f"add outage@{DOMAIN} box1@{DOMAIN}", user_id=AGENT).status == 200
    preview = reply_to(standin, f"command-{AGENT}")
    assert app.command("/alias", "", user_id=AGENT).status == 200
    [opened] = standin.wait_for("views.open")
    standin.reset()

    during: AbstractContextManager[None] = outage.during()
    with during:
        command, seconds = timed(lambda: app.command("/mailhelp", "what is an alias?", user_id="UEN"))
        assert_acked_in_time(command, seconds, "a slash command")
        assert command.json() == {"response_type": "ephemeral", "text": unavailable("en")}

        command, seconds = timed(lambda: app.command("/mailhelp", "vad är ett alias?", user_id="USV"))
        assert_acked_in_time(command, seconds, "a slash command in Swedish")
        assert command.json()["text"] == unavailable("sv")

        click, seconds = timed(lambda: app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT))
        assert_acked_in_time(click, seconds, "a click")
        told = reply_to(standin, f"click-{AGENT}")
        assert told.args["text"] == unavailable("en") and told.args["response_type"] == "ephemeral"

        values = {
            "address": {"value": {"type": "plain_text_input", "value": f"form@{DOMAIN}"}},
            "mailbox": {"value": {"type": "plain_text_input", "value": f"box2@{DOMAIN}"}},
        }
        submitted, seconds = timed(lambda: app.submit_view(opened.args["view"], values, user_id=AGENT))
        assert_acked_in_time(submitted, seconds, "a modal submission")
        # The form stays open (with what was typed), the message under its first field.
        assert submitted.json() == {"response_action": "errors", "errors": {"address": unavailable("en")}}

        dm = {"type": "message", "channel": "DOUT", "channel_type": "im", "user": "U1", "ts": "1700000000.1"}
        event, seconds = timed(lambda: app.event({**dm, "text": "vad är en vidarebefordran?"}))
        assert_acked_in_time(event, seconds, "an event")
        [answer] = standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "DOUT")
        assert answer.args["text"] == unavailable("sv")

    logged = [json.loads(line) for line in app.log().splitlines() if line.startswith("{")]
    outcomes = [line["outcome"] for line in logged if line["logger"] == "mailbot.requests"]
    assert outcomes[-5:] == ["database_unavailable"] * 5

    # Back: the same Confirm makes its change (nothing was half-done), a question gets its answer.
    standin.reset()
    assert app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT).status == 200
    assert "Done (change" in reply_to(standin, f"click-{AGENT}").text()
    assert app.command("/mailhelp", "what is an alias?", user_id="UBACK").status == 200
    answer = reply_to(standin, "command-UBACK")
    assert "Was this helpful?" in answer.text() and "database" not in answer.text()
