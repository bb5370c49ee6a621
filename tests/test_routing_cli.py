"""The routing command line as `mailbot ...` runs it: exit 0 done, 1 refused by a rule, 2 usage error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.routing.postfix import map_type


class Mailbot:
    def __init__(self, database_url: str) -> None:
        self.runner = CliRunner()
        self.env = {"DATABASE_URL": database_url, "MAILBOT_LANG": "en"}

    def __call__(self, *args: str, exit_code: int = 0) -> Result:
        result = self.runner.invoke(main, list(args), env=self.env)
        assert result.exit_code == exit_code, (result.output, result.exception)
        return result

    def json(self, *args: str, exit_code: int = 0) -> object:
        return json.loads(self(*args, "--json", exit_code=exit_code).stdout)


@pytest.fixture
def mailbot(database_url: str) -> Mailbot:
    mailbot = Mailbot(database_url)
    assert "demo domain kulexempel.se" in mailbot("demo").stdout
    return mailbot


def test_demo_fills_an_empty_database_once(mailbot: Mailbot) -> None:
    assert mailbot.json("domain", "list") == ["kulexempel.se"]
    assert mailbot("alias", "list").stdout == "(none)\n"  # an empty list still says something
    assert mailbot.json("alias", "list") == []
    mailboxes = [m["address"] for m in mailbot.json("mailbox", "list")]  # type: ignore[union-attr]
    # The four people, and postmaster@ (RFC 2142) that every domain gets; abuse@ is a group around it.
    assert len(mailboxes) == 5 and "postmaster@kulexempel.se" in mailboxes
    assert mailbot.json("group", "members", "abuse@kulexempel.se") == ["postmaster@kulexempel.se"]
    assert "nothing to do" in mailbot("demo").stdout


def test_alias_add_done_repeated_refused_and_usage_errors(mailbot: Mailbot) -> None:
    done = mailbot("alias", "add", "support@kulexempel.se", "anna@kulexempel.se", "--actor", "kim")
    assert "Mail to support@kulexempel.se will land in anna@kulexempel.se's inbox." in done.stdout
    assert "mailbot undo" in done.stdout
    again = mailbot.json("alias", "add", "support@kulexempel.se", "anna@kulexempel.se")
    assert again == {
        "status": "unchanged",
        "rule": None,
        "change_id": None,
        "bounces": [],
        "message": "support@kulexempel.se is already an alias of anna@kulexempel.se; nothing to do.",
    }
    refused = mailbot("alias", "add", "help@kulexempel.se", "nobody@kulexempel.se", exit_code=1)
    assert 'Refused by the rule "an alias points at a mailbox"' in refused.stderr
    swedish = mailbot(
        "alias", "add", "help@kulexempel.se", "nobody@kulexempel.se", "--lang", "sv", exit_code=1
    )
    assert "Nekat enligt regeln" in swedish.stderr
    mailbot("alias", "add", "support@kulexempel.se", exit_code=2)
    mailbot("trace", "not-an-address", exit_code=2)
    assert mailbot.json("alias", "list") == [
        {"alias": "support@kulexempel.se", "mailbox": "anna@kulexempel.se"}
    ]
    audit = mailbot.json("audit")
    assert audit[0]["actor"] == "kim" and audit[0]["action"] == "alias.add"  # type: ignore[index]


def test_forward_group_trace_and_undo(mailbot: Mailbot) -> None:
    forward = mailbot.json("forward", "set", "anna@kulexempel.se", "anna@gmail.com", "--keep-copy")
    assert forward["status"] == "ok"  # type: ignore[index]
    assert mailbot.json("forward", "show", "anna@kulexempel.se") == {
        "address": "anna@kulexempel.se",
        "target": "anna@gmail.com",
        "keep_copy": True,
    }
    mailbot("group", "create", "sales@kulexempel.se", "--name", "Sales")
    mailbot("group", "add", "sales@kulexempel.se", "anna@kulexempel.se", "bertil@kulexempel.se")
    assert mailbot.json("group", "members", "sales@kulexempel.se") == [
        "anna@kulexempel.se",
        "bertil@kulexempel.se",
    ]
    assert mailbot.json("group", "list") == [
        {"address": "abuse@kulexempel.se", "name": "Abuse", "member_count": 1},
        {"address": "sales@kulexempel.se", "name": "Sales", "member_count": 2},
    ]
    trace = mailbot.json("trace", "sales@kulexempel.se")
    assert sorted(d["address"] for d in trace["deliveries"]) == [  # type: ignore[index]
        "anna@gmail.com",
        "anna@kulexempel.se",
        "bertil@kulexempel.se",
    ]
    assert "the group sales@kulexempel.se has the members" in mailbot("trace", "sales@kulexempel.se").stdout
    loop = mailbot.json("forward", "set", "bertil@kulexempel.se", "sales@kulexempel.se", exit_code=1)
    assert loop["rule"] == "no_loops"  # type: ignore[index]
    removed = mailbot.json("group", "remove", "sales@kulexempel.se", "bertil@kulexempel.se")
    mailbot("undo", str(removed["change_id"]))  # type: ignore[index]
    assert "bertil@kulexempel.se" in mailbot("group", "members", "sales@kulexempel.se").stdout
    mailbot("undo", "999", exit_code=1)
    mailbot("forward", "clear", "anna@kulexempel.se")
    assert mailbot.json("forward", "show", "anna@kulexempel.se") is None
    assert mailbot("forward", "show", "Anna@KulExempel.se").stdout == "anna@kulexempel.se is not forwarded.\n"
    not_a_group = mailbot("group", "members", "Anna@KulExempel.se", exit_code=1)
    assert not_a_group.stderr == "anna@kulexempel.se is not a distribution group.\n"


def test_a_change_that_makes_mail_bounce_needs_accept_bounces_and_says_who(mailbot: Mailbot) -> None:
    mailbot("group", "create", "team@kulexempel.se")
    refused = mailbot("forward", "set", "anna@kulexempel.se", "team@kulexempel.se", exit_code=1)
    assert (
        'Refused by the rule "no mail is lost": mail to anna@kulexempel.se would then bounce'
        in refused.stderr
    )
    assert "Repeat with --accept-bounces" in refused.stderr
    assert mailbot.json("forward", "show", "anna@kulexempel.se") is None
    done = mailbot.json("forward", "set", "anna@kulexempel.se", "team@kulexempel.se", "--accept-bounces")
    assert done["status"] == "ok" and done["bounces"] == ["anna@kulexempel.se"]  # type: ignore[index]
    assert "mail to anna@kulexempel.se bounces" in done["message"]  # type: ignore[index]
    undo = mailbot("undo", str(done["change_id"]))  # type: ignore[index]
    assert "goes back to how it was" in undo.stdout
    mailbot("alias", "add", "support@kulexempel.se", "bertil@kulexempel.se")
    assert "rejected" in mailbot("alias", "remove", "support@kulexempel.se").stdout  # meant: no flag needed


def test_domain_add_brings_postmaster_and_abuse_and_names_who_bounces(mailbot: Mailbot) -> None:
    mailbot("forward", "set", "anna@kulexempel.se", "anna@partner.se")
    refused = mailbot("domain", "add", "partner.se", "--postmaster", "bertil@kulexempel.se", exit_code=1)
    assert "mail to anna@kulexempel.se would then bounce" in refused.stderr
    added = mailbot("domain", "add", "partner.se", "--postmaster", "bertil@kulexempel.se", "--accept-bounces")
    assert "postmaster@partner.se and abuse@partner.se reach bertil@kulexempel.se" in added.stdout
    assert mailbot.json("group", "members", "abuse@partner.se") == ["bertil@kulexempel.se"]
    swedish = mailbot(
        "domain", "add", "kund.se", "--postmaster", "nobody@kulexempel.se", "--lang", "sv", exit_code=1
    )
    assert 'Nekat enligt regeln "skyddade adresser"' in swedish.stderr
    protected = mailbot("group", "remove", "abuse@kulexempel.se", "postmaster@kulexempel.se", exit_code=1)
    assert "protected addresses" in protected.stderr and "RFC 2142" in protected.stderr


def test_csv_import_is_all_or_nothing(mailbot: Mailbot, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("address,name\n" + "".join(f"user{n}@kulexempel.se,User {n}\n" for n in range(300)))
    result = mailbot("mailbox", "import", str(good))
    assert "300 mailboxes imported." in result.stdout
    assert "mailbot undo" not in result.stdout  # the provider's loads are audited, not undoable
    bad = tmp_path / "bad.csv"
    bad.write_text("address,name\nnew1@kulexempel.se,New\nnew2@kulexempel.se,New\nnot an address,Bad\n")
    refused = mailbot("mailbox", "import", str(bad), exit_code=1)
    assert "line 4" in refused.stderr
    taken = tmp_path / "taken.csv"
    taken.write_text("address\nnew3@kulexempel.se\nanna@kulexempel.se\n")
    assert (
        "line 3: anna@kulexempel.se already exists"
        in mailbot("mailbox", "import", str(taken), exit_code=1).stderr
    )
    mailbot("alias", "add", "support@kulexempel.se", "anna@kulexempel.se")
    mailbot("group", "create", "sales@kulexempel.se")
    for clash, what in (("support", "an alias"), ("sales", "a distribution group")):
        clashing = tmp_path / f"{clash}.csv"
        clashing.write_text(f"address\nnew5@kulexempel.se\n{clash}@kulexempel.se\n")
        refusal = mailbot("mailbox", "import", str(clashing), exit_code=1).stderr
        assert f"line 3: {clash}@kulexempel.se already exists ({what})" in refusal
    outside = tmp_path / "outside.csv"
    outside.write_text("address\nsomeone@elsewhere.example\n")
    assert "not hosted here" in mailbot("mailbox", "import", str(outside), exit_code=1).stderr
    addresses = [m["address"] for m in mailbot.json("mailbox", "list", "kulexempel.se")]  # type: ignore[union-attr]
    assert (
        len(addresses) == 305  # 300 imported, the demo's four and postmaster@
        and "new1@kulexempel.se" not in addresses
        and "new3@kulexempel.se" not in addresses
    )
    headless = tmp_path / "headless.csv"
    headless.write_text("new4@kulexempel.se\n")
    mailbot("mailbox", "import", str(headless), exit_code=2)
    assert "mailbot undo" not in mailbot("mailbox", "add", "new0@kulexempel.se").stdout
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("address,name\nnew5@kulexempel.se,Åsa\n".encode("latin-1"))
    assert "cannot be read as CSV in UTF-8" in mailbot("mailbox", "import", str(latin1), exit_code=2).stderr


def test_postfix_config_tables_answer_postfix_lookups(
    mailbot: Mailbot, database_url: str, tmp_path: Path
) -> None:
    mailbot("alias", "add", "support@kulexempel.se", "anna@kulexempel.se")
    mailbot("domain", "add", "exämpel.se")
    mailbot("mailbox", "add", "info@exämpel.se")
    mailbot("alias", "add", "kontakt@exämpel.se", "info@exämpel.se")
    out = tmp_path / "postfix"
    written = mailbot("postfix-config", "--out", str(out), "--mailbox-base", "/srv/mail").stdout.split()
    assert sorted(Path(p).name for p in written) == [
        "main.cf.snippet",
        "virtual_alias_maps.cf",
        "virtual_mailbox_domains.cf",
        "virtual_mailbox_maps.cf",
    ]
    snippet = (out / "main.cf.snippet").read_text()
    kind = map_type(database_url)  # sqlite or pgsql
    assert f"virtual_alias_maps = proxy:{kind}:{out.resolve()}/virtual_alias_maps.cf" in snippet
    assert "virtual_mailbox_base = /srv/mail" in snippet

    config = tmp_path / "etc"  # postmap wants a main.cf; an empty one means Postfix's defaults
    config.mkdir()
    (config / "main.cf").write_text("compatibility_level = 3.6\nmyhostname = mx.mailbot-test.invalid\n")

    def postmap(table: str, key: str) -> str:
        command = ["postmap", "-c", str(config), "-q", key, f"{kind}:{out / table}.cf"]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    assert postmap("virtual_alias_maps", "Support@KulExempel.se") == "anna@kulexempel.se"
    assert postmap("virtual_alias_maps", "nobody@kulexempel.se") == ""
    assert postmap("virtual_mailbox_maps", "anna@kulexempel.se") == "kulexempel.se/anna/"
    assert postmap("virtual_mailbox_domains", "kulexempel.se") == "kulexempel.se"
    # smtputf8: a U-label key (casefolded by Postfix) answers as its A-label does.
    for domain in ("exämpel.se", "EXÄMPEL.SE", "xn--exmpel-cua.se"):
        assert postmap("virtual_mailbox_domains", domain) == "xn--exmpel-cua.se"
        assert postmap("virtual_alias_maps", f"Kontakt@{domain}") == "info@xn--exmpel-cua.se"
        assert postmap("virtual_mailbox_maps", f"info@{domain}") == "xn--exmpel-cua.se/info/"
    assert postmap("virtual_mailbox_domains", "exa\u0308mpel.se") == ""  # not NFC: another name to Postfix
    assert "recipient_delimiter = +" in snippet and "smtputf8_enable = yes" in snippet


def test_bad_postfix_config_folder_and_audit_limit_are_usage_errors(mailbot: Mailbot, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = mailbot("postfix-config", "--out", str(blocker / "postfix"), exit_code=2)
    assert f"cannot write into {blocker / 'postfix'}" in result.stderr
    assert "Traceback" not in result.output
    mailbot("audit", "--limit", "0", exit_code=2)
    in_memory = CliRunner().invoke(
        main,
        ["postfix-config", "--out", str(tmp_path / "pf")],
        env={"DATABASE_URL": "sqlite://", "MAILBOT_LANG": "sv"},
    )
    assert in_memory.exit_code == 2
    assert "inte en databas i minnet" in in_memory.stderr


@pytest.mark.parametrize(
    ("url", "exit_code", "said"),
    [
        ("not a url", 2, "DATABASE_URL cannot be used"),
        ("mysql://mailbot@db/mailbot", 2, "DATABASE_URL cannot be used"),
        ("sqlite:////nonexistent-folder/mailbot.db", 1, "cannot be opened right now"),
        ("postgresql+psycopg://mailbot:SECRET@127.0.0.1:1/mailbot", 1, "mailbot:***@127.0.0.1:1/mailbot"),
    ],
)
def test_an_unusable_database_url_is_said_plainly(url: str, exit_code: int, said: str) -> None:
    for command in (["domain", "list"], ["feedback"]):
        result = CliRunner().invoke(main, command, env={"DATABASE_URL": url, "MAILBOT_LANG": "en"})
        assert result.exit_code == exit_code, result.output
        assert said in result.stderr and "SECRET" not in result.stderr
        assert isinstance(result.exception, SystemExit)  # click's exit, not a traceback
