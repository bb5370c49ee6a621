"""Routing tables. Postfix reads them directly (see `bot.routing.postfix`).

Every alias target, forward target, keep-a-copy and group member is one row of `routes`
(source -> destination), so Postfix's virtual_alias_maps lookup is one indexed query:
`SELECT destination FROM routes WHERE source = '%s'`. An address in an IDN domain also keeps the
form mail may name it by (`kontakt@exämpel.se`: `routes.source_unicode`, `mailboxes.address_unicode`),
so that key is one more index probe, not a join to `domains` for every key.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

# The largest id an Integer primary key holds on PostgreSQL (SQLite's go further): a change number
# beyond it cannot exist, and a database would refuse to compare a column with it.
MAX_ID = 2**31 - 1


class RouteKind(enum.StrEnum):
    ALIAS = "alias"  # alias address -> its mailbox
    FORWARD = "forward"  # mailbox -> forward target
    KEEP_COPY = "keep_copy"  # mailbox -> itself, so Postfix stops there and delivers a copy
    MEMBER = "member"  # group address -> member


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (Index("uq_domains_unicode_name", "unicode_name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)  # lowercase, IDN as punycode
    # An IDN's U-label as Postfix looks it up (casefolded; None for ASCII names): with
    # smtputf8_enable = yes mail may name `exämpel.se`, and the maps answer for it as for the A-label.
    unicode_name: Mapped[str | None] = mapped_column(String(253), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def unicode_key_index(name: str, column: str) -> Index:
    """The index of a U-label form column: only its rows in IDN domains (the rest are NULL), so it
    stays small and Postfix's probe of it for an ASCII key is cheap."""
    only_set = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=only_set, postgresql_where=only_set)


class Mailbox(Base):
    __tablename__ = "mailboxes"
    __table_args__ = (unicode_key_index("ix_mailboxes_address_unicode", "address_unicode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    # The address with its domain's U-label (`domains.unicode_name`), the key Postfix gets when mail
    # names the IDN that way; None in an ASCII domain. Written with the row (bot.routing.provisioning).
    address_unicode: Mapped[str | None] = mapped_column(String(254), default=None)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"), index=True)
    maildir: Mapped[str] = mapped_column(String(512))  # relative to virtual_mailbox_base, "domain/user/"
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DistributionGroup(Base):
    __tablename__ = "distribution_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Route(Base):
    __tablename__ = "routes"
    __table_args__ = (
        # Also Postfix's lookup index: `WHERE source = ?` reads destinations from the index alone.
        UniqueConstraint("source", "destination", name="uq_routes_source_destination"),
        # "Who points at this address?" (loop check, in-use check), also answered from the index alone.
        Index("ix_routes_destination_source", "destination", "source"),
        Index("ix_routes_destination_base_source", "destination_base", "source"),
        unicode_key_index("ix_routes_source_unicode", "source_unicode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(254))
    # `source` with its domain's U-label, as for `Mailbox.address_unicode` (bot.routing.writing).
    source_unicode: Mapped[str | None] = mapped_column(String(254), default=None)
    destination: Mapped[str] = mapped_column(String(254))
    # For a destination with an address extension (`anna+news@`), the address Postfix looks up when
    # no route has that exact source (`anna@`); None otherwise. Lets "who points at anna@" find it.
    destination_base: Mapped[str | None] = mapped_column(String(254), default=None)
    kind: Mapped[RouteKind] = mapped_column(
        Enum(RouteKind, native_enum=False, length=16, values_callable=lambda kinds: [k.value for k in kinds])
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One row per change, written in the same transaction as the change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(254), index=True)
    before: Mapped[Any | None] = mapped_column(JSON, default=None)
    after: Mapped[Any | None] = mapped_column(JSON, default=None)
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"), default=None)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"), default=None)
    # Who asked for the change when `actor` approved someone else's request (a customer's).
    requested_by: Mapped[str | None] = mapped_column(String(200), default=None)


# The audit is kept as long as the routing it explains; erasing a person gives their changes a pseudonym.
PERSONAL_DATA = (
    PersonalTable(
        "routing_changes",
        table_of(AuditEntry),
        time_column="at",
        expiry=Expiry.KEEP,
        user_columns=("actor", "requested_by"),
        erasure=Erasure.PSEUDONYMISE,
        exported={
            "id": "change_number",
            "at": "at",
            "action": "action",
            "subject": "address",
            "team": "workspace",
        },
    ),
)
