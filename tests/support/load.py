"""The load harness shared by tests/test_load.py, tests/test_production.py and bench/load.py.

`instances(...)` starts the real app under gunicorn (the Procfile's `web:`) sharing one database;
`run_load(...)` sends a mix of signed requests from many clients (DM questions, `/mailhelp`
questions, and changes: `/alias add` on one instance, Confirm clicked on the other, as a load
balancer would spread them) and waits for each change's preview and result as the agent would;
`disagreements(...)` says where the confirmations, the audit log, the routing tables and Postfix's own
lookup (`postmap -q` on the `sqlite:` / `pgsql:` map) differ.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.db import make_engine, make_sessionmaker, upgrade
from bot.routing.changes import Actor, Role
from bot.routing.postfix import map_files, map_type
from bot.routing.service import RoutingService
from tests.support.slack_fixtures import SlackAppProcess
from tests.support.slack_standin import RESPONSE_PATH, Call, SlackStandIn

QUESTIONS = (
    "vad är ett alias?",
    "how do I forward my mail to another address?",
    "hur skapar jag en distributionsgrupp",
    "can people outside the company write to our group?",
    "kan jag skicka från ett alias",
    "what is the difference between an alias and a forward?",
)
ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "kulexempel.se"
MAILBOXES = 20
OPERATOR = Actor("bench", Role.ADMIN)
CHANGE_EVERY = 5  # one job in five is a change
# Generous: a loaded machine slows the answers down; a lost answer still shows as an error.
REPLY_TIMEOUT = 120
AGENTS = 1000  # user ids ULOAD0.. that may change routing (every change job has its own agent)


def gunicorn_argv(app_spec: str | None = None) -> Callable[[int], list[str]]:
    """The Procfile's web server on 127.0.0.1:port; `app_spec` replaces mailbot's WSGI app."""

    def argv(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:bot.slack.gunicorn_config",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            str(ROOT),
            *([app_spec] if app_spec else []),
        ]

    return argv


def prepare_database(database_url: str) -> None:
    """The newest schema, our domain and its mailboxes."""
    engine = make_engine(database_url)
    upgrade(engine)
    routing = RoutingService(make_sessionmaker(engine))
    routing.add_domain(DOMAIN, OPERATOR)
    for n in range(MAILBOXES):
        routing.add_mailbox(f"box{n}@{DOMAIN}", OPERATOR)
    engine.dispose()


@contextmanager
def instances(
    count: int, database_url: str, standin: SlackStandIn, log_dir: Path, app_spec: str | None = None
) -> Iterator[list[SlackAppProcess]]:
    """`count` gunicorn instances sharing one database, stopped afterwards."""
    agents = ",".join(f"ULOAD{n}" for n in range(AGENTS))
    started: list[SlackAppProcess] = []
    try:
        for n in range(count):
            log_path = log_dir / f"{'bare' if app_spec else 'mailbot'}-{n}.log"
            env = {"MAILBOT_AGENTS": agents}
            started.append(
                SlackAppProcess(database_url, standin, env, log_path, argv=gunicorn_argv(app_spec))
            )
        yield started
    finally:
        for app in started:
            app.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: no wait for listeners
            try:
                app.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.process.kill()
            app.stop()


@dataclass
class LoadResult:
    acks: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)  # alias -> mailbox, confirmed to the agent
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, status: int, what: str) -> None:
        with self.lock:
            self.acks.append(time.monotonic() - started)
            if status != 200:
                self.errors.append(f"{what}: HTTP {status}")

    @property
    def requests(self) -> int:
        return len(self.acks)


def plan(requests: int) -> list[tuple[int, str]]:
    """Numbered jobs ("change", "dm", "mailhelp") whose requests add up to `requests`."""
    jobs: list[tuple[int, str]] = []
    total = 0
    while total < requests:
        n = len(jobs)
        is_change = n % CHANGE_EVERY == 0 and requests - total >= 2  # two requests: command, Confirm
        kind = "change" if is_change else "dm" if n % 2 else "mailhelp"
        jobs.append((n, kind))
        total += 2 if kind == "change" else 1
    return jobs


class Replies:
    """The stand-in's `response_url` posts by path, indexed once by one thread as they arrive. (With
    many agents waiting, `SlackStandIn.wait_for` would rescan every call for every waiter on every
    new call, and the benchmark's own process would compete with the apps for the CPU.)"""

    def __init__(self, standin: SlackStandIn) -> None:
        self._calls = standin.calls  # appended to by the stand-in; not reset while this runs
        self._by_path: dict[str, list[Call]] = defaultdict(list)
        self._changed = threading.Condition()
        self._running = True
        threading.Thread(target=self._index, daemon=True).start()

    def _index(self) -> None:
        indexed = 0
        while self._running:
            new = self._calls[indexed:]
            if new:
                with self._changed:
                    for call in new:
                        self._by_path[call.path].append(call)
                    self._changed.notify_all()
                indexed += len(new)
            time.sleep(0.005)

    def wait(self, name: str, words: str) -> Call:
        """The first post to `standin.response_url(name)` that contains `words`."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        with self._changed:
            while True:
                for call in self._by_path.get(RESPONSE_PATH + name, []):
                    if words in call.text():
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [call.text()[:300] for call in self._by_path.get(RESPONSE_PATH + name, [])]
                    raise AssertionError(f"no reply to {name} with {words!r}; replies {texts}")
                self._changed.wait(remaining)

    def close(self) -> None:
        self._running = False


def run_load(apps: list[SlackAppProcess], requests: int, clients: int, run: str, bare: bool) -> LoadResult:
    """Send the mix; for mailbot, wait for each change's preview and result as the agent would."""
    result = LoadResult()
    replies = Replies(apps[0].standin)
    feedback_blocks = [{"type": "actions", "elements": [{"type": "button", "action_id": "answer_feedback"}]}]

    def timed(what: str, send: Callable[[], object]) -> None:
        started = time.monotonic()
        try:
            status = send().status  # type: ignore[attr-defined]
        except OSError as error:
            status, what = 0, f"{what}: {error}"
        result.record(started, status, what)

    def job(n: int, kind: str) -> None:
        app, other = apps[n % len(apps)], apps[(n + 1) % len(apps)]
        if kind == "change" and bare:
            timed("command", lambda: app.command("/mailhelp", QUESTIONS[0], user_id=f"ULOAD{n}"))
            timed(
                "click", lambda: other.click(feedback_blocks, "answer_feedback", value="x", user_id=f"V{n}")
            )
        elif kind == "change":
            agent, alias, mailbox = f"ULOAD{n}", f"{run}-{n}@{DOMAIN}", f"box{n % MAILBOXES}@{DOMAIN}"
            timed("/alias add", lambda: app.command("/alias", f"add {alias} {mailbox}", user_id=agent))
            try:
                preview = replies.wait(f"command-{agent}", "flow_confirm")
                timed("confirm", lambda: other.click(preview.args["blocks"], "flow_confirm", user_id=agent))
                replies.wait(f"click-{agent}", "(change ")
            except AssertionError as error:
                with result.lock:
                    result.errors.append(f"{alias}: {error}")
                return
            with result.lock:
                result.changes[alias] = mailbox
        elif kind == "dm":
            timed("DM", lambda: app.event(dm_event(n)))
        else:
            timed(
                "/mailhelp", lambda: app.command("/mailhelp", QUESTIONS[n % len(QUESTIONS)], user_id=f"U{n}")
            )

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for outcome in [pool.submit(job, n, kind) for n, kind in plan(requests)]:
            outcome.result()
    result.seconds = time.monotonic() - started
    replies.close()
    return result


def postfix_lookup(database_url: str, keys: list[str]) -> tuple[dict[str, str], float]:
    """Ask Postfix's own lookup code (`postmap -q -`) for `keys` in the virtual_alias_maps table."""
    with tempfile.TemporaryDirectory() as directory:
        table = Path(directory) / "virtual_alias_maps.cf"
        table.write_text(map_files(database_url)["virtual_alias_maps.cf"])
        (Path(directory) / "main.cf").touch()  # postmap insists on a configuration directory
        started = time.monotonic()
        output = subprocess.run(
            ["postmap", "-c", directory, "-q", "-", f"{map_type(database_url)}:{table}"],
            input="\n".join(keys) + "\n",
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        seconds = time.monotonic() - started
    found = dict(line.split("\t", 1) for line in output.splitlines() if "\t" in line)
    return found, seconds


def disagreements(database_url: str, result: LoadResult, run: str) -> list[str]:
    """Where the confirmed changes, the audit log, the routing tables and Postfix's lookups differ."""
    routing = RoutingService(make_sessionmaker(make_engine(database_url)))
    audited = sorted(
        r.subject for r in routing.audit(100_000) if r.action == "alias.add" and r.subject.startswith(run)
    )
    stored = {a.alias: a.mailbox for a in routing.aliases(DOMAIN) if a.alias.startswith(run)}
    seen_by_postfix, _ = postfix_lookup(database_url, sorted(result.changes))
    problems = []
    if audited != sorted(result.changes):
        problems.append(f"confirmed {len(result.changes)} changes, the audit log has {len(audited)}")
    if stored != result.changes:
        problems.append(f"confirmed {len(result.changes)} aliases, the routing tables hold {len(stored)}")
    if seen_by_postfix != result.changes:
        problems.append(f"confirmed {len(result.changes)} aliases, Postfix finds {len(seen_by_postfix)}")
    return problems


def dm_event(n: int) -> dict[str, Any]:
    """The n-th DM question of a run, from its own user in its own channel (D<n>)."""
    return {
        "type": "message",
        "channel": f"D{n}",
        "channel_type": "im",
        "user": f"U{n}",
        "text": QUESTIONS[n % len(QUESTIONS)],
        "ts": f"{time.time():.6f}",
    }
