"""Bilingual message catalogs: every text the bot says exists in Swedish and English.

Each area (routing, flows, answers, slack, ...) keeps one `Catalog`; `ALL_CATALOGS` lets a
test check that every entry has both languages with the same placeholders. A message that shows
a number of things is a `Plural`: its form is chosen by the `count` value ("1 member", "2 members").
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import LANGS, Lang

ALL_CATALOGS: list[Catalog] = []


@dataclass(frozen=True)
class Plural:
    """The forms of one message in one language, chosen by its `count` value: `one` for exactly 1,
    `other` for every other number (0 too). Swedish and English have just these two plural
    categories for whole numbers (CLDR); `one` may spell the number out instead of using {count}."""

    one: str
    other: str

    def __post_init__(self) -> None:
        if "count" not in placeholders(self.other):
            raise ValueError(f"the other form must show {{count}}: {self.other!r}")

    def choose(self, count: int) -> str:
        return self.one if count == 1 else self.other


Message = str | Plural


def forms(message: Message) -> tuple[str, ...]:
    return (message.one, message.other) if isinstance(message, Plural) else (message,)


def placeholders(message: Message) -> set[str]:
    """The values a message shows (for a Plural, in either form)."""
    return {name for form in forms(message) for _, name, _, _ in string.Formatter().parse(form) if name}


class Catalog:
    def __init__(self, name: str, messages: Mapping[str, Mapping[Lang, Message]]) -> None:
        for key, texts in messages.items():
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise ValueError(f"{name}.{key} lacks {missing}")
            if len({isinstance(texts[lang], Plural) for lang in LANGS}) > 1:
                raise ValueError(f"{name}.{key} has plural forms in one language only")
        self.name = name
        self.messages = messages
        ALL_CATALOGS.append(self)

    def text(self, key: str, lang: Lang, **values: Any) -> str:
        template = self.messages[key][lang]
        if isinstance(template, Plural):
            template = template.choose(values["count"])
        return template.format(**values)

    def __call__(self, key: str, **values: Any) -> Text:
        if key not in self.messages:
            raise KeyError(f"{self.name} has no message {key!r}")
        if isinstance(self.messages[key][LANGS[0]], Plural) and not isinstance(values.get("count"), int):
            raise TypeError(
                f"{self.name}.{key} is chosen by a whole number `count`, got {values.get('count')!r}"
            )
        return Text(self, key, values)


@dataclass(frozen=True)
class Text:
    """A message not yet put in a language: the core returns these, adapters render them."""

    catalog: Catalog
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        values = {k: v.render(lang) if isinstance(v, Text) else v for k, v in self.values.items()}
        return self.catalog.text(self.key, lang, **values)

    def render_with(self, lang: Lang, show: Callable[[Any], str]) -> str:
        """Rendered with every value from outside passed through `show` (an adapter's escaping, say);
        numbers stay numbers, so a plural form is still chosen by its count."""
        values = {
            key: value.render_with(lang, show)
            if isinstance(value, Text)
            else value
            if isinstance(value, int)
            else show(value)
            for key, value in self.values.items()
        }
        return self.catalog.text(self.key, lang, **values)
