"""Engine, sessions and schema migrations (Alembic, shipped inside the package)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.config import DEFAULT_LOCK_TIMEOUT
from bot.i18n import Catalog, Text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 5
# How long a writer waits for a lock another one holds (SQLite's busy timeout, PostgreSQL's
# lock_timeout) before it gives up and says the database is busy; MAILBOT_LOCK_TIMEOUT sets it.
LOCK_TIMEOUT_SECONDS = DEFAULT_LOCK_TIMEOUT
# Any fixed number: the key of PostgreSQL's advisory lock that serialises schema migrations.
MIGRATION_LOCK_KEY = 0x6D696772  # "migr"

# What a database error means for the person, by SQLite's message or PostgreSQL's SQLSTATE.
# Anything not listed (a wrong statement, a broken constraint) is a bug, not an unavailable database.
SQLITE_PROBLEMS = {
    "busy": ("database is locked", "database table is locked", "database schema is locked"),
    "read_only": ("readonly database",),
    "full": ("database or disk is full",),
    "damaged": ("file is not a database", "database disk image is malformed"),
    "unreachable": ("unable to open database", "disk i/o error"),
}
POSTGRESQL_PROBLEMS = {
    "busy": ("55P03", "57014"),  # lock_not_available (our lock_timeout), query_canceled
    "read_only": ("25006", "42501"),  # read-only transaction (a standby), insufficient privilege
    "full": ("53100",),  # disk_full
    # connection exceptions, too many connections / out of memory, shutdown, login, no such database
    "unreachable": ("08", "53", "57P", "28", "3D000"),
}

MESSAGES = Catalog(
    "database",
    {
        "bad_url": {
            "sv": "DATABASE_URL går inte att använda ({reason}). Exempel: sqlite:///mailbot.db",
            "en": "DATABASE_URL cannot be used ({reason}). Example: sqlite:///mailbot.db",
        },
        "unreachable": {
            "sv": "Databasen {url} går inte att öppna just nu ({reason}). Inget ändrades.",
            "en": "The database {url} cannot be opened right now ({reason}). Nothing was changed.",
        },
        "busy": {
            "sv": "Databasen {url} är upptagen: en annan skrivare har hållit den låst i mer än {seconds:g} s "
            "({reason}). Inget ändrades; försök igen om en stund.",
            "en": "The database {url} is busy: another writer has held it locked for more than {seconds:g} s "
            "({reason}). Nothing was changed; try again in a moment.",
        },
        "read_only": {
            "sv": "Databasen {url} går bara att läsa för den här användaren ({reason}). Inget ändrades.",
            "en": "The database {url} is read-only for this user ({reason}). Nothing was changed.",
        },
        "full": {
            "sv": "Disken där databasen {url} ligger är full ({reason}). Inget ändrades.",
            "en": "The disk of the database {url} is full ({reason}). Nothing was changed.",
        },
        "damaged": {
            "sv": "{url} är ingen databas som går att läsa, eller så är den skadad ({reason}). "
            "Inget ändrades.",
            "en": "{url} is not a readable database, or it is damaged ({reason}). Nothing was changed.",
        },
    },
)


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    """Now, with its time zone: what every timestamp column stores."""
    return datetime.now(UTC)


def _sqlite_pragmas(lock_timeout: float):  # type: ignore[no-untyped-def]
    def set_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        # First: busy_timeout makes writers queue, not fail, also while another process switches a
        # new file to WAL below; past it they fail with "database is locked" (said as "busy").
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets Postfix read while the bot writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last commits
        # (routing and its audit row together, so Postfix and the audit never disagree). FULL's fsync
        # per commit held every change at 4-8 ms and queued the acks behind it (bench/routing.py).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Engine:
    """An engine whose writers wait at most `lock_timeout` seconds for a lock, then fail (see
    `database_problem`) instead of hanging behind a stuck writer."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(lock_timeout))
        return engine
    # pool_pre_ping replaces connections a database restart broke; connect_timeout makes a
    # request fail fast (and say so) while the database is unreachable; lock_timeout bounds every
    # lock wait, the routing and migration advisory locks included.
    options = f"-c lock_timeout={int(lock_timeout * 1000)}"
    return create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options}
    )


def problem_kind(error: BaseException) -> str | None:
    """Why `error` means the database cannot be used (now, or by this user): "busy", "read_only",
    "full", "damaged" or "unreachable"; None when the request itself was wrong (a bug)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "unreachable"
    if not isinstance(error, DBAPIError):
        return None
    if isinstance(error.orig, sqlite3.Error):
        # SQLite reports a wrong statement as OperationalError too: only these messages mean "not now".
        message = str(error.orig).lower()
        return next(
            (kind for kind, signs in SQLITE_PROBLEMS.items() if any(s in message for s in signs)), None
        )
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return next((kind for kind, codes in POSTGRESQL_PROBLEMS.items() if sqlstate.startswith(codes)), None)
    # No SQLSTATE: the driver could not talk to the server at all.
    return "unreachable" if isinstance(error, OperationalError | InterfaceError) else None


def is_database_unavailable(error: BaseException) -> bool:
    """True for errors that mean "the database cannot be used right now", not "the request was wrong"."""
    return problem_kind(error) is not None


def database_problem(
    error: BaseException, url: str, lock_timeout: float = LOCK_TIMEOUT_SECONDS
) -> Text | None:
    """What to tell a person about `error` (sv/en), or None when it is not about the database's state."""
    kind = problem_kind(error)
    if kind is None:
        return None
    shown = make_url(url).render_as_string(hide_password=True)
    orig = error.orig if isinstance(error, DBAPIError) else None
    reason = (str(orig).strip().splitlines() or [""])[0] if orig else type(error).__name__
    return MESSAGES(kind, url=shown, reason=reason, seconds=lock_timeout)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class DatabaseUnusable(Exception):
    """DATABASE_URL is wrong (`bad_url`) or its database cannot be opened; `text` says which in sv/en."""

    def __init__(self, text: Text, bad_url: bool) -> None:
        super().__init__(text.render("en"))
        self.text = text
        self.bad_url = bad_url


def open_database(url: str, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> sessionmaker[Session]:
    """Sessions on the database at `url`, migrated to the newest schema first."""
    try:
        engine = make_engine(url, lock_timeout)
    except (ArgumentError, ImportError) as error:  # a malformed URL, or a driver that is not installed
        raise DatabaseUnusable(MESSAGES("bad_url", reason=error), bad_url=True) from error
    try:
        upgrade(engine)
    except DBAPIError as error:
        problem = database_problem(error, url, lock_timeout)
        if problem is None:
            raise
        raise DatabaseUnusable(problem, bad_url=False) from error
    return make_sessionmaker(engine)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (run by `mailbot db upgrade` and on start).

    Many processes may start at once on a new database: the migrations run under a lock
    (`lock_migrations`, taken in env.py), so one migrates and the others then find the schema
    current. A database already current is only read, so a busy or read-only one still serves reads.
    """
    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
    command.upgrade(config, "head")


def lock_migrations(connection: Connection) -> None:
    """Serialise schema migrations for the rest of this transaction (call it first): SQLite takes the
    database's write lock now, PostgreSQL a transaction-scoped advisory lock; both wait at most the
    engine's lock timeout. Alembic reads the schema's version after this, so a second migrator finds
    the first one's work done."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
