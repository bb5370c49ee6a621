"""`mailbot --help` in Swedish and English: every command's and option's help exists in both languages
(and they differ), each command's `--help` shows it in the language chosen (`--lang` anywhere, else
MAILBOT_LANG) with Click's own words in that language too, and the installed `mailbot` does so."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.help import HELP, command_key, option_key
from bot.config import LANGS, Lang

# Click's English words, none of which a Swedish help may show (nor an option taking an INTEGER ...).
CLICK_ENGLISH = (
    *("Usage:", "Options:", "Commands:", "Show this message", "required]", "default:"),
    *("[OPTIONS]", "COMMAND [ARGS]"),
)
ENGLISH_METAVAR = re.compile(r"--[\w-]+ (INTEGER|PATH|FILE)\b")


def commands() -> Iterator[tuple[list[str], click.Command, click.Context]]:
    """Every command and group of `mailbot` (itself first): its path, itself, a context for it."""
    root = click.Context(main, info_name="mailbot", help_option_names=["-h", "--help"])

    def walk(
        path: list[str], command: click.Command, ctx: click.Context
    ) -> Iterator[tuple[list[str], click.Command, click.Context]]:
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk([*path, name], sub, click.Context(sub, info_name=name, parent=ctx))

    yield from walk([], main, root)


COMMANDS = list(commands())


def options(command: click.Command, ctx: click.Context) -> list[click.Option]:
    return [param for param in command.get_params(ctx) if isinstance(param, click.Option)]


def keys_in_use() -> set[str]:
    used = set()
    for _path, command, ctx in COMMANDS:
        key = command_key(ctx)
        used |= {key, *(option_key(key, option) for option in options(command, ctx))}
    return used


def test_every_command_and_option_has_its_help_in_both_languages_and_they_differ() -> None:
    missing, same = [], []
    for key in sorted(keys_in_use()):
        if key not in HELP.messages:
            missing.append(key)
        elif len({HELP.text(key, lang).strip() for lang in LANGS} - {""}) != len(LANGS):
            same.append(key)
    assert missing == [] and same == []
    assert len(COMMANDS) > 50  # every command was walked, not only the top


def test_every_help_text_belongs_to_a_command_or_option() -> None:
    words = {key for key in HELP.messages if not key.startswith("-") and " -" not in key}
    click_words = {"options", "commands", "options_metavar", "command_metavar", "required", "default"}
    metavars = {key for key in HELP.messages if key.startswith("metavar.")}
    commands = {command_key(ctx) for _path, _command, ctx in COMMANDS}
    assert words - click_words - metavars == commands
    options_in_help = {key for key in HELP.messages if key.startswith("-") or " -" in key}
    assert options_in_help <= keys_in_use()


def shown(output: str) -> str:
    """The help as one line: the formatter wraps text anywhere."""
    return " ".join(output.split())


@pytest.mark.parametrize("lang", LANGS)
def test_each_commands_help_is_in_the_language_chosen(lang: Lang) -> None:
    runner = CliRunner()
    other = "en" if lang == "sv" else "sv"
    for path, command, ctx in COMMANDS:
        # The language given on the command line wins over the setting.
        result = runner.invoke(main, ["--lang", lang, *path, "--help"], env={"MAILBOT_LANG": other})
        assert result.exit_code == 0, (path, result.output)
        text = shown(result.output)
        assert shown(HELP.text(command_key(ctx), lang)) in text, path
        for option in options(command, ctx):
            assert shown(HELP.text(option_key(command_key(ctx), option), lang)) in text, (path, option.opts)
        if lang == "sv":
            assert text.startswith("Användning: mailbot") and "Flaggor:" in text, path
            assert not [word for word in CLICK_ENGLISH if word in result.output], (path, result.output)
            assert not ENGLISH_METAVAR.search(result.output), (path, result.output)
        else:
            assert text.startswith("Usage: mailbot") and "Options:" in text, path


def test_click_s_words_are_swedish_too() -> None:
    result = CliRunner().invoke(main, ["request", "reject", "--help"], env={"MAILBOT_LANG": "sv"})
    assert "Användning: mailbot request reject [FLAGGOR] REQUEST_ID" in result.output
    assert "[krävs]" in result.output and "-h, --help" in result.output
    assert "Visa den här hjälpen och avsluta." in result.output
    group = CliRunner().invoke(main, ["--help"], env={"MAILBOT_LANG": "sv"})
    assert "Användning: mailbot [FLAGGOR] KOMMANDO [ARGUMENT]..." in group.output
    assert "\nKommandon:\n" in group.output and "  request " in group.output
    audit = CliRunner().invoke(main, ["audit", "--help"], env={"MAILBOT_LANG": "sv"})
    assert "--limit HELTAL" in audit.output and "[standard: 50]" in audit.output


def installed_mailbot(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
    """The `mailbot` executable installed with the package (the console script beside this Python)."""
    executable = Path(sys.executable).parent / "mailbot"
    environment = {**os.environ, "MAILBOT_LANG": lang}
    return subprocess.run(
        [str(executable), *args], capture_output=True, text=True, env=environment, check=False, timeout=60
    )


def test_the_installed_mailbot_prints_its_help_in_each_language() -> None:
    swedish = installed_mailbot("--help", lang="sv")
    assert swedish.returncode == 0, swedish.stderr
    assert swedish.stdout.startswith("Användning: mailbot [FLAGGOR] KOMMANDO [ARGUMENT]...")
    assert "Kommandon:" in swedish.stdout and "Distributionsgrupper: en adress som når alla" in swedish.stdout
    english = installed_mailbot("--help", lang="en")
    assert english.stdout.startswith("Usage: mailbot [OPTIONS] COMMAND [ARGS]...")
    assert "Kommandon" not in english.stdout and "Distribution groups: one address" in english.stdout

    alias_sv = installed_mailbot("--lang", "sv", "alias", "add", "--help", lang="en")
    assert "Låt post till ALIAS hamna i inkorgen hos MAILBOX." in alias_sv.stdout
    assert "Visa den här hjälpen och avsluta." in alias_sv.stdout and "Options" not in alias_sv.stdout
    alias_en = installed_mailbot("--lang", "en", "alias", "add", "--help", lang="sv")
    assert "Let mail to ALIAS land in MAILBOX's inbox." in alias_en.stdout
    assert "Show this message and exit." in alias_en.stdout and "Flaggor" not in alias_en.stdout


def test_the_language_given_before_the_command_is_the_whole_runs(tmp_path: Path) -> None:
    env = {"MAILBOT_LANG": "sv", "DATABASE_URL": f"sqlite:///{tmp_path / 'mailbot.db'}"}
    upgraded = CliRunner().invoke(main, ["--lang", "en", "db", "upgrade"], env=env)
    assert upgraded.exit_code == 0 and upgraded.output == "database is up to date\n"
    refused = CliRunner().invoke(main, ["--lang", "en", "undo", "x"], env=env)
    assert refused.exit_code == 2 and "Error: Invalid value for 'CHANGE_ID'" in refused.output
