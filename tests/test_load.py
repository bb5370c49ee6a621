"""Load: 500 signed requests from 50 concurrent clients across two gunicorn instances sharing one
PostgreSQL, mixed questions and changes (each change previewed on one instance, confirmed on the other).
No error responses, and no change lost or doubled: the agents' confirmations, the audit log, the
routing tables and Postfix's own lookups agree. Times are printed (bench/load.py measures them), not
asserted."""

from __future__ import annotations

import statistics

import pytest

from tests.support.load import disagreements, instances, prepare_database, run_load
from tests.support.postgres_server import PostgresServer
from tests.support.slack_standin import SlackStandIn

REQUESTS = 500
CLIENTS = 50


def test_500_requests_from_50_clients_across_two_instances(
    postgres_server: PostgresServer, slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database_url = postgres_server.create_database("load")
    prepare_database(database_url)
    slack_standin.reset()
    with instances(2, database_url, slack_standin, tmp_path_factory.mktemp("load")) as apps:
        result = run_load(apps, REQUESTS, CLIENTS, "load", bare=False)

    assert result.errors == []
    assert result.requests == REQUESTS
    assert len(result.changes) >= REQUESTS // 10
    assert disagreements(database_url, result, "load") == []
    acks = sorted(result.acks)
    print(f"ack median {statistics.median(acks) * 1000:.0f} ms, slowest {acks[-1] * 1000:.0f} ms")
