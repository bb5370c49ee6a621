"""Load benchmark: `.venv/bin/python bench/load.py [--requests 500] [--clients 50] [--routes 1000000]`.

Part 1, the Slack side: the real app under gunicorn (Procfile's `web:`), 1 and 2 instances, on
SQLite and on PostgreSQL (a private server), beside a bare Bolt app under gunicorn that only acks,
all in the same run. Each row: `--requests` signed requests from `--clients` concurrent clients,
spread over the instances. The mix: DM questions, `/mailhelp` questions, and changes (`/alias add`
on one instance, Confirm clicked on the other, as a load balancer would spread them). Prints
throughput and ack latency (median, p99, max), errors, and whether the audit log and Postfix's
lookup (`postmap -q` on the `sqlite:` / `pgsql:` map) agree on every change.

Part 2, Postfix: lookup time on the `pgsql:` map beside the `sqlite:` map with `--routes` routes.

Only loopback; the Web API is the tests' local stand-in.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.slack_answers import QUESTIONS, dm_event  # noqa: E402
from bot.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from bot.routing.changes import Actor, Role  # noqa: E402
from bot.routing.postfix import map_files, map_type  # noqa: E402
from bot.routing.service import RoutingService  # noqa: E402
from tests.support.postgres_server import PostgresServer, running_server  # noqa: E402
from tests.support.slack_fixtures import SlackAppProcess  # noqa: E402
from tests.support.slack_standin import RESPONSE_PATH, Call, SlackStandIn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
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


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def summary(result: LoadResult) -> str:
    ordered = sorted(result.acks)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"{result.requests / result.seconds:7.1f} {milliseconds(statistics.median(ordered))} "
        f"{milliseconds(p99)} {milliseconds(ordered[-1])} {len(result.errors):6d}"
    )


def fill_routes(database_url: str, count: int) -> None:
    """`count` alias rows, in one statement (far faster than the service, which checks each change)."""
    engine = make_engine(database_url)
    numbers = (
        "generate_series(1, :count) AS n"
        if engine.dialect.name == "postgresql"
        else "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :count) "
        "SELECT n FROM s)"
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO routes (source, destination, kind, created_at) "
                f"SELECT 'bulk' || n || '@{DOMAIN}', 'box' || (n % {MAILBOXES}) || '@{DOMAIN}', 'alias', "
                f"CURRENT_TIMESTAMP FROM {numbers}"
            ),
            {"count": count},
        )
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE routes"))
    engine.dispose()


def lookup_bench(database_url: str, routes: int, lookups: int) -> str:
    fill_routes(database_url, routes)
    step = max(1, routes // lookups)
    keys = [f"bulk{n}@{DOMAIN}" for n in range(1, routes + 1, step)][:lookups]
    found, seconds = postfix_lookup(database_url, keys)
    assert len(found) == len(keys), f"Postfix found {len(found)} of {len(keys)}"
    return f"{map_type(database_url)}: {seconds / len(keys) * 1e6:7.0f} µs per lookup ({len(keys)} lookups)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--routes", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5000)
    args = parser.parse_args()

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        standin = SlackStandIn().start()
        stack.callback(standin.stop)
        server: PostgresServer = stack.enter_context(running_server())
        databases = {
            "sqlite": f"sqlite:///{work / 'mailbot.db'}",
            "postgresql": server.create_database("load"),
        }
        for url in databases.values():
            prepare_database(url)

        print(
            f"{args.requests} signed requests from {args.clients} clients per row; ack = HTTP response time"
        )
        print("app        database    instances   req/s  median     p99     max errors  changes")
        for count in (1, 2):
            bare_spec = f"bench.slack_answers:bare_wsgi_app({standin.api_url!r})"
            with instances(count, databases["sqlite"], standin, work, bare_spec) as apps:
                standin.reset()
                result = run_load(apps, args.requests, args.clients, f"bare{count}", bare=True)
                print(f"bare Bolt  {'-':10s}  {count:9d} {summary(result)}")
        for name, url in databases.items():
            for count in (1, 2):
                with instances(count, url, standin, work) as apps:
                    standin.reset()
                    run = f"{name[:2]}{count}"
                    result = run_load(apps, args.requests, args.clients, run, bare=False)
                    problems = disagreements(url, result, run) or [f"{len(result.changes)} = audit = Postfix"]
                    print(f"mailbot    {name:10s}  {count:9d} {summary(result)}  {'; '.join(problems)}")
                    for error in result.errors[:5]:
                        print(f"    {error}")

        print(f"Postfix virtual_alias_maps lookups (postmap -q) at {args.routes:,} routes:")
        lookup_urls = {
            "sqlite": f"sqlite:///{work / 'lookup.db'}",
            "postgresql": server.create_database("lookup"),
        }
        for url in lookup_urls.values():
            prepare_database(url)
            print("  " + lookup_bench(url, args.routes, args.lookups))


if __name__ == "__main__":
    main()
