"""Bilingual message catalogs: every text the bot says exists in Swedish and English.

Each area (routing, flows, answers, slack, ...) keeps one `Catalog`; `ALL_CATALOGS` lets a
test check that every entry has both languages with the same placeholders. A message that shows
a number of things is a `Plural`: its form is chosen by the `count` value ("1 member", "2 members").

A `Text` goes to another process as JSON (`text_to_json`, `text_from_json`): a decision made in the
terminal is shown in Slack by the app's worker, in the languages Slack's readers read.
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
class Someone:
    """A person named in a message by their user id: Slack shows a mention, the terminal the id."""

    user_id: str

    def __str__(self) -> str:
        return self.user_id


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


def one_line(text: str) -> str:
    """`text` with every character that is not printable (line breaks, tabs, NUL, escape sequences,
    bidi controls) escaped, so a value shown to people never adds, hides or reorders a line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def text_to_json(text: Text) -> dict[str, Any]:
    """`text` as JSON; its values may be text, numbers, None, people (`Someone`) and other Texts."""
    return {
        "catalog": text.catalog.name,
        "key": text.key,
        "values": {key: _value_to_json(value) for key, value in text.values.items()},
    }


def text_from_json(data: Mapping[str, Any]) -> Text:
    """The Text `text_to_json` wrote (its catalog is one this process has imported)."""
    [catalog] = [catalog for catalog in ALL_CATALOGS if catalog.name == data["catalog"]]
    return catalog(data["key"], **{key: _value_from_json(value) for key, value in data["values"].items()})


def _value_to_json(value: Any) -> Any:
    if isinstance(value, Text):
        return {"text": text_to_json(value)}
    if isinstance(value, Someone):
        return {"someone": value.user_id}
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"a message value that cannot be JSON: {value!r}")


def _value_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return text_from_json(value["text"]) if "text" in value else Someone(value["someone"])
    return value
