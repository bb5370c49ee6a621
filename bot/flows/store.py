"""What the flows keep in the database, so any instance can take any click.

- `flow_pending_changes`: a previewed change waiting for Confirm, and what became of it. A click
  claims the row with one conditional UPDATE, so a double click or a retried request acts once.
  Rows older than PENDING_RETENTION are deleted whenever a new one is stored (and by the daily prune).
- `flow_user_locales`: each Slack user's locale, so `users.info` is asked once a week, not per request;
  older rows are of no use and the daily prune deletes them.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import JSON, DateTime, ForeignKey, String, and_, delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.config import Lang
from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

# A preview older than this is not performed: the person should look at a fresh one.
PENDING_LIFETIME = timedelta(minutes=30)
# A Confirm (or Undo) claim this old was left by a worker that died before writing the result (a
# change takes milliseconds); another click may take it over. Making the change and recording it is
# one transaction, so such a claim made no change. Shorter than the Slack job queue's lease, so a
# click's job taken over from a dead worker finds its claim stale.
STALE_CLAIM = timedelta(seconds=15)
# Long past any Undo anyone still clicks in an old message; the audit log keeps the changes themselves.
PENDING_RETENTION = timedelta(days=7)
LOCALE_LIFETIME = timedelta(days=7)


class PendingState(enum.StrEnum):
    PENDING = "pending"  # previewed, waiting for Confirm or Cancel
    PERFORMING = "performing"  # claimed by a Confirm click
    DONE = "done"  # performed; `change_id` is its audit id
    REFUSED = "refused"  # a rule said no at Confirm time (something changed since the preview)
    CANCELLED = "cancelled"
    REQUESTED = "requested"  # sent to support as a customer's request (bot.customers.requests)
    UNDOING = "undoing"  # claimed by an Undo click
    UNDONE = "undone"


class PendingChange(Base):
    __tablename__ = "flow_pending_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(32))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)  # Change.to_dict()
    # The addresses the preview said would bounce (stored forms; NULL: none): Confirm makes no others bounce.
    bounces: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    user_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(16), default=PendingState.PENDING.value)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class UserLocale(Base):
    __tablename__ = "flow_user_locales"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(2), default=None)  # None: neither sv nor en
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


PERSONAL_DATA = (
    PersonalTable(
        "pending_changes",
        table_of(PendingChange),
        time_column="created_at",
        expiry=Expiry.DELETE,
        lifetime=PENDING_RETENTION,
        user_columns=("user_id",),
        erasure=Erasure.DELETE,
        exported={
            "id": "number",
            "created_at": "previewed_at",
            "flow_id": "flow",
            "change": "change",
            "bounces": "previewed_bounces",
            "state": "state",
            "claimed_at": "clicked_at",
            "change_id": "routing_change_number",
            "team_id": "workspace",
        },
    ),
    PersonalTable(
        "language_setting",
        table_of(UserLocale),
        time_column="fetched_at",
        expiry=Expiry.DELETE,
        lifetime=LOCALE_LIFETIME,
        user_columns=("user_id",),
        erasure=Erasure.DELETE,
        exported={"lang": "language", "fetched_at": "read_from_slack_at"},
    ),
)


def add_pending(
    session: Session,
    flow_id: str,
    change: dict[str, Any],
    user_id: str,
    team_id: str | None,
    bounces: tuple[str, ...] = (),
) -> int:
    session.execute(delete(PendingChange).where(PendingChange.created_at < utcnow() - PENDING_RETENTION))
    row = PendingChange(
        flow_id=flow_id, change=change, user_id=user_id, team_id=team_id, bounces=list(bounces) or None
    )
    session.add(row)
    session.commit()
    return row.id


# The claims a click may take over when they are STALE_CLAIM old: Confirm's and Undo's.
TAKEN_OVER_WHEN_STALE = {
    (PendingState.PENDING, PendingState.PERFORMING),
    (PendingState.DONE, PendingState.UNDOING),
}


def claim(session: Session, pending_id: int, from_state: PendingState, to_state: PendingState) -> bool:
    """Move the row from one state to the next; False if another click (anywhere) got there first.
    Confirm and Undo also take over a stale claim (STALE_CLAIM) of one that never finished."""
    now = utcnow()
    state = PendingChange.state == from_state.value
    if from_state is PendingState.PENDING:
        state = and_(state, PendingChange.created_at >= now - PENDING_LIFETIME)
    if (from_state, to_state) in TAKEN_OVER_WHEN_STALE:
        stale = and_(PendingChange.state == to_state.value, PendingChange.claimed_at < now - STALE_CLAIM)
        state = or_(state, stale)
    # Not synchronised with loaded rows: the database decides, the caller refreshes what it reads.
    # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed for any statement.
    result = cast(
        CursorResult[Any],
        session.execute(
            update(PendingChange)
            .where(PendingChange.id == pending_id, state)
            .values(state=to_state.value, claimed_at=now),
            execution_options={"synchronize_session": False},
        ),
    )
    session.commit()
    return result.rowcount == 1


def give_back(session: Session, pending_id: int, claimed: PendingState, previous: PendingState) -> None:
    """Undo a claim whose change failed (nothing was written), so the button works again at once."""
    session.execute(
        update(PendingChange)
        .where(PendingChange.id == pending_id, PendingChange.state == claimed.value)
        .values(state=previous.value)
    )
    session.commit()


def record_done(session: Session, pending_id: int, change_id: int | None) -> None:
    """Within the change's own transaction: the change and its result are written together or not at all."""
    session.execute(
        update(PendingChange)
        .where(PendingChange.id == pending_id)
        .values(state=PendingState.DONE.value, change_id=change_id)
    )


def record_undone(session: Session, pending_id: int) -> None:
    """Within the undo's own transaction, like `record_done`."""
    session.execute(
        update(PendingChange).where(PendingChange.id == pending_id).values(state=PendingState.UNDONE.value)
    )


def finish(session: Session, pending_id: int, state: PendingState) -> None:
    session.execute(update(PendingChange).where(PendingChange.id == pending_id).values(state=state.value))
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
