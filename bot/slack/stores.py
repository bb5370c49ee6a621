"""What the Slack side keeps in the database, so any instance can serve any request.

- `slack_event_receipts`: what was already taken in, so an event Slack delivers again
  (`X-Slack-Retry-Num`) to this or another instance is handled once: each event's id, and for a
  question the message it came in (`message:<channel>:<ts>`, see `bot.slack.redelivery`), so an
  edited mention (a new event about the same message) is not answered again.
- `slack_user_groups`: the members of the user groups named in MAILBOT_AGENTS / MAILBOT_ADMINS, as
  Slack last listed them (see `bot.slack.user_groups`).
- `slack_installations`, `slack_bots`, `slack_oauth_states`: slack_sdk's own SQLAlchemy stores for
  the multi-workspace install, declared on our metadata so our migrations create them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import JSON, DateTime, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot import models
from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of

# Slack gives up retrying an event after about an hour; receipts older than a day are of no use.
RECEIPT_LIFETIME = timedelta(days=1)
# A user group's members as Slack last listed them serve at most this long (see bot.slack.user_groups).
GROUP_STALE_LIMIT = timedelta(minutes=30)

installations_table = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
bots_table = SQLAlchemyInstallationStore.build_bots_table(
    Base.metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
oauth_states_table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, SQLAlchemyOAuthStateStore.default_table_name
)


class EventReceipt(Base):
    __tablename__ = "slack_event_receipts"

    # An event id, or a message's key (`message:<channel>:<ts>`): the column keeps its first name.
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class UserGroupMembers(Base):
    """One user group of one workspace (`entry` as configured: its id `S...` or handle `@name`)."""

    __tablename__ = "slack_user_groups"

    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the workspace asked ("" unknown)
    entry: Mapped[str] = mapped_column(String(100), primary_key=True)
    members: Mapped[list[Any]] = mapped_column(JSON)  # user ids; empty when the group is gone or disabled
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


PERSONAL_DATA = (
    # Technical rows: an event id and when it came, nobody's id; deleted after RECEIPT_LIFETIME.
    PersonalTable(
        "event_receipts",
        table_of(EventReceipt),
        time_column="received_at",
        expiry=Expiry.DELETE,
        lifetime=RECEIPT_LIFETIME,
    ),
    # An install link's state, of no use once it expired (slack_sdk deletes only the states it consumes).
    PersonalTable(
        "oauth_states",
        oauth_states_table,
        time_column="expire_at",
        expiry=Expiry.DELETE,
        lifetime=timedelta(0),
    ),
    # A cache of Slack's own lists (user ids in JSON, found by no user column): refreshed every few
    # minutes, so an erased person leaves it with Slack's next list; old rows are deleted.
    PersonalTable(
        "user_group_members",
        table_of(UserGroupMembers),
        time_column="fetched_at",
        expiry=Expiry.DELETE,
        lifetime=GROUP_STALE_LIMIT,
    ),
    # The workspace's installation (its bot token) names the person who installed the app.
    PersonalTable(
        "slack_installations",
        installations_table,
        time_column="installed_at",
        expiry=Expiry.KEEP,
        user_columns=("user_id",),
        erasure=Erasure.PSEUDONYMISE,
        exported={"team_id": "workspace", "team_name": "workspace_name", "installed_at": "installed_at"},
    ),
)


# Every table holding people's data: the core's and the Slack adapter's (`mailbot privacy`, the daily prune).
ALL_PERSONAL_DATA = (*models.PERSONAL_DATA, *PERSONAL_DATA)


def first_delivery(sessions: sessionmaker, key: str) -> bool:
    """Record `key` (an event id or a message's); False when it was recorded before (a redelivery, maybe
    to another instance)."""
    with sessions() as session:
        session.execute(delete(EventReceipt).where(EventReceipt.received_at < utcnow() - RECEIPT_LIFETIME))
        session.add(EventReceipt(event_id=key))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True
