"""The Slack app end to end: signed HTTP requests to a running `mailbot serve --http`, its Web API calls
recorded by a local stand-in. Assertions are about what a person sees and what is stored."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.db import make_engine, make_sessionmaker
from bot.feedback import AnsweredQuestion, FeedbackVote, report
from bot.slack.failures import MESSAGES as FAILURES
from tests.support.slack_fixtures import CUSTOMER, SUPPORT_CHANNEL, SlackAppProcess, find_element
from tests.support.slack_standin import BOT_ID, BOT_USER_ID, Call

T = TypeVar("T")


@pytest.fixture
def app(slack_app: SlackAppProcess) -> Iterator[SlackAppProcess]:
    slack_app.standin.reset()
    yield slack_app


def rows(app: SlackAppProcess, model: type[T]) -> list[T]:
    """Every stored row of `model` in the app's database, oldest first."""
    engine = make_engine(app.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def stored_questions(app: SlackAppProcess) -> list[AnsweredQuestion]:
    return rows(app, AnsweredQuestion)


def votes(app: SlackAppProcess) -> list[FeedbackVote]:
    return rows(app, FeedbackVote)


def dm(text: str, *, user: str = CUSTOMER, **extra: Any) -> dict[str, Any]:
    ts = f"{time.time():.6f}"
    return {
        "type": "message",
        "channel": "D1",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        **extra,
    }


def section_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(block["text"]["text"] for block in blocks if block["type"] == "section")


def feedback_values(blocks: list[dict[str, Any]]) -> tuple[str, str]:
    element = find_element(blocks, "answer_feedback")
    return element["positive_button"]["value"], element["negative_button"]["value"]


def ask_in_dm(app: SlackAppProcess, text: str) -> Call:
    assert app.event(dm(text)).status == 200
    [reply] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "D1")
    return reply


def test_url_verification_answers_the_challenge(app: SlackAppProcess) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"}).encode()
    response = app.signed_post(body, "application/json")
    assert response.status == 200 and "c-123" in response.body


def test_health_checks_the_database(app: SlackAppProcess) -> None:
    assert app.get("/health").status == 200


def test_direct_message_gets_the_article_in_its_language_with_feedback_buttons(app: SlackAppProcess) -> None:
    reply = ask_in_dm(app, "vad är ett alias?")
    blocks = reply.args["blocks"]
    assert "alias" in section_text(blocks).lower()
    assert reply.args["_authorization"] == "Bearer xoxb-test-token"
    positive, negative = feedback_values(blocks)
    assert positive.startswith("helpful:") and negative.startswith("not_helpful:")
    [stored] = stored_questions(app)[-1:]
    assert (stored.question, stored.lang, stored.topic_id) == ("vad är ett alias?", "sv", "alias")
    assert (stored.user_id, stored.team_id, stored.channel_id) == (CUSTOMER, "T1", "D1")
    assert positive == f"helpful:{stored.id}"
    assert "Var det här till hjälp?" in json.dumps(blocks, ensure_ascii=False)


def test_question_in_a_dm_thread_is_answered_in_that_thread(app: SlackAppProcess) -> None:
    assert app.event(dm("what is forwarding?", thread_ts="1700000001.000100")).status == 200
    [reply] = app.standin.wait_for("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000001.000100"


def test_mention_is_answered_in_its_thread_without_the_mention(app: SlackAppProcess) -> None:
    event = {
        "type": "app_mention",
        "channel": "C1",
        "user": CUSTOMER,
        "text": f"<@{BOT_USER_ID}> what is the difference between an alias and a forward?",
        "ts": "1700000123.000200",
    }
    assert app.event(event).status == 200
    [reply] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "C1")
    assert reply.args["thread_ts"] == "1700000123.000200"
    assert "Was this helpful?" in reply.text()
    stored = stored_questions(app)[-1]
    assert stored.question == "what is the difference between an alias and a forward?"
    assert stored.lang == "en" and stored.topic_id is not None


def test_a_mention_whose_answer_fails_is_told_so_in_its_thread_in_its_language(app: SlackAppProcess) -> None:
    app.standin.script("chat.postMessage", 200, {"ok": False, "error": "fatal_error"})
    event = {
        "type": "app_mention",
        "channel": "C2",
        "user": CUSTOMER,
        "text": f"<@{BOT_USER_ID}> vad är ett alias?",
        "ts": "1700000201.000300",
        "thread_ts": "1700000200.000100",
    }
    assert app.event(event).status == 200
    refused, told = app.standin.wait_for(
        "chat.postMessage", lambda call: call.args.get("channel") == "C2", count=2
    )
    assert "alias" in refused.text().lower() and refused.args["thread_ts"] == "1700000200.000100"
    assert told.args["thread_ts"] == "1700000200.000100"
    assert told.args["text"] == FAILURES.text("something_went_wrong", "sv")


def test_mailhelp_acks_then_answers_privately_through_response_url(app: SlackAppProcess) -> None:
    response = app.command("/mailhelp", "how do I forward my mail to gmail?")
    assert response.status == 200
    [reply] = app.standin.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert "forward" in section_text(reply.args["blocks"]).lower()
    assert stored_questions(app)[-1].lang == "en"


def test_text_without_language_clues_is_answered_in_the_users_slack_locale(app: SlackAppProcess) -> None:
    app.standin.script("users.info", 200, {"ok": True, "user": {"id": "USWEDE", "locale": "sv-SE"}})
    assert app.command("/mailhelp", "", user_id="USWEDE").status == 200
    [swedish] = app.standin.wait_for("response_url")
    assert "Skriv din fråga" in section_text(swedish.args["blocks"])
    app.standin.reset()
    assert app.command("/mailhelp", "", user_id="UENGLISH").status == 200  # the stand-in's default: en-US
    [english] = app.standin.wait_for("response_url")
    assert "Type your question" in section_text(english.args["blocks"])


def test_helpful_then_not_helpful_counts_once_and_the_modal_stores_the_comment(app: SlackAppProcess) -> None:
    blocks = ask_in_dm(app, "vad är en distributionsgrupp?").args["blocks"]
    positive, negative = feedback_values(blocks)

    assert app.click(blocks, "answer_feedback", value=positive).status == 200
    [thanks] = app.standin.wait_for("response_url")
    assert thanks.args["text"] == "Tack för att du svarade! Bra att det hjälpte."
    assert thanks.args["response_type"] == "ephemeral"
    assert [(v.user_id, v.helpful) for v in votes(app)] == [(CUSTOMER, True)]

    assert app.click(blocks, "answer_feedback", value=negative).status == 200
    [opened] = app.standin.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-answer_feedback"
    view = opened.args["view"]
    assert view["callback_id"] == "feedback_modal" and view["title"]["text"] == "Hjälp oss bli bättre"
    assert [(v.user_id, v.helpful) for v in votes(app)] == [(CUSTOMER, False)]

    values = {
        "comment": {"comment_input": {"type": "plain_text_input", "value": "Kan en extern adress vara med?"}},
        "person": {"person_input": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    }
    response = app.submit_view(view, values)
    assert response.status == 200 and response.body in ("", "{}")
    [posted] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == SUPPORT_CHANNEL)
    assert (
        "Kan en extern adress vara med?" in posted.text() and "vad är en distributionsgrupp?" in posted.text()
    )
    [told] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == CUSTOMER)
    assert "supporten" in told.args["text"]
    [vote] = votes(app)
    assert (vote.helpful, vote.comment, vote.wants_person) == (False, "Kan en extern adress vara med?", True)
    engine = make_engine(app.database_url)
    with make_sessionmaker(engine)() as session:
        group_row = next(row for row in report(session) if row.topic_id == "distribution-group")
    engine.dispose()
    assert group_row.not_helpful == 1 and group_row.comments[0].comment == "Kan en extern adress vara med?"


def test_unsure_answer_offers_topics_and_a_person(app: SlackAppProcess) -> None:
    blocks = ask_in_dm(app, "how do I bake sourdough bread?").args["blocks"]
    assert stored_questions(app)[-1].topic_id is None
    topic_button = find_element(blocks, "show_topic")
    person_button = find_element(blocks, "ask_person")
    assert person_button["text"]["text"] == "Talk to a person"

    app.standin.reset()
    assert app.click(blocks, "show_topic").status == 200
    [article] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "D1")
    assert topic_button["text"]["text"] in section_text(article.args["blocks"])
    feedback_values(article.args["blocks"])  # the shown article has its own "Was this helpful?"

    assert app.click(blocks, "ask_person").status == 200
    [posted] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == SUPPORT_CHANNEL)
    assert "how do I bake sourdough bread?" in posted.text()
    [told] = app.standin.wait_for("response_url")
    assert told.args["text"] == "I have passed your question to support. A person will get back to you here."


def test_click_on_an_unknown_or_forged_answer_says_so_and_stores_nothing(app: SlackAppProcess) -> None:
    before = len(votes(app))
    for value in ("helpful:999999", "helpful:abc", "maybe:1"):
        app.standin.reset()
        feedback = {"type": "feedback_buttons", "action_id": "answer_feedback", "value": value}
        assert (
            app.click([{"type": "context_actions", "elements": [feedback]}], "answer_feedback").status == 200
        )
        [told] = app.standin.wait_for("response_url")
        assert told.args["text"] == "Den frågan hittar jag inte längre. Ställ den gärna igen."
    assert len(votes(app)) == before
    assert app.standin.calls_to("views.open") == []


def test_greeting_gets_a_short_reply_without_feedback(app: SlackAppProcess) -> None:
    blocks = ask_in_dm(app, "hej!").args["blocks"]
    assert "Hej" in section_text(blocks)
    assert "answer_feedback" not in json.dumps(blocks)


def test_own_messages_edits_and_joins_get_no_answer(app: SlackAppProcess) -> None:
    before = len(stored_questions(app))
    app.event(dm("vad är ett alias?", bot_id=BOT_ID))
    app.event(dm("vad är ett alias?", user=BOT_USER_ID))
    app.event(dm("vad är ett alias?", subtype="message_changed"))
    app.event(dm("vad är ett alias?", subtype="channel_join"))
    ask_in_dm(app, "what is forwarding?")  # answered after the ignored ones were handled
    assert [q.question for q in stored_questions(app)[before:]] == ["what is forwarding?"]
    assert len(app.standin.calls_to("chat.postMessage")) == 1


def test_forged_or_stale_requests_are_rejected_and_change_nothing(app: SlackAppProcess) -> None:
    before = len(stored_questions(app))
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event": dm("vad är ett alias?")}).encode()
    assert app.signed_post(body, "application/json", secret="not-the-secret").status == 401
    assert app.signed_post(body, "application/json", timestamp=int(time.time()) - 6 * 60).status == 401
    assert app.post(body, "application/json").status == 401  # no signature at all
    forged_vote = app.command("/mailhelp", "vad är ett alias?", secret="not-the-secret")
    assert forged_vote.status == 401
    assert len(stored_questions(app)) == before
    assert app.standin.calls == []


HOSTILE = "<!channel> <!here> {{ 7*7 }} {% raw %} 😀 \u200fمرحبا\u200e hur skapar jag ett alias? "
# What the person typed (Slack sends @channel as <!channel>): stored and shown as words, never markup.
HOSTILE_TYPED = "@channel @here {{ 7*7 }} {% raw %} 😀 \u200fمرحبا\u200e hur skapar jag ett alias? "


def test_hostile_text_gets_a_normal_reply_without_mass_mention_or_template_evaluation(
    app: SlackAppProcess,
) -> None:
    question = HOSTILE + "x" * 40_000
    reply = ask_in_dm(app, question)
    blocks = reply.args["blocks"]
    assert "<!channel>" not in reply.text() and "<!here>" not in reply.text()
    assert "2000" in blocks[0]["elements"][0]["text"]  # "only the first 2000 characters were read"
    assert stored_questions(app)[-1].question.startswith(HOSTILE_TYPED)

    # Asking for a person echoes the question into the support channel: escaped, literal, cut.
    person_button = {"type": "button", "action_id": "ask_person", "value": str(stored_questions(app)[-1].id)}
    assert app.click([{"type": "actions", "elements": [person_button]}], "ask_person").status == 200
    [posted] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == SUPPORT_CHANNEL)
    text = posted.text()
    assert "<!channel>" not in text and "<!here>" not in text and "@channel @here" in text
    assert "{{ 7*7 }}" in text and "{% raw %}" in text and "49" not in text
    assert "😀" in text and "مرحبا" in text
    assert len(text) < 10_000


def test_app_home_shows_how_to_ask_and_feedback_only_to_agents(app: SlackAppProcess) -> None:
    # The stand-in's users.info gives every user the locale en-US: the Home tab speaks English.
    app.event({"type": "app_home_opened", "user": CUSTOMER, "channel": "D1", "tab": "home"})
    [customer_home] = app.standin.wait_for("views.publish")
    assert customer_home.args["user_id"] == CUSTOMER and "/mailhelp" in customer_home.text()
    assert "Feedback per article" not in customer_home.text()
    app.event({"type": "app_home_opened", "user": "UAGENT", "channel": "D2", "tab": "home"})
    [agent_home] = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == "UAGENT")
    assert "Feedback per article" in agent_home.text()
