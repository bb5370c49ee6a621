"""Customers' change requests in the database: opened from a preview, claimed once by an approving
agent (like the flows' pending changes), decided, and shown to agents and the requester.

The approval itself (who may, applying exactly what was previewed) is `bot.flows.approvals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from bot.customers.models import ChangeRequest, Customer, RequestState
from bot.db import utcnow

# An Approve claim this old was left by a worker that died before it finished (a change takes
# milliseconds); another Approve may take it over. The change and "approved" are one transaction.
# Shorter than the Slack job queue's lease (as the flows' claims), so an Approve's job taken over
# from a dead worker finds its claim stale.
STALE_CLAIM = timedelta(seconds=15)
MAX_REASON = 2000


def open_request(
    session: Session,
    flow_id: str,
    change: dict[str, Any],
    *,
    previewed: dict[str, Any] | None,
    bounces: tuple[str, ...],
    requester: str,
    requester_team: str | None,
    requester_lang: str,
    customer_id: int | None,
    origin: dict[str, Any] | None,
) -> int:
    row = ChangeRequest(
        flow_id=flow_id,
        change=change,
        previewed=previewed,
        bounces=list(bounces) or None,
        requester=requester,
        requester_team=requester_team,
        requester_lang=requester_lang,
        customer_id=customer_id,
        origin=origin,
    )
    session.add(row)
    session.commit()
    return row.id


def claim_request(
    session: Session, request_id: int, from_state: RequestState, to_state: RequestState, **values: Any
) -> bool:
    """Move the request from one state to the next (with `values`), in the caller's transaction; False
    if another click got there first. Approve also takes over a stale claim of an Approve that never
    finished."""
    now = utcnow()
    state = ChangeRequest.state == from_state.value
    if from_state is RequestState.OPEN and to_state is RequestState.APPROVING:
        stale = and_(
            ChangeRequest.state == RequestState.APPROVING.value, ChangeRequest.claimed_at < now - STALE_CLAIM
        )
        state = or_(state, stale)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ChangeRequest)
            .where(ChangeRequest.id == request_id, state)
            .values(state=to_state.value, claimed_at=now, **values),
            execution_options={"synchronize_session": False},
        ),
    )
    return result.rowcount == 1


def record_approved(session: Session, request_id: int, change_id: int, approver: str) -> None:
    """Within the change's own transaction: the change and "approved" are written together or not at all."""
    session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == request_id)
        .values(
            state=RequestState.APPROVED.value, change_id=change_id, decided_by=approver, decided_at=utcnow()
        )
    )


def reopen(
    session: Session, request_id: int, previewed: dict[str, Any] | None, bounces: Sequence[str] | None
) -> None:
    """An Approve that made nothing (routing changed, or a rule said no): open again, as now previewed
    (in the caller's transaction)."""
    session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == request_id)
        .values(state=RequestState.OPEN.value, previewed=previewed, bounces=list(bounces or ()) or None)
    )


def mark_posted(session: Session, request_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == request_id)
        .values(posted_channel=channel, posted_ts=ts)
    )
    session.commit()


def customer_name(session: Session, request: ChangeRequest) -> str | None:
    if request.customer_id is None:
        return None
    return session.scalar(select(Customer.name).where(Customer.id == request.customer_id))


def customer_requests(
    session: Session, customer_id: int, *, waiting: int, decided: int, requester: str | None = None
) -> tuple[list[ChangeRequest], list[ChangeRequest]]:
    """One customer's requests (or only those `requester` made): up to `waiting` still waiting for an
    agent (newest first; one being approved right now among them) and the `decided` latest decided."""
    theirs = select(ChangeRequest).where(ChangeRequest.customer_id == customer_id)
    if requester is not None:
        theirs = theirs.where(ChangeRequest.requester == requester)
    waiting_states = (RequestState.OPEN.value, RequestState.APPROVING.value)
    open_rows = session.scalars(
        theirs.where(ChangeRequest.state.in_(waiting_states)).order_by(ChangeRequest.id.desc()).limit(waiting)
    )
    decided_rows = session.scalars(
        theirs.where(ChangeRequest.state.not_in(waiting_states))
        .order_by(ChangeRequest.decided_at.desc(), ChangeRequest.id.desc())
        .limit(decided)
    )
    return list(open_rows), list(decided_rows)


def requests(session: Session, state: RequestState | None = None, limit: int = 50) -> list[ChangeRequest]:
    """The newest requests first (of one state, or all)."""
    query = select(ChangeRequest).order_by(ChangeRequest.id.desc()).limit(limit)
    if state is not None:
        query = query.where(ChangeRequest.state == state.value)
    return list(session.scalars(query))
