"""What a real workspace sends and how the real Web API answers, beyond the plain cases: hostile and
unusual payloads in the shapes Slack documents (each test names the page), sent signed through the
app's own dispatch, and Web API refusals as Slack words them. The stand-in refuses blocks and views
over Slack's documented limits (`tests/support/block_kit_limits.py`), so a reply Slack would refuse
fails here too. What a person would see is checked in the stand-in's calls.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessionmaker
from bot.feedback import AnsweredQuestion
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from bot.slack.failures import MESSAGES as FAILURES
from bot.slack.messages import MESSAGES as SLACK
from bot.slack.slack_text import plain_text
from tests.support.block_kit_limits import message_problems, view_problems
from tests.support.slack_dispatch import InProcessApp
from tests.support.slack_fixtures import AGENT, Response, SlackAppProcess, find_element
from tests.support.slack_payloads import load

DOMAIN = "kulexempel.se"
OPERATOR = Actor("operator", Role.ADMIN)


@pytest.fixture
def app(slack_dispatch: InProcessApp) -> InProcessApp:
    slack_dispatch.standin.reset()
    return slack_dispatch


@pytest.fixture(scope="module")
def routing(slack_dispatch: InProcessApp) -> RoutingService:
    service = RoutingService(make_sessionmaker(make_engine(slack_dispatch.database_url)))
    service.add_domain(DOMAIN, OPERATOR)
    service.add_mailbox(f"anna@{DOMAIN}", OPERATOR)
    return service


def last_question(app: InProcessApp) -> AnsweredQuestion:
    with make_sessionmaker(make_engine(app.database_url))() as session:
        return session.scalars(select(AnsweredQuestion).order_by(AnsweredQuestion.id.desc()).limit(1)).one()


# --- Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks) ----------------------------


def test_the_stand_in_refuses_what_slack_refuses() -> None:
    """The checks the stand-in makes, against Slack's documented limits."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert message_problems({"blocks": [section]}) == (
        "invalid_blocks",
        ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
    )
    fine = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}
    assert message_problems({"blocks": [fine]}) is None
    assert message_problems({"blocks": [fine] * 51}) == (
        "invalid_blocks",
        ["no more than 50 items allowed [json-pointer:/blocks]"],
    )
    assert message_problems({"blocks": [fine] * 5}) == ("msg_blocks_too_long", [])
    field = {"type": "plain_text_input", "action_id": "v", "max_length": 254, "initial_value": "x" * 255}
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": []}
    input_block = {"type": "input", "label": {"type": "plain_text", "text": "a"}, "element": field}
    assert view_problems({**view, "blocks": [input_block]}) == [
        "must be less than 255 characters [json-pointer:/view/blocks/0/element/initial_value]"
    ]
    assert view_problems({**view, "title": {"type": "plain_text", "text": "x" * 25}}) != []


def test_a_pasted_40000_character_address_is_refused_precisely(
    app: InProcessApp, routing: RoutingService
) -> None:
    """Slack takes 40,000 characters in a slash command's text; the refusal quoting it must still fit
    in a message (it was echoed whole: Slack refused the reply, the agent got a vague apology)."""
    huge = "x" * 40_000 + f"@{DOMAIN}"
    assert app.command("/alias", f"add {huge} anna@{DOMAIN}", user_id=AGENT).status == 200
    [reply] = app.standin.wait_for("response_url")
    text = reply.args["text"]
    assert text.startswith('*Create an alias*: not possible. Refused by the rule "valid address"')
    assert SLACK.text("reply_shortened", "en") in reply.text()
    # Shown where it was asked, the first time: no fallback, no apology.
    assert [call.method for call in app.standin.calls if call.method != "users.info"] == ["response_url"]
    assert routing.aliases() == []


def test_a_command_whose_prefilled_field_is_too_long_still_opens_its_form(
    app: InProcessApp, routing: RoutingService
) -> None:
    """`/alias add <no address can be this long>` lacks the mailbox: the form opens (Slack refuses a
    text input prefilled beyond its max_length, https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element)."""
    assert app.command("/alias", "add " + "y" * 5000, user_id=AGENT).status == 200
    [opened] = app.standin.wait_for("views.open")
    [address] = [block for block in opened.args["view"]["blocks"] if block.get("block_id") == "address"]
    assert address["element"]["initial_value"] == "y" * 254
    assert app.standin.calls_to("response_url") == []  # no apology
    values = {
        "address": {"value": {"type": "plain_text_input", "value": address["element"]["initial_value"]}},
        "mailbox": {"value": {"type": "plain_text_input", "value": f"anna@{DOMAIN}"}},
    }
    answer = json.loads(app.submit_view(opened.args["view"], values, user_id=AGENT).body)
    assert answer["response_action"] == "errors" and "address" in answer["errors"]


# --- Events (https://docs.slack.dev/apis/events-api/) ---------------------------------------------


def send(app: InProcessApp, name: str) -> Response:
    """A payload file of tests/data/slack/ (an event), signed as Slack signs it."""
    return app.signed_post(json.dumps(load(name).body).encode(), "application/json")


def request_line(caplog: pytest.LogCaptureFixture) -> dict[str, object]:
    [record] = [record for record in caplog.records if record.name == "mailbot.requests"][-1:]
    return record.__dict__["fields"]


def test_a_message_with_its_words_only_in_rich_text_blocks_is_answered(app: InProcessApp) -> None:
    assert send(app, "message_im_rich_text_only").status == 200
    [answer] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "DWORLD01")
    assert "answer_feedback" in answer.text()
    asked = last_question(app)
    assert asked.question.startswith("how do I forward mail from") and asked.question.endswith("to my phone?")
    assert asked.topic_id is not None  # an article, not "type your question"


def test_slack_markup_in_a_question_is_read_as_the_words_typed(app: InProcessApp) -> None:
    assert send(app, "message_im_slack_markup").status == 200
    app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "DWORLD02")
    stored = last_question(app).question
    assert stored.startswith("@here what is an alias & how does it differ from")
    assert stored.endswith("<see our help> @support")
    for markup in ("&amp;", "&lt;", "<!here>", "<mailto:", "<https:", "subteam"):
        assert markup not in stored


def test_a_mention_in_a_slack_connect_thread_is_answered_in_the_thread(app: InProcessApp) -> None:
    """The asker belongs to another organisation (`user_team`): their own workspace is recorded."""
    assert send(app, "app_mention_slack_connect_thread").status == 200
    [answer] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "CWORLD03")
    assert answer.args["thread_ts"] == "1700004200.000100"
    asked = last_question(app)
    assert (asked.question, asked.team_id) == ("what is a distribution group?", "T0PARTNER")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("app_uninstalled", "app_uninstalled"),
        ("tokens_revoked", "tokens_revoked"),
        ("member_joined_channel", "event member_joined_channel not handled"),
    ],
)
def test_events_the_app_has_no_answer_for_are_acked_and_logged(
    app: InProcessApp, caplog: pytest.LogCaptureFixture, name: str, reason: str
) -> None:
    """Answered 404 (Bolt's default), Slack would deliver them again and count the failures."""
    caplog.set_level(logging.INFO)
    response = send(app, name)
    assert (response.status, response.body) == (200, "")
    assert request_line(caplog)["outcome"] == "ignored" and request_line(caplog)["reason"] == reason
    assert app.standin.calls == []
    if name != "member_joined_channel":  # the operator learns why calls to that workspace fail
        assert any("no longer works" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("<mailto:anna@kulexempel.se|anna@kulexempel.se>", "anna@kulexempel.se"),
        ("<mailto:anna@kulexempel.se>", "anna@kulexempel.se"),
        (
            "<http://kulexempel.se|kulexempel.se> <https://x.se/a?b=1&amp;c=2>",
            "kulexempel.se https://x.se/a?b=1&c=2",
        ),
        ("<@U1|anna> <@U1> <#C1|general> <!channel> <!subteam^S1|@team>", "@anna  #general @channel @team"),
        ("{{ 7*7 }} {% if x %}", "{{ 7*7 }} {% if x %}"),  # only text: never a template
    ],
)
def test_slack_markup_becomes_the_words_typed(sent: str, typed: str) -> None:
    assert plain_text(sent) == typed


# --- Web API refusals (https://docs.slack.dev/reference/methods/chat.postMessage#errors) ------------


def dm(text: str, channel: str) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "channel_type": "im", "user": "U1", "text": text} | {
        "ts": f"{time.time():.6f}"
    }


def test_a_support_channel_the_app_is_not_in_does_not_promise_a_person(
    app: InProcessApp, caplog: pytest.LogCaptureFixture
) -> None:
    """`not_in_channel`: nobody in support saw the question, so the customer is given the contact
    instead of "a person will get back to you" (they got both, and an apology, before)."""
    app.event(dm("how do I bake bread?", "DNOTIN"))
    [answer] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "DNOTIN")
    app.standin.reset()
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    assert app.click(answer.args["blocks"], "ask_person", channel_id="DNOTIN").status == 200
    [told] = app.standin.wait_for("response_url")
    assert told.args["text"] == "You can reach a person in support at support@kulexempel.se."
    assert app.standin.calls_to("response_url") == [told]
    assert any("is the app in it?" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("status", "answer", "headers"),
    [
        (200, {"ok": False, "error": "msg_too_long"}, {}),
        (200, {"ok": False, "error": "channel_not_found"}, {}),
        (500, "Internal Server Error", {}),
        (503, {"ok": False, "error": "service_unavailable"}, {}),
    ],
)
def test_an_answer_slack_refuses_ends_in_a_short_apology_in_the_askers_language(
    app: InProcessApp, status: int, answer: dict[str, object] | str, headers: dict[str, str]
) -> None:
    app.standin.script("chat.postMessage", status, answer, headers)
    assert app.event(dm("vad är ett alias?", "DREFUSED")).status == 200
    refused, apology = app.standin.wait_for(
        "chat.postMessage", lambda call: call.args["channel"] == "DREFUSED", count=2
    )
    assert "answer_feedback" in refused.text()
    assert apology.args["text"] == FAILURES.text("something_went_wrong", "sv")


def test_a_rate_limit_is_waited_out_and_answered_once(app: InProcessApp) -> None:
    app.standin.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    assert app.event(dm("what is a forward?", "DLIMITED")).status == 200
    first, second = app.standin.wait_for(
        "chat.postMessage", lambda call: call.args["channel"] == "DLIMITED", count=2
    )
    assert first.args == second.args and second.received - first.received >= 1
    assert len(app.standin.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive", "token_revoked"])
def test_a_dead_token_is_logged_and_the_job_ends(
    app: InProcessApp, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    """Nobody can be told (the apology needs the same token); the log says why, and the job is done."""
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": error})
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": error})
    assert app.event(dm("what is a forward?", "DDEAD")).status == 200
    app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == "DDEAD", count=2)
    assert any(error in record.getMessage() for record in caplog.records if record.name == "bot.slack.jobs")
    assert app.run_queued() == 0  # nothing left half-done for a worker to take up again


# --- Requests that are not Slack's (https://docs.slack.dev/authentication/verifying-requests-from-slack) --


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[1, 2, 3]", "application/json"),  # JSON, but no object: Bolt failed on it with a traceback
        (b'"text"', "application/json"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),  # an interaction that is a list
        (b"payload=%7Boops", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
    ],
)
def test_a_body_that_is_not_slacks_is_refused_without_a_traceback(
    slack_app: SlackAppProcess, body: bytes, content_type: str
) -> None:
    before = slack_app.log()
    for answer in (slack_app.post(body, content_type), slack_app.signed_post(body, content_type)):
        assert (answer.status, answer.body) == (400, "bad request\n")
    assert "Traceback" not in slack_app.log().removeprefix(before)


def test_an_oversized_body_is_refused_before_it_is_read(slack_app: SlackAppProcess) -> None:
    """Announced as 5 MB, more than any request Slack sends: 413 at once, nothing read or verified."""
    host, port = "127.0.0.1", slack_app.port
    with socket.create_connection((host, port), timeout=10) as connection:
        head = f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        connection.sendall(f"{head}Content-Length: 5000000\r\n\r\n{{".encode())
        answer = connection.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.0 413 ") and answer.endswith(b"too large\n")
    assert slack_app.get("/health").status == 200


# --- Slash commands (https://docs.slack.dev/interactivity/implementing-slash-commands) -------------


def test_a_command_in_a_private_channel_the_app_is_not_in_reaches_its_user_by_dm(app: InProcessApp) -> None:
    """The response_url already used up (404 `used_url`), the app not in the private channel
    (`channel_not_found` for chat.postEphemeral): the answer goes to the person's DM."""
    app.standin.script("response_url", 404, "used_url")
    app.standin.script("chat.postEphemeral", 200, {"ok": False, "error": "channel_not_found"})
    response = app.command(
        "/mailhelp", "  vad är ett alias?\n", channel_id="G0PRIVATE", channel_name="privategroup"
    )
    assert (response.status, response.body) == (200, "")
    [dm_answer] = app.standin.wait_for("chat.postMessage")
    assert dm_answer.args["channel"] == "U1" and "Var det här till hjälp?" in dm_answer.text()
    assert [call.method for call in app.standin.calls if call.method != "users.info"] == [
        "response_url",
        "chat.postEphemeral",
        "chat.postMessage",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_a_command_with_no_words_opens_its_form_or_asks_for_a_question(app: InProcessApp, text: str) -> None:
    assert app.command("/alias", text, user_id=AGENT).status == 200
    [opened] = app.standin.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "flow_modal"
    app.standin.reset()
    assert app.command("/mailhelp", text).status == 200
    [reply] = app.standin.wait_for("response_url")
    assert reply.args["text"].startswith(("Skriv din fråga", "Type your question"))


# --- Interactivity (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload) ----


def ephemeral_click(app: InProcessApp, action: dict[str, Any]) -> Response:
    """A click in an ephemeral message (a /mailhelp answer): no `message` field, the container says
    `is_ephemeral`, the response_url is the only way back to it."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "kulexempel"},
        "user": {"id": "U1", "username": "u1", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "13345224609.738474920.ephemeral",
        "container": {
            "type": "message",
            "message_ts": "1700005000.000100",
            "channel_id": "C1",
            "is_ephemeral": True,
        },
        "channel": {"id": "C1", "name": "general"},
        "response_url": app.standin.response_url("ephemeral"),
        "actions": [{**action, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }
    return app.interact(payload)


def test_clicks_in_an_ephemeral_answer_are_answered_through_its_response_url(app: InProcessApp) -> None:
    assert app.command("/mailhelp", "what is an alias?").status == 200
    [answer] = app.standin.wait_for("response_url")
    blocks = answer.args["blocks"]
    app.standin.reset()
    topic = find_element(blocks, "show_topic")
    button = {"type": "button", "action_id": topic["action_id"], "value": topic["value"]}
    assert ephemeral_click(app, button).status == 200
    [shown] = app.standin.wait_for("response_url")
    assert shown.args["response_type"] == "ephemeral" and "answer_feedback" in shown.text()
    app.standin.reset()
    # 👎 opens a form; its trigger_id expired on the way (Slack gives 3 seconds): asked to click again.
    app.standin.script("views.open", 200, {"ok": False, "error": "expired_trigger_id"})
    feedback = find_element(blocks, "answer_feedback")
    negative = {
        "type": "feedback_buttons",
        "action_id": "answer_feedback",
        "value": feedback["negative_button"]["value"],
    }
    assert ephemeral_click(app, negative).status == 200
    [told] = app.standin.wait_for("response_url")
    assert told.args["text"] == FAILURES.text("form_expired", "en")
