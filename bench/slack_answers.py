"""Slack answers benchmark: `.venv/bin/python bench/slack_answers.py [--requests N]`.

Runs the real app (`mailbot serve --http`, SQLite) and, in the same run, a bare Bolt app on the same
server stack whose listeners only ack. Both get requests signed as Slack signs them, from 1 and from
20 concurrent clients; their Web API calls go to the local stand-in of the tests. Prints, per
scenario, the median and 99th percentile time to Slack's ack (the HTTP response), and for ours the
time until the answer reached Slack (the stand-in received chat.postMessage / response_url).
Scenarios: a question in a DM (event), `/mailhelp question` (command), a "helpful" click (action).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.load import QUESTIONS, dm_event  # noqa: E402
from tests.support.slack_fixtures import BOT_TOKEN, SIGNING_SECRET, SlackAppProcess, find_element  # noqa: E402
from tests.support.slack_standin import Call, SlackStandIn  # noqa: E402

CLIENTS = (1, 20)


def bare_wsgi_app(api_url: str) -> Callable:
    """A Bolt app that acks and does nothing else: the floor for our ack times (bench/load.py serves
    it with gunicorn: `bench.slack_answers:bare_wsgi_app('API_URL')`). It runs its listeners as ours
    does, in the request's thread, answering when they return (`process_before_response`): with
    Bolt's default it would poll for the ack every 10 ms, a floor ours no longer pays."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        process_before_response=True,
    )

    def just_ack(ack: Ack) -> None:
        ack()

    app.command("/mailhelp")(just_ack)
    app.command("/alias")(just_ack)  # bench/slack.py: the flows' preview and Confirm
    app.action("answer_feedback")(just_ack)
    app.action("flow_confirm")(just_ack)
    app.event("message")(lambda: None)
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/health":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return wsgi


def serve_bare(port: int, api_url: str) -> None:
    from bot.slack.http import serve_wsgi

    serve_wsgi(bare_wsgi_app(api_url), port, lambda url: print(f"Serving at {url}", flush=True))


Scenario = tuple[str, Callable[[SlackAppProcess, int], object], str | None, Callable[[Call], int] | None]


def _dm_number(call: Call) -> int:
    return int(call.args["channel"][1:])


def _mailhelp(app: SlackAppProcess, n: int) -> object:
    return app.command("/mailhelp", QUESTIONS[n % len(QUESTIONS)], user_id=f"U{n}")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms"


def timed(requests: int, clients: int, send: Callable[[int], object]) -> tuple[list[float], dict[int, float]]:
    """Send `requests` requests from `clients` threads; ack times, and when each request was sent."""
    sent: dict[int, float] = {}

    def one(n: int) -> float:
        sent[n] = time.monotonic()
        response = send(n)
        assert getattr(response, "status", 200) == 200, response
        return time.monotonic() - sent[n]

    with ThreadPoolExecutor(clients) as pool:
        acks = list(pool.map(one, range(requests)))
    return acks, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario and client count")
    parser.add_argument("--bare", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        serve_bare(int(args.bare[0]), args.bare[1])
        return

    standin = SlackStandIn().start()
    with tempfile.TemporaryDirectory() as directory:
        from bot.db import make_engine, upgrade

        database_url = f"sqlite:///{directory}/mailbot.db"
        upgrade(make_engine(database_url))
        ours = SlackAppProcess(database_url, standin, {}, Path(directory) / "app.log")
        bare = SlackAppProcess(
            database_url,
            standin,
            {},
            Path(directory) / "bare.log",
            argv=lambda port: [sys.executable, __file__, "--bare", str(port), standin.api_url],
        )
        try:
            # One answered question whose "helpful" button every click presses (each click a new user).
            standin.reset()
            ours.event(dm_event(0))
            [answer] = standin.wait_for("chat.postMessage")
            blocks = answer.args["blocks"]
            helpful = find_element(blocks, "answer_feedback")["positive_button"]["value"]
            print(f"{args.requests} signed requests per row; times to ack (HTTP response) and to answer")

            # (name, send request n, where its answer arrives, which request an arrived answer belongs to)
            def click_helpful(app: SlackAppProcess, n: int) -> object:
                return app.click(blocks, "answer_feedback", value=helpful, user_id=f"V{n}")

            scenarios: list[Scenario] = [
                ("DM question", lambda app, n: app.event(dm_event(n)), "chat.postMessage", _dm_number),
                ("/mailhelp", _mailhelp, "response_url", lambda call: int(call.path.rsplit("-U", 1)[1])),
                ("helpful", click_helpful, None, None),
            ]
            for clients in CLIENTS:
                for name, send, answered_by, request_of in scenarios:
                    for label, app in (("bare Bolt", bare), ("mailbot", ours)):
                        standin.reset()
                        acks, sent = timed(args.requests, clients, partial(send, app))
                        line = f"{name:12s} {clients:2d} clients  {label:9s} ack {percentiles(acks)}"
                        if app is ours and answered_by and request_of:
                            replies = standin.wait_for(answered_by, count=args.requests, timeout=300)
                            answered = [reply.received - sent[request_of(reply)] for reply in replies]
                            line += f"   answer {percentiles(answered)}"
                        print(line)
        finally:
            ours.stop()
            bare.stop()
            standin.stop()


if __name__ == "__main__":
    main()
