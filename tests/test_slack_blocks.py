"""Block Kit builders: what Slack will show, within Slack's limits, for answers of every kind."""

from __future__ import annotations

import json

import pytest

from bot.answers import Answer, AnswerKind, TopicRef
from bot.conversation import Turn
from bot.feedback import ArticleFeedback
from bot.slack.blocks import (
    SECTION_LIMIT,
    answer_blocks,
    feedback_modal,
    feedback_value,
    home_view,
    mrkdwn_sections,
    parse_feedback_value,
    parse_topic_value,
    share_bar,
    support_request_blocks,
)

RELATED = [TopicRef(f"topic-{n}", f"Topic {n}") for n in range(8)]


def as_json(blocks: list) -> list[dict]:
    return [block.to_dict() for block in blocks]  # to_dict() runs slack_sdk's limit checks


def test_long_text_is_split_between_lines_within_slacks_section_limit() -> None:
    lines = [f"line {n} " + "ä" * 80 for n in range(100)]
    sections = as_json(mrkdwn_sections("\n".join(lines)))
    assert len(sections) > 1
    assert all(len(section["text"]["text"]) <= SECTION_LIMIT for section in sections)
    assert "\n".join(section["text"]["text"] for section in sections) == "\n".join(lines)


def test_one_unbroken_word_of_40_kb_is_cut_at_the_limit() -> None:
    sections = as_json(mrkdwn_sections("x" * 40_000))
    assert [len(section["text"]["text"]) for section in sections] == [3000] * 13 + [1000]


def test_article_has_title_topics_and_feedback_buttons_carrying_the_question() -> None:
    answer = Answer(AnswerKind.ARTICLE, "en", "An alias is …", "alias", "What is an alias?", 0.9, RELATED)
    blocks = as_json(answer_blocks(Turn(answer, 42, truncated=False)))
    assert blocks[0]["text"]["text"].startswith("*What is an alias?*\nAn alias is")
    [actions] = [block for block in blocks if block["type"] == "actions"]
    assert [button["value"] for button in actions["elements"]] == [f"42:topic-{n}" for n in range(5)]
    assert len({button["action_id"] for button in actions["elements"]}) == 5  # unique within the block
    [feedback] = [block for block in blocks if block["type"] == "context_actions"]
    buttons = feedback["elements"][0]
    assert buttons["type"] == "feedback_buttons"
    assert (buttons["positive_button"]["value"], buttons["negative_button"]["value"]) == (
        "helpful:42",
        "not_helpful:42",
    )
    assert "Was this helpful?" in json.dumps(blocks)


def test_unsure_answer_offers_a_person_and_no_feedback() -> None:
    answer = Answer(AnswerKind.NO_ANSWER, "sv", "Jag är inte säker …", related=RELATED[:3])
    blocks = as_json(answer_blocks(Turn(answer, 7, truncated=True)))
    assert blocks[0]["type"] == "context" and "2000" in blocks[0]["elements"][0]["text"]
    [actions] = [block for block in blocks if block["type"] == "actions"]
    assert actions["elements"][-1]["text"]["text"] == "Prata med en person"
    assert actions["elements"][-1]["value"] == "7"
    assert not [block for block in blocks if block["type"] == "context_actions"]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (feedback_value(True, 5), (True, 5)),
        (feedback_value(False, 5), (False, 5)),
        ("helpful:", None),
        ("helpful:-1", None),
        ("yes:5", None),
        ("", None),
    ],
)
def test_feedback_values_round_trip_and_garbage_is_refused(
    value: str, parsed: tuple[bool, int] | None
) -> None:
    assert parse_feedback_value(value) == parsed


def test_topic_values() -> None:
    assert parse_topic_value("12:alias") == (12, "alias")
    assert parse_topic_value("x:alias") is None and parse_topic_value("12:") is None


def test_modal_speaks_the_answers_language_and_keeps_the_question_id() -> None:
    view = feedback_modal("en", 99).to_dict()
    assert view["private_metadata"] == "99" and view["callback_id"] == "feedback_modal"
    assert view["title"]["text"] == "Help us improve"
    assert [block.get("block_id") for block in view["blocks"]] == [None, "comment", "person"]
    assert all(block["optional"] for block in view["blocks"][1:])


def test_support_request_escapes_and_cuts_user_text() -> None:
    blocks = as_json(
        support_request_blocks("en", "U1", "<!channel> help " + "y" * 10_000, None, "<@U2> & co")
    )
    text = "\n".join(block["text"]["text"] for block in blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "&lt;@U2&gt; &amp; co" in text and "<@U1>" in text  # only the asker is mentioned
    assert "no fitting topic" in text and len(text) < 4000


def test_home_view_bars() -> None:
    assert share_bar(None) == "·" * 10 and share_bar(0.5) == "█" * 5 + "░" * 5 and share_bar(1.0) == "█" * 10
    assert "Feedback per article" not in json.dumps(home_view("en", None, {}).to_dict())
    assert "No answers yet." in json.dumps(home_view("en", [], {}).to_dict())


def test_home_view_counts_answers_in_the_singular_and_plural() -> None:
    feedback = [ArticleFeedback("alias", 1, 1, 0), ArticleFeedback("forwarding", 2, 0, 1)]
    titles = {"alias": "Alias", "forwarding": "Forwarding"}
    english = json.dumps(home_view("en", feedback, titles).to_dict(), ensure_ascii=False)
    assert "*Alias*: 1 helpful, 0 not, 1 answer" in english
    assert "*Forwarding*: 0 helpful, 1 not, 2 answers" in english
    swedish = json.dumps(home_view("sv", feedback, titles).to_dict(), ensure_ascii=False)
    assert "*Alias*: 1 till hjälp, 0 inte, 1 svar" in swedish
