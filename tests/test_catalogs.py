"""Every text the bot says exists in Swedish and English, with the same values in both."""

from __future__ import annotations

import importlib
import pkgutil

import bot
from bot.i18n import ALL_CATALOGS, placeholders


def _import_every_module() -> list[str]:
    # Importing a module that keeps a catalog registers it in ALL_CATALOGS; the entry point and the
    # migration scripts are not modules to import.
    names = []
    for module in pkgutil.walk_packages(bot.__path__, prefix="bot."):
        if module.name == "bot.__main__" or module.name.startswith("bot.migrations"):
            continue
        importlib.import_module(module.name)
        names.append(module.name)
    return names


def test_every_catalog_has_both_languages_with_the_same_values() -> None:
    assert "bot.slack.app" in _import_every_module()
    names = {catalog.name for catalog in ALL_CATALOGS}
    assert {"routing", "flows", "answers", "conversation", "database", "cli", "serve"} <= names, names
    for catalog in ALL_CATALOGS:
        for key, texts in catalog.messages.items():
            assert texts["sv"].strip() and texts["en"].strip(), f"{catalog.name}.{key}"
            assert placeholders(texts["sv"]) == placeholders(texts["en"]), f"{catalog.name}.{key}"
