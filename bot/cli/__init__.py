"""The `mailbot` command. Each area adds its subcommands in a module of this package."""

from __future__ import annotations

import click

from bot.cli import answers, chat, customers, database, examples, privacy, routing, slack
from bot.config import load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """mailbot: explains aliases, forwards and groups, and changes the mail routing Postfix reads."""
    ctx.obj = load_settings()


# Each area of the command line adds its subcommands.
for area in (database, answers, examples, chat, slack, routing, customers, privacy):
    area.register(main)
