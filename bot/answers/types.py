"""What the answering core returns; adapters (Slack, terminal, CLI) only render it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.config import Lang


class AnswerKind(enum.StrEnum):
    ARTICLE = "article"  # a help article fitted the question
    NO_ANSWER = "no_answer"  # nothing fitted well enough: offer the closest topics and a person
    OFF_TOPIC = "off_topic"  # a neighbouring subject this bot does not handle (passwords, spam ...): a person
    SMALLTALK = "smalltalk"  # greeting or thanks: a short reply saying what the bot can do
    OWN_SETUP = "own_setup"  # a customer's question about their own addresses, answered from routing


@dataclass(frozen=True)
class TopicRef:
    topic_id: str
    title: str  # in the answer's language


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    lang: Lang
    text: str  # Slack mrkdwn, every outside value already escaped
    topic_id: str | None = None  # set for ARTICLE
    title: str | None = None  # set for ARTICLE
    score: float = 0.0  # how well the best topic fits, 0..1 (1: named and asked about; 0 for SMALLTALK)
    related: list[TopicRef] = field(default_factory=list)  # closest or related topics, as buttons
    flow: str | None = None  # the article's front matter `flow` (e.g. "alias.add"), if any
    alternative: TopicRef | None = None  # a close runner-up for an ARTICLE, offered as "Did you mean ...?"
    subject: str | None = None  # for OFF_TOPIC: the neighbouring subject (bot.answers.vocabulary.Subject)
