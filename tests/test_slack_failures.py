"""Failures after the ack end in a reply, for every kind of request, on SQLite and PostgreSQL.

Each failure comes the way it would in production: Slack refusing a reply (the Web API stand-in
scripted to), an article that no longer renders (a knowledge directory whose article uses a value
the app does not have), the database refusing a write in the middle of a job (a trigger raising an
error, as a full disk or a quota would), Slack no longer opening a form. The person then gets the
answer after all, or a short apology in their language, where the answer would have gone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.config import DEFAULT_KNOWLEDGE_DIR, Lang
from bot.db import make_engine
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from bot.slack.failures import MESSAGES as FAILURES
from tests.support.database_faults import refused_writes
from tests.support.slack_dispatch import InProcessApp, app_settings
from tests.support.slack_fixtures import AGENT, CUSTOMER, SUPPORT_CHANNEL, find_element
from tests.support.slack_standin import Call, SlackStandIn

DOMAIN = "kulexempel.se"


def started(database_url: str, standin: SlackStandIn, **settings: Any) -> InProcessApp:
    standin.reset()
    app = InProcessApp(app_settings(database_url, standin, **settings), standin)
    routing = RoutingService(app.sessions)
    routing.add_domain(DOMAIN, Actor("operator", Role.ADMIN))
    routing.add_mailbox(f"anna@{DOMAIN}", Actor("operator", Role.ADMIN))
    return app


@pytest.fixture
def app(database_url: str, slack_standin: SlackStandIn) -> InProcessApp:
    return started(database_url, slack_standin)


@pytest.fixture
def broken_knowledge(tmp_path: Path) -> Path:
    """The articles, one of which (the alias article) now asks for a value the app does not have
    (`support_phone`): it loads, but rendering it fails, so every answer that shows it fails."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, knowledge, ignore=shutil.ignore_patterns("__pycache__"))
    for lang in ("sv", "en"):
        with (knowledge / lang / "alias.md.j2").open("a") as article:
            article.write("\n{{ support_phone }}\n")
    return knowledge


@pytest.fixture
def database(app: InProcessApp) -> Iterator[Engine]:
    engine = make_engine(app.database_url)
    yield engine
    engine.dispose()


def apology(kind: str, lang: Lang) -> str:
    return FAILURES.text(kind, lang)


def dm(text: str, channel: str) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "channel_type": "im", "user": CUSTOMER, "text": text}


def posted_in(app: InProcessApp, channel: str, count: int = 1) -> list[Call]:
    return app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == channel, count=count)


def replies_to(app: InProcessApp, name: str, count: int = 1) -> list[Call]:
    return app.standin.wait_for("response_url", lambda call: call.path.endswith(name), count=count)


def answered(app: InProcessApp, question: str, channel: str) -> list[dict[str, Any]]:
    """The blocks of the answer to a DM."""
    assert app.event({**dm(question, channel), "ts": "1700000001.000100"}).status == 200
    [answer] = posted_in(app, channel)
    return answer.args["blocks"]


def test_a_mailhelp_answer_slack_refuses_everywhere_ends_in_an_apology(app: InProcessApp) -> None:
    app.standin.script("response_url", 500, "internal_error")
    app.standin.script("chat.postEphemeral", 200, {"ok": False, "error": "invalid_blocks"})
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": "invalid_blocks"})
    assert app.command("/mailhelp", "how do I forward my mail?").status == 200
    refused, told = replies_to(app, f"command-{CUSTOMER}", count=2)
    assert "forward" in refused.text().lower()
    assert told.args["text"] == apology("something_went_wrong", "en")


def test_questions_whose_articles_do_not_render_get_an_apology_in_their_language(
    database_url: str, slack_standin: SlackStandIn, broken_knowledge: Path
) -> None:
    app = started(database_url, slack_standin, knowledge_dir=broken_knowledge)
    assert app.event(dm("vad är ett alias?", "DBROKEN")).status == 200
    [told] = posted_in(app, "DBROKEN")
    assert told.args["text"] == apology("something_went_wrong", "sv")
    assert app.command("/mailhelp", "what is an alias?").status == 200
    [told] = replies_to(app, f"command-{CUSTOMER}")
    assert told.args["text"] == apology("something_went_wrong", "en")
    assert app.command("/mailhelp", "what is a distribution group?").status == 200
    [_, other_article] = replies_to(app, f"command-{CUSTOMER}", count=2)  # the other articles still answer
    assert "*distribution group*" in other_article.text()


def test_a_topic_click_whose_article_slack_refuses_gets_an_apology(app: InProcessApp) -> None:
    blocks = answered(app, "how do I forward my mail to another address?", "DTOPIC")
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": "channel_not_found"})
    assert app.click(blocks, "show_topic", channel_id="DTOPIC").status == 200
    [_, refused] = posted_in(app, "DTOPIC", count=2)  # beside the answer, where Slack refused it
    assert "Was this helpful?" in refused.text()
    [told] = replies_to(app, f"click-{CUSTOMER}")
    assert told.args["text"] == apology("something_went_wrong", "en")


def test_a_vote_the_database_refuses_gets_an_apology(app: InProcessApp, database: Engine) -> None:
    blocks = answered(app, "how do I forward my mail?", "DVOTE")
    helpful = find_element(blocks, "answer_feedback")["positive_button"]["value"]
    with refused_writes(database, "feedback_votes"):
        assert app.click(blocks, "answer_feedback", value=helpful).status == 200
    [told] = replies_to(app, f"click-{CUSTOMER}")
    assert told.args["text"] == apology("request_failed", "en")


def test_a_feedback_form_the_database_refuses_gets_an_apology_by_dm(
    app: InProcessApp, database: Engine
) -> None:
    blocks = answered(app, "vad är en distributionsgrupp?", "DFORM")
    not_helpful = find_element(blocks, "answer_feedback")["negative_button"]["value"]
    assert app.click(blocks, "answer_feedback", value=not_helpful).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = {"comment": {"comment_input": {"type": "plain_text_input", "value": "Oklart om grupper"}}}
    with refused_writes(database, "feedback_votes"):
        assert app.submit_view(opened.args["view"], values).status == 200
    [told] = posted_in(app, CUSTOMER)
    assert told.args["text"] == apology("request_failed", "sv")


def test_teaching_the_database_refuses_gets_an_apology_and_leaves_the_menu_to_choose_again(
    app: InProcessApp, database: Engine
) -> None:
    blocks = answered(app, "vad är en distributionsgrupp?", "DTEACH")
    not_helpful = find_element(blocks, "answer_feedback")["negative_button"]["value"]
    assert app.click(blocks, "answer_feedback", value=not_helpful).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = {"person": {"person_input": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}}}
    assert app.submit_view(opened.args["view"], values).status == 200
    [post] = posted_in(app, SUPPORT_CHANNEL)
    menu = find_element(post.args["blocks"], "teach_example")
    value = next(option["value"] for option in menu["options"] if option["value"].endswith(":none"))
    with refused_writes(database, "taught_examples"):
        chosen = app.select(
            post.args["blocks"], "teach_example", value, user_id=AGENT, channel_id=SUPPORT_CHANNEL
        )
        assert chosen.status == 200
    [told] = replies_to(app, f"click-{AGENT}")
    assert told.args["text"] == apology("request_failed", "sv")  # the post clicked in is Swedish
    assert not told.args.get("replace_original")  # the menu stays, to choose again
    again = app.select(post.args["blocks"], "teach_example", value, user_id=AGENT, channel_id=SUPPORT_CHANNEL)
    assert again.status == 200
    [_, taught] = replies_to(app, f"click-{AGENT}", count=2)
    assert taught.args["replace_original"] is True and f"<@{AGENT}> taught the bot" in taught.text()


def test_a_preview_the_database_refuses_gets_an_apology(app: InProcessApp, database: Engine) -> None:
    with refused_writes(database, "flow_pending_changes"):
        assert app.command("/alias", f"add sales@{DOMAIN} anna@{DOMAIN}", user_id=AGENT).status == 200
    [told] = replies_to(app, f"command-{AGENT}")
    assert told.args["text"] == apology("request_failed", "en")  # the agent's Slack locale


def test_a_confirm_the_database_refuses_gets_an_apology_and_works_when_clicked_again(
    app: InProcessApp, database: Engine
) -> None:
    assert app.command("/alias", f"add sales@{DOMAIN} anna@{DOMAIN}", user_id=AGENT).status == 200
    [preview] = replies_to(app, f"command-{AGENT}")
    with refused_writes(database, "routes"):
        assert app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT).status == 200
    [told] = replies_to(app, f"click-{AGENT}")
    assert told.args["text"] == apology("request_failed", "en")
    assert RoutingService(app.sessions).aliases() == []
    assert app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT).status == 200
    assert "Done (change" in replies_to(app, f"click-{AGENT}", count=2)[1].text()


def test_a_form_whose_preview_the_database_refuses_says_so_under_its_first_field(
    app: InProcessApp, database: Engine
) -> None:
    assert app.command("/alias", "", user_id=AGENT).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = {
        "address": {"value": {"type": "plain_text_input", "value": f"sales@{DOMAIN}"}},
        "mailbox": {"value": {"type": "plain_text_input", "value": f"anna@{DOMAIN}"}},
    }
    with refused_writes(database, "flow_pending_changes"):
        submitted = app.submit_view(opened.args["view"], values, user_id=AGENT)
    assert submitted.status == 200
    assert submitted.json() == {
        "response_action": "errors",
        "errors": {"address": apology("request_failed", "en")},
    }


def test_a_form_slack_no_longer_lets_open_asks_for_one_more_click(app: InProcessApp) -> None:
    app.standin.script("views.open", 200, {"ok": False, "error": "expired_trigger_id"})
    assert app.command("/group", "", user_id=AGENT).status == 200
    [told] = replies_to(app, f"command-{AGENT}")
    assert told.args["text"] == apology("form_expired", "en")
