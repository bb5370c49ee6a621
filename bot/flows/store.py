"""What the flows keep in the database, so any instance can take any click.

- `flow_pending_changes`: a previewed change waiting for Confirm, and what became of it. A click
  claims the row with one conditional UPDATE, so a double click or a retried request acts once.
- `flow_user_locales`: each Slack user's locale, so `users.info` is asked once a week, not per request.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.config import Lang
from bot.db import Base
from bot.routing.models import utcnow

# A preview older than this is not performed: the person should look at a fresh one.
PENDING_LIFETIME = timedelta(minutes=30)
LOCALE_LIFETIME = timedelta(days=7)


class PendingState(enum.StrEnum):
    PENDING = "pending"  # previewed, waiting for Confirm or Cancel
    PERFORMING = "performing"  # claimed by a Confirm click
    DONE = "done"  # performed; `change_id` is its audit id
    REFUSED = "refused"  # a rule said no at Confirm time (something changed since the preview)
    CANCELLED = "cancelled"
    UNDOING = "undoing"  # claimed by an Undo click
    UNDONE = "undone"


class PendingChange(Base):
    __tablename__ = "flow_pending_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)  # Change.to_dict()
    user_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16), default=PendingState.PENDING.value)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserLocale(Base):
    __tablename__ = "flow_user_locales"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(2), default=None)  # None: neither sv nor en
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def add_pending(
    session: Session, flow_id: str, change: dict[str, Any], user_id: str, team_id: str | None
) -> int:
    row = PendingChange(flow_id=flow_id, change=change, user_id=user_id, team_id=team_id)
    session.add(row)
    session.commit()
    return row.id


def claim(session: Session, pending_id: int, from_state: PendingState, to_state: PendingState) -> bool:
    """Move the row from one state to the next; False if another click (anywhere) got there first."""
    conditions = [PendingChange.id == pending_id, PendingChange.state == from_state.value]
    if from_state is PendingState.PENDING:
        conditions.append(PendingChange.created_at >= utcnow() - PENDING_LIFETIME)
    # Not synchronised with loaded rows: the database decides, the caller refreshes what it reads.
    result = session.execute(
        update(PendingChange).where(*conditions).values(state=to_state.value),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return result.rowcount == 1


def finish(session: Session, pending_id: int, state: PendingState, change_id: int | None = None) -> None:
    values: dict[str, Any] = {"state": state.value}
    if change_id is not None:
        values["change_id"] = change_id
    session.execute(update(PendingChange).where(PendingChange.id == pending_id).values(**values))
    session.commit()


def locale_lang(locale: str | None) -> Lang | None:
    """Slack's locale ("sv-SE", "en-GB") as one of our languages, or None for any other."""
    prefix = (locale or "").lower()[:2]
    return prefix if prefix in ("sv", "en") else None  # type: ignore[return-value]


def cached_lang(session: Session, user_id: str) -> tuple[bool, Lang | None]:
    """(known, lang): known is False when the user's locale must be asked for (again)."""
    row = session.scalar(
        select(UserLocale).where(
            UserLocale.user_id == user_id, UserLocale.fetched_at >= utcnow() - LOCALE_LIFETIME
        )
    )
    if row is None:
        return False, None
    return True, locale_lang(row.lang)


def remember_locale(session: Session, user_id: str, locale: str | None) -> None:
    row = session.get(UserLocale, user_id) or UserLocale(user_id=user_id)
    row.lang = locale_lang(locale)
    row.fetched_at = utcnow()
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # a concurrent request of the same user stored it first: as good
