"""The `mailbot` command. Each area adds its subcommands in a module of this package."""

from __future__ import annotations

import importlib

import click

from bot.config import load_settings

# Modules with a `register(main: click.Group)` function, one per area of the command line.
COMMAND_MODULES = (
    "bot.cli.database",
    "bot.cli.answers",
    "bot.cli.chat",
    "bot.cli.slack",
    "bot.cli.routing",
    "bot.cli.privacy",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """mailbot: explains aliases, forwards and groups, and changes the mail routing Postfix reads."""
    ctx.obj = load_settings()


for module_name in COMMAND_MODULES:
    importlib.import_module(module_name).register(main)
