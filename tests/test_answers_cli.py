"""`mailbot ask` through the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import DEFAULT_KNOWLEDGE_DIR


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mailbot ask` reads the taught examples from DATABASE_URL (tests/test_teaching_cli.py)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'mailbot.db'}")


def run(*args: str, stdin: str | None = None, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["ask", *args], input=stdin, env={"MAILBOT_LANG": "sv", **env})
    return result.exit_code, result.output


def test_ask_prints_the_article_with_its_title_and_related_topics() -> None:
    code, output = run("Hur lägger jag till ett alias?")
    assert code == 0
    assert output.startswith("*Lägga till eller ta bort ett alias*\n")
    assert "`/alias add`" in output and "→ Vad är ett alias? (alias)" in output


def test_ask_json_gives_article_language_score_and_text() -> None:
    code, output = run("--json", "what is a distribution group?")
    answer = json.loads(output)
    assert code == 0 and set(answer) == {"article", "kind", "lang", "score", "text", "alternative"}
    assert (answer["article"], answer["lang"]) == ("distribution-group", "en")
    assert 0 < answer["score"] <= 1 and "distribution group" in answer["text"]


def test_ask_json_gives_null_article_when_not_sure() -> None:
    code, output = run("--json", "--lang", "en", "hur bakar man surdegsbröd")
    answer = json.loads(output)
    assert code == 0 and answer["article"] is None and answer["lang"] == "en"
    assert answer["kind"] == "no_answer" and "not sure" in answer["text"]


def test_ask_json_says_when_a_question_is_about_something_this_bot_does_not_handle() -> None:
    code, output = run("--json", "hur byter jag lösenord")
    answer = json.loads(output)
    assert code == 0 and (answer["article"], answer["kind"], answer["lang"]) == (None, "off_topic", "sv")
    assert "lösenord och inloggning" in answer["text"]


def test_ask_dash_answers_one_question_a_line_from_stdin() -> None:
    code, output = run("--json", "-", stdin="vad är ett alias\n\nhello\nforward to gmail\n")
    answers = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [(a["article"], a["lang"]) for a in answers] == [
        ("alias", "sv"),
        (None, "en"),
        ("external-forwarding", "en"),
    ]


def test_ask_rejects_an_unknown_language_with_a_usage_error() -> None:
    code, output = run("--lang", "de", "was ist ein Alias")
    assert code == 2 and "Fel: Ogiltigt värde för '--lang': välj ett av: sv, en." in output  # MAILBOT_LANG=sv


def test_ask_names_the_broken_article_instead_of_a_traceback(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, tmp_path / "kb")
    (tmp_path / "kb" / "sv" / "alias.md.j2").write_text("no front matter", encoding="utf-8")
    code, output = run("vad är ett alias", MAILBOT_KNOWLEDGE_DIR=str(tmp_path / "kb"))
    assert code == 1
    assert "alias.md.j2: must start with a '---' front matter line" in output
    assert "Traceback" not in output


def test_ask_dash_without_json_separates_the_answers_by_a_blank_line() -> None:
    code, output = run("-", stdin="vad är ett alias\nhej\n")
    assert code == 0 and output.startswith("*Vad är ett alias?*")
    assert "(alias-vs-forwarding-vs-group)\nHej!" not in output
    assert "(alias-vs-forwarding-vs-group)\n\nHej!" in output
