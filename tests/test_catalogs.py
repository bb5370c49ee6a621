"""Every text the bot says exists in Swedish and English, with the same values in both; a message that
shows a count has plural forms in both, and they read right for 1 and for 2."""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import pytest

import bot
from bot.config import LANGS
from bot.i18n import ALL_CATALOGS, Catalog, Plural, Someone, forms, placeholders, text_from_json, text_to_json


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


IMPORTED = _import_every_module()


def _catalog(name: str) -> Catalog:
    [catalog] = [catalog for catalog in ALL_CATALOGS if catalog.name == name]
    return catalog


def test_every_catalog_has_both_languages_with_the_same_values() -> None:
    assert "bot.slack.app" in IMPORTED
    names = {catalog.name for catalog in ALL_CATALOGS}
    assert {"routing", "flows", "answers", "conversation", "database", "cli", "serve"} <= names, names
    for catalog in ALL_CATALOGS:
        for key, texts in catalog.messages.items():
            sv, en = forms(texts["sv"]), forms(texts["en"])
            assert len(sv) == len(en), f"{catalog.name}.{key}: plural forms in one language only"
            for sv_form, en_form in zip(sv, en, strict=True):
                assert sv_form.strip() and en_form.strip(), f"{catalog.name}.{key}"
                assert placeholders(sv_form) == placeholders(en_form), f"{catalog.name}.{key}"


def test_a_message_that_shows_a_count_has_plural_forms() -> None:
    for catalog in ALL_CATALOGS:
        for key, texts in catalog.messages.items():
            if "count" in placeholders(texts["en"]):
                assert all(isinstance(texts[lang], Plural) for lang in LANGS), f"{catalog.name}.{key}"


# Each plural message, its other values, and how it reads with 1 and with 2 (Swedish, then English).
G = {"group": "sales@kulexempel.se", "limit": 200}
A = {"address": "sales@kulexempel.se", "limit": 10}
ROW = {"address": "sales@kulexempel.se", "name": "Sales"}
READINGS: dict[tuple[str, str], tuple[dict[str, Any], tuple[str, str], tuple[str, str]]] = {
    ("routing", "too_many_members"): (
        G,
        ("skulle få 1 medlem,", "skulle få 2 medlemmar,"),
        ("would get 1 member;", "would get 2 members;"),
    ),
    ("routing", "too_many_deliveries"): (
        A,
        ("skulle nå 1 mottagare,", "skulle nå 2 mottagare,"),
        ("would reach 1 recipient;", "would reach 2 recipients;"),
    ),
    ("routing", "too_deep"): (
        A,
        ("gå genom 1 led,", "gå genom 2 led,"),
        ("pass through 1 step;", "pass through 2 steps;"),
    ),
    ("routing", "effect.delete_group"): (
        {"address": "sales@kulexempel.se"},
        ("dess enda medlem får den inte", "dess 2 medlemmar får den inte"),
        ("its one member stops getting it", "its 2 members stop getting it"),
    ),
    ("routing", "effect.import"): (
        {},
        ("1 brevlåda importerad.", "2 brevlådor importerade."),
        ("1 mailbox imported.", "2 mailboxes imported."),
    ),
    ("routing", "import_field_count"): (
        {"expected": 2},
        ("raden har 1 fält, men rubrikraden har 2.", "raden har 2 fält, men rubrikraden har 2."),
        ("the line has 1 field but the header has 2.", "the line has 2 fields but the header has 2."),
    ),
    ("routing", "cli.group"): (
        ROW,
        ("Sales\t1 medlem", "Sales\t2 medlemmar"),
        ("Sales\t1 member", "Sales\t2 members"),
    ),
    ("customers", "setup.group_row"): (
        {"address": "sales@acme.se"},
        ("sales@acme.se (1 medlem)", "sales@acme.se (2 medlemmar)"),
        ("sales@acme.se (1 member)", "sales@acme.se (2 members)"),
    ),
    ("customers", "setup.more"): ({}, ("och en till.", "och 2 till."), ("and one more.", "and 2 more.")),
    ("flows", "group_row"): (
        ROW,
        ('"Sales" (1 medlem)', '"Sales" (2 medlemmar)'),
        ('"Sales" (1 member)', '"Sales" (2 members)'),
    ),
    ("flows", "more_rows"): (
        {},
        ("… och en till (", "… och 2 till ("),
        ("… and one more (", "… and 2 more ("),
    ),
    ("flows", "expired"): (
        {},
        ("äldre än en minut;", "äldre än 2 minuter;"),
        ("older than one minute;", "older than 2 minutes;"),
    ),
    ("slack", "answers"): ({}, ("1 svar", "2 svar"), ("1 answer", "2 answers")),
    ("privacy", "prune.row"): (
        {"table": "questions", "done": "anonymised", "cutoff": "2026-06-03"},
        ("anonymised 1 rad (", "anonymised 2 rader ("),
        ("anonymised 1 row (", "anonymised 2 rows ("),
    ),
    ("privacy", "erase.row"): (
        {"table": "questions", "done": "deleted"},
        ("deleted 1 rad", "deleted 2 rader"),
        ("deleted 1 row", "deleted 2 rows"),
    ),
}


def test_every_plural_message_has_its_readings_checked() -> None:
    plural = {
        (catalog.name, key)
        for catalog in ALL_CATALOGS
        for key, texts in catalog.messages.items()
        if isinstance(texts["en"], Plural)
    }
    assert plural == set(READINGS)


@pytest.mark.parametrize(("catalog_name", "key"), sorted(READINGS))
def test_plural_forms_read_right_for_one_and_two(catalog_name: str, key: str) -> None:
    values, sv, en = READINGS[(catalog_name, key)]
    message = _catalog(catalog_name)
    for count, sv_expected, en_expected in zip((1, 2), sv, en, strict=True):
        text = message(key, count=count, **values)
        assert sv_expected in text.render("sv") and en_expected in text.render("en")
    # Zero takes the other form in both languages ("0 members", "0 medlemmar").
    for lang in LANGS:
        plural = message.messages[key][lang]
        assert isinstance(plural, Plural) and plural.choose(0) == plural.other


def test_a_plural_message_needs_a_whole_number_count() -> None:
    with pytest.raises(TypeError):
        _catalog("flows")("group_row", address="a@b.se", name="A", count="2")
    with pytest.raises(ValueError):
        Plural("{count} thing", "things")


def test_a_text_read_back_from_json_says_the_same_in_both_languages() -> None:
    effect = _catalog("routing")("effect.delete_group", address="alla@kulexempel.se", count=3)
    approved = _catalog("customers")("approved", approver=Someone("UAGENT"), id=7, effect=effect)
    again = text_from_json(json.loads(json.dumps(text_to_json(approved))))
    assert again == approved
    for lang in LANGS:
        assert again.render(lang) == approved.render(lang)
        assert "UAGENT" in again.render(lang) and "3" in again.render(lang)
    assert isinstance(again.values["approver"], Someone)  # Slack still shows a mention
    with pytest.raises(TypeError):
        text_to_json(_catalog("customers")("summary.one", address=object()))
