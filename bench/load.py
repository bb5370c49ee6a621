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
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bot.db import make_engine  # noqa: E402
from bot.routing.postfix import map_type  # noqa: E402
from tests.support.load import (  # noqa: E402
    DOMAIN,
    MAILBOXES,
    LoadResult,
    disagreements,
    instances,
    postfix_lookup,
    prepare_database,
    run_load,
)
from tests.support.postgres_server import PostgresServer, running_server  # noqa: E402
from tests.support.slack_standin import SlackStandIn  # noqa: E402


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
