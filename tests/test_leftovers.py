"""A test run that is killed leaves nothing running and no directory behind.

A real `pytest -n 1` run (pytest-xdist, as scripts/test runs it) of a test that starts what the suite
starts: the session's private PostgreSQL server, a private Postfix in its own directory and the app
as its own process. Once they run, the run is ended the ways a run ends badly: its worker killed
with SIGKILL (a crash, the OOM killer), the whole run killed with SIGKILL (a CI timeout), or a Ctrl-C
(SIGINT to the run's process group, as a terminal sends it). Then every one of those processes must
be gone and every directory removed (`tests.support.leftovers`). Before the watchdog the first two
left PostgreSQL, Postfix and the app running, with their directories.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import CHECKOUT

HOLDER = """
import json, os, time
from pathlib import Path

from tests.support.leftovers import private_directory
from tests.support.postfix_instance import PostfixInstance, Sink, sqlite_for_postfix
from tests.support.slack_fixtures import SlackAppProcess
from tests.support.slack_standin import SlackStandIn


def test_holds_servers(postgres_server):
    root, _ = private_directory("mailbot-leftover-")
    root.chmod(0o755)
    url = sqlite_for_postfix(root)
    sink = Sink()
    sink.controller.start()
    postfix = PostfixInstance(root / "postfix", url, sink.controller.port)
    postfix.start()
    app = SlackAppProcess(url, SlackStandIn().start(), {}, root / "app.log")
    postmaster = int((postgres_server.data_dir / "postmaster.pid").read_text().split()[0])
    master = int((root / "postfix" / "queue" / "pid" / "master.pid").read_text().split()[0])
    report = {
        "worker": os.getpid(),
        "processes": {"postgres": postmaster, "postfix": master, "app": app.process.pid},
        "directories": [str(postgres_server.base_dir), str(root)],
    }
    Path(os.environ["LEFTOVERS_REPORT"]).write_text(json.dumps(report))
    time.sleep(600)
"""


def alive(pid: int) -> bool:
    """A process that runs (a zombie waiting for its parent does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("ending", ["worker SIGKILL", "run SIGKILL", "Ctrl-C"])
def test_a_run_ended_badly_leaves_no_server_and_no_directory(ending: str, tmp_path: Path) -> None:
    test_file = tmp_path / "test_holder.py"
    test_file.write_text(HOLDER)
    report_path = tmp_path / "report.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(CHECKOUT),
        "LEFTOVERS_REPORT": str(report_path),
        "MAILBOT_TEST_DATABASES": "postgresql",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-n", "1", "-q", "-p", "no:cacheprovider"]
        + ["--rootdir", str(tmp_path), "-c", os.devnull, str(test_file)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    try:
        deadline = time.monotonic() + 180
        while not report_path.exists() or not report_path.read_text():
            assert run.poll() is None, run.communicate()[0].decode(errors="replace")
            assert time.monotonic() < deadline, "the servers did not start"
            time.sleep(0.2)
        report = json.loads(report_path.read_text())
        processes: dict[str, int] = report["processes"]
        assert all(alive(pid) for pid in processes.values())
        assert all(Path(directory).is_dir() for directory in report["directories"])

        if ending == "worker SIGKILL":
            os.kill(report["worker"], signal.SIGKILL)
        elif ending == "run SIGKILL":
            os.killpg(run.pid, signal.SIGKILL)
        else:
            os.killpg(run.pid, signal.SIGINT)
        run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = {name: pid for name, pid in processes.items() if alive(pid)}
        remaining = [directory for directory in report["directories"] if Path(directory).exists()]
        if not running and not remaining:
            return
        time.sleep(0.2)
    raise AssertionError(f"after {ending}: still running {running}, still there {remaining}")
