"""The `mailbot` command. Each area adds its subcommands in a module of this package.

Whatever goes wrong that a user can cause is said in their language (`--lang`, else MAILBOT_LANG)
with an exit status that says what kind of thing it was (see `bot.cli.usage`), never as a traceback;
`--help` is in that language too (`bot.cli.help`). `mailbot --lang sv|en COMMAND` sets the language
of the whole run, as MAILBOT_LANG would; a command's own `--lang` sets its output's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from bot.cli import answers, chat, customers, database, examples, privacy, routing, slack
from bot.cli.help import HelpGroup
from bot.cli.usage import (
    EXIT_DATABASE,
    LANG_KEY,
    USAGE,
    CommandFailed,
    LocalisedError,
    requested_lang,
    setting_problem,
)
from bot.config import LANGS, Lang, SettingError, Settings, env_lang, load_settings
from bot.db import database_problem


class MailbotGroup(HelpGroup):
    """The root group: turns every Click error and unusable database into a localised message."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Before the arguments are parsed: `--help` is shown while they are.
        ctx.meta[LANG_KEY] = requested_lang(args) or env_lang()
        return super().parse_args(ctx, args)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        lang = requested_lang(args) or env_lang()
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # `mailbot` alone: Click shows the help, which is all it needs
        except click.ClickException as error:
            raise LocalisedError(error, lang) from None
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        lang = ctx.meta[LANG_KEY]
        try:
            return super().invoke(ctx)
        except (LocalisedError, click.exceptions.NoArgsIsHelpError):
            raise  # said already, or a group named without its command: Click shows the help
        except click.ClickException as error:
            raise LocalisedError(error, lang) from None
        except (click.Abort, KeyboardInterrupt):
            raise LocalisedError(CommandFailed(USAGE("aborted"), 1), lang) from None
        except DBAPIError as error:
            settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
            problem = database_problem(error, settings.database_url, settings.lock_timeout)
            if problem is None:
                raise  # not the database's state but a bug: the traceback is what helps then
            raise LocalisedError(CommandFailed(problem, EXIT_DATABASE), lang) from None


@click.group("mailbot", cls=MailbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(LANGS), default=None)
@click.pass_context
def main(ctx: click.Context, lang: Lang | None) -> None:
    try:
        settings = load_settings()
    except SettingError as error:
        raise setting_problem(error) from None
    ctx.obj = settings if lang is None else replace(settings, default_lang=lang)


# Each area of the command line adds its subcommands.
for area in (database, answers, examples, chat, slack, routing, customers, privacy):
    area.register(main)
