"""Engine, sessions and schema migrations (Alembic, shipped inside the package)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.i18n import Catalog, Text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# How long a connection waits for the database: PostgreSQL to connect, SQLite's write lock (writers
# queue for it). Work after Slack's ack can wait; a request whose ack waits cannot (Slack wants it
# within 3 seconds, and libpq's shortest connect timeout is 2 s).
CONNECT_TIMEOUT_SECONDS = 5
SQLITE_LOCK_WAIT_MS = 10_000
ACK_CONNECT_TIMEOUT_SECONDS = 2
ACK_SQLITE_LOCK_WAIT_MS = 1_000
SQLITE_UNAVAILABLE_SIGNS = (
    "database is locked",
    "unable to open database",
    "disk I/O error",
    "database or disk is full",
)

MESSAGES = Catalog(
    "database",
    {
        "bad_url": {
            "sv": "DATABASE_URL går inte att använda ({reason}). Exempel: sqlite:///mailbot.db",
            "en": "DATABASE_URL cannot be used ({reason}). Example: sqlite:///mailbot.db",
        },
        "unreachable": {
            "sv": "Databasen {url} går inte att öppna just nu ({reason}).",
            "en": "The database {url} cannot be opened right now ({reason}).",
        },
    },
)


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    """Now, with its time zone: what every timestamp column stores."""
    return datetime.now(UTC)


def _sqlite_pragmas(lock_wait_ms: int, checkpoints: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not checkpoints:
            # The commit that fills the WAL copies it into the database and waits for the disk: not
            # in an ack. The app's other processes (after-ack worker, command line) checkpoint it.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets Postfix read while the bot writes; busy_timeout makes writers queue, not fail.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
        # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last commits (routing
        # and its audit row together, so Postfix and the audit never disagree). FULL's fsync per commit
        # held every change at 4-8 ms and queued the acks behind it (bench/routing.py, bench/load.py).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def make_engine(url: str, *, for_acks: bool = False) -> Engine:
    """An engine on `url`; `for_acks`: for a process that acknowledges Slack's requests, whose
    connections give up waiting for the database sooner (ACK_...), so the ack still comes in time."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        lock_wait = ACK_SQLITE_LOCK_WAIT_MS if for_acks else SQLITE_LOCK_WAIT_MS
        event.listen(engine, "connect", _sqlite_pragmas(lock_wait, checkpoints=not for_acks))
        return engine
    # pool_pre_ping replaces connections a database restart broke; connect_timeout makes a
    # request fail fast (and say so) while the database is unreachable.
    timeout = ACK_CONNECT_TIMEOUT_SECONDS if for_acks else CONNECT_TIMEOUT_SECONDS
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": timeout})


def is_database_unavailable(error: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached right now", not "the request was wrong"."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        # SQLite reports a wrong statement as OperationalError too; these mean "not now".
        return any(sign in str(error.orig) for sign in SQLITE_UNAVAILABLE_SIGNS)
    return True


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class DatabaseUnusable(Exception):
    """DATABASE_URL is wrong (`bad_url`) or its database cannot be opened; `text` says which in sv/en."""

    def __init__(self, text: Text, bad_url: bool) -> None:
        super().__init__(text.render("en"))
        self.text = text
        self.bad_url = bad_url


def open_database(url: str) -> sessionmaker[Session]:
    """Sessions on the database at `url`, migrated to the newest schema first."""
    try:
        engine = make_engine(url)
    except (ArgumentError, ImportError) as error:  # a malformed URL, or a driver that is not installed
        raise DatabaseUnusable(MESSAGES("bad_url", reason=error), bad_url=True) from error
    try:
        upgrade(engine)
    except (OperationalError, InterfaceError) as error:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise DatabaseUnusable(MESSAGES("unreachable", url=shown, reason=reason), bad_url=False) from error
    return make_sessionmaker(engine)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (run by `mailbot db upgrade` and on start)."""
    command.upgrade(alembic_config(engine), "head")
