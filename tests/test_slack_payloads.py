"""Slack's payloads as Slack really sends them (tests/data/slack/, each file naming the documented shape it
follows), replayed against a running app over HTTP (`mailbot serve --http`, signed) and over Socket Mode
(`mailbot serve` with an app token). What a person would see is checked in the Web API stand-in; what
an operator would see in the app's log (one JSON object a line, from every process)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt.authorization import AuthorizeResult

from bot.conversation import MESSAGES as CONVERSATION
from bot.slack.failures import MESSAGES as FAILURES
from bot.slack.messages import MESSAGES as SLACK_MESSAGES
from bot.slack.other_workspaces import is_for
from tests.support.slack_fixtures import SlackAppProcess, SocketModeAppProcess, migrated_sqlite
from tests.support.slack_payloads import HTTP_ONLY, KINDS, Replay, load, payload_names
from tests.support.slack_standin import Call, SlackStandIn

SLACK_DEADLINE = 3.0  # seconds Slack waits for an ack before it shows an error or delivers again
# The question a click points to is unknown, so its language is too: MAILBOT_LANG (Swedish by default).
UNKNOWN_QUESTION = CONVERSATION.text("unknown_question", "sv")


@pytest.fixture(scope="module", params=["http", "socket_mode"])
def replay(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    """One app per transport, each with its own database and Web API stand-in."""
    standin = SlackStandIn().start()
    directory = tmp_path_factory.mktemp(request.param)
    log = directory / "app.log"
    if request.param == "http":
        app: SlackAppProcess | SocketModeAppProcess = SlackAppProcess(
            migrated_sqlite(directory), standin, {}, log
        )
    else:
        app = SocketModeAppProcess(migrated_sqlite(directory), standin, log)
    yield Replay(request.param, app)
    app.stop()
    standin.stop()


@pytest.fixture
def slack(replay: Replay) -> Replay:
    replay.standin.reset()
    return replay


def posted_in(slack: Replay, channel: str, count: int = 1) -> list[Call]:
    return slack.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == channel, count)


def answers_in(slack: Replay, channel: str) -> list[Call]:
    return [
        call for call in slack.standin.calls_to("chat.postMessage") if call.args.get("channel") == channel
    ]


def test_every_payload_file_names_the_documented_shape_it_follows() -> None:
    names = payload_names()
    assert len(names) >= 20
    for name in names:
        payload = load(name)
        assert payload.kind in KINDS, name
        assert "https://" in payload.shape, f"{name}: say which documented shape it follows"
        assert isinstance(payload.body, dict) and payload.body, name
        if payload.kind == "event":
            assert payload.body["type"] == "event_callback" and payload.body["event_id"].startswith("Ev")


@pytest.mark.parametrize(
    ("name", "channel", "thread_ts"),
    [
        ("message_im", "DPAYLOAD01", None),
        ("message_im_file_share", "DPAYLOAD02", None),
        ("message_im_thread_broadcast", "DPAYLOAD03", "1700001200.000100"),
        ("message_im_me_message", "DPAYLOAD04", None),
        ("message_im_enterprise_grid", "DPAYLOAD05", None),
        ("app_mention_thread_broadcast", "CPAYLOAD02", "1700002100.000100"),
        ("message_im_rich_text_only", "DWORLD01", None),
        ("message_im_slack_markup", "DWORLD02", None),
        ("app_mention_slack_connect_thread", "CWORLD03", "1700004200.000100"),
    ],
)
def test_what_a_person_typed_is_answered_whatever_its_subtype(
    slack: Replay, name: str, channel: str, thread_ts: str | None
) -> None:
    ack = slack.send(name)
    assert (ack.status, ack.body) == (200, "")
    [answer] = posted_in(slack, channel)
    assert answer.args.get("thread_ts") == thread_ts
    assert "answer_feedback" in answer.text()  # an article, with "Was this helpful?"


def test_a_screenshot_without_words_is_told_that_only_text_is_read(slack: Replay) -> None:
    """A DM of only a file (Slack's file_share with an empty text) has no question to answer: the asker
    is told, in their Slack locale (the stand-in's users.info says en-US), to write it in words."""
    ack = slack.send("message_im_file_share_no_text")
    assert (ack.status, ack.body) == (200, "")
    [reply] = posted_in(slack, "DFILEONLY1")
    assert reply.args["text"] == SLACK_MESSAGES.text("files_only", "en")
    assert "answer_feedback" not in reply.text()  # no article, no "Was this helpful?"


def test_an_edited_mention_is_answered_once(slack: Replay) -> None:
    assert slack.send("app_mention").status == 200
    [answer] = posted_in(slack, "CPAYLOAD01")
    assert answer.args["thread_ts"] == "1700002000.000100"
    assert slack.send("app_mention_edited").status == 200
    # Taken in before its ack as the same message: acked as a duplicate, the receipt in the request log.
    [skipped] = slack.request_lines("event:app_mention")[-1:]
    assert (skipped["outcome"], skipped["receipt"]) == ("duplicate", "message:CPAYLOAD01:1700002000.000100")
    time.sleep(1)  # room for a second answer to show, were one on its way
    assert answers_in(slack, "CPAYLOAD01") == [answer]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("message_changed", "subtype message_changed"),
        ("message_deleted", "subtype message_deleted"),
        ("bot_message", "a bot's message"),
    ],
)
def test_edits_deletions_and_bots_are_acked_logged_and_not_answered(
    slack: Replay, name: str, reason: str
) -> None:
    assert slack.send(name).status == 200
    # Decided before the ack (nothing went to the after-ack worker), and logged with the reason.
    [line] = [line for line in slack.request_lines("event:message") if line.get("reason") == reason][-1:]
    assert line["outcome"] == "ignored" and line["mode"] == slack.transport
    assert slack.standin.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("app_uninstalled", "app_uninstalled"),
        ("tokens_revoked", "tokens_revoked"),
        ("member_joined_channel", "event member_joined_channel not handled"),
    ],
)
def test_events_without_an_answer_are_acked_and_logged_not_refused(
    slack: Replay, name: str, reason: str
) -> None:
    """Bolt answers an event no listener takes with 404, and Slack delivers it again."""
    ack = slack.send(name)
    assert (ack.status, ack.body) == (200, "")
    [line] = slack.request_lines(f"event:{name}")[-1:]
    assert (line["outcome"], line["reason"], line["status"]) == ("ignored", reason, 200)
    assert slack.standin.calls_to("chat.postMessage") == []


def test_the_apps_own_message_is_not_answered(slack: Replay) -> None:
    assert slack.send("message_im_from_this_app").status == 200
    assert (
        slack.send("message_im", event_id="EvAFTEROWN", channel="DAFTEROWN", ts="1700003000.000100").status
        == 200
    )
    posted_in(slack, "DAFTEROWN")  # a later question is answered: the app's own message was not handed on
    assert answers_in(slack, "DPAYLOAD08") == []


def test_only_a_retry_number_above_zero_is_a_redelivery(slack: Replay) -> None:
    assert slack.send("message_im_retry_0").status == 200
    [answer] = posted_in(slack, "DPAYLOAD09")
    again = slack.send("message_im_retry_1")
    assert (again.status, again.body) == (200, "")
    outcomes = [line["outcome"] for line in slack.request_lines("event:message")]
    assert outcomes[-2:] == ["ok", "duplicate"]
    # The second redelivery of an event whose earlier deliveries never arrived is answered, once.
    assert slack.send("message_im_retry_2").status == 200
    posted_in(slack, "DPAYLOAD10")
    assert answers_in(slack, "DPAYLOAD09") == [answer]


def test_a_first_delivery_is_acked_in_time_while_another_writer_holds_the_database(slack: Replay) -> None:
    """Socket Mode numbers a first delivery 0. Every delivery's job is written before its ack; here
    another writer holds SQLite's write lock all through the ack: the ack must still come in time, and
    as nothing could be taken in, the person is told so at once (in the language they wrote)."""
    database = Path(slack.database_url.removeprefix("sqlite:///"))
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, as a busy writer holds it
        ack = slack.send(
            "message_im_retry_0", event_id="EvBUSYFIRST", channel="DBUSY", ts="1700003100.000100"
        )
        assert ack.status == 200 and ack.seconds < SLACK_DEADLINE
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    [told] = posted_in(slack, "DBUSY")
    assert told.args["text"] == FAILURES.text("database_unavailable", "sv")


def test_an_event_from_a_workspace_without_this_token_is_not_answered(slack: Replay) -> None:
    assert slack.send("app_mention_other_workspace").status == 200
    [line] = slack.request_lines("event:app_mention")[-1:]
    assert (line["team"], line["outcome"]) == ("T0OTHERWS", "other_workspace")
    assert slack.standin.calls_to("chat.postMessage") == []


def test_installations_are_matched_by_team_or_by_organisation() -> None:
    workspace = AuthorizeResult(enterprise_id="E1", team_id="T1")
    grid = load("message_im_enterprise_grid").body
    assert is_for(workspace, grid) and is_for(workspace, load("message_im").body)
    assert not is_for(workspace, load("app_mention_other_workspace").body)
    org_wide = {"authorizations": [{"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True}]}
    assert is_for(AuthorizeResult(enterprise_id="E1", team_id=None), org_wide)
    assert not is_for(AuthorizeResult(enterprise_id="E2", team_id="T2"), org_wide)
    assert is_for(workspace, {"team_id": "T1"})  # an envelope without authorizations


def test_app_home_opened_publishes_the_home_tab(slack: Replay) -> None:
    assert slack.send("app_home_opened").status == 200
    [home] = slack.standin.wait_for("views.publish")
    assert home.args["user_id"] == "UPAYLOAD" and "/mailhelp" in home.text()


def test_url_verification_and_ssl_check_are_answered_over_http(slack: Replay) -> None:
    if slack.transport != "http":
        pytest.skip("Socket Mode has neither: " + ", ".join(HTTP_ONLY))
    verified = slack.send("url_verification")
    assert verified.status == 200 and verified.body == {
        "challenge": load("url_verification").body["challenge"]
    }
    checked = slack.send("ssl_check")
    assert (checked.status, checked.body) == (200, "")
    assert slack.standin.calls == []


def test_slash_commands_are_acked_then_answered(slack: Replay) -> None:
    ack = slack.send("command_mailhelp")
    assert (ack.status, ack.body) == (200, "")
    [reply] = slack.standin.wait_for("response_url", lambda call: call.path.endswith("command_mailhelp"))
    assert reply.args["response_type"] == "ephemeral" and "Was this helpful?" in reply.text()
    assert slack.send("command_alias_bare").status == 200
    [opened] = slack.standin.wait_for("views.open")
    assert opened.args["trigger_id"] == load("command_alias_bare").body["trigger_id"]
    assert opened.args["view"]["callback_id"] == "flow_modal"


def test_a_topic_click_in_app_home_is_acked_and_answered_by_dm(slack: Replay) -> None:
    """A click in a view has no response_url: the reply goes by the Web API, and the ack is never lost."""
    ack = slack.send("block_actions_show_topic_in_home", ack_timeout=SLACK_DEADLINE)
    assert ack.status == 200
    [told] = posted_in(slack, "UPAYLOAD")
    assert told.args["text"] == UNKNOWN_QUESTION


def test_a_click_on_an_unknown_answer_says_so_through_its_response_url(slack: Replay) -> None:
    assert slack.send("block_actions_feedback").status == 200
    [told] = slack.standin.wait_for("response_url", lambda call: call.path.endswith("block_actions_feedback"))
    assert told.args["text"] == UNKNOWN_QUESTION and told.args["response_type"] == "ephemeral"


def test_a_form_an_older_version_opened_gets_a_clear_answer_and_changes_nothing(slack: Replay) -> None:
    ack = slack.send("view_submission_flow_modal_older_version")
    assert ack.status == 200 and ack.body["response_action"] == "update"
    shown = json.dumps(ack.body["view"])
    assert "This form is out of date" in shown and "Nothing was changed" in shown
    assert [line["outcome"] for line in slack.request_lines("view:flow_modal")][-1:] == ["ok"]
    assert slack.standin.calls_to("response_url") == [] and slack.standin.calls_to("chat.postMessage") == []


def test_a_comment_on_an_unknown_answer_and_a_closed_form_are_acked(slack: Replay) -> None:
    submitted = slack.send("view_submission_feedback_modal")
    assert (submitted.status, submitted.body) == (200, "")
    closed = slack.send("view_closed")
    assert (closed.status, closed.body) == (200, "")
    assert [line["outcome"] for line in slack.request_lines("view:flow_modal")][-1:] == ["ok"]


def test_every_process_logs_json_and_every_request_has_its_line(slack: Replay) -> None:
    # A user whose locale Slack will not give: the after-ack worker logs a warning, in JSON too.
    slack.standin.script("users.info", 200, {"ok": False, "error": "user_not_found"})
    assert (
        slack.send(
            "message_im", event_id="EvLOGS", channel="DLOGS", ts="1700003200.000100", user="ULOGS"
        ).status
        == 200
    )
    posted_in(slack, "DLOGS")
    warning = slack.wait_for_log(lambda line: "users.info failed for ULOGS" in str(line.get("message")))
    assert warning["level"] == "warning" and warning["logger"] == "bot.slack.runtime" and "error" in warning
    [line] = [line for line in slack.request_lines("event:message") if line.get("user") == "ULOGS"]
    assert (line["team"], line["outcome"], line["status"], line["mode"]) == ("T1", "ok", 200, slack.transport)
    assert line["ms"] >= 0
