"""One turn of the help conversation, shared by the Slack app and the terminal chat (no Slack here).

A question is answered by the core (with the examples agents taught, bot/teaching.py), recorded (its
id travels with the feedback buttons) and returned with what the adapters say around an answer, in
the answer's language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from bot.answers import Answer, answer, detect_language, render_topic
from bot.answers.core import MAX_QUESTION_CHARS
from bot.config import Lang, Settings
from bot.customers.directory import CustomerAccess
from bot.customers.setup import article_context, setup_answer
from bot.feedback import answered_question, record_answer, stored_lang
from bot.i18n import Catalog
from bot.teaching import taught_index

MESSAGES = Catalog(
    "conversation",
    {
        "truncated": {
            "sv": "Ditt meddelande var långt, så jag läste bara de första {limit} tecknen.",
            "en": "Your message was long, so I read only its first {limit} characters.",
        },
        "was_it_helpful": {"sv": "Var det här till hjälp?", "en": "Was this helpful?"},
        "helpful": {"sv": "Ja, tack", "en": "Yes, thanks"},
        "not_helpful": {"sv": "Nej", "en": "No"},
        "thanks_helpful": {
            "sv": "Tack för att du svarade! Bra att det hjälpte.",
            "en": "Thanks for letting us know! Glad it helped.",
        },
        "thanks_not_helpful": {
            "sv": "Tack, vi använder ditt svar för att göra artikeln bättre.",
            "en": "Thank you, we will use your answer to improve the article.",
        },
        "ask_person": {"sv": "Prata med en person", "en": "Talk to a person"},
        "person_coming": {
            "sv": "Jag har skickat din fråga till supporten. En person hör av sig till dig här.",
            "en": "I have passed your question to support. A person will get back to you here.",
        },
        "person_contact": {
            "sv": "Du når en person i supporten på {support}.",
            "en": "You can reach a person in support at {support}.",
        },
        "what_was_unclear": {"sv": "Vad var oklart?", "en": "What was unclear?"},
        "unknown_question": {
            "sv": "Den frågan hittar jag inte längre. Ställ den gärna igen.",
            "en": "I can no longer find that question. Please ask it again.",
        },
    },
)


@dataclass(frozen=True)
class Turn:
    """An answer as the user sees it: with its recorded id and whether the question was cut."""

    answer: Answer
    question_id: int
    truncated: bool

    @property
    def notes(self) -> list[str]:
        if not self.truncated:
            return []
        return [MESSAGES.text("truncated", self.answer.lang, limit=MAX_QUESTION_CHARS)]


def ask(
    session: Session,
    settings: Settings,
    question: str,
    *,
    user_id: str | None,
    team_id: str | None = None,
    channel_id: str | None = None,
    fallback_lang: Lang | None = None,
    customer: CustomerAccess | None = None,
) -> Turn:
    """Answer `question` and record it (with who asked and where) for feedback. `fallback_lang` (the
    asker's own language, when known) replaces MAILBOT_LANG for texts that show no language. A
    customer's person asking about their own addresses is answered from their routing; their articles
    show their own domain and mailbox."""
    settings = replace(settings, default_lang=fallback_lang) if fallback_lang else settings
    reply = None
    if customer is not None:
        lang = detect_language(question[:MAX_QUESTION_CHARS], settings.default_lang)
        reply = setup_answer(session, question[:MAX_QUESTION_CHARS], customer, lang, settings.support_contact)
    if reply is None:
        reply = answer(question, settings, context=_context(session, customer), taught=taught_index(session))
    question_id = record_answer(
        session, question, reply, user_id=user_id, team_id=team_id, channel_id=channel_id
    )
    return Turn(reply, question_id, truncated=len(question) > MAX_QUESTION_CHARS)


def show_topic(
    session: Session,
    settings: Settings,
    question_id: int,
    topic_id: str,
    *,
    user_id: str | None,
    customer: CustomerAccess | None = None,
) -> Turn | None:
    """The article of a topic the user picked under an earlier answer, recorded as an answer of that
    same question (so its feedback counts for the article that was shown); None if the question is gone."""
    asked = answered_question(session, question_id)
    if asked is None:
        return None
    reply = render_topic(topic_id, stored_lang(asked.lang), settings, _context(session, customer))
    new_id = record_answer(
        session, asked.question, reply, user_id=user_id, team_id=asked.team_id, channel_id=asked.channel_id
    )
    return Turn(reply, new_id, truncated=False)


def _context(session: Session, customer: CustomerAccess | None) -> dict[str, str] | None:
    return None if customer is None else article_context(session, customer)


def question_lang(session: Session, question_id: int, default: Lang) -> Lang:
    """The language an answered question was answered in (for replies to clicks on it)."""
    asked = answered_question(session, question_id)
    return default if asked is None else stored_lang(asked.lang)
