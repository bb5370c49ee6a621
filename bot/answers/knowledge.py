"""The knowledge base: one Jinja2 article per topic and language, with YAML front matter.

Files are `knowledge/<lang>/<topic>.md.j2`:

    ---
    title: What is an alias?
    questions: [ways people ask, in their own words]
    terms: [words that show a question is about this topic, synonyms included]
    related: [other topic ids]
    flow: alias.add            # optional: the guided flow that performs this
    ---
    Slack mrkdwn body using {{ domain }}, {{ mailbox }}, {{ name }}, {{ provider }}, {{ support }}.

Templates are compiled once per knowledge directory. Every value a template prints is escaped
for Slack mrkdwn by the environment's `finalize` hook, so no article can forget it; user text is
only ever a template *value*, never template source.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from bot.config import LANGS, Lang

TOPIC_IDS: tuple[str, ...] = (
    "alias",
    "forwarding",
    "distribution-group",
    "alias-vs-forwarding-vs-group",
    "manage-aliases",
    "manage-forwarding",
    "manage-groups",
    "send-from-alias",
    "external-forwarding",
    "group-external-senders",
    "shared-mailbox-vs-group",
    "connected-accounts",
)
FLOWS = frozenset({"alias.add", "forward.set", "group.create"})
FRONT_MATTER_KEYS = frozenset({"title", "questions", "terms", "related", "flow"})
# The values templates may use; anything else is an error at render time (StrictUndefined).
TEMPLATE_VALUES = ("domain", "mailbox", "name", "provider", "support")


class KnowledgeError(ValueError):
    """The knowledge base on disk is malformed (a packaging/authoring error, not user input)."""


def escape_mrkdwn(value: object) -> str:
    """Slack mrkdwn's control characters: `<` starts a link or mention, `&` an entity."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Article:
    topic_id: str
    lang: Lang
    title: str
    questions: tuple[str, ...]
    terms: tuple[str, ...]
    related: tuple[str, ...]
    flow: str | None
    template: jinja2.Template
    template_source: str  # the body as written (for statistics about the language, never rendered from here)

    def render(self, values: Mapping[str, str]) -> str:
        return _rendered(self, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=512)
def _rendered(article: Article, values: tuple[tuple[str, str], ...]) -> str:
    """An article's text with these values (kept: most answers use the same few, and Jinja2 takes
    tens of microseconds a render)."""
    return article.template.render(dict(values)).strip()


@dataclass(frozen=True)
class KnowledgeBase:
    articles: Mapping[tuple[Lang, str], Article]

    def article(self, lang: Lang, topic_id: str) -> Article:
        return self.articles[(lang, topic_id)]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=escape_mrkdwn,
        keep_trailing_newline=False,
    )


def _split_front_matter(path: Path, source: str) -> tuple[dict[str, Any], str]:
    if not source.startswith("---\n"):
        raise KnowledgeError(f"{path}: must start with a '---' front matter line")
    end = source.find("\n---\n", 4)
    if end < 0:
        raise KnowledgeError(f"{path}: front matter is not closed by a '---' line")
    meta = yaml.safe_load(source[4:end])
    if not isinstance(meta, dict):
        raise KnowledgeError(f"{path}: front matter must be a mapping")
    return meta, source[end + len("\n---\n") :]


def _string_list(path: Path, meta: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise KnowledgeError(f"{path}: '{key}' must be a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _load_article(env: jinja2.Environment, path: Path, lang: Lang, topic_id: str) -> Article:
    meta, body = _split_front_matter(path, path.read_text(encoding="utf-8"))
    unknown = set(meta) - FRONT_MATTER_KEYS
    if unknown:
        raise KnowledgeError(f"{path}: unknown front matter keys {sorted(unknown)}")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise KnowledgeError(f"{path}: 'title' is required")
    questions = _string_list(path, meta, "questions")
    if not questions:
        raise KnowledgeError(f"{path}: 'questions' must list how people ask")
    terms = _string_list(path, meta, "terms")
    if not terms:
        raise KnowledgeError(f"{path}: 'terms' must list the words that name the topic")
    related = _string_list(path, meta, "related")
    if bad := [topic for topic in related if topic not in TOPIC_IDS or topic == topic_id]:
        raise KnowledgeError(f"{path}: 'related' has unknown topics {bad}")
    flow = meta.get("flow")
    if flow is not None and flow not in FLOWS:
        raise KnowledgeError(f"{path}: 'flow' must be one of {sorted(FLOWS)}")
    try:
        template = env.from_string(body)
    except jinja2.TemplateSyntaxError as error:
        raise KnowledgeError(f"{path}:body line {error.lineno}: {error.message}") from error
    return Article(topic_id, lang, title.strip(), questions, terms, related, flow, template, body)


@functools.cache
def load_knowledge(knowledge_dir: Path) -> KnowledgeBase:
    """Read and compile every article once per directory; every topic must exist in every language."""
    env = _environment()
    articles: dict[tuple[Lang, str], Article] = {}
    for lang in LANGS:
        found = {path.name.removesuffix(".md.j2") for path in (knowledge_dir / lang).glob("*.md.j2")}
        if missing := [topic for topic in TOPIC_IDS if topic not in found]:
            raise KnowledgeError(f"{knowledge_dir / lang}: missing articles {missing}")
        if extra := sorted(found - set(TOPIC_IDS)):
            raise KnowledgeError(f"{knowledge_dir / lang}: articles for unknown topics {extra}")
        for topic_id in TOPIC_IDS:
            path = knowledge_dir / lang / f"{topic_id}.md.j2"
            articles[(lang, topic_id)] = _load_article(env, path, lang, topic_id)
    return KnowledgeBase(articles)
