"""`mailbot privacy prune|erase|export` as an operator runs them, on SQLite and PostgreSQL: exit 0
done, 1 nothing known about the person, 2 usage error; messages in --lang; bad input changes nothing."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, update
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.db import utcnow
from bot.feedback import AnsweredQuestion
from tests.support.personal_data import PERSON, SECRET, all_rows, fill, settings_for


class Mailbot:
    def __init__(self, database_url: str) -> None:
        self.runner = CliRunner()
        self.env = {
            "DATABASE_URL": database_url,
            "MAILBOT_LANG": "en",
            "MAILBOT_PSEUDONYM_SECRET": SECRET,
            "MAILBOT_QUESTION_RETENTION_DAYS": "",
        }

    def __call__(self, *args: str, exit_code: int = 0, **env: str) -> Result:
        result = self.runner.invoke(main, list(args), env={**self.env, **env})
        assert result.exit_code == exit_code, (result.output, result.exception)
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def mailbot(database_url: str, engine: Engine, session_factory: sessionmaker) -> Mailbot:
    fill(settings_for(database_url), session_factory, engine)
    return Mailbot(database_url)


def test_prune_reports_per_table_and_dry_run_changes_nothing(
    mailbot: Mailbot, engine: Engine, session_factory: sessionmaker
) -> None:
    with session_factory() as session:  # one question asked 200 days ago
        session.execute(
            update(AnsweredQuestion)
            .where(AnsweredQuestion.question == "can I forward mail to my gmail?")
            .values(asked_at=utcnow() - timedelta(days=200))
        )
        session.commit()
    feedback = mailbot.json("feedback")
    before = all_rows(engine)
    dry = mailbot("privacy", "prune", "--dry-run", "--lang", "sv").stdout
    assert dry.splitlines()[0] == "Provkörning: inget har ändrats. Så här många rader skulle ändras:"
    assert "questions: anonymiserade 1 rad (äldre än " in dry
    assert all_rows(engine) == before

    pruned = mailbot.json("privacy", "prune")
    assert pruned["dry_run"] is False
    assert pruned["tables"]["questions"] == {
        "table": "answered_questions",
        "action": "anonymise",
        "older_than": pruned["tables"]["questions"]["older_than"],
        "rows": 1,
    }
    assert pruned["tables"]["slack_requests"]["rows"] == 0  # received just now
    assert mailbot.json("feedback") == feedback  # same counts, same comments (theirs were recent)
    assert "questions: anonymised 0 rows" in mailbot("privacy", "prune").stdout  # nothing left to prune


@pytest.mark.parametrize("value", ["0", "-1", "abc", "180d"])
def test_a_bad_retention_is_a_usage_error_and_changes_nothing(
    mailbot: Mailbot, engine: Engine, value: str
) -> None:
    before = all_rows(engine)
    said = mailbot(
        "privacy", "prune", "--lang", "sv", exit_code=2, MAILBOT_QUESTION_RETENTION_DAYS=value
    ).output
    assert (
        f"MAILBOT_QUESTION_RETENTION_DAYS måste vara ett helt antal dagar från 1 till 36500, inte {value!r}"
        in said
    )
    mailbot("privacy", "export", "--slack-user", PERSON, exit_code=2, MAILBOT_QUESTION_RETENTION_DAYS=value)
    assert all_rows(engine) == before


def test_export_writes_one_readable_document_only_its_owner_can_read(
    mailbot: Mailbot, tmp_path: Path
) -> None:
    out = tmp_path / "export.json"
    result = mailbot("privacy", "export", "--slack-user", PERSON, "--out", str(out), "--lang", "sv")
    assert result.stdout.strip() == f"Skrev {out}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["slack_user"] == PERSON
    assert document["about"].startswith(f"Alla uppgifter som mailbot har om Slack-användaren {PERSON}")
    assert [q["question"] for q in document["questions"]][1] == "can I forward mail to my gmail?"
    # The article by its Swedish title (from the knowledge base), not just its id.
    article = document["questions"][0]["article"]
    assert article["id"] and article["title"] and article["title"] != article["id"]
    printed = json.loads(mailbot("privacy", "export", "--slack-user", PERSON, "--lang", "sv").stdout)
    assert {**printed, "exported_at": None} == {**document, "exported_at": None, "about": printed["about"]}


def test_erase_prints_a_summary_and_the_audit_shows_the_pseudonym(mailbot: Mailbot, engine: Engine) -> None:
    said = mailbot("privacy", "erase", "--slack-user", PERSON, "--actor", "dpo").stdout.splitlines()
    assert said[0].startswith(f"Erased everything about {PERSON}. The audit log now calls the person erased-")
    assert said[1:] == [
        "questions: anonymised 3 rows",
        "feedback: anonymised 2 rows",
        "pending_changes: deleted 3 rows",
        "language_setting: deleted 1 row",
        "routing_changes: pseudonymised 2 rows",
        "customer_listings: deleted 1 row",
        "change_requests: pseudonymised 1 row",
        "taught_examples: pseudonymised 2 rows",
        "taught_questions: withdrew and emptied 1 row",
        "teaching_audit: pseudonymised 2 rows",
        "slack_installations: pseudonymised 1 row",
        "slack_requests: deleted 1 row",
    ]
    pseudonym = said[0].split("calls the person ")[1].split(" ")[0]
    audit = mailbot.json("audit")
    assert audit[0]["actor"] == "dpo" and audit[0]["action"] == "privacy.erase"
    assert audit[0]["subject"] == pseudonym
    assert [
        e["actor"] for e in audit if e["action"] == "alias.add" and e["subject"] == "support@kulexempel.se"
    ] == [pseudonym]
    assert PERSON not in json.dumps(all_rows(engine), default=str)

    again = mailbot("privacy", "erase", "--slack-user", PERSON, "--lang", "sv", exit_code=1)
    assert again.output.strip() == f"Fel: mailbot har inga uppgifter om {PERSON}. Inget har ändrats."


def test_erase_json(mailbot: Mailbot) -> None:
    erased = mailbot.json("privacy", "erase", "--slack-user", PERSON)
    assert erased["pseudonym"].startswith("erased-") and erased["change_id"] > 0
    assert erased["rows"]["questions"] == 3 and erased["rows"]["language_setting"] == 1


@pytest.mark.parametrize(
    ("args", "env", "exit_code", "said"),
    [
        (["erase", "--slack-user", "anna svensson"], {}, 2, "'anna svensson' är inget Slack-användar-id"),
        (["export", "--slack-user", "<@U07PERSON1>"], {}, 2, "'<@U07PERSON1>' är inget Slack-användar-id"),
        (["erase", "--slack-user", "U07NOBODY"], {}, 1, "mailbot har inga uppgifter om U07NOBODY."),
        (["export", "--slack-user", "U07NOBODY"], {}, 1, "mailbot har inga uppgifter om U07NOBODY."),
        (["erase", "--slack-user", PERSON], {"MAILBOT_PSEUDONYM_SECRET": ""}, 2, "MAILBOT_PSEUDONYM_SECRET"),
        (["erase", "--slack-user", PERSON], {"MAILBOT_PSEUDONYM_SECRET": "short"}, 2, "minst 16 tecken"),
        (["erase"], {}, 2, "--slack-user"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    mailbot: Mailbot, engine: Engine, args: list[str], env: dict[str, str], exit_code: int, said: str
) -> None:
    before = all_rows(engine)
    result = mailbot("privacy", *args, "--lang", "sv", exit_code=exit_code, **env)
    assert said in result.output
    assert all_rows(engine) == before


def test_an_export_that_cannot_be_written_says_so(mailbot: Mailbot, tmp_path: Path) -> None:
    out = tmp_path / "missing-folder" / "export.json"
    said = mailbot("privacy", "export", "--slack-user", PERSON, "--out", str(out), exit_code=2).output
    assert f"Cannot write {out}" in said and "Nothing was written." in said
    assert not out.parent.exists()
