"""Retention: what people wrote is kept MAILBOT_QUESTION_RETENTION_DAYS, technical rows their own while.

`prune` empties or deletes, in one transaction, every row of the declared tables
(`bot.privacy.registry`) that is older than its lifetime: questions, votes and comments lose their
text and ids but stay counted, so `mailbot feedback` keeps its numbers. `prune_daily` runs it in a
thread of the long-running app: at start and then once a day.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    DateTime,
    Executable,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.db import utcnow
from bot.privacy.messages import MESSAGES, PrivacyError
from bot.privacy.registry import Expiry, PersonalTable

log = logging.getLogger(__name__)

MAX_RETENTION_DAYS = 36_500
PRUNE_INTERVAL = timedelta(days=1)
# After a failure (the database unreachable, a wrong setting) the prune is tried again sooner.
RETRY_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class Pruned:
    """What one table lost: `rows` rows older than `cutoff` were anonymised or deleted (its `expiry`)."""

    entry: PersonalTable
    cutoff: datetime
    rows: int


def question_retention(settings: Settings) -> timedelta:
    """MAILBOT_QUESTION_RETENTION_DAYS as a duration; PrivacyError for anything but 1 to 36500 days."""
    value = settings.question_retention_days.strip()
    if not re.fullmatch(r"[0-9]{1,6}", value) or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise PrivacyError(MESSAGES("bad_retention", value=value, most=MAX_RETENTION_DAYS))
    return timedelta(days=int(value))


def prune(
    session: Session,
    tables: Sequence[PersonalTable],
    retention: timedelta,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[Pruned]:
    """Anonymise or delete what has outlived its lifetime (`retention` for what people wrote); with
    `dry_run` only count it. One transaction: all of it or nothing."""
    now = now or utcnow()
    pruned = []
    for entry in tables:
        if entry.expiry is Expiry.KEEP:
            continue
        cutoff = now - (retention if entry.lifetime is None else entry.lifetime)
        where = _expired(entry, cutoff)
        if dry_run:
            rows = session.scalar(select(func.count()).select_from(entry.table).where(where)) or 0
        elif entry.expiry is Expiry.DELETE:
            rows = changed_rows(session, delete(entry.table).where(where))
        else:
            rows = changed_rows(session, update(entry.table).where(where).values(entry.emptied()))
        pruned.append(Pruned(entry, cutoff, rows))
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return pruned


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _expired(entry: PersonalTable, cutoff: datetime) -> ColumnElement[bool]:
    time = entry.column(entry.time_column)
    # slack_sdk's tables store naive UTC times; compare like with like.
    naive = isinstance(time.type, DateTime) and not time.type.timezone
    older = time < (cutoff.astimezone(UTC).replace(tzinfo=None) if naive else cutoff)
    if entry.expiry is Expiry.DELETE:
        return older
    # Rows anonymised before are not counted again.
    names = (*entry.user_columns, *entry.cleared_columns)
    return and_(older, or_(*(entry.holds_something(name) for name in names)))


def prune_logged(
    sessions: sessionmaker[Session], settings: Settings, tables: Sequence[PersonalTable]
) -> bool:
    """One prune, its counts logged; False (and the reason logged) when it could not run."""
    try:
        retention = question_retention(settings)
        with sessions() as session:
            pruned = prune(session, tables, retention)
    except PrivacyError as error:
        log.error(MESSAGES.text("prune.failed", "en", reason=error.text.render("en")))
        return False
    except SQLAlchemyError as error:
        log.warning(MESSAGES.text("prune.failed", "en", reason=type(error).__name__), exc_info=True)
        return False
    counts = {p.entry.name: p.rows for p in pruned}
    log.info("privacy prune: %s", counts, extra={"fields": {"pruned": counts}})
    return True


def prune_daily(
    sessions: sessionmaker[Session],
    settings: Settings,
    tables: Sequence[PersonalTable],
    *,
    interval: timedelta = PRUNE_INTERVAL,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Prune now and then every `interval` (an hour after a failure) in a daemon thread, which ends
    with the process or when `stop` is set."""
    stopped = stop or threading.Event()

    def run() -> None:
        while True:
            wait = interval if prune_logged(sessions, settings, tables) else RETRY_INTERVAL
            if stopped.wait(wait.total_seconds()):
                return

    thread = threading.Thread(target=run, name="mailbot-prune", daemon=True)
    thread.start()
    return thread
