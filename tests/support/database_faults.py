"""Faults a real database raises: `refused_writes` makes SQLite or PostgreSQL refuse every INSERT and
UPDATE on one table (triggers raising an error, as a full disk, a quota or a DBA's constraint would),
so the code under test meets a genuine database error in the middle of its work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

REFUSAL = "refused by the test: no space left for this table"


@contextmanager
def refused_writes(engine: Engine, table: str) -> Iterator[None]:
    name = f"refuse_{table}"
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            for write in ("insert", "update"):
                connection.execute(
                    text(
                        f"CREATE TRIGGER {name}_{write} BEFORE {write.upper()} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                    )
                )
        else:
            connection.execute(
                text(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    f"AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
                )
            )
            connection.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if sqlite:
                for write in ("insert", "update"):
                    connection.execute(text(f"DROP TRIGGER {name}_{write}"))
            else:
                connection.execute(text(f"DROP TRIGGER {name} ON {table}"))
                connection.execute(text(f"DROP FUNCTION {name}()"))
