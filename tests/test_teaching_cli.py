"""Teaching the bot from the terminal: `mailbot examples list|add|remove`, and `mailbot ask` using what
was taught, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.feedback import record_answer, vote
from bot.privacy.people import erase, export
from bot.slack.stores import ALL_PERSONAL_DATA
from bot.teaching import teach_answered
from tests.support.personal_data import SECRET
from tests.test_feedback import ALIAS_ANSWER

RETENTION = timedelta(days=180)
QUESTION = "kan vi få alla mejl från den gamla leverantören att dyka upp i nya lådan?"


def run(database_url: str, *args: str) -> tuple[int, str]:
    env = {"DATABASE_URL": database_url, "MAILBOT_LANG": "sv"}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def ask(database_url: str, question: str) -> dict[str, Any]:
    code, output = run(database_url, "ask", "--json", question)
    assert code == 0, output
    return json.loads(output)


def test_a_taught_example_changes_the_next_answer_and_removing_it_changes_it_back(database_url: str) -> None:
    before = ask(database_url, QUESTION)
    taught_label = "manage-forwarding" if before["article"] != "manage-forwarding" else "alias"

    code, output = run(database_url, "examples", "add", "--actor", "karin", "--json", taught_label, QUESTION)
    assert code == 0, output
    example = json.loads(output)
    assert (example["label"], example["taught_by"], example["question"]) == (taught_label, "karin", QUESTION)

    assert ask(database_url, QUESTION)["article"] == taught_label
    # the same question written a little differently is taught too
    assert ask(database_url, QUESTION.upper().replace("?", "") + "!")["article"] == taught_label

    code, output = run(database_url, "examples", "remove", "--actor", "olle", str(example["id"]))
    assert code == 0 and f"[{example['id']}] borttaget" in output
    assert ask(database_url, QUESTION)["article"] == before["article"]


def test_not_our_topic_declines_the_question(database_url: str) -> None:
    question = "hur lägger jag till ett alias på min brevlåda?"
    assert ask(database_url, question)["kind"] == "article"
    assert run(database_url, "examples", "add", "none", question)[0] == 0
    answered = ask(database_url, question)
    assert (answered["kind"], answered["article"]) == ("off_topic", None)


def test_list_shows_what_was_taught_by_whom_and_never_who_asked(database_url: str) -> None:
    run(database_url, "examples", "add", "--actor", "karin", "alias", "två adresser en inkorg?")
    second = json.loads(run(database_url, "examples", "add", "--json", "none", "hur byter jag lösenord")[1])
    run(database_url, "examples", "remove", "--actor", "olle", str(second["id"]))

    code, output = run(database_url, "examples", "list", "--json")
    [listed] = json.loads(output)
    assert code == 0 and (listed["label"], listed["taught_by"]) == ("alias", "karin")
    assert set(listed) == {
        "id", "question", "lang", "label", "taught_by", "taught_at", "removed_by", "removed_at"
    }  # fmt: skip
    code, output = run(database_url, "examples", "list", "--all")
    assert code == 0 and "lärt av karin" in output and "[borttaget av olle" in output


def test_an_example_taught_from_a_customers_question_never_shows_who_asked_and_goes_with_them(
    database_url: str, session_factory: sessionmaker
) -> None:
    asker = "U07ASKER01"
    with session_factory() as session:
        asked = record_answer(session, "två adresser, en inkorg? /Anna Berg", ALIAS_ANSWER, user_id=asker)
        example = teach_answered(session, asked, "manage-aliases", "karin")
    listed = [run(database_url, "examples", "list", *flags)[1] for flags in ((), ("--json",), ("--all",))]
    assert all("Anna Berg" in output and asker not in output for output in listed)

    with session_factory() as session:
        erase(session, ALL_PERSONAL_DATA, asker, secret=SECRET, actor="dpo")
    assert run(database_url, "examples", "list")[1].strip() == "inga inlärda exempel"
    code, output = run(database_url, "examples", "list", "--all")
    assert code == 0 and "Anna Berg" not in output and asker not in output
    assert f"[{example.id}] manage-aliases: (texten raderad på begäran av den som frågade)" in output
    assert "[borttaget av erased-" in output


def test_a_question_an_agent_reworded_stays_linked_to_who_asked_and_goes_with_them(
    database_url: str, session_factory: sessionmaker
) -> None:
    """`examples add --question N`: the agent's wording, still the asker's (their export shows it, their
    erasure withdraws it and empties its text), and the question leaves the questions to teach."""
    asker, other = "U07ASKER02", "U07OTHER02"
    with session_factory() as session:
        asked = record_answer(session, "två adresser, en inkorg? /Anna Berg", ALIAS_ANSWER, user_id=asker)
        vote(session, asked, asker, helpful=False)
        kept = record_answer(session, "hur gör jag en grupp?", ALIAS_ANSWER, user_id=other)
        vote(session, kept, other, helpful=False)
    code, output = run(database_url, "examples", "to-teach")
    assert code == 0 and f"[fråga {asked}] två adresser, en inkorg? /Anna Berg" in output
    reworded = "Anna Berg på kontoret vill ha två adresser i samma inkorg"
    args = (
        "examples",
        "add",
        "--question",
        str(asked),
        "--actor",
        "karin",
        "--json",
        "manage-aliases",
        reworded,
    )
    code, output = run(database_url, *args)
    assert code == 0, output
    example = json.loads(output)
    assert example["question"] == reworded and example["label"] == "manage-aliases"
    assert ask(database_url, reworded)["article"] == "manage-aliases"
    to_teach = json.loads(run(database_url, "examples", "to-teach", "--json")[1])
    assert [question["question_id"] for question in to_teach] == [kept]  # taught, in other words

    with session_factory() as session:
        exported = export(session, ALL_PERSONAL_DATA, asker, titles={}, lang="sv", retention=RETENTION)
    assert [row["question"] for row in exported["taught_questions"]] == [reworded]
    with session_factory() as session:
        erase(session, ALL_PERSONAL_DATA, asker, secret=SECRET, actor="dpo")
    assert run(database_url, "examples", "list")[1].strip() == "inga inlärda exempel"
    code, output = run(database_url, "examples", "list", "--all")
    assert code == 0 and "Anna Berg" not in output and asker not in output
    assert f"[{example['id']}] manage-aliases: (texten raderad på begäran av den som frågade)" in output
    with session_factory() as session:
        theirs = export(session, ALL_PERSONAL_DATA, other, titles={}, lang="sv", retention=RETENTION)
    assert theirs["taught_questions"] == []  # not theirs


def test_a_rewording_of_a_question_that_does_not_exist_is_refused_and_writes_nothing(
    database_url: str,
) -> None:
    code, output = run(
        database_url, "examples", "add", "--question", "999", "manage-aliases", "två adresser?"
    )
    assert code == 1 and "Den besvarade frågan 999 finns inte." in output
    code, output = run(database_url, "examples", "add", "--question", "0", "manage-aliases", "två adresser?")
    assert code == 2 and "Traceback" not in output
    assert run(database_url, "examples", "list", "--all")[1].strip() == "inga inlärda exempel"


def test_bad_requests_get_a_clear_answer_and_change_nothing(database_url: str) -> None:
    code, output = run(database_url, "examples", "add", "aliases", "vad är ett alias")
    assert code == 2 and "Okänd etikett 'aliases'" in output and "Traceback" not in output
    code, output = run(database_url, "examples", "add", "alias", "   ")
    assert code == 2 and "Frågan är tom." in output
    code, output = run(database_url, "examples", "remove", "--lang", "en", "99")
    assert code == 1 and "There is no taught example number 99." in output
    assert run(database_url, "examples", "list")[1].strip() == "inga inlärda exempel"


def test_a_removed_example_cannot_be_removed_twice(database_url: str) -> None:
    example = json.loads(run(database_url, "examples", "add", "--json", "alias", "vad e alias")[1])
    assert run(database_url, "examples", "remove", str(example["id"]))[0] == 0
    code, output = run(database_url, "examples", "remove", str(example["id"]))
    assert code == 1 and f"Exempel {example['id']} togs redan bort." in output


def test_template_syntax_in_a_taught_question_is_kept_as_text(database_url: str) -> None:
    question = "{{ 7*7 }} <!channel> två adresser på en inkorg?"
    assert run(database_url, "examples", "add", "alias", question)[0] == 0
    answered = ask(database_url, question)
    assert (
        answered["article"] == "alias"
        and "49" not in answered["text"]
        and "<!channel>" not in answered["text"]
    )
