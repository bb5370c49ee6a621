"""A deploy or a crash loses nothing acknowledged, and answers nothing twice.

The real app under gunicorn (the Procfile's `web:`), its Web API a stand-in that takes its time over
each chat.postMessage (as a slow Slack would), so that when the instance is stopped or killed some
answers are being posted and most are still waiting in the queue:

- a deploy: 30 DMs acked, then SIGTERM to every process of the instance at once; the instance
  drains and exits, a new one starts on the same database and answers the rest;
- a crash: 30 DMs acked by one of two instances on PostgreSQL, then SIGKILL to every process of
  that instance; the other instance answers every one within 60 seconds;
- a deploy of the Socket Mode process (`mailbot serve`), the same way as the first.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import make_engine, make_sessionmaker, upgrade
from bot.slack.job_queue import LEASE, JobState, SlackJob
from tests.support.load import dm_event, gunicorn_argv
from tests.support.postgres_server import PostgresServer
from tests.support.slack_fixtures import SlackAppProcess, SocketModeAppProcess
from tests.support.slack_standin import TEAM_ID, SlackStandIn

DMS = 30
SLOW_POST_SECONDS = 0.4  # four worker threads: about 3 s to answer all 30
CRASH_DEADLINE_SECONDS = 60


@pytest.fixture
def database(
    database_kind: str, postgres_server: PostgresServer, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    if database_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'mailbot.db'}"
        upgrade(make_engine(url))
        yield url
        return
    name = f"deploy_{request.node.name.split('[')[0][-20:]}"
    yield postgres_server.create_migrated_database(name)
    postgres_server.drop_database(name)


def start_instance(database_url: str, standin: SlackStandIn, log_path: Path) -> SlackAppProcess:
    """An instance that has served for a while: its after-ack worker has answered a first DM."""
    app = SlackAppProcess(database_url, standin, {}, log_path, argv=gunicorn_argv())
    warm_up = dm_event(app.port)
    assert app.event(warm_up).status == 200
    standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == warm_up["channel"])
    return app


def answers_per_channel(standin: SlackStandIn, channels: list[str]) -> Counter[str]:
    posted = [call.args["channel"] for call in standin.calls_to("chat.postMessage")]
    return Counter(channel for channel in posted if channel in channels)


def send_dms(app: SlackAppProcess, first: int) -> list[str]:
    """DMs first .. first + DMS - 1 (channels D<n>), each acked with 200; their channels."""
    for n in range(first, first + DMS):
        assert app.event(dm_event(n)).status == 200
    return [f"D{n}" for n in range(first, first + DMS)]


def wait_until_all_answered(standin: SlackStandIn, channels: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not set(channels) <= set(answers_per_channel(standin, channels)):
        if time.monotonic() > deadline:
            missing = sorted(set(channels) - set(answers_per_channel(standin, channels)))
            raise AssertionError(f"{len(missing)} DMs were never answered: {missing}")
        time.sleep(0.1)


def jobs_by_state(database_url: str) -> dict[str, int]:
    with make_sessionmaker(make_engine(database_url))() as session:
        rows = session.execute(select(SlackJob.state, func.count()).group_by(SlackJob.state)).all()
    return {state: count for state, count in rows}


def wait_until_every_job_is_done(database_url: str, jobs: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while jobs_by_state(database_url) != {JobState.DONE.value: jobs} and time.monotonic() < deadline:
        time.sleep(0.5)


def test_a_deploy_answers_every_acked_dm_once(
    database: str, slack_standin: SlackStandIn, tmp_path: Path
) -> None:
    slack_standin.reset()
    old = start_instance(database, slack_standin, tmp_path / "old.log")
    slack_standin.slow("chat.postMessage", SLOW_POST_SECONDS)
    channels = send_dms(old, first=1000)
    old.signal_all(signal.SIGTERM)  # the platform stops the instance: every process at once
    old.wait_all_ended(timeout=40)
    during_the_drain = sum(answers_per_channel(slack_standin, channels).values())
    waiting = jobs_by_state(database).get(JobState.QUEUED.value, 0)
    assert "drained, exiting" in old.log()
    assert jobs_by_state(database).get(JobState.RUNNING.value, 0) == 0  # the drain finished what it held

    new = start_instance(database, slack_standin, tmp_path / "new.log")
    try:
        wait_until_all_answered(slack_standin, channels, timeout=60)
        time.sleep(1)  # room for a second answer to show, were one on its way
    finally:
        new.stop()
    print(f"answered during the drain: {during_the_drain}; left queued for the new instance: {waiting}")
    assert answers_per_channel(slack_standin, channels) == Counter(channels)  # each DM once
    assert during_the_drain > 0 and waiting > 0  # the old instance drained, the new one took the rest
    assert jobs_by_state(database) == {JobState.DONE.value: DMS + 2}  # and the two warm-up DMs


@pytest.mark.postgresql_only
def test_a_crash_of_one_instance_is_made_good_by_the_other_within_a_minute(
    database: str, slack_standin: SlackStandIn, tmp_path: Path
) -> None:
    slack_standin.reset()
    crashing = start_instance(database, slack_standin, tmp_path / "crashing.log")
    other = start_instance(database, slack_standin, tmp_path / "other.log")
    slack_standin.slow("chat.postMessage", SLOW_POST_SECONDS)
    try:
        channels = send_dms(crashing, first=2000)
        crashing.signal_all(signal.SIGKILL)
        killed_at = time.monotonic()
        crashing.wait_all_ended(timeout=10)
        wait_until_all_answered(slack_standin, channels, timeout=CRASH_DEADLINE_SECONDS)
        took = time.monotonic() - killed_at
        # A job the dead worker had already answered stays leased to it until the lease runs out;
        # then the other instance takes it over, finds its reply recorded as sent, and closes it.
        wait_until_every_job_is_done(database, DMS + 2, timeout=LEASE.total_seconds() + 30)
    finally:
        other.stop()
    print(f"every DM answered {took:.1f} s after the crash")
    assert answers_per_channel(slack_standin, channels) == Counter(channels)  # each DM once
    assert jobs_by_state(database) == {JobState.DONE.value: DMS + 2}


def start_socket_mode(database_url: str, standin: SlackStandIn, log_path: Path) -> SocketModeAppProcess:
    """`mailbot serve` in Socket Mode, connected to a WebSocket stand-in of its own, warmed up."""
    app = SocketModeAppProcess(database_url, standin, log_path)
    warm_up = dm_event(app.process.pid)
    app.websocket.wait_ack(app.websocket.send("events_api", envelope(warm_up)))
    standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == warm_up["channel"])
    return app


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "api_app_id": "A1",
        "event_id": f"Ev{event['channel']}",
        "event": event,
    }


@pytest.mark.sqlite_only
def test_a_deploy_of_the_socket_mode_process_answers_every_acked_dm_once(
    database: str, slack_standin: SlackStandIn, tmp_path: Path
) -> None:
    slack_standin.reset()
    old = start_socket_mode(database, slack_standin, tmp_path / "old.log")
    slack_standin.slow("chat.postMessage", SLOW_POST_SECONDS)
    channels = [f"D{n}" for n in range(3000, 3000 + DMS)]
    sent = [old.websocket.send("events_api", envelope(dm_event(n))) for n in range(3000, 3000 + DMS)]
    for envelope_id in sent:
        old.websocket.wait_ack(envelope_id)
    old.signal_all(signal.SIGTERM)
    old.process.wait(timeout=40)
    old.wait_all_ended(timeout=40)
    old.stop()
    during_the_drain = sum(answers_per_channel(slack_standin, channels).values())

    new = start_socket_mode(database, slack_standin, tmp_path / "new.log")
    try:
        wait_until_all_answered(slack_standin, channels, timeout=60)
        time.sleep(1)  # room for a second answer to show, were one on its way
    finally:
        new.stop()
    print(f"answered during the drain: {during_the_drain}")
    assert old.process.returncode == 0  # it exited, after the drain, instead of being killed by the signal
    assert answers_per_channel(slack_standin, channels) == Counter(channels)
    assert jobs_by_state(database) == {JobState.DONE.value: DMS + 2}
