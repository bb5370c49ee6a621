"""`mailbot db upgrade`: apply schema migrations."""

from __future__ import annotations

import click

from bot.cli.common import LANG_OPTION, MESSAGES, database
from bot.cli.help import HelpGroup
from bot.config import Lang, Settings


@click.group("db", cls=HelpGroup)
def db_group() -> None: ...


@db_group.command("upgrade")
@LANG_OPTION
@click.pass_obj
def db_upgrade(settings: Settings, lang: Lang | None) -> None:
    lang = lang or settings.default_lang
    database(settings)  # opening the database migrates it, or says why it cannot
    click.echo(MESSAGES.text("db.upgraded", lang))


def register(main: click.Group) -> None:
    main.add_command(db_group)
