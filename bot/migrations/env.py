"""Alembic environment: the engine comes from `bot.db.alembic_config`."""

from alembic import context

import bot.models  # noqa: F401  (registers the core's tables on Base.metadata)
import bot.slack.stores  # noqa: F401  (and the Slack adapter's)
from bot.db import Base, make_engine

engine = context.config.attributes.get("engine")
if engine is None:  # run by plain `alembic`, not through bot.db
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set sqlalchemy.url, or migrate with `mailbot db upgrade`")
    engine = make_engine(url)

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
