"""The suite's servers get a port no one else takes from them under `pytest -n`.

A port found free is free only until someone binds it. The app processes and the SMTP sink now
listen on a port the kernel picks (port 0, or a socket bound before it is handed over), so there is
nothing to take; PostgreSQL and Postfix, which must be given a number, start on another free port
when theirs was taken meanwhile. Here the port is taken for real, by a socket listening on it, between
the choice and the start.
"""

from __future__ import annotations

import shutil
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.leftovers import private_directory
from tests.support.postfix_instance import PostfixInstance, Sink, sqlite_for_postfix
from tests.support.postgres_server import PostgresServer
from tests.support.slack_fixtures import SlackAppProcess, migrated_sqlite
from tests.support.slack_standin import SlackStandIn


@contextmanager
def taken(port: int) -> Iterator[socket.socket]:
    """Another process's server on `port`, as a test of another worker would start it."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        yield other


def test_postgresql_starts_on_another_port_when_its_port_was_taken() -> None:
    server = PostgresServer()
    try:
        server.init()
        chosen = server.port
        with taken(chosen):
            server.start()
            assert server.port != chosen
            with psycopg.connect(
                host="127.0.0.1", port=server.port, user=server.superuser, dbname="postgres"
            ) as c:
                assert c.execute("SELECT current_setting('port')").fetchone() == (str(server.port),)
        server.stop()
        server.start()  # a restart keeps its port: the URLs handed out stay right
        assert server.port != chosen and server.running
    finally:
        if server.running:
            server.stop()
        server.remove()


def test_postfix_starts_on_another_port_when_its_port_was_taken() -> None:
    root, root_guard = private_directory("mailbot-ports-")
    root.chmod(0o755)
    url = sqlite_for_postfix(root)
    sink = Sink()
    sink.controller.start()
    postfix = PostfixInstance(root / "postfix", url, sink.controller.port)
    chosen = postfix.port
    try:
        with taken(chosen):
            postfix.start()
            assert postfix.port != chosen
            with smtplib.SMTP("127.0.0.1", postfix.port, timeout=30) as client:
                code, banner = client.ehlo()
            assert code == 250 and b"mx.mailbot-test.invalid" in banner
    finally:
        postfix.stop()
        sink.controller.stop()
        shutil.rmtree(root, ignore_errors=True)
        root_guard.release()


def test_the_app_and_the_sink_listen_where_the_kernel_put_them(tmp_path: Path) -> None:
    sink = Sink()
    sink.controller.start()
    standin = SlackStandIn().start()
    apps = [
        SlackAppProcess(migrated_sqlite(tmp_path), standin, {}, tmp_path / f"app{n}.log") for n in range(2)
    ]
    try:
        assert len({app.port for app in apps} | {sink.controller.port}) == 3
        assert all(app.get("/health").status == 200 for app in apps)
        with smtplib.SMTP("127.0.0.1", sink.controller.port, timeout=30) as client:
            assert client.noop()[0] == 250
    finally:
        for app in apps:
            app.stop()
        sink.controller.stop()
        standin.stop()
