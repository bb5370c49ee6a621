"""What several command modules share: opening the database with a clear message when it cannot be."""

from __future__ import annotations

import click
from sqlalchemy.orm import sessionmaker

from bot.config import Lang
from bot.db import DatabaseUnusable, open_database


def database(url: str, lang: Lang) -> sessionmaker:
    """The migrated database's sessions; a wrong DATABASE_URL is a usage error (exit 2), a database
    that cannot be opened ends the command with exit 1, both with a message instead of a traceback."""
    try:
        return open_database(url)
    except DatabaseUnusable as error:
        if error.bad_url:
            raise click.UsageError(error.text.render(lang)) from None
        raise click.ClickException(error.text.render(lang)) from None
