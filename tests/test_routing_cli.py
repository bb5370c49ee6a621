"""The routing command line as `mailbot ...` runs it: exit 0 done, 1 refused by a rule, 2 usage error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.routing.postfix import map_type
from tests.support.cli import Mailbot


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
    assert 'the rule "valid address"' in mailbot("trace", "not-an-address", exit_code=1).stderr
    assert mailbot.json("alias", "list") == [
        {"alias": "support@kulexempel.se", "mailbox": "anna@kulexempel.se"}
    ]
    audit = mailbot.json("audit")
    assert audit[0]["actor"] == "kim" and audit[0]["action"] == "alias.add"


def test_forward_group_trace_and_undo(mailbot: Mailbot) -> None:
    forward = mailbot.json("forward", "set", "anna@kulexempel.se", "anna@gmail.com", "--keep-copy")
    assert forward["status"] == "ok"
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
    assert sorted(d["address"] for d in trace["deliveries"]) == [
        "anna@gmail.com",
        "anna@kulexempel.se",
        "bertil@kulexempel.se",
    ]
    assert "the group sales@kulexempel.se has the members" in mailbot("trace", "sales@kulexempel.se").stdout
    loop = mailbot.json("forward", "set", "bertil@kulexempel.se", "sales@kulexempel.se", exit_code=1)
    assert loop["rule"] == "no_loops"
    removed = mailbot.json("group", "remove", "sales@kulexempel.se", "bertil@kulexempel.se")
    mailbot("undo", str(removed["change_id"]))
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
    addresses = [m["address"] for m in mailbot.json("mailbox", "list", "kulexempel.se")]
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
    assert (
        "line 2: the file is not UTF-8 text" in mailbot("mailbox", "import", str(latin1), exit_code=2).stderr
    )


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
    direct = tmp_path / "direct"
    mailbot("postfix-config", "--out", str(direct), "--no-proxy")
    assert f"virtual_alias_maps = {kind}:{direct.resolve()}/virtual_alias_maps.cf" in (
        (direct / "main.cf.snippet").read_text()
    )
    settings = [line for line in (direct / "main.cf.snippet").read_text().splitlines() if " = " in line]
    assert not any("proxy:" in line for line in settings)
    assert postmap("virtual_alias_maps", "nobody@kulexempel.se") == ""
    assert postmap("virtual_mailbox_maps", "anna@kulexempel.se") == "kulexempel.se/anna/"
    assert postmap("virtual_mailbox_domains", "kulexempel.se") == "kulexempel.se"
    # smtputf8: a U-label key (casefolded by Postfix) answers as its A-label does.
    for domain in ("exämpel.se", "EXÄMPEL.SE", "xn--exmpel-cua.se"):
        assert postmap("virtual_mailbox_domains", domain) == "xn--exmpel-cua.se"
        assert postmap("virtual_alias_maps", f"Kontakt@{domain}") == "info@xn--exmpel-cua.se"
        assert postmap("virtual_mailbox_maps", f"info@{domain}") == "xn--exmpel-cua.se/info/"
    assert postmap("virtual_mailbox_domains", "exa\u0308mpel.se") == ""  # not NFC: another name to Postfix
    # What the rules and trace count on, with and without proxy: (the pgsql files speak LATIN1).
    direct_snippet = (direct / "main.cf.snippet").read_text()
    for line in (
        "recipient_delimiter = +",
        "propagate_unmatched_extensions = canonical, virtual",
        "smtputf8_enable = yes",
    ):
        assert line in snippet.splitlines() and line in direct_snippet.splitlines()
    for folder in (out, direct):
        assert ("encoding = LATIN1" in (folder / "virtual_alias_maps.cf").read_text()) is (kind == "pgsql")


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
        ("sqlite:////nonexistent-folder/mailbot.db", 3, "cannot be opened right now"),
        ("postgresql+psycopg://mailbot:SECRET@127.0.0.1:1/mailbot", 3, "mailbot:***@127.0.0.1:1/mailbot"),
    ],
)
def test_an_unusable_database_url_is_said_plainly(url: str, exit_code: int, said: str) -> None:
    for command in (["domain", "list"], ["feedback"]):
        result = CliRunner().invoke(main, command, env={"DATABASE_URL": url, "MAILBOT_LANG": "en"})
        assert result.exit_code == exit_code, result.output
        assert said in result.stderr and "SECRET" not in result.stderr
        assert isinstance(result.exception, SystemExit)  # click's exit, not a traceback


# Files that are no clean mailbox CSV: each is refused as a usage error naming its line; nothing imported.
MALFORMED_CSV = [
    (
        "address,name\nnew1@kulexempel.se,New\nnew2@kulexempel.se\n",
        "line 3: the line has 1 field but the header has 2",
    ),
    ("address,name\nnew1@kulexempel.se,New,extra\n", "line 2: the line has 3 fields but the header has 2"),
    (
        'address,name\nnew1@kulexempel.se,New\nnew2@kulexempel.se,"Unclosed\nnew3@kulexempel.se,N\n',
        "line 3: a quote",
    ),
    (
        'address,name\nnew1@kulexempel.se,"Two\nlines"\nnew2@kulexempel.se\n',
        "line 4: the line has 1 field but",
    ),
    ("address,name,phone\nnew1@kulexempel.se,New,123\n", 'line 1: the column "phone" is unknown'),
    (
        "address,address\nnew1@kulexempel.se,new2@kulexempel.se\n",
        'line 1: the column "address" is named twice',
    ),
    ('address,name\nnew1@kulexempel.se,"Ne"w\n', "line 2: the line cannot be read as CSV"),
    ("", 'the file has no "address" column in its first line'),
    ("\n\n", 'the file has no "address" column in its first line'),
]


@pytest.mark.parametrize(("content", "said"), MALFORMED_CSV)
def test_a_malformed_csv_is_refused_with_its_line_and_imports_nothing(
    mailbot: Mailbot, tmp_path: Path, content: str, said: str
) -> None:
    path = tmp_path / "mailboxes.csv"
    path.write_text(content)
    before = mailbot.json("audit"), mailbot.json("mailbox", "list")
    refused = mailbot("mailbox", "import", str(path), exit_code=2)
    assert said in refused.stderr, refused.stderr
    assert (mailbot.json("audit"), mailbot.json("mailbox", "list")) == before


def test_a_csv_import_numbers_lines_as_an_editor_does_and_skips_blank_lines(
    mailbot: Mailbot, tmp_path: Path
) -> None:
    path = tmp_path / "mailboxes.csv"
    path.write_bytes(
        '\ufeffAddress , Name\r\n\r\nnew1@kulexempel.se,"Two\r\nlines"\r\n\r\nnot an address,Bad\r\n'.encode()
    )
    refused = mailbot("mailbox", "import", str(path), exit_code=1).stderr
    assert "line 3: the name cannot contain line breaks" in refused  # a record is named by its first line
    path.write_bytes(b'address,name\r\n\r\nnew1@kulexempel.se,"Svensson, Anna"\r\n\r\nnot an address,Bad\r\n')
    assert "line 5: " in mailbot("mailbox", "import", str(path), exit_code=1).stderr
    path.write_bytes("\ufeffAddress , Name\r\n\r\nnew1@kulexempel.se,Åsa Öberg\r\n\r\n".encode())
    assert "1 mailbox imported." in mailbot("mailbox", "import", str(path)).stdout
    assert {"address": "new1@kulexempel.se", "name": "Åsa Öberg", "maildir": "kulexempel.se/new1/"} in (
        mailbot.json("mailbox", "list")  # type: ignore[operator]
    )


def test_a_header_only_csv_imports_and_audits_nothing(mailbot: Mailbot, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("address,name\n")
    before = mailbot.json("audit")
    said = mailbot("mailbox", "import", str(path), "--lang", "sv")
    assert said.stdout == "Filen har inga brevlådor, bara rubrikraden; inget importerat.\n"
    assert mailbot.json("mailbox", "import", str(path))["status"] == "unchanged"  # type: ignore[index]
    assert mailbot.json("audit") == before


def test_the_import_progress_label_speaks_the_language(mailbot: Mailbot, tmp_path: Path) -> None:
    path = tmp_path / "mailboxes.csv"
    path.write_text("address\nnew1@kulexempel.se\n")
    assert "importerar" in mailbot("mailbox", "import", str(path), "--lang", "sv").stderr
    path.write_text("address\nnew2@kulexempel.se\n")
    assert "importing" in mailbot("mailbox", "import", str(path)).stderr


def test_postfix_config_writes_all_or_nothing_and_replaces_other_content_only_with_force(
    mailbot: Mailbot, tmp_path: Path
) -> None:
    out = tmp_path / "postfix"
    written = [Path(p) for p in mailbot("postfix-config", "--out", str(out)).stdout.split()]
    contents = {path: path.read_bytes() for path in written}
    again = mailbot("postfix-config", "--out", str(out), "--lang", "sv")
    assert again.stdout == f"{out} är redan aktuell; inget skrevs.\n"

    other_base = ["postfix-config", "--out", str(out), "--mailbox-base", "/srv/other"]
    refused = mailbot(*other_base, exit_code=1)
    assert f"{out} already has the files main.cf.snippet with other content; nothing was written." in (
        refused.stderr
    )
    assert "--force" in refused.stderr
    assert {path: path.read_bytes() for path in written} == contents
    (out / "virtual_alias_maps.cf").write_text("# edited by hand\n")
    refused = mailbot(*other_base, exit_code=1)
    assert "main.cf.snippet, virtual_alias_maps.cf with other content" in refused.stderr
    assert (out / "virtual_alias_maps.cf").read_text() == "# edited by hand\n"

    # A rename that fails half-way (a folder where a file goes) puts back what was renamed before it.
    (out / "virtual_mailbox_maps.cf").unlink()
    (out / "virtual_mailbox_maps.cf").mkdir()
    failed = mailbot(*other_base, "--force", exit_code=2)
    assert "it is a folder" in failed.stderr
    assert (out / "virtual_alias_maps.cf").read_text() == "# edited by hand\n"
    assert (out / "main.cf.snippet").read_bytes() == contents[out / "main.cf.snippet"]
    assert sorted(p.name for p in out.iterdir()) == [
        "main.cf.snippet",
        "virtual_alias_maps.cf",
        "virtual_mailbox_domains.cf",
        "virtual_mailbox_maps.cf",
    ]  # no temporary files left behind

    (out / "virtual_mailbox_maps.cf").rmdir()
    replaced = mailbot(*other_base, "--force").stdout.split()
    assert len(replaced) == 3  # virtual_mailbox_domains.cf had the content wanted already
    assert "virtual_mailbox_base = /srv/other" in (out / "main.cf.snippet").read_text()
    assert (out / "virtual_alias_maps.cf").read_bytes() == contents[out / "virtual_alias_maps.cf"]


def test_postfix_config_into_a_new_folder_leaves_nothing_when_it_fails(
    mailbot: Mailbot, tmp_path: Path
) -> None:
    parent = tmp_path / "etc"
    parent.mkdir()
    out = parent / "mailbot"
    out.symlink_to(tmp_path / "nowhere")  # a dangling link: the folder cannot be made there
    failed = mailbot("postfix-config", "--out", str(out), exit_code=2)
    assert f"cannot write into {out}" in failed.stderr
    assert [p.name for p in parent.iterdir()] == ["mailbot"]  # no half-filled temporary folder
