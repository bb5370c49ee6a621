"""PostgreSQL as a first-class database: the suite's server, and an engine that survives a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.db import is_database_unavailable, make_engine, upgrade
from tests.support.postgres_server import PostgresServer, running_server


@pytest.fixture(scope="module")
def restartable_server() -> Iterator[PostgresServer]:
    """A server of this module's own, so stopping it disturbs no other test."""
    with running_server() as server:
        yield server


@pytest.mark.postgresql_only
def test_database_url_is_a_fresh_migrated_postgresql_database(engine: Engine) -> None:
    assert engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM routes")) == 0
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) is not None


def test_engine_reports_an_outage_and_recovers_by_itself(restartable_server: PostgresServer) -> None:
    engine = make_engine(restartable_server.create_database("outage"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM domains")) == 0

    restartable_server.stop()
    with pytest.raises(Exception) as raised, engine.connect() as connection:
        connection.scalar(text("SELECT count(*) FROM domains"))
    assert is_database_unavailable(raised.value)

    restartable_server.start()
    with engine.connect() as connection:  # the pooled connection the restart broke is replaced
        assert connection.scalar(text("SELECT count(*) FROM domains")) == 0
    engine.dispose()


def test_a_wrong_request_is_not_an_outage(engine: Engine) -> None:
    with pytest.raises(Exception) as raised, engine.connect() as connection:
        connection.execute(text("SELECT no_such_column FROM routes"))
    assert not is_database_unavailable(raised.value)


def test_an_unreachable_sqlite_file_is_an_outage(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'mailbot.db'}")
    with pytest.raises(Exception) as raised, engine.connect():
        pass
    assert is_database_unavailable(raised.value)
