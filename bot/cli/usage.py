"""The command line's errors in the user's language: usage errors (Click's own and ours, exit 2)
and a database that cannot be used (exit 3), said instead of a traceback.

Click words its usage errors in English ("Usage: ... Error: Missing argument"); `localise` turns
each kind of Click error into our own sv/en text from what the exception carries (the parameter,
the option's name), so no English is wrapped around a Swedish message. The language is the
command line's `--lang` when given, else MAILBOT_LANG.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence
from typing import IO, Any

import click

from bot.config import LANGS, Lang, SettingError, env_lang
from bot.i18n import Catalog, Text

EXIT_REFUSED = 1  # a rule refused the request (the message names it); nothing written
EXIT_USAGE = 2  # the command line or its input file is wrong; nothing written
EXIT_DATABASE = 3  # the database cannot be used now (busy, read-only, unreachable ...); nothing written

USAGE = Catalog(
    "usage",
    {
        "usage": {"sv": "Användning: {usage}", "en": "Usage: {usage}"},
        "try_help": {
            "sv": "Prova '{command} {option}' för hjälp.",
            "en": "Try '{command} {option}' for help.",
        },
        "error": {"sv": "Fel: {message}", "en": "Error: {message}"},
        "aborted": {"sv": "Avbrutet.", "en": "Aborted."},
        "invalid_value": {
            "sv": "Ogiltigt värde för {param}: {detail}",
            "en": "Invalid value for {param}: {detail}",
        },
        "missing_argument": {"sv": "Argumentet {name} saknas.", "en": "Missing argument {name}."},
        "missing_option": {"sv": "Flaggan {name} saknas.", "en": "Missing option {name}."},
        "no_such_option": {"sv": "Det finns ingen flagga {name}.", "en": "There is no option {name}."},
        "no_such_command": {"sv": "Det finns inget kommando {name}.", "en": "There is no command {name}."},
        "did_you_mean": {"sv": "{message} Menade du {names}?", "en": "{message} Did you mean {names}?"},
        "needs_value": {"sv": "Flaggan {name} behöver ett värde.", "en": "The option {name} needs a value."},
        "takes_no_value": {
            "sv": "Flaggan {name} tar inget värde.",
            "en": "The option {name} takes no value.",
        },
        "extra_arguments": {"sv": "Oväntade argument: {args}.", "en": "Unexpected extra arguments: {args}."},
        "missing_command": {"sv": "Ange ett kommando.", "en": "Name a command."},
        "not_whole_number": {"sv": '"{value}" är inget heltal.', "en": '"{value}" is not a whole number.'},
        "not_in_range": {
            "sv": "{value} ligger utanför {low} till {high}.",
            "en": "{value} is outside {low} to {high}.",
        },
        "below_minimum": {"sv": "{value} är mindre än {low}.", "en": "{value} is less than {low}."},
        "one_of": {"sv": "välj ett av: {choices}.", "en": "choose one of: {choices}."},
        "number": {"sv": "ange ett tal.", "en": "give a number."},
        "unusable": {"sv": "går inte att använda ({reason}).", "en": "cannot be used ({reason})."},
        # Why a file or folder cannot be used (the operating system says it in English only).
        "os.ENOENT": {"sv": "den finns inte", "en": "it does not exist"},
        "os.EACCES": {"sv": "åtkomst nekad", "en": "permission denied"},
        "os.EISDIR": {"sv": "det är en mapp", "en": "it is a folder"},
        "os.ENOTDIR": {"sv": "en del av sökvägen är ingen mapp", "en": "a part of the path is no folder"},
        "os.EROFS": {"sv": "filsystemet är skrivskyddat", "en": "the file system is read-only"},
        "os.ENOSPC": {"sv": "disken är full", "en": "the disk is full"},
        "os.EEXIST": {"sv": "den finns redan", "en": "it exists already"},
        "os.other": {"sv": "{reason}", "en": "{reason}"},
        "bad_setting": {
            "sv": "{name}={value} går inte att använda: ange ett tal från {low:g} till {high:g}.",
            "en": "{name}={value} cannot be used: give a number from {low:g} to {high:g}.",
        },
    },
)


class UsageProblem(click.UsageError):
    """A usage error (exit 2) whose message is a sv/en Text, rendered once the language is known."""

    def __init__(self, text: Text, ctx: click.Context | None = None, param_hint: str | None = None) -> None:
        super().__init__(text.render("en"), ctx)
        self.text = text
        self.param_hint = param_hint


class CommandFailed(click.ClickException):
    """A message and an exit status (the database's state, exit 3, or a refusal, exit 1)."""

    def __init__(self, text: Text, exit_code: int) -> None:
        super().__init__(text.render("en"))
        self.text = text
        self.exit_code = exit_code  # type: ignore[misc]  # Click reads it from the instance


class LocalisedError(click.ClickException):
    """A Click error as the user sees it, in their language (what Click's `main` shows)."""

    def __init__(self, error: click.ClickException, lang: Lang) -> None:
        super().__init__(error.format_message())
        self.error = error
        self.lang = lang
        self.exit_code = error.exit_code  # type: ignore[misc]  # Click reads it from the instance

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.render(), file=file, err=file is None)

    def render(self) -> str:
        error, lang = self.error, self.lang
        if isinstance(error, CommandFailed):
            return error.text.render(lang)
        if not isinstance(error, click.UsageError):  # a ClickException of another command's own
            return USAGE.text("error", lang, message=error.format_message())
        lines = []
        ctx = error.ctx
        if ctx is not None:
            pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
            lines.append(USAGE.text("usage", lang, usage=f"{ctx.command_path} {pieces}"))
            if ctx.command.get_help_option(ctx) is not None:
                option = ctx.help_option_names[0]
                lines.append(USAGE.text("try_help", lang, command=ctx.command_path, option=option))
            lines.append("")
        lines.append(USAGE.text("error", lang, message=usage_text(error).render(lang)))
        return "\n".join(lines)


def usage_text(error: click.UsageError) -> Text:
    """What is wrong, as a sv/en Text, from the kind of Click error and what it carries."""
    if isinstance(error, UsageProblem):
        if error.param_hint:
            return USAGE("invalid_value", param=error.param_hint, detail=error.text)
        return error.text
    if isinstance(error, click.MissingParameter) and error.param is not None:
        key = "missing_option" if isinstance(error.param, click.Option) else "missing_argument"
        return USAGE(key, name=error.param.get_error_hint(error.ctx))  # type: ignore[arg-type]
    if isinstance(error, click.BadParameter) and error.param is not None:
        hint = error.param.get_error_hint(error.ctx)  # type: ignore[arg-type]
        return USAGE("invalid_value", param=hint, detail=_type_text(error.param.type, error))
    if isinstance(error, click.NoSuchOption):
        return _suggesting(USAGE("no_such_option", name=error.option_name), error.possibilities)
    if isinstance(error, click.exceptions.NoSuchCommand):
        return _suggesting(USAGE("no_such_command", name=error.command_name), error.possibilities)
    if isinstance(error, click.BadOptionUsage):
        # Click's parser raises this without a context: then only its words tell the two cases apart.
        option = _option_named(error.ctx, error.option_name)
        flag = option.is_flag if option is not None else "does not take a value" in error.message
        return USAGE("takes_no_value" if flag else "needs_value", name=error.option_name)
    # Click raises these two as plain UsageErrors: known by Click's (English, untranslated) words.
    if error.message == "Missing command.":
        return USAGE("missing_command")
    extra = EXTRA_ARGUMENTS.fullmatch(error.message)
    if extra:
        return USAGE("extra_arguments", args=extra.group(1))
    return USAGE("unusable", reason=error.format_message())


EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra arguments? \((.*)\)")


def _suggesting(text: Text, possibilities: Sequence[str] | None) -> Text:
    return USAGE("did_you_mean", message=text, names=", ".join(possibilities)) if possibilities else text


def _option_named(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _type_text(kind: click.ParamType, error: click.BadParameter) -> Text:
    """What a value of Click's own types must be (our own types raise UsageProblem instead)."""
    if isinstance(kind, click.Choice):
        return USAGE("one_of", choices=", ".join(str(choice) for choice in kind.choices))
    if isinstance(kind, click.IntRange | click.FloatRange) or kind in (click.INT, click.FLOAT):
        return USAGE("number")
    return USAGE("unusable", reason=error.message)


class WholeNumber(click.ParamType):
    """A whole number from `low` (to `high`, when given), said in sv/en when it is not."""

    name = "integer"

    def __init__(self, low: int, high: int | None = None) -> None:
        self.low = low
        self.high = high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                raise self._problem(USAGE("not_whole_number", value=value), param, ctx) from None
        if self.high is not None and not self.low <= number <= self.high:
            raise self._problem(USAGE("not_in_range", value=number, low=self.low, high=self.high), param, ctx)
        if number < self.low:
            raise self._problem(USAGE("below_minimum", value=number, low=self.low), param, ctx)
        return number

    @staticmethod
    def _problem(text: Text, param: click.Parameter | None, ctx: click.Context | None) -> UsageProblem:
        hint = param.get_error_hint(ctx) if param is not None and ctx is not None else None
        return UsageProblem(text, ctx, param_hint=hint)


def os_reason(error: OSError) -> Text:
    """Why a file or folder cannot be used, in sv/en for the usual reasons."""
    name = errno.errorcode.get(error.errno or 0, "")
    name = "EACCES" if name == "EPERM" else name
    if f"os.{name}" in USAGE.messages:
        return USAGE(f"os.{name}")
    return USAGE("os.other", reason=error.strerror or str(error))


# Where the command line's language is kept for the whole run (`ctx.meta`, shared by every context).
LANG_KEY = "mailbot.lang"


def context_lang(ctx: click.Context) -> Lang:
    """The language errors and help are said in: `--lang` on the command line, else MAILBOT_LANG."""
    lang: Lang | None = ctx.meta.get(LANG_KEY)
    return lang or env_lang()


def requested_lang(args: Sequence[str]) -> Lang | None:
    """The `--lang` given anywhere on the command line (before a `--`), if it is one we speak."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = args[index + 1] if arg == "--lang" and index + 1 < len(args) else None
        if arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        if value in LANGS:
            return value  # type: ignore[return-value]
    return None


def setting_problem(error: SettingError) -> UsageProblem:
    return UsageProblem(
        USAGE("bad_setting", name=error.name, value=error.value, low=error.low, high=error.high)
    )
