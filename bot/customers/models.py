"""The customers' tables: who a customer is, the domains they own, the Slack people who speak for them,
and the changes their people asked support for.

A domain belongs to at most one customer (`customer_domains` is keyed by the domain). A Slack
workspace or user is one customer's (unique `kind` + `slack_id`), so whoever asks is recognised as
one customer's user or as nobody's.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomerDomain(Base):
    __tablename__ = "customer_domains"

    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)


class MemberKind(enum.StrEnum):
    TEAM = "team"  # everyone of a Slack workspace (team id T..., or an organisation E...)
    USER = "user"  # one Slack user (U... or W...)


class CustomerMember(Base):
    """A Slack workspace or user recognised as the customer's; a user may be the customer's admin."""

    __tablename__ = "customer_members"
    __table_args__ = (UniqueConstraint("kind", "slack_id", name="uq_customer_members_kind_slack_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    slack_id: Mapped[str] = mapped_column(String(64))
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestState(enum.StrEnum):
    OPEN = "open"  # waiting for an agent
    APPROVING = "approving"  # claimed by an Approve click
    APPROVED = "approved"  # made; `change_id` is its audit id
    REJECTED = "rejected"


class ChangeRequest(Base):
    """A change a customer's person asked for, as they saw it previewed, until an agent decides."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None, index=True
    )
    flow_id: Mapped[str] = mapped_column(String(32))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)  # Change.to_dict()
    # The changed address as the request's latest preview found it: Approve applies the change only
    # from that state (else it shows the new verdict and asks again).
    previewed: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The addresses that preview said would bounce (stored forms; NULL: none): Approve makes no others bounce.
    bounces: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    requester: Mapped[str] = mapped_column(String(64))
    requester_team: Mapped[str | None] = mapped_column(String(64), default=None)
    requester_lang: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default=RequestState.OPEN.value)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"), default=None)
    # Where the request was posted for agents (channel id and message ts), to show the decision there.
    posted_channel: Mapped[str | None] = mapped_column(String(64), default=None)
    posted_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    # Where the request came in, as the adapter that took it names it (Slack: the workspace, whose bot
    # token shows a decision made in the terminal). None: the terminal chat's, never in Slack.
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


PERSONAL_DATA = (
    # A Slack user listed as a customer's (a workspace's id names no person): kept while listed.
    PersonalTable(
        "customer_listings",
        table_of(CustomerMember),
        time_column="created_at",
        expiry=Expiry.KEEP,
        user_columns=("slack_id",),
        erasure=Erasure.DELETE,
        exported={"kind": "kind", "admin": "admin", "created_at": "listed_at"},
    ),
    # Requests are records of who asked for a change and who decided: erasure gives them pseudonyms.
    PersonalTable(
        "change_requests",
        table_of(ChangeRequest),
        time_column="created_at",
        expiry=Expiry.DELETE,
        user_columns=("requester", "decided_by"),
        erasure=Erasure.PSEUDONYMISE,
        exported={
            "id": "number",
            "created_at": "requested_at",
            "flow_id": "flow",
            "change": "change",
            "state": "state",
            "reason": "reason",
            "decided_at": "decided_at",
            "change_id": "routing_change_number",
            "requester_team": "workspace",
        },
    ),
)
