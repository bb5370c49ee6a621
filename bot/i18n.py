"""Bilingual message catalogs: every text the bot says exists in Swedish and English.

Each area (routing, flows, answers, slack, ...) keeps one `Catalog`; `ALL_CATALOGS` lets a
test check that every entry has both languages with the same placeholders.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import LANGS, Lang

ALL_CATALOGS: list[Catalog] = []


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalog:
    def __init__(self, name: str, messages: Mapping[str, Mapping[Lang, str]]) -> None:
        for key, texts in messages.items():
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise ValueError(f"{name}.{key} lacks {missing}")
        self.name = name
        self.messages = messages
        ALL_CATALOGS.append(self)

    def text(self, key: str, lang: Lang, **values: Any) -> str:
        return self.messages[key][lang].format(**values)

    def __call__(self, key: str, **values: Any) -> Text:
        if key not in self.messages:
            raise KeyError(f"{self.name} has no message {key!r}")
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
