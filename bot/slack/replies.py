"""Replies more than one kind of job sends: an answer, and bringing in a person."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.answers import topics
from bot.conversation import MESSAGES as CONVERSATION
from bot.conversation import Turn, ask, question_lang
from bot.feedback import add_comment, answered_question
from bot.slack.blocks import answer_blocks, fallback_text, support_request_blocks
from bot.slack.deliveries import in_channel
from bot.slack.job_queue import Delivery
from bot.slack.runtime import Runtime
from bot.slack.teaching_blocks import teach_blocks


def turn_message(turn: Turn) -> dict[str, Any]:
    """chat.postMessage / respond arguments for one answer."""
    return {"text": fallback_text(turn), "blocks": answer_blocks(turn)}


def answer_message(
    runtime: Runtime,
    client: WebClient,
    question: str,
    *,
    user_id: str,
    team_id: str | None,
    channel_id: str | None,
    workspace: str | None,
) -> dict[str, Any]:
    """The answer to `question`; a text with no language clue is answered in the asker's Slack locale.
    A customer's person (of workspace `team_id`; `workspace` is where it was asked) gets their setup."""
    fallback_lang = runtime.lang(client, user_id)
    customer = runtime.person(client, user_id, team_id, workspace).customer
    with runtime.sessions() as session:
        turn = ask(
            session,
            runtime.settings,
            question,
            user_id=user_id,
            team_id=team_id,
            channel_id=channel_id,
            fallback_lang=fallback_lang,
            customer=customer,
        )
    return turn_message(turn)


def request_person(
    runtime: Runtime, question_id: int, user_id: str, comment: str | None = None
) -> tuple[list[Delivery], str, str] | None:
    """Record that `user_id` wants a person; the post for the support channel (none without one), what
    to tell the user, and what instead if Slack refuses the post (say, the app was never invited to
    the channel), in the question's language; None if the question is unknown."""
    settings = runtime.settings
    with runtime.sessions() as session:
        asked = answered_question(session, question_id)
        if asked is None:
            return None
        add_comment(session, question_id, user_id, comment, wants_person=True)
        lang = question_lang(session, question_id, settings.default_lang)
    contact = CONVERSATION.text("person_contact", lang, support=settings.support_contact)
    if not settings.support_channel:
        return [], contact, contact
    lang_of_post = settings.default_lang
    request = support_request_blocks(lang_of_post, user_id, asked.question, asked.topic_id, comment)
    first = request[0].text  # the notification shows the first section
    titles = {ref.topic_id: ref.title for ref in topics(lang_of_post, settings)}
    # An agent's one choice in the menu below teaches the bot (bot/slack/listeners/teaching.py).
    blocks: list[Block] = [*request, *teach_blocks(lang_of_post, question_id, titles)]
    post = in_channel(settings.support_channel, None, {"text": first.text if first else "", "blocks": blocks})
    return [post], CONVERSATION.text("person_coming", lang), contact
