"""The guided flows end to end: signed requests to a running app, Web API and response_url calls
recorded by the stand-in, clicked as a person would. Assertions: what the person reads, what is stored."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import make_engine, make_sessionmaker
from bot.flows.store import PendingChange
from bot.routing.changes import Actor, Role
from bot.routing.service import RoutingService
from tests.support.slack_fixtures import (
    ADMIN,
    AGENT,
    CUSTOMER,
    SlackAppProcess,
    find_element,
    start_slack_app,
)
from tests.support.slack_standin import Call, SlackStandIn

SWEDE = "USWEDE"  # an agent whose Slack locale is Swedish
DOMAIN = "kulexempel.se"


@pytest.fixture(scope="module")
def flow_app(
    tmp_path_factory: pytest.TempPathFactory, slack_standin: SlackStandIn
) -> Iterator[SlackAppProcess]:
    app = start_slack_app(tmp_path_factory, slack_standin, {"MAILBOT_AGENTS": f"{AGENT},{SWEDE}"})
    routing = RoutingService(make_sessionmaker(make_engine(app.database_url)))
    operator = Actor("operator", Role.ADMIN)
    routing.add_domain(DOMAIN, operator)
    for name in ("anna", "bo", "cecilia", "david", "erik"):
        routing.add_mailbox(f"{name}@{DOMAIN}", operator)
    yield app
    app.stop()


@pytest.fixture
def app(flow_app: SlackAppProcess) -> SlackAppProcess:
    flow_app.standin.reset()
    return flow_app


def routing(app: SlackAppProcess) -> RoutingService:
    return RoutingService(make_sessionmaker(make_engine(app.database_url)))


def changes_of(app: SlackAppProcess, action: str) -> int:
    return sum(1 for record in routing(app).audit(1000) if record.action == action)


def reply_saying(app: SlackAppProcess, words: str) -> Call:
    [call] = app.standin.wait_for("response_url", lambda call: words in call.text())
    return call


def preview_of(app: SlackAppProcess, command: str, text: str, user_id: str, says: str) -> Call:
    assert app.command(command, text, user_id=user_id).status == 200
    preview = reply_saying(app, says)
    assert preview.args["response_type"] == "ephemeral"
    return preview


def confirm(app: SlackAppProcess, preview: Call, user_id: str) -> Call:
    assert app.click(preview.args["blocks"], "flow_confirm", user_id=user_id).status == 200
    return reply_saying(app, "Done (change")


def input_values(**fields: str) -> dict[str, Any]:
    return {name: {"value": {"type": "plain_text_input", "value": value}} for name, value in fields.items()}


def test_alias_add_preview_confirm_trace_undo(app: SlackAppProcess) -> None:
    preview = preview_of(
        app, "/alias", f"add support@{DOMAIN} anna@{DOMAIN}", AGENT, "Mail to support@kulexempel.se will land"
    )
    assert "anna@kulexempel.se's inbox" in preview.text() and "Nothing has changed yet" in preview.text()
    assert find_element(preview.args["blocks"], "flow_confirm")["style"] == "primary"
    assert find_element(preview.args["blocks"], "flow_cancel")["text"]["text"] == "Cancel"
    assert routing(app).aliases() == []  # the preview wrote nothing

    result = confirm(app, preview, AGENT)
    assert result.args["replace_original"] is True
    undo = find_element(result.args["blocks"], "flow_undo")
    [record] = [r for r in routing(app).audit() if r.action == "alias.add"]
    assert (record.actor, record.team) == (AGENT, "T1")

    app.command("/mailtrace", f"support@{DOMAIN}", user_id=AGENT)
    trace = reply_saying(app, "Mail to support@kulexempel.se:")
    assert "support@kulexempel.se is an alias of anna@kulexempel.se" in trace.text()
    assert "delivered to the mailbox anna@kulexempel.se" in trace.text()

    app.click(result.args["blocks"], "flow_undo", value=undo["value"], user_id=AGENT)
    assert "Undone (change" in reply_saying(app, "Undone").text()
    assert routing(app).aliases() == []


def test_confirm_twice_at_once_makes_one_change(app: SlackAppProcess) -> None:
    before = changes_of(app, "alias.add")
    preview = preview_of(app, "/alias", f"add info@{DOMAIN} bo@{DOMAIN}", AGENT, "Mail to info@")
    clicks = [
        threading.Thread(
            target=app.click, args=(preview.args["blocks"], "flow_confirm"), kwargs={"user_id": AGENT}
        )
        for _ in range(2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    replies = app.standin.wait_for("response_url", lambda call: "(change " in call.text(), count=2)
    assert sorted("already been made" in reply.text() for reply in replies) == [False, True]
    assert [a.alias for a in routing(app).aliases()] == [f"info@{DOMAIN}"]
    assert changes_of(app, "alias.add") == before + 1


def test_cancel_changes_nothing(app: SlackAppProcess) -> None:
    preview = preview_of(app, "/group", f"create cancelled@{DOMAIN}", AGENT, "cancelled@kulexempel.se")
    app.click(preview.args["blocks"], "flow_cancel", user_id=AGENT)
    assert "nothing was changed" in reply_saying(app, "Cancelled").text()
    app.click(preview.args["blocks"], "flow_confirm", user_id=AGENT)
    reply_saying(app, "was cancelled")
    assert routing(app).members(f"cancelled@{DOMAIN}") is None


def test_bare_group_opens_a_modal_and_its_submission_previews(app: SlackAppProcess) -> None:
    assert app.command("/group", "", user_id=AGENT).status == 200
    [opened] = app.standin.wait_for("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] == "trigger-command"
    assert [block.get("block_id") for block in view["blocks"] if block["type"] == "input"] == [
        "address",
        "name",
    ]
    response = app.submit_view(
        view, input_values(address=f"sales@{DOMAIN}", name="Sales team"), user_id=AGENT
    )
    assert response.status == 200 and response.body == ""  # the modal closes
    preview = reply_saying(app, "Sales team")
    assert "sales@kulexempel.se becomes the group" in preview.text()
    confirm(app, preview, AGENT)
    assert routing(app).members(f"sales@{DOMAIN}") == []


def test_missing_members_open_a_prefilled_modal(app: SlackAppProcess) -> None:
    app.command("/group", f"create team@{DOMAIN}", user_id=AGENT)
    confirm(app, reply_saying(app, "team@kulexempel.se"), AGENT)
    app.standin.reset()
    app.command("/group", f"add team@{DOMAIN}", user_id=AGENT)
    [opened] = app.standin.wait_for("views.open")
    address = next(block for block in opened.args["view"]["blocks"] if block.get("block_id") == "address")
    assert address["element"]["initial_value"] == f"team@{DOMAIN}"
    values = input_values(address=f"team@{DOMAIN}", members=f"cecilia@{DOMAIN}, david@{DOMAIN}")
    assert app.submit_view(opened.args["view"], values, user_id=AGENT).status == 200
    confirm(app, reply_saying(app, "will also reach"), AGENT)
    assert routing(app).members(f"team@{DOMAIN}") == [f"cecilia@{DOMAIN}", f"david@{DOMAIN}"]


def test_modal_errors_show_on_the_field_and_change_nothing(app: SlackAppProcess) -> None:
    app.command("/alias", "", user_id=AGENT)
    [opened] = app.standin.wait_for("views.open")
    before = routing(app).audit(1000)
    bad = app.submit_view(
        opened.args["view"],
        input_values(address="sales at kulexempel", mailbox=f"anna@{DOMAIN}"),
        user_id=AGENT,
    )
    assert bad.status == 200
    assert bad.json()["response_action"] == "errors"
    assert "has no @" in bad.json()["errors"]["address"]
    unknown = app.submit_view(
        opened.args["view"],
        input_values(address=f"hello@{DOMAIN}", mailbox=f"nobody@{DOMAIN}"),
        user_id=AGENT,
    )
    assert "nobody@kulexempel.se is not one of our mailboxes" in unknown.json()["errors"]["mailbox"]
    assert routing(app).audit(1000) == before
    assert app.standin.calls_to("response_url") == []


def test_non_agent_is_refused_for_every_command_and_nothing_changes(app: SlackAppProcess) -> None:
    before = routing(app).audit(1000)
    attempts = [
        ("/alias", f"add x@{DOMAIN} anna@{DOMAIN}"),
        ("/alias", "list"),
        ("/alias", ""),
        ("/forward", f"set anna@{DOMAIN} bo@{DOMAIN}"),
        ("/forward", f"show anna@{DOMAIN}"),
        ("/group", f"create y@{DOMAIN}"),
        ("/group", f"delete sales@{DOMAIN}"),
        ("/mailtrace", f"anna@{DOMAIN}"),
    ]
    for command, text in attempts:
        assert app.command(command, text, user_id=CUSTOMER).status == 200
    replies = app.standin.wait_for("response_url", count=len(attempts))
    for reply in replies:
        assert "Sorry, only the support team's agents" in reply.text()
        assert "support@kulexempel.se" in reply.text()
        assert "flow_confirm" not in reply.text()
    assert app.standin.calls_to("views.open") == []
    assert routing(app).audit(1000) == before
    with make_sessionmaker(make_engine(app.database_url))() as session:
        mine = select(func.count()).select_from(PendingChange).where(PendingChange.user_id == CUSTOMER)
        assert session.scalar(mine) == 0


def test_external_forward_needs_an_admin(app: SlackAppProcess) -> None:
    app.command("/forward", f"set erik@{DOMAIN} erik@gmail.com keep-copy", user_id=AGENT)
    refused = reply_saying(app, "not possible")
    assert "only an admin may forward there" in refused.text()
    assert "flow_confirm" not in refused.text()
    preview = preview_of(
        app, "/forward", f"set erik@{DOMAIN} erik@gmail.com keep-copy", ADMIN, "a copy stays in"
    )
    confirm(app, preview, ADMIN)
    forward = routing(app).forward(f"erik@{DOMAIN}")
    assert forward is not None and forward.target == "erik@gmail.com" and forward.keep_copy


def test_loop_is_refused_with_a_clear_message(app: SlackAppProcess) -> None:
    preview = preview_of(
        app, "/forward", f"set cecilia@{DOMAIN} david@{DOMAIN}", AGENT, "forwarded to david@"
    )
    confirm(app, preview, AGENT)
    app.standin.reset()
    app.command("/forward", f"set david@{DOMAIN} cecilia@{DOMAIN}", user_id=AGENT)
    refused = reply_saying(app, "not possible")
    assert "loop where mail goes round forever" in refused.text()
    assert "david@kulexempel.se → cecilia@kulexempel.se → david@kulexempel.se" in refused.text()
    assert routing(app).forward(f"david@{DOMAIN}") is None


def test_help_and_unknown_subcommands_show_usage_in_the_users_language(app: SlackAppProcess) -> None:
    app.standin.script("users.info", 200, {"ok": True, "user": {"id": SWEDE, "locale": "sv-SE"}})
    app.command("/alias", "help", user_id=SWEDE)
    assert "`/alias add ALIAS BREVLÅDA`" in reply_saying(app, "BREVLÅDA").text()
    app.command("/group", "rename x", user_id=AGENT)
    usage = reply_saying(app, "cannot")
    assert "`/group create ADDRESS [NAME]`" in usage.text()
    # The locale was asked for once per user and is kept in the database.
    app.command("/forward", "hjälp", user_id=SWEDE)
    reply_saying(app, "Vidarebefordran")
    assert [call for call in app.standin.calls_to("users.info") if call.args["user"] == SWEDE] != []
    assert len([call for call in app.standin.calls_to("users.info") if call.args["user"] == SWEDE]) == 1


def test_article_button_opens_the_flow_for_agents_and_explains_to_others(app: SlackAppProcess) -> None:
    app.command("/mailhelp", "what is an alias?", user_id=CUSTOMER)
    [answer] = app.standin.wait_for("response_url")
    button = find_element(answer.args["blocks"], "flow_start")
    assert (button["text"]["text"], button["value"]) == ("Create an alias", "alias.add")
    app.standin.reset()
    app.click(answer.args["blocks"], "flow_start", user_id=CUSTOMER)
    explained = reply_saying(app, "support does that for you")
    assert "support@kulexempel.se" in explained.text()
    assert app.standin.calls_to("views.open") == []
    app.click(answer.args["blocks"], "flow_start", user_id=AGENT)
    [opened] = app.standin.wait_for("views.open")
    assert opened.args["view"]["title"]["text"] == "Create an alias"


def test_app_home_lists_changes_with_undo_for_agents(app: SlackAppProcess) -> None:
    preview = preview_of(app, "/alias", f"add kontakt@{DOMAIN} anna@{DOMAIN}", AGENT, "kontakt@")
    confirm(app, preview, AGENT)
    app.event({"type": "app_home_opened", "user": AGENT, "channel": "D2", "tab": "home"})
    [home] = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == AGENT)
    assert "Latest changes" in home.text() and "Feedback per article" in home.text()
    [latest] = [r for r in routing(app).audit() if r.action == "alias.add" and "kontakt" in r.subject]
    blocks = home.args["view"]["blocks"]
    row = next(block for block in blocks if f"*{latest.id}*" in block.get("text", {}).get("text", ""))
    assert row["accessory"]["action_id"] == "flow_home_undo"
    app.click([{"type": "section", "elements": [row["accessory"]]}], "flow_home_undo", user_id=AGENT)
    [again] = app.standin.wait_for("views.publish", lambda call: "Undone (change" in call.text())
    assert "(undone by" in again.text()
    assert f"kontakt@{DOMAIN}" not in [a.alias for a in routing(app).aliases()]

    app.event({"type": "app_home_opened", "user": CUSTOMER, "channel": "D3", "tab": "home"})
    [customer_home] = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == CUSTOMER)
    assert "Latest changes" not in customer_home.text() and "/mailhelp" in customer_home.text()


def test_app_home_buttons_start_a_flow_whose_preview_comes_as_a_dm(app: SlackAppProcess) -> None:
    app.event({"type": "app_home_opened", "user": AGENT, "channel": "D2", "tab": "home"})
    [home] = app.standin.wait_for("views.publish")
    button = find_element(home.args["view"]["blocks"], "flow_start")  # the first: "Create an alias"
    # A click in App Home comes from a view: no response_url, unlike a click in a message.
    home_click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": AGENT, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "trigger-home",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "blocks": home.args["view"]["blocks"]},
        "actions": [
            {"type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"]}
        ],
    }
    assert app.interact(home_click).status == 200
    [opened] = app.standin.wait_for("views.open")
    values = input_values(address=f"hej@{DOMAIN}", mailbox=f"bo@{DOMAIN}")
    assert app.submit_view(opened.args["view"], values, user_id=AGENT).status == 200
    [preview] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == AGENT)
    assert "Mail to hej@kulexempel.se will land" in preview.text()
    confirm(app, preview, AGENT)
    assert f"hej@{DOMAIN}" in [a.alias for a in routing(app).aliases()]


def test_a_refused_response_url_reply_reaches_the_person_by_the_web_api(app: SlackAppProcess) -> None:
    """Slack refuses a response_url older than 30 minutes or used 5 times (404 "expired_url" and the
    like): the reply then comes as an ephemeral message in the channel, or else as a DM."""
    app.standin.script("users.info", 200, {"ok": True, "user": {"id": SWEDE, "locale": "sv-SE"}})
    app.standin.script("response_url", 404, "expired_url")
    command = f"add svar@{DOMAIN} anna@{DOMAIN}"
    assert app.command("/alias", command, user_id=SWEDE, channel_id="C7").status == 200
    [preview] = app.standin.wait_for("chat.postEphemeral")
    assert (preview.args["channel"], preview.args["user"]) == ("C7", SWEDE)
    assert "Inget är ändrat än" in preview.text()
    assert len(app.standin.calls_to("response_url")) == 1

    app.standin.script("response_url", 200, {"ok": False, "error": "used_url"})
    app.standin.script("chat.postEphemeral", 200, {"ok": False, "error": "channel_not_found"})
    assert app.click(preview.args["blocks"], "flow_confirm", user_id=SWEDE, channel_id="C7").status == 200
    [done] = app.standin.wait_for("chat.postMessage", lambda call: call.args.get("channel") == SWEDE)
    assert "Klart (ändring" in done.text()
    assert find_element(done.args["blocks"], "flow_undo")["text"]["text"] == "Ångra"
    assert f"svar@{DOMAIN}" in [a.alias for a in routing(app).aliases()]
    assert "response_url refused the reply to USWEDE" in app.log()
    assert "chat.postEphemeral to USWEDE in C7 failed" in app.log()


def after_ack_worker_pids(app: SlackAppProcess) -> list[int]:
    """The app's after-ack worker processes (children started by any of its threads)."""
    pids = []
    for task in Path(f"/proc/{app.process.pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended while we looked
            continue
        for child in children:
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text(errors="replace"):
                pids.append(int(child))
    return pids


def has_ended(pid: int) -> bool:
    """Every thread of the process has exited (the first one turns zombie before the others are gone,
    and until they are, the process still holds its end of the pipe)."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.exists():
        return True
    try:
        states = [(task / "stat").read_text().split(")")[1].split()[0] for task in tasks.iterdir()]
    except FileNotFoundError:  # a thread went away while we looked: look again
        return False
    return all(state in ("Z", "X") for state in states)


def test_a_killed_after_ack_worker_is_replaced(app: SlackAppProcess) -> None:
    preview_of(app, "/alias", "help", AGENT, "/alias add")  # the worker runs
    [worker] = after_ack_worker_pids(app)
    os.kill(worker, signal.SIGKILL)
    # A message sent while its threads are still ending would be lost with it: wait for them.
    for _ in range(1200):
        if has_ended(worker):
            break
        time.sleep(0.05)
    assert has_ended(worker)
    app.standin.reset()
    preview_of(app, "/group", "help", AGENT, "/group create")
    assert after_ack_worker_pids(app) != [worker]
