"""What the Slack side keeps in the database, so any instance can serve any request.

- `slack_event_receipts`: the event ids already taken in, so an event Slack delivers again
  (`X-Slack-Retry-Num`) to this or another instance is handled once.
- `slack_installations`, `slack_bots`, `slack_oauth_states`: slack_sdk's own SQLAlchemy stores for
  the multi-workspace install, declared on our metadata so our migrations create them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import DateTime, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from bot.db import Base, utcnow

# Slack gives up retrying an event after about an hour; receipts older than a day are of no use.
RECEIPT_LIFETIME = timedelta(days=1)

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

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def first_delivery(sessions: sessionmaker, event_id: str) -> bool:
    """Record the event id; False when it was recorded before (a redelivery, maybe to another instance)."""
    with sessions() as session:
        session.execute(delete(EventReceipt).where(EventReceipt.received_at < utcnow() - RECEIPT_LIFETIME))
        session.add(EventReceipt(event_id=event_id))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True
