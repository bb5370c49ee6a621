"""Nothing left behind: the servers and directories a test process starts are stopped and removed
even when that process never reaches its teardown (a worker killed under `pytest -n`, a crash, a
Ctrl-C that interrupts a fixture, a run killed by a CI timeout).

Why they outlived it before: PostgreSQL (`pg_ctl start`) and Postfix (`postfix start`) detach from
the process that starts them, the app processes run in a session of their own, and the private
directories come from `mkdtemp`; only the session or module fixture's teardown stopped and removed
them, and a killed pytest-xdist worker runs no teardown.

Each test process that needs it starts one watchdog (`python -m tests.support.leftovers`), in a
session of its own so that a Ctrl-C or a signal to the run's process group does not reach it. The
test process tells it over a pipe what to stop (a command) and what to remove (a directory), and
`Guard.release` when its own teardown has done it. Only the test process holds the pipe's writing
end (Python's pipes are not inherited by the processes it starts), so the watchdog reads the end of
the pipe exactly when the test process is gone, however it ended: then it runs the stop commands
that are still registered and removes the directories.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

CHECKOUT = Path(__file__).resolve().parents[2]
# How long the watchdog gives one stop command (pg_ctl waits for the server to go).
STOP_SECONDS = 60


class Guard:
    """One registration with the watchdog: `release` once the owner has cleaned up itself."""

    def __init__(self, key: int) -> None:
        self.key = key

    def release(self) -> None:
        _send({"release": self.key})


_lock = threading.Lock()
_keys = itertools.count()
_watchdog: tuple[int, IO[str]] | None = None  # (the pid it was started for, the pipe to it)


def guard(stop: Sequence[str] = (), remove: Path | None = None, group: int | None = None) -> Guard:
    """Run `stop`, kill process group `group` (its leader's pid; only while that very process runs,
    not another that got its pid later) and remove `remove`, if this process ends before `release`."""
    key = next(_keys)
    started = None if group is None else _started(group)
    remove_path = None if remove is None else str(remove)
    _send({"add": key, "stop": list(stop), "remove": remove_path, "group": group, "started": started})
    return Guard(key)


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), or None if there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def private_directory(prefix: str) -> tuple[Path, Guard]:
    """A new directory of our own in the system's temporary directory, removed if we die first."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    return path, guard(remove=path)


def _send(message: dict[str, object]) -> None:
    global _watchdog
    with _lock:
        if _watchdog is None or _watchdog[0] != os.getpid():  # a forked child starts its own
            watchdog = subprocess.Popen(
                [sys.executable, "-m", "tests.support.leftovers"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=CHECKOUT,
                start_new_session=True,
            )
            assert watchdog.stdin is not None
            _watchdog = (os.getpid(), watchdog.stdin)
        pipe = _watchdog[1]
        pipe.write(json.dumps(message) + "\n")
        pipe.flush()


def _clean_up(entries: list[dict[str, Any]]) -> None:
    """Stop first (a server writes into its directory until it is gone), then remove."""
    for entry in reversed(entries):
        if entry["group"] is not None and _started(entry["group"]) == entry["started"]:
            with suppress(ProcessLookupError):
                os.killpg(entry["group"], signal.SIGKILL)
        if entry["stop"]:
            with suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run(entry["stop"], capture_output=True, timeout=STOP_SECONDS, check=False)
    for entry in entries:
        if entry["remove"]:
            shutil.rmtree(entry["remove"], ignore_errors=True)


def watch(pipe: IO[str]) -> None:
    """The watchdog: read registrations until the owner's end of the pipe closes, then clean up."""
    registered: dict[int, dict[str, Any]] = {}
    for line in pipe:
        message = json.loads(line)
        if "release" in message:
            registered.pop(message["release"], None)
        else:
            registered[message["add"]] = message
    _clean_up(list(registered.values()))


if __name__ == "__main__":
    # A terminal's Ctrl-C or a kill of the run's process group is for the owner: the watchdog outlives
    # it to clean up after it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watch(sys.stdin)
