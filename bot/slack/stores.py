"""What the Slack side keeps in the database, so any instance can serve any request.

- `slack_jobs` (`bot.slack.job_queue`): the work acknowledged and not yet done, and the receipts of
  the events taken in.
- `slack_installations`, `slack_bots`, `slack_oauth_states`: slack_sdk's own SQLAlchemy stores for
  the multi-workspace install, declared on our metadata so our migrations create them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.db import Base

installations_table = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
bots_table = SQLAlchemyInstallationStore.build_bots_table(
    Base.metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
oauth_states_table = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, SQLAlchemyOAuthStateStore.default_table_name
)
