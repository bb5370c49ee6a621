"""`mailbot db upgrade` migrates the configured database, or says in the user's language why it cannot;
a database that is busy, read-only, damaged or new to many processes at once is said plainly too."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.routing.writing import ROUTING_LOCK_KEY
from tests.support.cli import CHECKOUT, Mailbot, run_mailbot
from tests.support.postgres_server import PostgresServer


def test_db_upgrade_creates_the_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": url, "MAILBOT_LANG": "sv"})
    assert (result.exit_code, result.output.strip()) == (0, "databasen är uppdaterad")
    assert {"routes", "mailboxes", "audit_log"} <= set(inspect(create_engine(url)).get_table_names())


def test_a_malformed_database_url_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["db", "upgrade", "--lang", "en"], env={"DATABASE_URL": "nonsense://"})
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output and "Traceback" not in result.output


# -- a database that cannot be used, as `mailbot` run by a user (its own process) says it --------------


@pytest.fixture
def demo_url(database_url: str) -> str:
    Mailbot(database_url)("demo")
    return database_url


def psycopg_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def routing_lock_held(database_url: str) -> Iterator[None]:
    """Another writer in the middle of a change: SQLite's write lock, or PostgreSQL's routing lock."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with psycopg.connect(psycopg_url(database_url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (ROUTING_LOCK_KEY,))
        yield
        connection.rollback()


def test_a_writer_kept_waiting_by_another_says_the_database_is_busy_and_writes_nothing(demo_url: str) -> None:
    change = ["alias", "add", "support@kulexempel.se", "anna@kulexempel.se"]
    with routing_lock_held(demo_url):
        busy = run_mailbot(change, demo_url, MAILBOT_LOCK_TIMEOUT="1")
        swedish = run_mailbot([*change, "--lang", "sv"], demo_url, MAILBOT_LOCK_TIMEOUT="1.5")
        read = run_mailbot(["trace", "anna@kulexempel.se"], demo_url, MAILBOT_LOCK_TIMEOUT="1")
    assert busy.returncode == 3, busy.stderr
    assert "is busy: another writer has held it locked for more than 1 s" in busy.stderr
    assert "Nothing was changed; try again in a moment." in busy.stderr
    assert swedish.returncode == 3 and "är upptagen" in swedish.stderr and "mer än 1.5 s" in swedish.stderr
    assert "Traceback" not in busy.stderr + swedish.stderr
    assert read.returncode == 0 and "delivered to the mailbox anna@kulexempel.se" in read.stdout
    assert Mailbot(demo_url).json("alias", "list") == []  # nothing was written
    assert run_mailbot(change, demo_url).returncode == 0  # and once the other writer is done, it works


@pytest.mark.sqlite_only
def test_a_read_only_sqlite_file_serves_reads_and_refuses_writes_plainly(demo_url: str) -> None:
    path = Path(make_url(demo_url).database or "")
    path.chmod(0o444)
    # root ignores file modes; without CAP_DAC_OVERRIDE it is bound by them like any user.
    as_a_user = (
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
    )
    read = run_mailbot(["trace", "anna@kulexempel.se"], demo_url, prefix=as_a_user)
    write = run_mailbot(
        ["alias", "add", "support@kulexempel.se", "anna@kulexempel.se"], demo_url, prefix=as_a_user
    )
    assert read.returncode == 0, read.stderr
    assert write.returncode == 3, write.stderr
    assert "is read-only for this user (attempt to write a readonly database)" in write.stderr
    assert "Traceback" not in write.stderr
    unmigrated = path.with_name("empty.db")
    unmigrated.touch(mode=0o444)
    opened = run_mailbot(["domain", "list", "--lang", "sv"], f"sqlite:///{unmigrated}", prefix=as_a_user)
    assert opened.returncode == 3 and "går bara att läsa för den här användaren" in opened.stderr


@pytest.mark.sqlite_only
def test_a_file_that_is_no_database_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    result = run_mailbot(["domain", "list"], f"sqlite:///{path}")
    assert result.returncode == 3, result.stderr
    assert "is not a readable database, or it is damaged (file is not a database)" in result.stderr


@pytest.mark.postgresql_only
def test_a_read_only_postgresql_role_serves_reads_and_refuses_writes_plainly(
    demo_url: str, postgres_server: PostgresServer
) -> None:
    name = make_url(demo_url).database
    postgres_server.execute(
        "DO $$ BEGIN CREATE ROLE reader LOGIN; EXCEPTION WHEN duplicate_object THEN END $$"
    )
    with psycopg.connect(psycopg_url(demo_url), autocommit=True) as connection:
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader_url = make_url(demo_url).set(username="reader").render_as_string(hide_password=False)
    read = run_mailbot(["trace", "anna@kulexempel.se"], reader_url)
    write = run_mailbot(["alias", "add", "support@kulexempel.se", "anna@kulexempel.se"], reader_url)
    assert read.returncode == 0, read.stderr
    assert write.returncode == 3, write.stderr
    assert (
        f"The database postgresql+psycopg://reader@127.0.0.1:{postgres_server.port}/{name} is read-only"
        in (write.stderr)
    )


@pytest.fixture
def empty_database_url(database_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield database_url
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"{make_url(database_url).database}_empty"
    yield server.create_database(name)
    server.drop_database(name)


def test_ten_first_commands_at_once_migrate_a_new_database_once(empty_database_url: str) -> None:
    environment = {**os.environ, "DATABASE_URL": empty_database_url, "MAILBOT_LANG": "en"}
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "domain", "add", f"d{n}.example"],
            env=environment,
            cwd=CHECKOUT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(10)
    ]
    results = [(command.wait(timeout=120), *command.communicate()) for command in commands]
    assert [code for code, _, _ in results] == [0] * 10, [err for _, _, err in results]
    mailbot = Mailbot(empty_database_url)
    assert sorted(mailbot.json("domain", "list")) == sorted(f"d{n}.example" for n in range(10))  # type: ignore[type-var]
    # Each domain audited once, with the postmaster@ mailbox and abuse@ group it gets (RFC 2142).
    actions = sorted(entry["action"] for entry in mailbot.json("audit"))
    assert actions == ["domain.add"] * 10 + ["group.create"] * 10 + ["mailbox.add"] * 10
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    engine.dispose()
