"""One person's data: erase it (`erase`) or give them a copy (`export`), found by their Slack user id
in the tables `bot.privacy.registry` declares.

Erasure anonymises or deletes their rows; records that must stay (the routing audit, the workspace's
installation) keep them under a stable pseudonym, an HMAC of the user id with
MAILBOT_PSEUDONYM_SECRET, so the audit still shows which changes one person made; rows something
else relies on (an example taught from their question) are withdrawn from use by their own module.
The erasure is audited itself, under that pseudonym, never the user id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.config import Lang
from bot.db import utcnow
from bot.privacy.messages import MESSAGES, PrivacyError
from bot.privacy.registry import Erasure, PersonalTable
from bot.privacy.retention import changed_rows
from bot.routing.models import AuditEntry

# Slack user ids: U (or W, Enterprise Grid) and upper-case letters and digits.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
MIN_SECRET_LENGTH = 16
PSEUDONYM_PREFIX = "erased-"
ACTION_ERASE = "privacy.erase"


def slack_user(value: str) -> str:
    """A Slack user id as typed (surrounding spaces ignored); PrivacyError for anything else."""
    user_id = value.strip()
    if not SLACK_USER_ID.fullmatch(user_id):
        raise PrivacyError(MESSAGES("bad_user", value=value[:80]))
    return user_id


def pseudonym(user_id: str, secret: str | None) -> str:
    """The same person always gets the same pseudonym; without the secret it cannot be traced back."""
    if secret is None or len(secret) < MIN_SECRET_LENGTH:
        raise PrivacyError(MESSAGES("no_secret", least=MIN_SECRET_LENGTH))
    digest = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:16]


@dataclass(frozen=True)
class Erased:
    pseudonym: str
    change_id: int  # the audit row that records the erasure
    rows: list[tuple[PersonalTable, int]]  # every declared table that names people, with the rows changed


def erase(
    session: Session,
    tables: Sequence[PersonalTable],
    user_id: str,
    *,
    secret: str | None,
    actor: str,
    now: datetime | None = None,
) -> Erased:
    """Erase everything about `user_id` in one transaction, audited as done by `actor`.
    PrivacyError (nothing changed) for a malformed id, a missing secret or a person we know nothing of."""
    user_id = slack_user(user_id)
    alias = pseudonym(user_id, secret)
    named = [entry for entry in tables if entry.user_columns]
    # Withdrawals go first: they also find the person's words by the texts other tables still hold.
    order = sorted(range(len(named)), key=lambda number: named[number].erasure is not Erasure.WITHDRAW)
    counts = {number: _erase_from(session, named[number], user_id, alias) for number in order}
    rows = [(entry, counts[number]) for number, entry in enumerate(named)]
    if not any(count for _, count in rows):
        session.rollback()
        raise PrivacyError(MESSAGES("unknown_user", user=user_id))
    record = AuditEntry(
        at=now or utcnow(),
        actor=actor,
        action=ACTION_ERASE,
        subject=alias,
        after={"rows": {entry.name: count for entry, count in rows}},
    )
    session.add(record)
    session.commit()
    return Erased(alias, record.id, rows)


def _erase_from(session: Session, entry: PersonalTable, user_id: str, alias: str) -> int:
    if entry.withdraw is not None:
        return entry.withdraw(session, user_id, alias)
    theirs = _names(entry, user_id)
    if entry.erasure is Erasure.DELETE:
        return changed_rows(session, delete(entry.table).where(theirs))
    if entry.erasure is Erasure.PSEUDONYMISE:
        changed = 0
        for name in entry.user_columns:
            statement = update(entry.table).where(entry.column(name) == user_id).values({name: alias})
            changed += changed_rows(session, statement)
        return changed
    changed = 0
    not_theirs = and_(*(entry.column(name).is_distinct_from(user_id) for name in entry.user_columns))
    for name in entry.text_columns:
        # Copies of their texts in other people's rows go first, while their own rows still show them.
        their_texts = select(entry.column(name)).where(theirs, entry.holds_something(name))
        copies = update(entry.table).where(not_theirs, entry.column(name).in_(their_texts))
        changed += changed_rows(session, copies.values(entry.emptied([name])))
    return changed + changed_rows(session, update(entry.table).where(theirs).values(entry.emptied()))


def _names(entry: PersonalTable, user_id: str) -> ColumnElement[bool]:
    return or_(*(entry.column(name) == user_id for name in entry.user_columns))


def export(
    session: Session,
    tables: Sequence[PersonalTable],
    user_id: str,
    *,
    titles: Mapping[str, str],
    lang: Lang,
    retention: timedelta,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything about `user_id`, as one JSON-ready document the person can read: a section per kind
    of row, dates in ISO 8601 (UTC), articles with their title (`titles`: topic id -> title in `lang`).
    PrivacyError for a malformed id or a person we know nothing of."""
    user_id = slack_user(user_id)
    at = _iso(now or utcnow())
    sections = {entry.name: _rows_of(session, entry, user_id, titles) for entry in tables if entry.exported}
    if not any(sections.values()):
        raise PrivacyError(MESSAGES("unknown_user", user=user_id))
    about = MESSAGES.text("export.about", lang, user=user_id, at=at, days=retention.days)
    return {"slack_user": user_id, "exported_at": at, "about": about, **sections}


def _rows_of(
    session: Session, entry: PersonalTable, user_id: str, titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Their rows, oldest first (sorted here: ORDER BY would make SQLite walk the time index)."""
    columns = [entry.column(name) for name in entry.exported]
    time = entry.column(entry.time_column)
    rows = session.execute(select(time, *columns).where(_names(entry, user_id))).all()
    return [
        {
            entry.exported[name]: _shown(value, titles if name == entry.article_column else None)
            for name, value in zip(entry.exported, row[1:], strict=True)
        }
        for row in sorted(rows, key=lambda row: _iso(row[0]))
    ]


def _shown(value: Any, titles: Mapping[str, str] | None) -> Any:
    if titles is not None and value is not None:
        return {"id": value, "title": titles.get(value)}
    return _iso(value) if isinstance(value, datetime) else value


def _iso(moment: datetime) -> str:
    """UTC in ISO 8601; SQLite gives back naive times, which are UTC here."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()
