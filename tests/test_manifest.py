"""manifest.yml is what a provider pastes into Slack: valid by Slack's schema, and true to the app."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from slack_bolt import App

from bot.config import Settings
from bot.slack.app import create_app
from bot.slack.oauth import BOT_SCOPES
from tests.support.slack_fixtures import migrated_sqlite
from tests.support.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "slack-manifest.schema.json").read_text())
# Which bot scope each subscribed event needs (Slack refuses the manifest otherwise).
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "app_home_opened": None,
    "app_uninstalled": None,
    "tokens_revoked": None,
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.fixture(scope="module")
def app(slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory) -> App:
    # Migrated: the app starts its after-ack worker, which polls the job queue until the tests end.
    settings = Settings(
        database_url=migrated_sqlite(tmp_path_factory.mktemp("manifest")),
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url=slack_standin.api_url,
    )
    return create_app(settings)


def listened_to(app: App) -> tuple[set[str], set[str]]:
    """The slash commands and event types the app's listeners match, read from Bolt's matchers."""
    commands: set[str] = set()
    events: set[str] = set()
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__closure__:
                continue
            captured = dict(
                zip(func.__code__.co_freevars, (c.cell_contents for c in func.__closure__), strict=True)
            )
            if isinstance(captured.get("command"), str):
                commands.add(captured["command"])
            if isinstance(captured.get("event_type"), str):
                events.add(captured["event_type"])
    assert commands and events, "Bolt's matchers changed shape: update listened_to()"
    return commands, events


def test_manifest_is_valid_by_slacks_schema(manifest: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(manifest)


def test_schema_check_catches_a_broken_manifest(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["features"]["slash_commands"][0]["command"] = "mailhelp"  # no leading slash
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(broken)


def test_every_request_kind_can_reach_the_app(manifest: dict[str, Any]) -> None:
    """Slack's own rule the schema cannot express: without Socket Mode each feature needs a request URL."""
    settings = manifest["settings"]
    socket_mode = settings.get("socket_mode_enabled", False)
    assert settings["interactivity"]["is_enabled"]
    assert socket_mode or settings["interactivity"].get("request_url")
    assert socket_mode or settings["event_subscriptions"].get("request_url")
    for command in manifest["features"]["slash_commands"]:
        assert socket_mode or command.get("url"), command["command"]


def test_commands_in_the_manifest_are_the_commands_the_app_handles(
    manifest: dict[str, Any], app: App
) -> None:
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    handled, _ = listened_to(app)
    assert handled == declared


def test_subscribed_events_are_listened_to_and_have_their_scopes(manifest: dict[str, Any], app: App) -> None:
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    _, handled = listened_to(app)
    # "message.im" is delivered as a `message` event with channel_type "im".
    assert {event.split(".")[0] for event in subscribed} == handled
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands"} <= scopes
    for event in subscribed:
        assert EVENT_SCOPES[event] is None or EVENT_SCOPES[event] in scopes, event


def test_app_home_has_the_tabs_the_app_uses(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert not home.get("messages_tab_read_only_enabled")  # people write their questions there


# The scope each Web API method the app calls by name (`api_call("...")`) needs.
METHOD_SCOPES = {
    "users.info": "users:read",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
}


def test_the_install_asks_for_the_manifests_scopes_and_every_method_called_has_its_scope(
    manifest: dict[str, Any],
) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert set(BOT_SCOPES) == scopes
    called = {
        match
        for path in (ROOT / "bot").rglob("*.py")
        for match in re.findall(r"api_call\(\s*\"([a-z.A-Z]+)\"", path.read_text())
    }
    assert called == set(METHOD_SCOPES), "a new Web API method: name its scope in METHOD_SCOPES"
    assert {METHOD_SCOPES[method] for method in called} <= scopes
