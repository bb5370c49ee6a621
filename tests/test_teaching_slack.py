"""Teaching the bot in Slack, end to end: signed requests to a running `mailbot serve --http` on SQLite
and on PostgreSQL. A customer's 👎 with a request for a person reaches the support channel with a menu
of articles; an agent's choice changes the next answer; taking it back changes it back; erasing the
customer takes their words out of the example and the answer back to the model's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.db import make_engine, make_sessionmaker, upgrade
from bot.feedback import AnsweredQuestion
from bot.privacy.people import pseudonym
from bot.teaching import TaughtChange, TaughtQuestion
from tests.support.personal_data import SECRET, all_rows, texts_in
from tests.support.slack_fixtures import AGENT, CUSTOMER, SUPPORT_CHANNEL, SlackAppProcess, find_element
from tests.support.slack_standin import SlackStandIn

QUESTION = "jag vill läsa mejlen från min gamla hotmail här också, går det?"


@pytest.fixture
def app(database_url: str, slack_standin: SlackStandIn, tmp_path: Path) -> Iterator[SlackAppProcess]:
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    slack_standin.reset()
    running = SlackAppProcess(database_url, slack_standin, {}, tmp_path / "app.log")
    yield running
    running.stop()


def ask(app: SlackAppProcess, text: str, user: str = CUSTOMER) -> dict[str, Any]:
    """A DM; returns the article the answer showed ("topic" None when it showed none) and its blocks."""
    app.standin.reset()
    event = {"type": "message", "channel": "D1", "channel_type": "im", "user": user, "text": text}
    assert app.event({**event, "ts": f"{time.time():.6f}"}).status == 200
    [reply] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "D1")
    blocks = reply.args["blocks"]
    try:
        feedback = find_element(blocks, "answer_feedback")
    except AssertionError:
        return {"topic": None, "blocks": blocks}
    question_id = feedback["negative_button"]["value"].partition(":")[2]
    return {"topic": stored_topic(app, int(question_id)), "blocks": blocks}


def stored_topic(app: SlackAppProcess, question_id: int) -> str | None:
    """The article the bot answered a stored question with."""
    engine = make_engine(app.database_url)
    with make_sessionmaker(engine)() as session:
        topic = session.scalar(select(AnsweredQuestion.topic_id).where(AnsweredQuestion.id == question_id))
    engine.dispose()
    return topic


def taught_rows(app: SlackAppProcess) -> tuple[list[TaughtQuestion], list[TaughtChange]]:
    engine = make_engine(app.database_url)
    with make_sessionmaker(engine)() as session:
        examples = list(session.scalars(select(TaughtQuestion).order_by(TaughtQuestion.id)))
        changes = list(session.scalars(select(TaughtChange).order_by(TaughtChange.id)))
    engine.dispose()
    return examples, changes


def unhappy_customer_asks_for_a_person(
    app: SlackAppProcess, blocks: list[dict[str, Any]], user: str = CUSTOMER
) -> list[dict[str, Any]]:
    """👎, then "a person, please" in the modal: returns the support channel's post."""
    negative = find_element(blocks, "answer_feedback")["negative_button"]["value"]
    app.standin.reset()
    assert app.click(blocks, "answer_feedback", value=negative, user_id=user).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = {"person": {"person_input": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}}}
    assert app.submit_view(opened.args["view"], values, user_id=user).status == 200
    [posted] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == SUPPORT_CHANNEL)
    return posted.args["blocks"]


def test_an_agents_choice_in_the_support_channel_changes_the_next_answer(app: SlackAppProcess) -> None:
    first = ask(app, QUESTION)
    before = first["topic"]
    assert before is not None  # an article, with "Was this helpful?"
    post = unhappy_customer_asks_for_a_person(app, first["blocks"])
    menu = find_element(post, "teach_example")
    labels = [option["value"].partition(":")[2] for option in menu["options"]]
    assert (
        len(labels) == 13 and labels[-1] == "none" and menu["options"][-1]["text"]["text"] == "Inte vårt ämne"
    )
    right = "connected-accounts" if before != "connected-accounts" else "external-forwarding"
    value = next(option["value"] for option in menu["options"] if option["value"].endswith(":" + right))

    # Someone who is not an agent cannot teach the bot.
    app.standin.reset()
    assert (
        app.select(post, "teach_example", value, user_id=CUSTOMER, channel_id=SUPPORT_CHANNEL).status == 200
    )
    [refused] = app.standin.wait_for("response_url")
    assert refused.args["text"] == "Only support agents can teach the bot."  # in their Slack locale
    assert taught_rows(app) == ([], [])

    app.standin.reset()
    assert app.select(post, "teach_example", value, user_id=AGENT, channel_id=SUPPORT_CHANNEL).status == 200
    [updated] = app.standin.wait_for("response_url")
    assert updated.args["replace_original"] is True
    assert QUESTION in updated.text() and f"<@{AGENT}> taught the bot" in updated.text()
    [example], [change] = taught_rows(app)
    assert (example.question, example.label, example.taught_by) == (QUESTION, right, AGENT)
    assert (change.action, change.actor, change.example_id) == ("add", AGENT, example.id)

    assert ask(app, QUESTION)["topic"] == right  # the next answer, from the app's worker process

    # Taking it back: the answer is the model's own again.
    forget = find_element(updated.args["blocks"], "forget_example")
    app.standin.reset()
    assert (
        app.click(updated.args["blocks"], "forget_example", user_id=AGENT, channel_id=SUPPORT_CHANNEL).status
        == 200
    )
    [removed] = app.standin.wait_for("response_url")
    assert f"removed example {forget['value']}" in removed.text()
    assert ask(app, QUESTION)["topic"] == before
    [example], changes = taught_rows(app)
    assert example.removed_by == AGENT and [c.action for c in changes] == ["add", "remove"]


def test_app_home_lists_unhappy_questions_for_agents_to_teach(app: SlackAppProcess) -> None:
    first = ask(app, QUESTION)
    unhappy_customer_asks_for_a_person(app, first["blocks"])
    app.standin.reset()
    event = {"type": "app_home_opened", "user": AGENT, "channel": "D2", "tab": "home"}
    assert app.event(event).status == 200
    [published] = app.standin.wait_for("views.publish")
    blocks = published.args["view"]["blocks"]
    assert "Questions to teach the bot" in published.text() and "asked for a person" in published.text()
    menu = find_element(blocks, "teach_example")
    value = next(option["value"] for option in menu["options"] if option["value"].endswith(":none"))

    app.standin.reset()
    assert app.select(blocks, "teach_example", value, user_id=AGENT, in_home=True).status == 200
    [republished] = app.standin.wait_for("views.publish")  # the list without the taught question
    assert QUESTION not in republished.text()
    [example], _ = taught_rows(app)
    assert (example.label, example.question) == ("none", QUESTION)
    assert ask(app, QUESTION)["topic"] is None  # declined: "not our topic"


def test_erasing_the_customer_takes_their_words_out_of_the_taught_example(app: SlackAppProcess) -> None:
    asker = "U07ASKER01"
    question = "jag vill läsa mejlen från min gamla hotmail här också, går det? /Anna Berg, Bergs Bageri"
    first = ask(app, question, user=asker)
    post = unhappy_customer_asks_for_a_person(app, first["blocks"], user=asker)
    right = "connected-accounts" if first["topic"] != "connected-accounts" else "external-forwarding"
    menu = find_element(post, "teach_example")
    value = next(option["value"] for option in menu["options"] if option["value"].endswith(":" + right))
    app.standin.reset()
    assert app.select(post, "teach_example", value, user_id=AGENT, channel_id=SUPPORT_CHANNEL).status == 200
    [taught] = app.standin.wait_for("response_url")
    [note] = [block["text"]["text"] for block in taught.args["blocks"] if block.get("block_id") == "taught"]
    assert f"<@{AGENT}> taught the bot" in note and asker not in note
    assert ask(app, question, user=asker)["topic"] == right

    env = {"DATABASE_URL": app.database_url, "MAILBOT_PSEUDONYM_SECRET": SECRET, "MAILBOT_LANG": "en"}
    erased = CliRunner().invoke(main, ["privacy", "erase", "--slack-user", asker], env=env)
    assert erased.exit_code == 0, erased.output
    assert "taught_questions: withdrew and emptied 1 row" in erased.output

    engine = make_engine(app.database_url)
    traces = [
        (table, column)
        for table, column, value in texts_in(all_rows(engine))
        if asker in value or "Berg" in value
    ]
    engine.dispose()
    assert traces == []
    [example], changes = taught_rows(app)
    alias = pseudonym(asker, SECRET)
    assert (example.question, example.removed_by, example.asked_by) == ("", alias, alias)
    assert [(c.action, c.actor) for c in changes] == [("add", AGENT), ("remove", alias)]
    # The app's worker sees the examples' version move: the next answer is the model's own again.
    assert ask(app, question, user=asker)["topic"] == first["topic"]
