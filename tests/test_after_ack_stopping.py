"""The after-ack worker stops when told, however often it is told.

A deploy tells it twice: the platform's SIGTERM reaches every process of the instance, and the app
process, exiting, sends its own to the worker (multiprocessing ends daemon children so). The worker
here is the real process the app starts, on a real database, after it has answered a first DM; then
it is sent SIGTERM after SIGTERM while it drains. It must exit with 0 (which the app reads as "stopped
with its instance", not as a crash to replace) within its drain time: by itself, before the deadline
that ends a stuck drain (DRAIN_SECONDS + EXIT_GRACE_SECONDS) could. With nothing to drain it takes
well under a second on a quiet machine, and up to 11 s was seen with both cores busy.
"""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.process import BaseProcess

from sqlalchemy import Engine

from bot.slack.after_ack import DRAIN_SECONDS, WorkerProcess
from bot.slack.job_queue import Job, JobQueue
from tests.support.slack_dispatch import app_settings
from tests.support.slack_fixtures import CUSTOMER
from tests.support.slack_standin import TEAM_ID, SlackStandIn

STOPS = 3  # workers started and stopped, one after the other
SIGNALS_SECONDS = 1.0  # how long each is sent SIGTERM after SIGTERM
SIGNAL_EVERY_SECONDS = 0.0005


def dm_job(channel: str) -> Job:
    event = {"type": "message", "channel": channel, "channel_type": "im", "user": CUSTOMER, "text": "hej"}
    body = {"type": "event_callback", "team_id": TEAM_ID, "event_id": f"Ev{channel}", "event": event}
    team = {"team_id": TEAM_ID, "enterprise_id": None, "is_enterprise_install": False}
    return Job("event", {"payload": body, "team": team, "question": "hej", "thread_ts": None})


def wait_until_answered(standin: SlackStandIn, channel: str) -> None:
    standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == channel)


def keep_signalling(pid: int, seconds: float) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:  # it has exited
            return
        time.sleep(SIGNAL_EVERY_SECONDS)


def wait_for_exit(worker: BaseProcess, seconds: float) -> int | None:
    """The worker's exit code, or None if it still runs after `seconds`. (`join` can return with no
    exit code yet while the app's watch thread, which also polls the worker, is the one collecting it.)"""
    deadline = time.monotonic() + seconds
    while worker.exitcode is None and time.monotonic() < deadline:
        worker.join(0.1)
    return worker.exitcode


def test_a_worker_told_to_stop_again_and_again_while_draining_exits_by_itself(
    database_url: str, engine: Engine, slack_standin: SlackStandIn
) -> None:
    slack_standin.reset()
    settings = app_settings(database_url, slack_standin)
    for n in range(STOPS):
        workers = WorkerProcess(settings, JobQueue(engine))
        workers.start()
        assert workers.submit(dm_job(f"D{n}"))
        wait_until_answered(slack_standin, f"D{n}")
        worker = workers.worker
        assert worker is not None and worker.pid is not None
        keep_signalling(worker.pid, SIGNALS_SECONDS)
        exit_code = wait_for_exit(worker, DRAIN_SECONDS)
        if exit_code is None:
            worker.kill()
            worker.join()
            raise AssertionError(f"stop {n + 1}: the worker did not exit within {DRAIN_SECONDS} s")
        assert exit_code == 0, f"stop {n + 1}: the worker exited with {exit_code}"
