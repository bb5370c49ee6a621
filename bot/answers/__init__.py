"""The answering core (no Slack here): language detection, retrieval, article rendering."""

from bot.answers.core import answer, render_topic, topics
from bot.answers.language import detect_language
from bot.answers.types import Answer, AnswerKind, TopicRef

__all__ = ["Answer", "AnswerKind", "TopicRef", "answer", "detect_language", "render_topic", "topics"]
