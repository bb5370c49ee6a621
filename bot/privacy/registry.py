"""Which tables hold data about people, and what retention, erasure and export do with their rows.

Each table module declares its own `PERSONAL_DATA` (a tuple of `PersonalTable`) beside its models;
`bot.models.PERSONAL_DATA` gathers them, and `mailbot privacy prune|erase|export` and the daily prune
work from that list alone. A new table with people's data is one more `PersonalTable` there (a test
fails until every table is either declared here or listed as holding none).

Nothing here imports the rest of mailbot, so any table module can declare itself.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table
from sqlalchemy.orm import DeclarativeBase, Session


class Expiry(enum.StrEnum):
    """What happens to a row once it is older than its lifetime."""

    ANONYMISE = "anonymise"  # the user and cleared columns are emptied; the row still counts
    DELETE = "delete"
    KEEP = "keep"  # kept while it is needed (the routing audit, an installation); only erasure touches it


class Erasure(enum.StrEnum):
    """What erasing a person does to the rows that name them."""

    ANONYMISE = "anonymise"
    DELETE = "delete"
    # The user columns get the person's stable pseudonym: for records that must stay.
    PSEUDONYMISE = "pseudonymise"
    # The rows stop being used and lose the person's words, done by the table's own module (`withdraw`),
    # which records it in its own audit: for rows something else relies on (a taught example).
    WITHDRAW = "withdraw"


# Withdraws what names a person: (session, their user id, their pseudonym) -> how many rows changed.
Withdrawal = Callable[[Session, str, str], int]


@dataclass(frozen=True)
class PersonalTable:
    """How one table's rows about people are kept, erased and exported.

    `name` is what the rows are, as the person reads it in their export ("questions"). `lifetime`
    None means MAILBOT_QUESTION_RETENTION_DAYS (what people wrote); technical rows give their own.
    `user_columns` hold a Slack user id: erasure and export find the person by them. `cleared_columns`
    are emptied with them when a row is anonymised (texts and the ids of where it was written);
    `text_columns` (among those) are what the person wrote: erasure also empties other rows of the
    table that hold the same text (the copy recorded when someone else clicked a related topic under
    their answer). `exported` maps columns to the keys of the export (never secrets);
    `article_column` holds a topic id, exported with the article's title. `withdraw` does the erasure
    of an `Erasure.WITHDRAW` table; erasure runs it before the other tables', so it can still find the
    person's words by the texts those hold.
    """

    name: str
    table: Table
    time_column: str
    expiry: Expiry
    lifetime: timedelta | None = None
    user_columns: tuple[str, ...] = ()
    cleared_columns: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    erasure: Erasure = Erasure.DELETE
    exported: Mapping[str, str] = field(default_factory=dict)
    article_column: str | None = None
    withdraw: Withdrawal | None = None

    def __post_init__(self) -> None:
        named = [self.time_column, *self.user_columns, *self.cleared_columns, *self.text_columns]
        missing = [name for name in [*named, *self.exported] if name not in self.table.c]
        if missing:
            raise ValueError(f"{self.table.name} has no column {missing}")
        if not set(self.text_columns) <= set(self.cleared_columns):
            raise ValueError(f"{self.table.name}: text columns must be cleared columns too")
        if (self.erasure is Erasure.WITHDRAW) != (self.withdraw is not None):
            raise ValueError(f"{self.table.name}: a withdrawal is what Erasure.WITHDRAW does, and only that")
        anonymised = self.expiry is Expiry.ANONYMISE or self.erasure is Erasure.ANONYMISE
        if anonymised and any(not self.column(name).nullable for name in self.user_columns):
            raise ValueError(f"{self.table.name}: anonymised user columns must take NULL")

    def column(self, name: str) -> Column[Any]:
        return self.table.c[name]

    def emptied(self, columns: Sequence[str] | None = None) -> dict[str, Any]:
        """UPDATE values that empty the user and cleared columns (or just `columns`): NULL, or "" where
        the column takes no NULL."""
        names = columns if columns is not None else (*self.user_columns, *self.cleared_columns)
        return {name: None if self.column(name).nullable else "" for name in names}

    def holds_something(self, name: str) -> ColumnElement[bool]:
        """The column still holds a value (not NULL, not "")."""
        column = self.column(name)
        return column.is_not(None) if column.nullable else column != ""


def table_of(model: type[DeclarativeBase]) -> Table:
    """The table an ORM model is mapped to."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
