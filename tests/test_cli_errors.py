"""Wrong input on the command line gets a sv/en message and the documented exit status, writes
nothing and never shows Python: numbers out of range, actors that cannot be audited, Click's own
usage errors, malformed addresses (refused by the rule "valid address" wherever they are given)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.db import make_engine, make_sessionmaker, utcnow
from bot.routing.models import AuditEntry, Domain, Mailbox, Route
from tests.support.cli import Mailbot

ENGLISH_FRAME = ("Usage:", "Error:", "Invalid value", "Missing", "No such", "Got unexpected", "Try '")


@pytest.fixture
def mailbot(database_url: str) -> Mailbot:
    mailbot = Mailbot(database_url)
    mailbot("demo")
    mailbot("alias", "add", "support@kulexempel.se", "anna@kulexempel.se")
    return mailbot


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def counts(sessions: sessionmaker) -> tuple[int, ...]:
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (AuditEntry, Route, Mailbox, Domain)
        )


def test_numbers_out_of_range_are_answered_not_raised(mailbot: Mailbot, sessions: sessionmaker) -> None:
    before = counts(sessions)
    # Any whole number is a change number that may or may not exist; past every id it does not.
    for number in ("2147483648", "9223372036854775808", "99999999999999999999", "1" + "0" * 400):
        refused = mailbot("undo", number, exit_code=1)
        assert f"there is no change number {number}" in refused.stderr
    for not_a_change_number in ("0", "-1", "abc", "1.5", ""):
        mailbot("undo", not_a_change_number, exit_code=2)
    everything = mailbot.json("audit", "--limit", "99999999999999999999")
    assert len(everything) == before[0] == len(mailbot.json("audit", "--limit", "1000"))  # type: ignore[arg-type]
    for not_a_limit in ("0", "-3", "x", "1e3"):
        mailbot("audit", "--limit", not_a_limit, exit_code=2)
    assert counts(sessions) == before


@pytest.mark.parametrize(
    ("setting", "value"),
    [("PORT", "abc"), ("PORT", "70000"), ("MAILBOT_LOCK_TIMEOUT", "0"), ("MAILBOT_LOCK_TIMEOUT", "nan")],
)
def test_a_setting_that_is_no_number_in_range_is_a_usage_error(setting: str, value: str) -> None:
    result = CliRunner().invoke(main, ["domain", "list"], env={setting: value, "MAILBOT_LANG": "sv"})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"{setting}={value} går inte att använda: ange ett tal från" in result.stderr


def test_a_port_out_of_range_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["serve", "--http", "--port", "70000"], env={"MAILBOT_LANG": "en"})
    assert result.exit_code == 2
    assert "Invalid value for '--port': 70000 is outside 0 to 65535." in result.stderr


@pytest.mark.parametrize(
    "actor",
    [
        "a" * 201,  # longer than audit_log.actor
        "kim\n[99] 2020-01-01 00:00:00 root: alias.remove support@kulexempel.se",  # a forged audit line
        "kim\r",
        "kim\tand more",
        "kim\x00",
        "kim\u2028next",  # Unicode's line separator
        "kim\u202eevil",  # right-to-left override: hides what follows
        "",
        "   ",
    ],
)
def test_an_actor_that_cannot_be_audited_is_a_usage_error(
    mailbot: Mailbot, sessions: sessionmaker, actor: str
) -> None:
    before = counts(sessions)
    refused = mailbot(
        "alias", "add", "help@kulexempel.se", "anna@kulexempel.se", "--actor", actor, exit_code=2
    )
    assert "Invalid value for '--actor'" in refused.stderr
    assert counts(sessions) == before


def test_the_longest_actor_is_audited_and_audit_lines_cannot_be_forged(
    mailbot: Mailbot, sessions: sessionmaker
) -> None:
    longest = "å" * 200
    mailbot("alias", "add", "help@kulexempel.se", "anna@kulexempel.se", "--actor", longest)
    assert mailbot.json("audit", "--limit", "1")[0]["actor"] == longest  # type: ignore[index]
    # A row written before actors were checked (or by hand) still shows as one line.
    with sessions.begin() as session:
        session.execute(
            insert(AuditEntry).values(
                at=utcnow(), actor="kim\n[1] 2020-01-01 00:00:00 root", action="alias.add", subject="x\u2028y"
            )
        )
    lines = mailbot("audit").stdout.splitlines()
    assert len(lines) == counts(sessions)[0]
    assert lines[0].endswith(r"kim\n[1] 2020-01-01 00:00:00 root: alias.add x\u2028y")


# Command lines with one usage mistake each, and what the Swedish message must say.
USAGE_MISTAKES = [
    (["alias", "add"], "Argumentet 'ALIAS' saknas."),
    (["alias", "add", "a@kulexempel.se"], "Argumentet 'MAILBOX' saknas."),
    (["alias", "add", "a@kulexempel.se", "b@kulexempel.se", "c", "d"], "Oväntade argument: c d."),
    (["alias", "frob"], "Det finns inget kommando frob."),
    (["trace", "a@kulexempel.se", "--frob"], "Det finns ingen flagga --frob."),
    (["trace", "a@kulexempel.se", "--jsn"], "Det finns ingen flagga --jsn. Menade du --json?"),
    (["audit", "--limit"], "Flaggan --limit behöver ett värde."),
    (["audit", "--json=yes"], "Flaggan --json tar inget värde."),
    (["audit", "--limit", "many"], "Ogiltigt värde för '--limit': \"many\" är inget heltal."),
    (["undo", "0"], "Ogiltigt värde för 'CHANGE_ID': 0 är mindre än 1."),
    (["mailbox", "import", "/nonexistent.csv"], "Ogiltigt värde för FILE: filen går inte att öppna"),
    (["postfix-config"], "Flaggan '--out' saknas."),
    (["nosuchcommand"], "Det finns inget kommando nosuchcommand."),
]


def with_lang_option(args: list[str]) -> list[str]:
    """`args` with `--lang sv` right after the command's name (`alias add`), or at the end when
    they name no command (groups have no --lang; the unknown word is then reported in it)."""
    command: click.Command = main
    words = 0
    while isinstance(command, click.Group) and words < len(args) and args[words] in command.commands:
        command = command.commands[args[words]]
        words += 1
    if isinstance(command, click.Group):
        return [*args, "--lang", "sv"]
    return [*args[:words], "--lang", "sv", *args[words:]]


@pytest.mark.parametrize(("args", "swedish"), USAGE_MISTAKES)
def test_usage_errors_speak_the_users_language_around_and_inside(
    database_url: str, args: list[str], swedish: str
) -> None:
    def run(args: list[str], **env: str) -> Result:
        return CliRunner().invoke(main, args, env={"DATABASE_URL": database_url, **env}, prog_name="mailbot")

    by_setting, by_option = run(args, MAILBOT_LANG="sv"), run(with_lang_option(args))
    english = run(args, MAILBOT_LANG="en")
    for result in (by_setting, by_option):
        assert result.exit_code == 2, result.output
        assert swedish in result.stderr
        assert "Fel: " in result.stderr
        assert not any(word in result.stderr for word in ENGLISH_FRAME), result.stderr
    assert english.exit_code == 2
    assert "Error: " in english.stderr and "Fel:" not in english.stderr
    if args[0] in ("alias", "trace", "undo"):  # a known command: its usage line comes first
        assert by_setting.stderr.startswith(f"Användning: mailbot {args[0]}")


def test_a_group_named_alone_shows_its_help() -> None:
    result = CliRunner().invoke(main, ["alias"], env={"MAILBOT_LANG": "sv"}, prog_name="mailbot")
    assert "Alias: andra adresser till en brevlåda." in result.output and "Fel:" not in result.output


def test_the_lang_option_wins_over_the_setting_for_refusals_and_usage_alike(mailbot: Mailbot) -> None:
    swedish = mailbot("alias", "add", "x@kulexempel.se", "nobody@kulexempel.se", "--lang", "sv", exit_code=1)
    assert swedish.stderr.startswith("Nekat enligt regeln")
    usage = mailbot("undo", "x", "--lang=sv", exit_code=2)
    assert "Fel: Ogiltigt värde" in usage.stderr


MALFORMED = "anna..svensson@kulexempel.se"
COMMANDS_WITH_AN_ADDRESS = [
    ["alias", "add", MALFORMED, "anna@kulexempel.se"],
    ["alias", "add", "help@kulexempel.se", MALFORMED],
    ["alias", "remove", MALFORMED],
    ["alias", "list", "kulexempel..se"],
    ["forward", "set", MALFORMED, "x@example.com"],
    ["forward", "set", "anna@kulexempel.se", "no-at-sign"],
    ["forward", "clear", MALFORMED],
    ["forward", "show", MALFORMED],
    ["group", "create", MALFORMED],
    ["group", "add", "sales@kulexempel.se", MALFORMED],
    ["group", "remove", "sales@kulexempel.se", MALFORMED],
    ["group", "delete", MALFORMED],
    ["group", "members", MALFORMED],
    ["group", "list", "bad-.se"],
    ["mailbox", "add", MALFORMED],
    ["mailbox", "list", "kulexempel..se"],
    ["domain", "add", "kulexempel..se"],
    ["trace", MALFORMED],
    ["trace", "@kulexempel.se"],
]


def test_a_malformed_address_is_refused_by_the_valid_address_rule_everywhere(
    mailbot: Mailbot, sessions: sessionmaker
) -> None:
    mailbot("group", "create", "sales@kulexempel.se")
    before = counts(sessions)
    for args in COMMANDS_WITH_AN_ADDRESS:
        refused = mailbot(*args, exit_code=1)
        assert refused.stderr.startswith('Refused by the rule "valid address": '), (args, refused.stderr)
        as_json = mailbot.json(*args, exit_code=1)
        assert as_json["status"] == "refused" and as_json["rule"] == "address", args  # type: ignore[index]
    assert counts(sessions) == before
