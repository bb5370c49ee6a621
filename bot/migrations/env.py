"""Alembic environment: the engine comes from `bot.db.alembic_config` (there is no alembic.ini)."""

from alembic import context
from sqlalchemy import Engine

import bot.models  # noqa: F401  (registers the core's tables on Base.metadata)
import bot.slack.stores  # noqa: F401  (and the Slack adapter's)
from bot.db import Base, lock_migrations

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    lock_migrations(connection)  # one migrator at a time; alembic then reads the version it left
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
