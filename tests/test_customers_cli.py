"""`mailbot customer ...`, `mailbot request ...` and `--as-customer` as the command line runs them
(SQLite and PostgreSQL): exit 0 done, 1 refused, 2 usage error, sv/en."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db import make_engine, make_sessionmaker
from bot.slack.job_queue import SlackJob
from tests.test_routing_cli import Mailbot


@pytest.fixture
def mailbot(database_url: str) -> Mailbot:
    mailbot = Mailbot(database_url)
    mailbot("demo")
    mailbot("domain", "add", "acme.se")
    mailbot("mailbox", "add", "info@acme.se")
    return mailbot


def test_customer_add_list_show_remove(mailbot: Mailbot) -> None:
    made = mailbot("customer", "add", "Acme AB", "--domain", "acme.se", "--slack-team", "t0acme")
    assert "The customer Acme AB was created with the domain acme.se, the workspace T0ACME." in made.stdout
    mailbot("customer", "add", "Acme AB", "--slack-user", "U0BOSS", "--admin")
    assert mailbot.json("customer", "show", "Acme AB") | {"created_at": None} == {
        "name": "Acme AB",
        "domains": ["acme.se"],
        "teams": ["T0ACME"],
        "users": ["U0BOSS"],
        "admins": ["U0BOSS"],
        "created_at": None,
    }
    taken = mailbot("customer", "add", "Other", "--domain", "acme.se", "--lang", "sv", exit_code=1)
    assert "Domänen acme.se hör redan till kunden Acme AB." in taken.stderr
    assert mailbot("customer", "add", "Other", "--admin", "--domain", "kulexempel.se", exit_code=2)
    assert "acme.se" in mailbot("customer", "list").stdout
    assert [line for line in mailbot("audit").stdout.splitlines() if "customer.add Acme AB" in line]
    mailbot("customer", "remove", "Acme AB")
    assert mailbot("customer", "list").stdout == "no customers yet\n"
    assert "There is no customer called Acme AB" in mailbot("customer", "show", "Acme AB", exit_code=2).stderr


def test_as_customer_stays_inside_their_domains(mailbot: Mailbot) -> None:
    mailbot("customer", "add", "Acme", "--domain", "acme.se")
    done = mailbot("alias", "add", "sales@acme.se", "info@acme.se", "--as-customer", "Acme")
    assert "Mail to sales@acme.se will land in info@acme.se's inbox." in done.stdout
    refused = mailbot(
        "alias", "add", "x@kulexempel.se", "anna@kulexempel.se", "--as-customer", "Acme", exit_code=1
    )
    assert "x@kulexempel.se is not in your domains (acme.se)" in refused.stderr
    assert mailbot.json("alias", "list", "kulexempel.se") == []
    assert (
        "not in your domains"
        in mailbot("trace", "anna@kulexempel.se", "--as-customer", "Acme", exit_code=1).stderr
    )
    assert (
        "no customer called Nobody"
        in mailbot("trace", "a@acme.se", "--as-customer", "Nobody", exit_code=2).stderr
    )


def test_requests_from_the_terminal_chat_are_approved_on_the_command_line(mailbot: Mailbot) -> None:
    mailbot("customer", "add", "Acme", "--domain", "acme.se")
    chat = mailbot.runner.invoke(
        main,
        ["chat", "--as-customer", "Acme", "--not-admin"],
        input="/alias add sales@acme.se info@acme.se\n1\nquit\n",
        env=mailbot.env,
    )
    assert "Request this change" in chat.stdout and "Saved as request 1." in chat.stdout
    assert [r["state"] for r in mailbot.json("request", "list", "--open")] == ["open"]
    assert "Approved by" in mailbot("request", "approve", "1", "--actor", "kim").stdout
    assert "already been decided" in mailbot("request", "reject", "1", "--reason", "no", exit_code=1).stderr
    [entry] = [e for e in mailbot.json("audit") if e["subject"] == "sales@acme.se"]
    assert (entry["actor"], entry["requested_by"]) == ("kim", getpass.getuser())  # the chat's OS user


def test_a_request_from_the_terminal_chat_is_never_shown_in_slack(
    mailbot: Mailbot, database_url: str
) -> None:
    mailbot("customer", "add", "Acme", "--domain", "acme.se")
    mailbot.runner.invoke(
        main,
        ["chat", "--as-customer", "Acme", "--not-admin"],
        input="/alias add sales@acme.se info@acme.se\n1\nquit\n",
        env=mailbot.env,
    )
    with_slack = Mailbot(database_url, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="secret")
    approved = with_slack.json("request", "approve", "1")
    assert approved["slack_queued"] is False and "Slack" not in " ".join(approved["message"])
    with make_sessionmaker(make_engine(database_url))() as session:
        assert session.scalar(select(func.count()).select_from(SlackJob)) == 0
