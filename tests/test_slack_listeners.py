"""Every listener through Bolt's `app.dispatch`, in this process: fast, between the pure block builders
(test_slack_blocks.py) and the running app (test_slack.py, test_slack_flows.py, Socket Mode).

Requests are signed as Slack signs them (or not, or badly); what the app answers and which Web API
calls the stand-in recorded are what a person would see.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessionmaker
from bot.feedback import AnsweredQuestion
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from bot.slack.listeners.events import not_a_question
from tests.support.slack_dispatch import InProcessApp
from tests.support.slack_fixtures import AGENT, CUSTOMER, SUPPORT_CHANNEL, find_element
from tests.support.slack_standin import BOT_ID, BOT_USER_ID, Call

DOMAIN = "kulexempel.se"


@pytest.fixture
def app(slack_dispatch: InProcessApp) -> InProcessApp:
    slack_dispatch.standin.reset()
    return slack_dispatch


def routing(app: InProcessApp) -> RoutingService:
    return RoutingService(make_sessionmaker(make_engine(app.database_url)))


def last_question(app: InProcessApp) -> AnsweredQuestion:
    with make_sessionmaker(make_engine(app.database_url))() as session:
        return session.scalars(select(AnsweredQuestion).order_by(AnsweredQuestion.id.desc()).limit(1)).one()


def dm(text: str, channel: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "channel_type": "im", "user": CUSTOMER, "text": text} | {
        "ts": f"{time.time():.6f}",
        **extra,
    }


def posted_in(app: InProcessApp, channel: str) -> Call:
    [call] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == channel)
    return call


def test_unsigned_forged_and_stale_requests_are_refused_before_any_listener(app: InProcessApp) -> None:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event": dm("vad är ett alias?", "D1")})
    assert app.post(body.encode(), "application/json").status == 401
    assert app.signed_post(body.encode(), "application/json", secret="wrong").status == 401
    assert app.signed_post(body.encode(), "application/json", timestamp=int(time.time()) - 600).status == 401
    assert app.standin.calls == []


def test_url_verification_gets_its_challenge_back(app: InProcessApp) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-42", "type": "url_verification"}).encode()
    response = app.signed_post(body, "application/json")
    assert response.status == 200 and json.loads(response.body) == {"challenge": "c-42"}


def test_mailhelp_is_acked_empty_and_answered_privately(app: InProcessApp) -> None:
    response = app.command("/mailhelp", "what is an alias?")
    assert (response.status, response.body) == (200, "")
    [reply] = app.standin.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral" and "Was this helpful?" in reply.text()


def test_a_dm_is_answered_in_its_channel_and_a_bots_message_is_not(app: InProcessApp) -> None:
    assert app.event(dm("vad är ett alias?", "DBOT", bot_id=BOT_ID)).status == 200
    assert app.event(dm("vad är ett alias?", "DUNIT")).status == 200
    answer = posted_in(app, "DUNIT")
    assert "Var det här till hjälp?" in answer.text() and "thread_ts" not in answer.args
    assert app.standin.calls_to("chat.postMessage") == [answer]


def test_a_mention_is_answered_in_its_thread_without_the_mention(app: InProcessApp) -> None:
    mention = {
        "type": "app_mention",
        "channel": "CUNIT",
        "user": CUSTOMER,
        "text": f"<@{BOT_USER_ID}> how do I forward my mail?",
        "ts": "1700000300.000100",
    }
    assert app.event(mention).status == 200
    assert posted_in(app, "CUNIT").args["thread_ts"] == "1700000300.000100"
    assert last_question(app).question == "how do I forward my mail?"


def test_feedback_click_thanks_or_opens_the_form(app: InProcessApp) -> None:
    app.event(dm("vad är en distributionsgrupp?", "DVOTE"))
    blocks = posted_in(app, "DVOTE").args["blocks"]
    buttons = find_element(blocks, "answer_feedback")
    assert app.click(blocks, "answer_feedback", value=buttons["positive_button"]["value"]).status == 200
    [thanks] = app.standin.wait_for("response_url")
    assert thanks.args["text"] == "Tack för att du svarade! Bra att det hjälpte."
    assert app.click(blocks, "answer_feedback", value=buttons["negative_button"]["value"]).status == 200
    [opened] = app.standin.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "feedback_modal"


def test_feedback_form_asking_for_a_person_reaches_the_support_channel(app: InProcessApp) -> None:
    app.event(dm("how do I bake bread?", "DPERSON"))
    posted_in(app, "DPERSON")
    view = {"type": "modal", "callback_id": "feedback_modal", "private_metadata": str(last_question(app).id)}
    values = {
        "comment": {"comment_input": {"type": "plain_text_input", "value": "Nothing about bread"}},
        "person": {"person_input": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }
    assert app.submit_view(view, values).status == 200
    support = posted_in(app, SUPPORT_CHANNEL)
    assert "how do I bake bread?" in support.text() and "Nothing about bread" in support.text()
    assert "A person will get back to you here" in posted_in(app, CUSTOMER).args["text"]


def test_a_topic_button_posts_its_article_beside_the_answer(app: InProcessApp) -> None:
    app.event(dm("how do I bake bread?", "DTOPIC"))
    blocks = posted_in(app, "DTOPIC").args["blocks"]
    app.standin.reset()
    assert app.click(blocks, "show_topic", channel_id="DTOPIC").status == 200
    assert "Was this helpful?" in posted_in(app, "DTOPIC").text()


def test_an_agents_change_is_previewed_confirmed_and_audited(app: InProcessApp) -> None:
    routing(app).add_domain(DOMAIN, Actor("operator", Role.ADMIN))
    routing(app).add_mailbox(f"anna@{DOMAIN}", Actor("operator", Role.ADMIN))
    assert app.command("/alias", f"add unit@{DOMAIN} anna@{DOMAIN}", user_id=AGENT).status == 200
    [preview] = app.standin.wait_for("response_url")
    assert "Mail to unit@kulexempel.se will land in anna@kulexempel.se's inbox" in preview.text()
    assert app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT).status == 200
    [done] = app.standin.wait_for("response_url", lambda call: "Done (change" in call.text())
    assert done.args["replace_original"] is True
    assert [alias.alias for alias in routing(app).aliases()] == [f"unit@{DOMAIN}"]


def test_a_bare_command_opens_the_form_and_a_wrong_field_is_the_ack(app: InProcessApp) -> None:
    assert app.command("/alias", "", user_id=AGENT).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = {
        "address": {"value": {"type": "plain_text_input", "value": "not an address"}},
        "mailbox": {"value": {"type": "plain_text_input", "value": f"anna@{DOMAIN}"}},
    }
    response = app.submit_view(opened.args["view"], values, user_id=AGENT)
    assert response.status == 200 and json.loads(response.body)["response_action"] == "errors"
    assert "address" in json.loads(response.body)["errors"]


def test_someone_who_is_no_agent_is_refused_by_name_of_the_contact(app: InProcessApp) -> None:
    assert app.command("/alias", "list", user_id=CUSTOMER).status == 200
    [refused] = app.standin.wait_for("response_url")
    assert "only the support team's agents" in refused.text() and "support@kulexempel.se" in refused.text()


def test_app_home_is_published_for_whoever_opens_it(app: InProcessApp) -> None:
    assert (
        app.event({"type": "app_home_opened", "user": CUSTOMER, "channel": "D1", "tab": "home"}).status == 200
    )
    [home] = app.standin.wait_for("views.publish")
    assert home.args["user_id"] == CUSTOMER and "/mailhelp" in home.text()


def test_a_question_with_the_word_payload_is_answered(app: InProcessApp) -> None:
    """Bolt reads a form holding the letters "payload" as an interaction (and finds nothing in it)."""
    response = app.command("/mailhelp", "can an alias receive a large payload?", user_id="UPAYLOADER")
    assert response.status == 200
    [reply] = app.standin.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral" and reply.args["blocks"]
    assert last_question(app).question == "can an alias receive a large payload?"
    # Read by hand, such a form is still checked against its signature.
    assert app.command("/mailhelp", "a payload", user_id="UFORGER", secret="not-the-secret").status == 401


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"type": "message", "channel_type": "im", "user": "U1", "text": "hej"}, None),
        ({"type": "message", "channel_type": "im", "user": "U1", "subtype": "file_share"}, None),
        ({"type": "message", "channel_type": "im", "user": "U1", "subtype": "thread_broadcast"}, None),
        ({"type": "app_mention", "user": "U1", "subtype": "thread_broadcast"}, None),
        ({"type": "message", "channel_type": "im", "subtype": "message_changed"}, "subtype message_changed"),
        (
            {"type": "message", "channel_type": "im", "user": "U1", "subtype": "channel_join"},
            "subtype channel_join",
        ),
        ({"type": "message", "channel_type": "im", "user": "U2", "bot_id": "B2"}, "a bot's message"),
        ({"type": "message", "channel_type": "channel", "user": "U1"}, "not a direct message"),
        ({"type": "app_mention", "text": "<@UBOT>"}, "no user"),
    ],
)
def test_what_is_a_question(event: dict[str, Any], reason: str | None) -> None:
    assert not_a_question(event) == reason
