"""Production pieces on PostgreSQL: redelivered events, the request log, outages, OAuth, instances."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.db import make_engine, make_sessionmaker
from bot.routing.service import RoutingService
from bot.slack.failures import MESSAGES
from bot.slack.oauth import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from tests.support.load import DOMAIN, gunicorn_argv, instances, prepare_database
from tests.support.postgres_server import PostgresServer, running_server
from tests.support.slack_fixtures import CUSTOMER, SlackAppProcess, find_element, migrated_sqlite
from tests.support.slack_standin import TEAM_ID, Call, SlackStandIn

# --- The running app (a real `mailbot serve --http` process) on PostgreSQL -----------------------


def direct_message(text: str, channel: str, team: str = TEAM_ID) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{channel}{time.monotonic_ns()}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": CUSTOMER,
            "text": text,
            "ts": f"{time.time():.6f}",
        },
    }


def send_event(app: SlackAppProcess, envelope: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    return app.signed_post(json.dumps(envelope).encode(), "application/json", headers=headers).status


def log_lines(app: SlackAppProcess) -> list[dict[str, Any]]:
    """The app's structured log: one JSON object a line (other output is skipped)."""
    lines = []
    for line in app.log().splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return [line for line in lines if isinstance(line, dict)]


def answers_in(standin: SlackStandIn, channel: str) -> list[Call]:
    return [call for call in standin.calls_to("chat.postMessage") if call.args.get("channel") == channel]


@pytest.fixture(scope="module")
def postgres_app(
    postgres_server: PostgresServer, slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackAppProcess]:
    url = postgres_server.create_migrated_database("production_app")
    app = SlackAppProcess(url, slack_standin, {}, tmp_path_factory.mktemp("postgres-app") / "app.log")
    yield app
    app.stop()
    postgres_server.drop_database("production_app")


@pytest.fixture
def app(postgres_app: SlackAppProcess) -> SlackAppProcess:
    postgres_app.standin.reset()
    return postgres_app


def test_an_event_slack_delivers_again_is_answered_once(app: SlackAppProcess) -> None:
    question = direct_message("what is an alias?", channel="DRETRY")
    assert send_event(app, question) == 200
    # Slack redelivers after its 3 seconds without an ack; by then the first delivery is recorded.
    app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "DRETRY")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert send_event(app, question, headers=retry) == 200
    # A later question's answer: by then a second answer to the first would have been started too.
    assert send_event(app, direct_message("what is a forward?", channel="DLATER")) == 200
    app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "DLATER")
    [answer] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "DRETRY")
    assert "alias" in answer.text().lower()
    assert len(answers_in(app.standin, "DRETRY")) == 1
    outcomes = [line["outcome"] for line in log_lines(app) if line.get("command") == "event:message"]
    assert outcomes.count("duplicate") == 1


def test_a_redelivery_whose_first_delivery_never_arrived_is_answered(app: SlackAppProcess) -> None:
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert send_event(app, direct_message("what is an alias?", channel="DLOST"), headers=retry) == 200
    app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "DLOST")
    assert len(answers_in(app.standin, "DLOST")) == 1


def test_a_rate_limited_answer_is_waited_out_and_delivered(app: SlackAppProcess) -> None:
    app.standin.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    assert send_event(app, direct_message("vad är en distributionsgrupp?", channel="DLIMIT")) == 200
    refused, delivered = app.standin.wait_for(
        "chat.postMessage", lambda call: call.args.get("channel") == "DLIMIT", count=2
    )
    assert delivered.args == refused.args  # the same message, sent again after the pause
    assert "grupp" in delivered.text().lower()


def test_a_request_that_is_not_slacks_is_logged_and_refused_and_the_app_serves_on(
    app: SlackAppProcess,
) -> None:
    assert app.post(b"{not json", "application/json").status >= 400
    assert app.signed_post(b"{not json", "application/json").status >= 400
    [first, second] = [line for line in log_lines(app) if line.get("path") == "/slack/events"][-2:]
    assert [(line["outcome"], line["command"]) for line in (first, second)] == [("refused", None)] * 2
    assert app.command("/mailhelp", "what is an alias?").status == 200


def test_a_form_slack_no_longer_lets_open_gets_a_message_instead_of_silence(app: SlackAppProcess) -> None:
    assert send_event(app, direct_message("what is a distribution group?", channel="DFORM")) == 200
    [answer] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == "DFORM")
    element = find_element(answer.args["blocks"], "answer_feedback")
    app.standin.script("views.open", 200, {"ok": False, "error": "expired_trigger_id"})
    not_helpful = element["negative_button"]["value"]
    assert app.click(answer.args["blocks"], "answer_feedback", value=not_helpful).status == 200
    [told] = app.standin.wait_for("response_url", lambda call: "could not open" in call.text())
    assert told.args["text"] == MESSAGES.text("form_expired", "en")
    assert told.args["response_type"] == "ephemeral"


def test_every_request_is_one_json_log_line_with_team_user_command_outcome_time(app: SlackAppProcess) -> None:
    assert app.command("/mailhelp", "how do I forward my mail?", user_id="ULOGGED").status == 200
    app.standin.wait_for("response_url")
    [line] = [entry for entry in log_lines(app) if entry.get("user") == "ULOGGED"]
    assert line["team"] == TEAM_ID
    assert line["command"] == "/mailhelp how"
    assert line["outcome"] == "ok"
    assert line["status"] == 200
    assert line["ms"] >= 0


# --- Multi-workspace install (OAuth) -------------------------------------------------------------

OAUTH_ENV = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret", "SLACK_BOT_TOKEN": ""}


def browser_get(app: SlackAppProcess, path: str, cookie: str | None = None) -> tuple[int, str, str]:
    """GET like a browser that does not follow redirects: status, body and the cookie set."""
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        reply = connection.getresponse()
        return reply.status, reply.read().decode(), (reply.getheader("Set-Cookie") or "").split(";")[0]
    finally:
        connection.close()


def open_install_page(app: SlackAppProcess) -> tuple[str, str]:
    """The "Add to Slack" page: the browser's state cookie, and the state in the page's Slack link."""
    status, page, cookie = browser_get(app, INSTALL_PATH)
    assert status == 200
    state = cookie.partition("=")[2]
    assert f"state={state}" in page and "slack.com/oauth/v2/authorize" in page
    return cookie, state


def install(app: SlackAppProcess, team: str) -> None:
    """Add to Slack, approve, and come back to the redirect path, as an admin of `team` would."""
    cookie, state = open_install_page(app)
    app.standin.script(
        "oauth.v2.access",
        200,
        {
            "ok": True,
            "app_id": "A1",
            "team": {"id": team, "name": f"Workspace {team}"},
            "authed_user": {"id": f"UADMIN{team}"},
            "access_token": f"xoxb-token-of-{team}",
            "bot_user_id": "UBOT",
            "scope": ",".join(BOT_SCOPES),
            "token_type": "bot",
        },
    )
    status, _page, _cookie = browser_get(app, f"{REDIRECT_PATH}?code=code-{team}&state={state}", cookie)
    assert status == 200


@pytest.fixture(scope="module")
def oauth_apps(
    postgres_server: PostgresServer, slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SlackAppProcess, SlackAppProcess]]:
    """Two instances without a bot token, sharing one PostgreSQL database."""
    url = postgres_server.create_migrated_database("oauth_apps")
    apps = [
        SlackAppProcess(url, slack_standin, OAUTH_ENV, tmp_path_factory.mktemp(f"oauth-{n}") / "app.log")
        for n in (1, 2)
    ]
    yield apps[0], apps[1]
    for app in apps:
        app.stop()
    postgres_server.drop_database("oauth_apps")


def test_each_installed_workspace_is_answered_with_its_own_token_by_any_instance(
    oauth_apps: tuple[SlackAppProcess, SlackAppProcess],
) -> None:
    first, second = oauth_apps
    first.standin.reset()
    install(first, "TONE")
    install(second, "TTWO")

    for instance, team in ((second, "TONE"), (first, "TTWO"), (first, "TONE")):
        channel = f"D{team}{instance.port}"
        assert send_event(instance, direct_message("what is an alias?", channel=channel, team=team)) == 200
        [answer] = instance.standin.wait_for("chat.postMessage", posted_in(channel))
        assert answer.args["_authorization"] == f"Bearer xoxb-token-of-{team}"


def posted_in(channel: str) -> Callable[[Call], bool]:
    return lambda call: call.args["channel"] == channel


def test_a_workspace_that_never_installed_gets_no_answer_and_an_install_link_works_once(
    oauth_apps: tuple[SlackAppProcess, SlackAppProcess],
) -> None:
    first, second = oauth_apps
    first.standin.reset()
    stranger = direct_message("what is an alias?", channel="DSTRANGER", team="TSTRANGER")
    refusal = first.signed_post(json.dumps(stranger).encode(), "application/json")
    assert "install this app" in refusal.body  # Bolt's answer when a workspace has no installation

    cookie, state = open_install_page(first)
    first.standin.script("oauth.v2.access", 200, {"ok": False, "error": "invalid_code"})
    assert browser_get(first, f"{REDIRECT_PATH}?code=bad&state={state}", cookie)[0] != 200
    # The state was used up (on any instance): Slack's code is not even exchanged a second time.
    assert browser_get(second, f"{REDIRECT_PATH}?code=code-TSTRANGER&state={state}", cookie)[0] != 200
    assert len(first.standin.calls_to("oauth.v2.access")) == 1


def test_the_install_asks_for_the_scopes_the_manifest_declares() -> None:
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yml").read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


# --- Two gunicorn instances on one host share nothing but the database -----------------------------


def test_two_gunicorn_instances_on_one_host_bind_no_shared_control_socket(
    slack_standin: SlackStandIn, tmp_path: Path
) -> None:
    """gunicorn's default control socket is one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl or
    ~/.gunicorn/gunicorn.ctl): the second instance took it from the first, and the first to stop
    removed it. The Procfile's command starts none."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": ""}
    apps = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        database_url = migrated_sqlite(tmp_path / name)
        log_path = tmp_path / f"{name}.log"
        apps.append(SlackAppProcess(database_url, slack_standin, env, log_path, argv=gunicorn_argv()))
    one, two = apps
    try:
        assert one.port != two.port and all(app.get("/health").status == 200 for app in apps)
        assert list(home.rglob("*")) == []  # no control socket, nor its directory
        assert all("control socket" not in app.log().lower() for app in apps)
        one.stop()
        assert two.get("/health").status == 200 and list(home.rglob("*")) == []
    finally:
        for app in apps:
            if app.process.poll() is None:
                app.stop()


# --- Two gunicorn instances, one PostgreSQL: flows that start on one and finish on the other ------


def preview_from(app: SlackAppProcess, agent: str, text: str) -> Call:
    assert app.command("/alias", text, user_id=agent).status == 200
    [preview] = app.standin.wait_for(
        "response_url", lambda c: c.path.endswith(f"command-{agent}") and "flow_confirm" in c.text()
    )
    return preview


def confirmations(app: SlackAppProcess, agent: str, count: int = 1) -> list[Call]:
    return app.standin.wait_for(
        "response_url", lambda c: c.path.endswith(f"click-{agent}") and "(change " in c.text(), count=count
    )


def alias_changes(database_url: str, alias: str) -> int:
    routing = RoutingService(make_sessionmaker(make_engine(database_url)))
    return sum(
        1 for record in routing.audit(1000) if record.action == "alias.add" and record.subject == alias
    )


@pytest.fixture(scope="module")
def twin_apps(
    postgres_server: PostgresServer, slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[SlackAppProcess]]:
    database_url = postgres_server.create_database("twins")
    prepare_database(database_url)
    with instances(2, database_url, slack_standin, tmp_path_factory.mktemp("twins")) as apps:
        yield apps


def test_a_preview_shown_by_one_instance_is_confirmed_through_the_other(
    twin_apps: list[SlackAppProcess],
) -> None:
    one, two = twin_apps
    one.standin.reset()
    preview = preview_from(one, "ULOAD1", f"add twin@{DOMAIN} box1@{DOMAIN}")
    assert two.click(preview.args["blocks"], "flow_confirm", user_id="ULOAD1").status == 200
    [done] = confirmations(two, "ULOAD1")
    assert "Done" in done.text()
    assert alias_changes(one.database_url, f"twin@{DOMAIN}") == 1


def test_both_instances_confirming_at_once_make_one_change(twin_apps: list[SlackAppProcess]) -> None:
    one, two = twin_apps
    one.standin.reset()
    preview = preview_from(one, "ULOAD2", f"add once@{DOMAIN} box2@{DOMAIN}")
    clicks = [
        threading.Thread(
            target=app.click, args=(preview.args["blocks"], "flow_confirm"), kwargs={"user_id": "ULOAD2"}
        )
        for app in (one, two)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    replies = confirmations(one, "ULOAD2", count=2)
    assert sorted("already been made" in reply.text() for reply in replies) == [False, True]
    assert alias_changes(one.database_url, f"once@{DOMAIN}") == 1


def test_database_stopped_during_a_flow_gets_a_clear_answer_and_the_flow_then_succeeds(
    slack_standin: SlackStandIn, tmp_path_factory: pytest.TempPathFactory
) -> None:
    slack_standin.reset()
    with running_server() as server:
        database_url = server.create_database("midflow")
        prepare_database(database_url)
        with instances(1, database_url, slack_standin, tmp_path_factory.mktemp("midflow")) as [app]:
            preview = preview_from(app, "ULOAD3", f"add midflow@{DOMAIN} box3@{DOMAIN}")
            server.stop()
            assert app.click(preview.args["blocks"], "flow_confirm", user_id="ULOAD3").status == 200
            [unavailable] = slack_standin.wait_for(
                "response_url", lambda c: c.path.endswith("click-ULOAD3") and "database" in c.text()
            )
            assert unavailable.args["text"] == MESSAGES.text("database_unavailable", "en")

            server.start()
            assert alias_changes(database_url, f"midflow@{DOMAIN}") == 0  # nothing half-written
            assert app.click(preview.args["blocks"], "flow_confirm", user_id="ULOAD3").status == 200
            [done] = confirmations(app, "ULOAD3")
            assert "Done" in done.text()
            assert alias_changes(database_url, f"midflow@{DOMAIN}") == 1
