"""Slack flows benchmark: `.venv/bin/python bench/slack.py [--requests N]`.

Runs the real app (`mailbot serve --http`, SQLite) and, in the same run, a bare Bolt app on the same
server stack whose listeners only ack (bench/slack_answers.py). Both get the same requests, signed as
Slack signs them, from 1 and from 20 concurrent clients, on loopback; Web API calls and response_url
posts go to the tests' local stand-in. Prints the median and 99th percentile time to Slack's ack (the
HTTP response) for `/mailhelp QUESTION`, `/alias add ALIAS MAILBOX` (ack, then the preview) and a
Confirm click (ack, then the change), with ours / bare as ratios. Target: ratio <= 1.5, acks far
inside Slack's 3 seconds. Between rows the bench waits until our app has sent every reply, so one
row's background work does not slow the next.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import statistics
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import slack_answers  # noqa: E402
from bench.slack_answers import CLIENTS, timed  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from bot.flows.core import Flows, Person  # noqa: E402
from bot.routing.changes import Actor, Role  # noqa: E402
from bot.routing.service import RoutingService  # noqa: E402
from tests.support.load import QUESTIONS  # noqa: E402
from tests.support.slack_fixtures import SlackAppProcess  # noqa: E402
from tests.support.slack_standin import SlackStandIn  # noqa: E402

DOMAIN = "kulexempel.se"
AGENT = "UBENCHAGENT"
OPERATOR = Actor("bench", Role.ADMIN)
# A message with a Confirm button; each click carries its own pending change id as the value.
CONFIRM_MESSAGE = [
    {"type": "actions", "elements": [{"type": "button", "action_id": "flow_confirm", "value": "0"}]}
]

Send = Callable[[SlackAppProcess, int], object]


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def row(name: str, clients: int, bare: list[float], ours: list[float]) -> str:
    medians = statistics.median(bare), statistics.median(ours)
    tails = p99(bare), p99(ours)
    return (
        f"{name:18s} {clients:7d} | {medians[0] * 1000:11.1f} {tails[0] * 1000:6.1f} | "
        f"{medians[1] * 1000:11.1f} {tails[1] * 1000:6.1f} | "
        f"{medians[1] / medians[0]:12.2f} {tails[1] / tails[0]:5.2f}"
    )


def timed_apart(requests: int, clients: int, send: Callable[[int], object]) -> list[float]:
    """`timed` in a forked process: the stand-in, which takes our app's replies in this process, must
    not share the clients' interpreter lock (Slack's servers are not one Python process either)."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=lambda: sender.send(timed(requests, clients, send)[0])
    )
    child.start()
    acks = receiver.recv()
    child.join()
    return acks


def prepare(database_url: str) -> Flows:
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    routing = RoutingService(sessions)
    routing.add_domain(DOMAIN, OPERATOR)
    routing.add_mailbox(f"anna@{DOMAIN}", OPERATOR)
    return Flows(Settings(database_url=database_url, agents=frozenset({AGENT})), sessions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per scenario, client count and app"
    )
    args = parser.parse_args()
    requests = args.requests

    standin = SlackStandIn().start()
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{directory}/mailbot.db"
        flows = prepare(database_url)
        agent = Person(AGENT, "T1", Role.AGENT)
        env = {"MAILBOT_AGENTS": AGENT}
        ours = SlackAppProcess(database_url, standin, env, Path(directory) / "app.log")
        bare_argv = [sys.executable, slack_answers.__file__, "--bare"]
        bare = SlackAppProcess(
            database_url,
            standin,
            env,
            Path(directory) / "bare.log",
            argv=lambda port: [*bare_argv, str(port), standin.api_url],
        )
        run = itertools.count()  # makes every alias of the run new

        def previews() -> Send:
            batch = next(run)  # new aliases for every row
            return lambda app, n: app.command(
                "/alias", f"add a{batch}x{n}@{DOMAIN} anna@{DOMAIN}", user_id=AGENT
            )

        def confirm_clicks(count: int = requests) -> Send:
            """Confirm clicks on `count` fresh previews (stored in the database as a preview stores them)."""
            pending = []
            for _ in range(count):
                reply = flows.command("/alias", f"add c{next(run)}@{DOMAIN} anna@{DOMAIN}", agent)
                pending.append(str(reply.pending_id))  # type: ignore[union-attr]
            return lambda app, n: app.click(CONFIRM_MESSAGE, "flow_confirm", value=pending[n], user_id=AGENT)

        def mailhelp() -> Send:
            return lambda app, n: app.command("/mailhelp", QUESTIONS[n % len(QUESTIONS)], user_id=f"U{n}")

        try:
            for app in (ours, bare):  # warm up: imports, the knowledge index, the agent's locale
                mailhelp()(app, 0), previews()(app, 0), confirm_clicks(1)(app, 0)
            standin.wait_for("response_url", count=3, timeout=120)  # ours answers all three; bare none
            print(f"{requests} signed requests per cell; time to ack (HTTP response), milliseconds")
            print(
                f"{'request':18s} {'clients':>7s} | {'bare median':>11s} {'p99':>6s} | "
                f"{'ours median':>11s} {'p99':>6s} | {'ratio median':>12s} {'p99':>5s}"
            )
            for clients in CLIENTS:
                scenarios: list[tuple[str, Callable[[], Send]]] = [
                    ("/mailhelp", mailhelp),
                    ("/alias add preview", previews),
                    ("Confirm", confirm_clicks),
                ]
                for name, senders in scenarios:
                    acks = {}
                    for label, app in (("bare", bare), ("ours", ours)):
                        standin.reset()
                        send = senders()
                        acks[label] = timed_apart(requests, clients, partial(send, app))
                        if app is ours:
                            standin.wait_for("response_url", count=requests, timeout=600)
                    print(row(name, clients, acks["bare"], acks["ours"]))
        finally:
            ours.stop()
            bare.stop()
            standin.stop()


if __name__ == "__main__":
    main()
