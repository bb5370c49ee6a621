"""Alembic environment: the engine comes from `bot.db.alembic_config`."""

from alembic import context

import bot.models  # noqa: F401  (registers every table on Base.metadata)
from bot.db import Base, lock_migrations, make_engine

engine = context.config.attributes.get("engine")
if engine is None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    lock_migrations(connection)  # one migrator at a time; alembic then reads the version it left
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
