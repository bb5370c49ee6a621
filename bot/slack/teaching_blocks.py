"""Block Kit for teaching the bot: a menu of articles plus "not our topic" under a question a customer
was unhappy with (the support channel's post, the agents' App Home), and what was taught.

Small pure functions, like bot/slack/blocks.py; the customer's words are only ever shown quoted and
escaped (`quoted`), never used as a template or as Block Kit markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot.answers.knowledge import escape_mrkdwn
from bot.answers.model import NONE
from bot.config import Lang
from bot.slack.blocks import quoted
from bot.slack.messages import MESSAGES
from bot.teaching import Taught, ToTeach

TEACH_ACTION = "teach_example"  # a menu option's value: "<answered question id>:<topic id or none>"
FORGET_ACTION = "forget_example"  # value: the taught example's id
# Block ids in the support channel's post, so a choice can replace exactly the menu and its prompt.
TEACH_BLOCKS = ("teach_prompt", "teach", "taught")
OPTION_TEXT_LIMIT = 75  # Slack's limit for an option's text
HOME_QUESTION_LIMIT = 300  # characters of each question App Home shows


def teach_value(question_id: int, label: str) -> str:
    return f"{question_id}:{label}"


def parse_teach_value(value: str) -> tuple[int, str] | None:
    question_id, _, label = value.partition(":")
    return (int(question_id), label) if question_id.isdigit() and label else None


def teach_menu(
    lang: Lang, question_id: int, titles: Mapping[str, str], block_id: str | None = None
) -> ActionsBlock:
    """Which article answers this question, or "not our topic": one choice teaches the bot."""
    options = [
        Option(value=teach_value(question_id, topic_id), text=title[:OPTION_TEXT_LIMIT])
        for topic_id, title in titles.items()
    ]
    options.append(Option(value=teach_value(question_id, NONE), text=MESSAGES.text("teach_none", lang)))
    return ActionsBlock(
        block_id=block_id,
        elements=[
            StaticSelectElement(
                action_id=TEACH_ACTION,
                placeholder=MESSAGES.text("teach_placeholder", lang),
                options=options,
            )
        ],
    )


def teach_blocks(lang: Lang, question_id: int, titles: Mapping[str, str]) -> list[Block]:
    """Under the support channel's post: the prompt and the menu."""
    return [
        ContextBlock(
            block_id=TEACH_BLOCKS[0], elements=[MarkdownTextObject(text=MESSAGES.text("teach_prompt", lang))]
        ),
        teach_menu(lang, question_id, titles, block_id=TEACH_BLOCKS[1]),
    ]


def label_title(lang: Lang, label: str, titles: Mapping[str, str]) -> str:
    return MESSAGES.text("teach_none", lang) if label == NONE else titles.get(label, label)


def taught_blocks(lang: Lang, example: Taught, titles: Mapping[str, str]) -> list[Block]:
    """What replaces the menu once taught: who taught what, and a way to take it back."""
    text = MESSAGES.text(
        "taught_note",
        lang,
        agent=escape_mrkdwn(example.taught_by),
        title=escape_mrkdwn(label_title(lang, example.label, titles)),
        id=example.id,
    )
    return [
        SectionBlock(
            block_id=TEACH_BLOCKS[2],
            text=MarkdownTextObject(text=text),
            accessory=ButtonElement(
                text=MESSAGES.text("forget_button", lang), action_id=FORGET_ACTION, value=str(example.id)
            ),
        )
    ]


def forgotten_blocks(lang: Lang, example: Taught) -> list[Block]:
    text = MESSAGES.text("forgotten_note", lang, agent=escape_mrkdwn(example.removed_by or ""), id=example.id)
    return [ContextBlock(block_id=TEACH_BLOCKS[2], elements=[MarkdownTextObject(text=text)])]


def teach_queue_blocks(lang: Lang, questions: list[ToTeach], titles: Mapping[str, str]) -> list[Block]:
    """App Home, for agents: the newest questions customers were unhappy with, each with the menu."""
    blocks: list[Block] = [HeaderBlock(text=MESSAGES.text("teach_queue_title", lang))]
    if not questions:
        return [*blocks, SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("teach_queue_empty", lang)))]
    for asked in questions:
        short = asked.question[:HOME_QUESTION_LIMIT] + (
            "…" if len(asked.question) > HOME_QUESTION_LIMIT else ""
        )
        answered = (
            escape_mrkdwn(titles.get(asked.topic_id, asked.topic_id))
            if asked.topic_id
            else MESSAGES.text("support_no_article", lang)
        )
        why = MESSAGES.text("teach_why_person" if asked.wants_person else "teach_why_unhelpful", lang)
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=quoted(short))),
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=MESSAGES.text("teach_answered", lang, article=answered, why=why))
                ]
            ),
            teach_menu(lang, asked.question_id, titles),
        ]
    return blocks
