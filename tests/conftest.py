"""Shared fixtures: a migrated database per test, settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.db import make_engine, make_sessionmaker, upgrade


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mailbot.db'}"


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
