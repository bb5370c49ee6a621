"""`mailbot chat` driven through standard input as a person types; `mailbot feedback` reads the result."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.cli import main
from bot.feedback import AnsweredQuestion, FeedbackVote


def run(database_url: str, *args: str, stdin: str = "") -> Result:
    result = CliRunner().invoke(
        main, list(args), input=stdin, env={"DATABASE_URL": database_url, "MAILBOT_LANG": "sv"}
    )
    assert result.exception is None, result.output
    assert result.exit_code == 0
    return result


def offered(output: str) -> dict[int, str]:
    """The numbered choices of the last menu in `output`."""
    last_menu = output[output.rindex("  1) ") :]
    return {int(n): label for n, label in re.findall(r"^  (\d+)\) (.+)$", last_menu, re.MULTILINE)}


def test_vote_and_comment_are_stored_and_reported(database_url: str, session_factory: sessionmaker) -> None:
    chat = run(
        database_url, "chat", stdin="vad är ett alias?\n2\nJag förstår inte om det kostar extra\nsluta\n"
    )
    assert "Var det här till hjälp?" in chat.output
    assert "  1) Ja, tack\n  2) Nej\n" in chat.output
    assert "Vad var oklart?" in chat.output
    assert "Tack, vi använder ditt svar för att göra artikeln bättre." in chat.output
    with session_factory() as session:
        [vote] = session.scalars(select(FeedbackVote)).all()
        question = session.get(AnsweredQuestion, vote.question_id)
    assert question is not None and question.topic_id == "alias" and question.lang == "sv"
    assert (vote.helpful, vote.comment) == (False, "Jag förstår inte om det kostar extra")

    report = json.loads(run(database_url, "feedback", "--json").output)
    [alias] = [row for row in report if row["article"] == "alias"]
    assert (alias["helpful"], alias["not_helpful"]) == (0, 1)
    assert alias["comments"][0]["comment"] == "Jag förstår inte om det kostar extra"
    assert "alias: 0 hjälpte, 1 hjälpte inte" in run(database_url, "feedback").output
    english = run(database_url, "feedback", "--lang", "en").output
    assert "alias: 0 helpful, 1 not helpful" in english
    assert "'Jag förstår inte om det kostar extra'" in english


def test_changed_vote_counts_once(database_url: str, session_factory: sessionmaker) -> None:
    run(database_url, "chat", stdin="what is forwarding?\n1\n1\n2\n\nquit\n")
    with session_factory() as session:
        votes = session.scalars(select(FeedbackVote)).all()
    assert [(v.helpful, v.comment) for v in votes] == [(False, None)]  # an empty line skips the comment


def test_related_topic_and_person_choices(database_url: str, session_factory: sessionmaker) -> None:
    first = run(database_url, "chat", stdin="how do I bake sourdough bread?\nquit\n").output
    assert "I'm not sure" in first
    choices = offered(first)
    person = next(n for n, label in choices.items() if label == "Talk to a person")
    topic_number, topic_label = next((n, label) for n, label in choices.items() if label.startswith("Read: "))

    chat = run(database_url, "chat", stdin=f"how do I bake sourdough bread?\n{topic_number}\nquit\n").output
    assert f"== {topic_label.removeprefix('Read: ')} ==" in chat
    assert "Was this helpful?" in chat

    chat = run(database_url, "chat", stdin=f"how do I bake sourdough bread?\n{person}\nquit\n").output
    assert "You can reach a person in support at support@kulexempel.se." in chat
    with session_factory() as session:
        wants_person = session.scalars(select(FeedbackVote).where(FeedbackVote.wants_person)).all()
    assert len(wants_person) == 1


def test_hostile_and_oversized_text_gets_a_normal_answer(database_url: str) -> None:
    hostile = (
        "<!channel> {{ 7*7 }} {% raw %} 😀 \u200fمرحبا\u200e vad är en distributionsgrupp? " + "x" * 40_000
    )
    chat = run(database_url, "chat", stdin=f"{hostile}\nsluta\n").output
    assert "läste bara de första 2000 tecknen" in chat
    assert "Traceback" not in chat and "49" not in chat


def test_feedback_report_on_an_empty_database(database_url: str) -> None:
    assert run(database_url, "feedback").output.strip() == "inga svar sparade ännu"
    assert run(database_url, "feedback", "--lang", "en").output.strip() == "no answers recorded yet"
    assert json.loads(run(database_url, "feedback", "--json").output) == []


def test_start_without_slack_tokens_fills_demo_data_and_opens_the_chat(database_url: str) -> None:
    env = {"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "", "SLACK_CLIENT_ID": ""}
    result = CliRunner().invoke(
        main, ["start"], input="vad är ett alias?\nsluta\n", env={"DATABASE_URL": database_url, **env}
    )
    assert result.exit_code == 0, result.output
    assert "kulexempel.se" in result.output.splitlines()[0]  # the routing CLI's demo domain
    assert "Var det här till hjälp?" in result.output


def test_serve_over_http_without_secrets_is_a_usage_error(database_url: str) -> None:
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "",
        "SLACK_SIGNING_SECRET": "",
        "SLACK_APP_TOKEN": "",
    }
    result = CliRunner().invoke(main, ["serve", "--http", "--port", "0"], env=env)
    assert result.exit_code == 2
    assert "SLACK_SIGNING_SECRET" in result.output and "Traceback" not in result.output
