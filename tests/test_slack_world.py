"""What a real workspace sends and how the real Web API answers, beyond the plain cases: hostile and
unusual payloads in the shapes Slack documents (each test names the page), sent signed through the
app's own dispatch, and Web API refusals as Slack words them. The stand-in refuses blocks and views
over Slack's documented limits (`tests/support/block_kit_limits.py`), so a reply Slack would refuse
fails here too. What a person would see is checked in the stand-in's calls.
"""

from __future__ import annotations

import json

import pytest

from bot.db import make_engine, make_sessionmaker
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from bot.slack.messages import MESSAGES as SLACK
from tests.support.block_kit_limits import message_problems, view_problems
from tests.support.slack_dispatch import InProcessApp
from tests.support.slack_fixtures import AGENT

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
    assert message_problems({"blocks": [fine] * 51})[0] == "invalid_blocks"
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
