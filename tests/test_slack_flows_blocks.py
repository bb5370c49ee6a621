"""The flows' Block Kit on its own: Slack's limits hold for every flow and language, values are escaped."""

from __future__ import annotations

import json

import pytest

from bot.config import LANGS, Lang
from bot.flows.commands import FLOWS
from bot.flows.core import Reply, ReplyKind
from bot.flows.messages import MESSAGES
from bot.i18n import placeholders
from bot.routing.messages import MESSAGES as ROUTING_MESSAGES
from bot.slack.flow_blocks import (
    flow_modal,
    modal_metadata,
    modal_values,
    mrkdwn,
    parse_modal_metadata,
    reply_message,
    stale_form,
)


def test_every_message_has_the_same_placeholders_in_both_languages() -> None:
    for key, texts in MESSAGES.messages.items():
        assert placeholders(texts["sv"]) == placeholders(texts["en"]), key


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_every_flow_modal_is_valid_block_kit(flow_id: str, lang: Lang) -> None:
    flow = FLOWS[flow_id]
    view = flow_modal(
        lang, flow, {"address": "a@kulexempel.se", "keep_copy": "yes"}, modal_metadata(flow_id, None)
    )
    data = view.to_dict()  # slack_sdk checks lengths (a title is at most 24 characters) and types
    assert [block["block_id"] for block in data["blocks"] if block["type"] == "input"] == [
        field.name for field in flow.fields
    ]
    state = {
        field.name: {"value": {"type": "plain_text_input", "value": f"{field.name} value"}}
        for field in flow.fields
    }
    assert modal_values({"state": {"values": state}}) == {
        field.name: f"{field.name} value" for field in flow.fields
    }


def test_outside_values_cannot_mention_or_link() -> None:
    hostile = ROUTING_MESSAGES("address.no_at", address="<!channel> <https://evil.example|click>")
    text = mrkdwn(MESSAGES("not_possible", flow=FLOWS["alias.add"].title, reason=hostile), "en")
    assert "<!channel>" not in text and "<https://" not in text
    assert "&lt;!channel&gt;" in text and text.startswith("*Create an alias*: not possible.")


def test_preview_has_a_green_confirm_and_a_cancel_the_result_an_undo() -> None:
    preview = Reply(ReplyKind.PREVIEW, (MESSAGES("preview_hint"),), pending_id=7)
    buttons = json.loads(json.dumps([block.to_dict() for block in reply_message("sv", preview)["blocks"]]))[
        -1
    ]
    assert [(b["text"]["text"], b.get("style"), b["value"]) for b in buttons["elements"]] == [
        ("Bekräfta", "primary", "7"),
        ("Avbryt", None, "7"),
    ]
    done = reply_message("en", Reply(ReplyKind.DONE, (MESSAGES("cancelled"),), pending_id=7))
    assert done["blocks"][-1].to_dict()["elements"][0]["action_id"] == "flow_undo"
    assert len(reply_message("en", Reply.info(MESSAGES("cancelled")))["blocks"]) == 1


def test_a_checked_keep_copy_box_reads_as_yes() -> None:
    checked = {"keep_copy": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}}}
    unchecked = {"keep_copy": {"value": {"type": "checkboxes", "selected_options": []}}}
    assert modal_values({"state": {"values": checked}}) == {"keep_copy": "yes"}
    assert modal_values({"state": {"values": unchecked}}) == {"keep_copy": ""}


@pytest.mark.parametrize(("lang", "words"), [("en", "bounces (is rejected)"), ("sv", "studsar (avvisas)")])
def test_a_preview_shows_who_will_bounce_escaped_in_both_languages(lang: Lang, words: str) -> None:
    warning = ROUTING_MESSAGES("bounce_warning", addresses="<!here>@kulexempel.se, anna@kulexempel.se")
    preview = Reply(ReplyKind.PREVIEW, (warning, MESSAGES("preview_hint")), pending_id=3)
    text = reply_message(lang, preview)["blocks"][0].to_dict()["text"]["text"]
    assert words in text and "anna@kulexempel.se" in text
    assert "<!here>" not in text and "&lt;!here&gt;" in text


def test_modal_metadata_reads_back_what_it_wrote_and_nothing_else() -> None:
    assert parse_modal_metadata(modal_metadata("alias.add", "https://hooks.slack.com/x")) == (
        "alias.add",
        "https://hooks.slack.com/x",
    )
    assert parse_modal_metadata(modal_metadata("group.create", None)) == ("group.create", None)
    # What an older version (or another app) put there: not ours.
    for foreign in (
        "",
        "v1|alias.add|D1",
        "42",
        "[]",
        '{"flow": 7}',
        '{"flow": "alias.add", "response_url": 1}',
    ):
        assert parse_modal_metadata(foreign) is None, foreign


@pytest.mark.parametrize("lang", LANGS)
def test_the_stale_form_answer_is_valid_block_kit(lang: Lang) -> None:
    view = stale_form(lang).to_dict()  # slack_sdk checks the title's 24 characters
    assert view["type"] == "modal" and "submit" not in view
