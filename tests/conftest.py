"""Shared fixtures: a migrated database per test, settings that point at it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker, upgrade
from tests.support.postgres_server import PostgresServer, running_server

# Signed requests to the Slack app: running as a process (fixtures `slack_standin`, `slack_app`) or in
# this process through Bolt's dispatch (`slack_dispatch`).
pytest_plugins = ["tests.support.slack_fixtures", "tests.support.slack_dispatch"]

# Which databases every database test runs on: MAILBOT_TEST_DATABASES=sqlite,postgresql (default both).
DATABASES = ("sqlite", "postgresql")
SELECTED_DATABASES = tuple(
    name.strip()
    for name in os.environ.get("MAILBOT_TEST_DATABASES", ",".join(DATABASES)).split(",")
    if name.strip()
)
# A test marked with the marker is not run on that database.
EXCLUDING_MARKER = {"sqlite": "postgresql_only", "postgresql": "sqlite_only"}
_database_numbers = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    unknown = set(SELECTED_DATABASES) - set(DATABASES)
    if unknown:
        raise pytest.UsageError(f"MAILBOT_TEST_DATABASES: unknown {sorted(unknown)}, choose from {DATABASES}")
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself; not run on PostgreSQL")
    config.addinivalue_line(
        "markers", "postgresql_only: the test is about PostgreSQL itself; not run on SQLite"
    )
    config.addinivalue_line("markers", "slow: long runs (minutes); only with `pytest -m slow`, not in CI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests run only when asked for by `-m slow` (CI runs `pytest` without it)."""
    if "slow" in (config.option.markexpr or ""):
        return
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.skip(reason="slow: run with `pytest -m slow`"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test using `database_url` (directly or via `engine`, `settings` ...) runs once per database;
    so does a module whose fixtures use `database_kind` (one shared database per module and kind)."""
    databases = [
        name
        for name in SELECTED_DATABASES
        if not metafunc.definition.get_closest_marker(EXCLUDING_MARKER[name])
    ]
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", databases, indirect=True)
    elif "database_kind" in metafunc.fixturenames:
        metafunc.parametrize("database_kind", databases, indirect=True, scope="module")


@pytest.fixture(scope="module")
def database_kind(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql", for module-scoped fixtures that build their own database."""
    return request.param


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole run."""
    with running_server() as server:
        yield server


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: an empty SQLite file, or a PostgreSQL database cloned from the migrated template."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mailbot.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{next(_database_numbers)}"
    yield server.create_migrated_database(name)
    server.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker:
    return make_sessionmaker(engine)


@pytest.fixture
def settings(engine: Engine, database_url: str) -> Settings:
    return Settings(database_url=database_url)
