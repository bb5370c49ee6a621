"""What the Slack side keeps in the database, so any instance can serve any request.

- `slack_jobs` (`bot.slack.job_queue`): the work acknowledged and not yet done, and the receipts of
  what was taken in (an event, or the message a question came in: `bot.slack.redelivery`).
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
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from bot import models
from bot.db import Base, utcnow
from bot.privacy.registry import Erasure, Expiry, PersonalTable, table_of
from bot.slack import job_queue

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


class UserGroupMembers(Base):
    """One user group of one workspace (`entry` as configured: its id `S...` or handle `@name`)."""

    __tablename__ = "slack_user_groups"

    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the workspace asked ("" unknown)
    entry: Mapped[str] = mapped_column(String(100), primary_key=True)
    members: Mapped[list[Any]] = mapped_column(JSON)  # user ids; empty when the group is gone or disabled
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


PERSONAL_DATA = (
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
ALL_PERSONAL_DATA = (*models.PERSONAL_DATA, *PERSONAL_DATA, *job_queue.PERSONAL_DATA)
