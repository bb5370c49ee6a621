"""`mailbot db upgrade`: apply schema migrations."""

from __future__ import annotations

import click

from bot.config import Settings
from bot.db import make_engine, upgrade


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply every pending schema migration to DATABASE_URL."""
    upgrade(make_engine(settings.database_url))
    click.echo("database is up to date")


def register(main: click.Group) -> None:
    main.add_command(db_group)
