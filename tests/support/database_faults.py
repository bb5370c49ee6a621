"""Faults a real database raises: `refused_inserts` makes SQLite or PostgreSQL refuse every INSERT into
one table (a trigger raising an error, as a full disk, a quota or a DBA's constraint would), so the
code under test meets a genuine database error in the middle of its work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

REFUSAL = "refused by the test: no space left for this table"


@contextmanager
def refused_inserts(engine: Engine, table: str) -> Iterator[None]:
    trigger = f"refuse_{table}"
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )
            )
        else:
            connection.execute(
                text(
                    f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql "
                    f"AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
                )
            )
            connection.execute(
                text(
                    f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {trigger}()"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(text(f"DROP TRIGGER {trigger}"))
            else:
                connection.execute(text(f"DROP TRIGGER {trigger} ON {table}"))
                connection.execute(text(f"DROP FUNCTION {trigger}()"))
