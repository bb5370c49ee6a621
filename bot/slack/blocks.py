"""Block Kit for the help conversation, built with slack_sdk.models so Slack's limits are checked.

Small pure functions: tests call them directly, listeners only send what they return.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextActionsBlock,
    ContextBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.answers import AnswerKind
from bot.answers.knowledge import escape_mrkdwn
from bot.answers.messages import MESSAGES as ANSWERS
from bot.config import Lang
from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import Turn
from bot.feedback import ArticleFeedback
from bot.flows.messages import MESSAGES as FLOW_MESSAGES
from bot.slack.messages import MESSAGES

SECTION_LIMIT = 3000  # characters of mrkdwn in one section block
FALLBACK_LIMIT = 3000  # notification text beside the blocks
MAX_TOPIC_BUTTONS = 5
QUOTED_QUESTION_LIMIT = 2500

FEEDBACK_ACTION = "answer_feedback"
SHOW_TOPIC_ACTION = "show_topic"  # action ids are "show_topic:<n>": unique within their block
ASK_PERSON_ACTION = "ask_person"
# Value: a flow id ("alias.add"); the button opens its modal (bot.slack.listeners.flows).
START_FLOW_ACTION = "flow_start"
FEEDBACK_MODAL = "feedback_modal"
COMMENT_BLOCK, COMMENT_INPUT = "comment", "comment_input"
PERSON_BLOCK, PERSON_INPUT = "person", "person_input"
PERSON_WANTED = "yes"


def mrkdwn_sections(text: str) -> list[SectionBlock]:
    """`text` in as many sections as Slack's 3000-character limit needs, cut between lines."""
    sections: list[SectionBlock] = []
    rest = text.strip()
    while rest:
        if len(rest) <= SECTION_LIMIT:
            cut = len(rest)
        else:
            newline = rest.rfind("\n", 0, SECTION_LIMIT)
            cut = newline if newline > SECTION_LIMIT // 2 else SECTION_LIMIT
        sections.append(SectionBlock(text=MarkdownTextObject(text=rest[:cut])))
        rest = rest[cut:].strip()
    return sections


def slack_date(moment: datetime) -> str:
    """A time in mrkdwn that Slack shows in the reader's own time zone and words ("today 14:02"),
    with the time in UTC for a client that cannot."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives back naive UTC
    fallback = f"{aware.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"<!date^{int(aware.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def feedback_value(helpful: bool, question_id: int) -> str:
    return f"{'helpful' if helpful else 'not_helpful'}:{question_id}"


def parse_feedback_value(value: str) -> tuple[bool, int] | None:
    verdict, _, question_id = value.partition(":")
    if verdict not in ("helpful", "not_helpful") or not question_id.isdigit():
        return None
    return verdict == "helpful", int(question_id)


def parse_topic_value(value: str) -> tuple[int, str] | None:
    question_id, _, topic_id = value.partition(":")
    return (int(question_id), topic_id) if question_id.isdigit() and topic_id else None


def answer_blocks(turn: Turn) -> list[Block]:
    """An answer: its notes, text, topic buttons, "talk to a person" when unsure, "Was this helpful?"."""
    answer, lang = turn.answer, turn.answer.lang
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=note)]) for note in turn.notes]
    blocks += mrkdwn_sections(
        f"*{escape_mrkdwn(answer.title)}*\n{answer.text}" if answer.title else answer.text
    )
    offered = [answer.alternative] if answer.alternative else []
    buttons = [
        ButtonElement(
            text=(
                ANSWERS.text("did_you_mean", lang, title=ref.title)
                if ref is answer.alternative
                else ref.title
            )[:75],
            action_id=f"{SHOW_TOPIC_ACTION}:{n}",
            value=f"{turn.question_id}:{ref.topic_id}",
        )
        for n, ref in enumerate([*offered, *answer.related][:MAX_TOPIC_BUTTONS])
    ]
    if answer.flow:
        buttons.append(
            ButtonElement(
                text=FLOW_MESSAGES.text(f"flow.{answer.flow}", lang),
                action_id=START_FLOW_ACTION,
                value=answer.flow,
            )
        )
    if answer.kind in (AnswerKind.NO_ANSWER, AnswerKind.OFF_TOPIC):
        buttons.append(
            ButtonElement(
                text=CONVERSATION.text("ask_person", lang),
                action_id=ASK_PERSON_ACTION,
                value=str(turn.question_id),
                style="primary",
            )
        )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    if answer.kind is AnswerKind.ARTICLE:
        blocks += feedback_blocks(lang, turn.question_id)
    return blocks


def feedback_blocks(lang: Lang, question_id: int) -> list[Block]:
    """ "Was this helpful?" with Slack's thumbs up / down, carrying the answered question's id."""
    return [
        ContextBlock(elements=[MarkdownTextObject(text=CONVERSATION.text("was_it_helpful", lang))]),
        ContextActionsBlock(
            elements=[
                FeedbackButtonsElement(
                    action_id=FEEDBACK_ACTION,
                    positive_button=FeedbackButtonObject(
                        text=CONVERSATION.text("helpful", lang), value=feedback_value(True, question_id)
                    ),
                    negative_button=FeedbackButtonObject(
                        text=CONVERSATION.text("not_helpful", lang), value=feedback_value(False, question_id)
                    ),
                )
            ]
        ),
    ]


def fallback_text(turn: Turn) -> str:
    """The plain `text` beside the blocks (notifications, screen readers)."""
    return turn.answer.text[:FALLBACK_LIMIT]


def feedback_modal(lang: Lang, question_id: int) -> View:
    """After "not helpful": what was unclear (optional), and whether a person should follow up."""
    return View(
        type="modal",
        callback_id=FEEDBACK_MODAL,
        private_metadata=str(question_id),
        title=PlainTextObject(text=MESSAGES.text("modal_title", lang)),
        submit=PlainTextObject(text=MESSAGES.text("modal_submit", lang)),
        close=PlainTextObject(text=MESSAGES.text("modal_close", lang)),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("modal_intro", lang))),
            InputBlock(
                block_id=COMMENT_BLOCK,
                optional=True,
                label=PlainTextObject(text=MESSAGES.text("comment_label", lang)),
                element=PlainTextInputElement(action_id=COMMENT_INPUT, multiline=True, max_length=3000),
            ),
            InputBlock(
                block_id=PERSON_BLOCK,
                optional=True,
                label=PlainTextObject(text=MESSAGES.text("person_label", lang)),
                element=CheckboxesElement(
                    action_id=PERSON_INPUT,
                    options=[Option(value=PERSON_WANTED, text=MESSAGES.text("person_option", lang))],
                ),
            ),
        ],
    )


def submitted_feedback(view: dict[str, Any]) -> tuple[str | None, bool]:
    """The comment (or None) and whether a person was asked for, from the feedback modal's state."""
    values = (view.get("state") or {}).get("values") or {}
    comment = (values.get(COMMENT_BLOCK) or {}).get(COMMENT_INPUT, {}).get("value")
    chosen = (values.get(PERSON_BLOCK) or {}).get(PERSON_INPUT, {}).get("selected_options") or []
    return comment, any(option.get("value") == PERSON_WANTED for option in chosen)


def quoted(text: str) -> str:
    """User text shown back inside a message: escaped (no mentions, no links), cut, as a quote."""
    short = text if len(text) <= QUOTED_QUESTION_LIMIT else text[:QUOTED_QUESTION_LIMIT] + " …"
    return "\n".join(f"> {line}" for line in escape_mrkdwn(short).splitlines() or [""])


def support_request_blocks(
    lang: Lang, user_id: str, question: str, article_title: str | None, comment: str | None
) -> list[SectionBlock]:
    """The post in the support channel when someone asks for a person."""
    article = escape_mrkdwn(article_title) if article_title else MESSAGES.text("support_no_article", lang)
    text = "\n".join(
        [
            MESSAGES.text("support_request", lang, user=escape_mrkdwn(user_id)),
            MESSAGES.text("support_question", lang),
            quoted(question),
            MESSAGES.text("support_article", lang, article=article),
        ]
    )
    if comment:
        text += "\n" + MESSAGES.text("support_comment", lang) + "\n" + quoted(comment)
    return mrkdwn_sections(text)


def home_view(lang: Lang, feedback: list[ArticleFeedback] | None, titles: dict[str, str]) -> View:
    """App Home: how to ask; for agents (feedback given) the helpful share per article as a bar."""
    blocks: list[Block] = [
        HeaderBlock(text=MESSAGES.text("home_title", lang)),
        SectionBlock(text=MarkdownTextObject(text=MESSAGES.text("home_how", lang))),
    ]
    if feedback is not None:
        rows = [row for row in feedback if row.topic_id is not None]
        lines = [
            MESSAGES.text(
                "home_feedback_row",
                lang,
                bar=share_bar(row.helpful_share),
                title=escape_mrkdwn(titles.get(row.topic_id or "", row.topic_id)),
                helpful=row.helpful,
                not_helpful=row.not_helpful,
                answers=MESSAGES.text("answers", lang, count=row.answered),
            )
            for row in rows
        ] or [MESSAGES.text("home_no_feedback", lang)]
        blocks += mrkdwn_sections("\n".join([MESSAGES.text("home_feedback", lang), *lines]))
    return View(type="home", blocks=blocks)


def share_bar(share: float | None, width: int = 10) -> str:
    if share is None:
        return "·" * width
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)
