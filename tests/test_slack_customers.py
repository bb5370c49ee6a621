"""Customers in Slack, through requests signed as Slack signs them (the app in this process, on SQLite
and PostgreSQL; its Web API calls recorded by the stand-in): a customer admin's own changes, refusals
outside their domains, requests approved or rejected by agents, what a customer can learn, a customer
admin's App Home with their customer's requests, and agents named by a Slack user group."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, func, select, text, update

from bot.customers.directory import Additions, CustomerDirectory
from bot.customers.models import ChangeRequest
from bot.customers.requests import STALE_CLAIM
from bot.db import make_engine, make_sessionmaker, utcnow
from bot.flows.store import remember_locale
from bot.routing.changes import Actor, AddAlias, Role
from bot.routing.models import AuditEntry, Route
from bot.routing.service import RoutingService
from bot.slack import jobs
from bot.slack.decided_elsewhere import DECIDED_ELSEWHERE as DECIDED
from bot.slack.deliveries import deliver, marker
from bot.slack.job_queue import SlackJob
from bot.slack.oauth import installation_store
from bot.slack.stores import UserGroupMembers
from bot.slack.user_groups import GROUP_REFRESH
from bot.slack.web_api import web_client
from tests.support.cli import Mailbot, run_mailbot, start_mailbot
from tests.support.database_faults import REFUSAL, refused_writes
from tests.support.slack_dispatch import InProcessApp, app_settings
from tests.support.slack_fixtures import AGENT, BOT_TOKEN, SIGNING_SECRET, SUPPORT_CHANNEL, SlackAppProcess
from tests.support.slack_standin import TEAM_ID, Call, SlackStandIn

OPERATOR = Actor("operator", Role.ADMIN)
BOSS = "UACMEBOSS"  # Acme's admin
WORKER = "UACMEUSER"  # one of Acme's people, not an admin
AGENT2 = "UAGENT2"
GROUPIE = "UGROUPIE"  # an agent through the Slack user group @support-team only
BETA_BOSS = "UBETABOSS"  # Beta's admin (in the App Home tests)
BETA_WORKER = "UBETAUSER"
COLLEAGUE = "UACMEUSER2"  # one more of Acme's people, not an admin (in the App Home tests)
SUPPORT_GROUP = "S0SUPPORT"


@pytest.fixture
def app(database_url: str, slack_standin: SlackStandIn) -> Iterator[InProcessApp]:
    yield from customers_app(database_url, slack_standin)


@pytest.fixture
def oauth_app(database_url: str, slack_standin: SlackStandIn) -> Iterator[InProcessApp]:
    """The app installed through OAuth, in this workspace and another, with a bot token each."""
    oauth = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "client-secret"}
    for app in customers_app(database_url, slack_standin, **oauth):
        store = installation_store(app.work.runtime.settings, make_engine(database_url))
        for team in (TEAM_ID, "TOTHER"):
            installed = Installation(
                app_id="A1",
                user_id="UINSTALLER",
                team_id=team,
                bot_token=f"xoxb-of-{team}",
                bot_user_id="UBOT",
            )
            store.save(installed)
        yield app


def customers_app(database_url: str, slack_standin: SlackStandIn, **changes: Any) -> Iterator[InProcessApp]:
    """The app in this process with two customers: Acme (an admin, one more person) and Beta."""
    agents = frozenset({AGENT, AGENT2, "@support-team"})
    settings = app_settings(database_url, slack_standin, agents=agents, **changes)
    slack_standin.reset()
    slack_standin.user_groups = {SUPPORT_GROUP: {"handle": "support-team", "users": [GROUPIE]}}
    app = InProcessApp(settings, slack_standin)
    sessions = make_sessionmaker(make_engine(database_url))
    routing = RoutingService(sessions)
    hosted = {"acme.se": ("info", "bo"), "beta.se": ("kim", "lo")}
    for domain, mailboxes in hosted.items():
        assert routing.add_domain(domain, OPERATOR).ok
        for local in mailboxes:
            assert routing.add_mailbox(f"{local}@{domain}", OPERATOR).ok
    directory = CustomerDirectory(sessions)
    assert directory.add("Acme", Additions(["acme.se"], ["TACME"], [BOSS], admin=True), OPERATOR).ok
    assert directory.add("Acme", Additions(users=[WORKER]), OPERATOR).ok
    assert directory.add("Beta", Additions(["beta.se"], ["TBETA"]), OPERATOR).ok
    assert routing.apply(AddAlias("hemlig@beta.se", "kim@beta.se"), OPERATOR).ok
    yield app
    slack_standin.user_groups = {}


def routing(app: InProcessApp) -> RoutingService:
    return RoutingService(make_sessionmaker(make_engine(app.database_url)))


def written(app: InProcessApp) -> tuple[int, int]:
    with make_sessionmaker(make_engine(app.database_url))() as session:
        routes = session.scalar(select(func.count()).select_from(Route)) or 0
        audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return routes, audit


def reply_saying(app: InProcessApp, words: str) -> Call:
    [call] = app.standin.wait_for("response_url", lambda call: words in call.text())
    return call


def posted_to(app: InProcessApp, channel: str, words: str = "") -> Call:
    [call] = app.standin.wait_for(
        "chat.postMessage", lambda call: call.args.get("channel") == channel and words in call.text()
    )
    return call


def request_from(app: InProcessApp, user: str, command: str, text: str) -> Call:
    """A customer's person previews a change, presses Request this change; the post agents see."""
    app.command(command, text, user_id=user)
    preview = reply_saying(app, "Request this change")
    assert "flow_confirm" not in preview.text()
    assert app.click(preview.args["blocks"], "flow_request", user_id=user).status == 200
    sent = reply_saying(app, "Sent to support (request")
    assert sent.args["replace_original"] is True
    return posted_to(app, SUPPORT_CHANNEL, "request_approve")


def support_click(app: InProcessApp, post: Call, action_id: str, user: str) -> None:
    assert app.click(post.args["blocks"], action_id, user_id=user, channel_id=SUPPORT_CHANNEL).status == 200


def test_a_customer_admin_changes_their_own_domain_preview_confirm_undo(app: InProcessApp) -> None:
    app.command("/alias", "add sales@acme.se info@acme.se", user_id=BOSS)
    preview = reply_saying(app, "Mail to sales@acme.se will land in info@acme.se's inbox")
    app.click(preview.args["blocks"], "flow_confirm", user_id=BOSS)
    done = reply_saying(app, "Done (change")
    [record] = [r for r in routing(app).audit(5) if r.subject == "sales@acme.se"]
    assert record.actor == BOSS
    app.click(done.args["blocks"], "flow_undo", user_id=BOSS)
    reply_saying(app, "Undone (change")
    assert routing(app).aliases("acme.se") == []


@pytest.mark.parametrize(
    "text",
    ["add sales@beta.se kim@beta.se", "add sales@acme.se kim@beta.se"],
)
def test_the_same_admin_on_another_domain_is_refused_with_nothing_written(
    app: InProcessApp, text: str
) -> None:
    before = written(app)
    app.command("/alias", text, user_id=BOSS)
    refused = reply_saying(app, "is not in your domains (acme.se)")
    assert "flow_confirm" not in refused.text()
    assert written(app) == before


def test_an_outside_forward_by_a_customer_admin_is_refused_with_nothing_written(app: InProcessApp) -> None:
    before = written(app)
    app.command("/forward", "set bo@acme.se bo@gmail.com", user_id=BOSS)
    refused = reply_saying(app, "bo@gmail.com is not in your domains")
    assert "flow_confirm" not in refused.text() and "Request this change" in refused.text()
    assert written(app) == before


def test_a_request_approved_by_an_agent_is_made_and_the_requester_told(app: InProcessApp) -> None:
    before = written(app)
    post = request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    assert f"<@{WORKER}>" in post.text() and "Acme" in post.text()
    # The support channel reads MAILBOT_LANG (sv here); the requester their own language.
    assert "Post till sales@acme.se hamnar i inkorgen hos info@acme.se" in post.text()
    assert written(app) == before  # asking changed nothing
    support_click(app, post, "request_approve", AGENT)
    [updated] = app.standin.wait_for("chat.update")
    assert (updated.args["channel"], updated.args["ts"]) == (SUPPORT_CHANNEL, post_ts(app))
    assert f"Godkänd av <@{AGENT}>" in updated.text() and "request_approve" not in updated.text()
    told = posted_to(app, WORKER, "approved by support")
    assert "sales@acme.se" in told.text()
    [record] = [r for r in routing(app).audit(5) if r.subject == "sales@acme.se"]
    assert (record.actor, record.requested_by) == (AGENT, WORKER)


def post_ts(app: InProcessApp) -> str | None:
    """Where the app says it posted the (only) request for agents."""
    with make_sessionmaker(make_engine(app.database_url))() as session:
        return session.scalars(select(ChangeRequest.posted_ts)).one()


def test_a_rejected_request_writes_nothing_and_the_requester_reads_why(app: InProcessApp) -> None:
    app.standin.script("users.info", 200, {"ok": True, "user": {"id": WORKER, "locale": "sv-SE"}})
    before = written(app)
    post = request_from_sv(app)
    support_click(app, post, "request_reject", AGENT)
    [opened] = app.standin.wait_for("views.open")
    view = opened.args["view"]
    empty = app.submit_view(view, reason(""), user_id=AGENT)
    assert empty.json()["response_action"] == "errors"
    assert app.submit_view(view, reason("Vi vidarebefordrar inte externt"), user_id=AGENT).status == 200
    [updated] = app.standin.wait_for("chat.update")
    assert "Avböjd av" in updated.text() and "request_approve" not in updated.text()
    told = posted_to(app, WORKER, "avböjdes av supporten")
    assert "Vi vidarebefordrar inte externt" in told.text()
    assert written(app) == before


def request_from_sv(app: InProcessApp) -> Call:
    app.command("/forward", "set bo@acme.se bo@gmail.com", user_id=WORKER)
    preview = reply_saying(app, "Be om den här ändringen")
    app.click(preview.args["blocks"], "flow_request", user_id=WORKER)
    reply_saying(app, "Skickat till supporten")
    return posted_to(app, SUPPORT_CHANNEL, "request_approve")


def reason(text: str) -> dict[str, Any]:
    return {"reason": {"reason_input": {"type": "plain_text_input", "value": text}}}


def test_two_agents_approving_at_once_make_one_change(app: InProcessApp) -> None:
    post = request_from(app, WORKER, "/alias", "add order@acme.se bo@acme.se")
    clicks = [
        threading.Thread(target=support_click, args=(app, post, "request_approve", a))
        for a in (AGENT, AGENT2)
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    [updated] = app.standin.wait_for("chat.update")
    assert "Godkänd av" in updated.text()
    already = app.standin.wait_for("response_url", lambda call: "already been decided" in call.text())
    assert len(already) == 1
    assert [r.subject for r in routing(app).audit(10)].count("order@acme.se") == 1
    assert len([c for c in app.standin.calls_to("chat.postMessage") if c.args.get("channel") == WORKER]) == 1


def test_a_customer_learns_nothing_about_another_customers_addresses(app: InProcessApp) -> None:
    texts = []
    for address in ("hemlig@beta.se", "nobody@beta.se"):
        app.standin.reset()
        app.command("/mailtrace", address, user_id=WORKER)
        [traced] = app.standin.wait_for("response_url")
        app.event(mention(f"where does mail to {address} go?"))
        [answered] = app.standin.wait_for("chat.postMessage")
        app.command("/alias", f"remove {address}", user_id=BOSS)
        [_, flow] = app.standin.wait_for("response_url", count=2)
        texts.append([call.args.get("text", "").replace(address, "X") for call in (traced, answered, flow)])
    assert texts[0] == texts[1]
    assert "not in your domains" in texts[0][0] and "own domains" in texts[0][1]
    assert all("kim@beta.se" not in text for text in texts[0])


def mention(text: str, team: str = "TACME") -> dict[str, Any]:
    """A mention in a Slack Connect channel by someone of the customer's own workspace."""
    return {
        "type": "app_mention",
        "channel": "CSHARED",
        "user": "UCONNECTED",
        "user_team": team,
        "team": team,
        "text": f"<@UBOT> {text}",
        "ts": f"{utcnow().timestamp():.6f}",
    }


def test_someone_of_the_customers_workspace_gets_their_own_setup(app: InProcessApp) -> None:
    routing(app).apply(AddAlias("sales@acme.se", "info@acme.se"), OPERATOR)
    app.event(mention("which aliases do I have?"))
    answer = posted_to(app, "CSHARED")
    assert "sales@acme.se → info@acme.se" in answer.text() and "hemlig" not in answer.text()


def test_membership_of_a_user_group_grants_the_agent_role_until_the_refresh(app: InProcessApp) -> None:
    app.command("/alias", "list", user_id=GROUPIE)
    assert "hemlig@beta.se" in reply_saying(app, "Aliases").text()
    assert len(app.standin.calls_to("usergroups.users.list")) == 1
    app.standin.user_groups[SUPPORT_GROUP]["users"] = []  # taken out of the group in Slack
    app.standin.reset()
    app.command("/alias", "list", user_id=GROUPIE)
    reply_saying(app, "Aliases")  # still an agent: the members are asked for every few minutes, not each time
    assert app.standin.calls_to("usergroups.users.list") == []
    with make_sessionmaker(make_engine(app.database_url))() as session:  # the refresh interval passes
        session.execute(
            update(UserGroupMembers).values(fetched_at=utcnow() - GROUP_REFRESH - timedelta(seconds=1))
        )
        session.commit()
    app.command("/alias", "list", user_id=GROUPIE)
    assert "only the support team's agents" in reply_saying(app, "Sorry").text()
    assert len(app.standin.calls_to("usergroups.users.list")) == 1


# -- a customer admin's App Home ---------------------------------------------------------------------


def open_home(app: InProcessApp, user: str) -> str:
    """`user` opens the app's Home tab: what the published view shows."""
    app.standin.reset()
    assert (
        app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home"}).status == 200
    )
    [published] = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == user)
    return shown(published)


def shown(published: Call) -> str:
    """Every text of a published App Home, one block a line."""
    texts = []
    for block in published.args["view"]["blocks"]:
        parts = [block.get("text") or {}, *(block.get("elements") or [])]
        texts += [part["text"] for part in parts if isinstance(part.get("text"), str)]
    return "\n".join(texts)


def requested_at(app: InProcessApp) -> int:
    """When the (first) request was made, as a Unix time."""
    with make_sessionmaker(make_engine(app.database_url))() as session:
        created = session.scalars(select(ChangeRequest.created_at).order_by(ChangeRequest.id)).first()
    assert created is not None
    return int((created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp())


def published_for(app: InProcessApp) -> dict[str, str]:
    """Whose App Home the app published since the last reset, and what it shows now."""
    return {call.args["user_id"]: shown(call) for call in app.standin.calls_to("views.publish")}


@pytest.fixture
def beta_people(app: InProcessApp) -> None:
    """Beta has an admin and one more person; Acme's admin reads Swedish in Slack."""
    directory = CustomerDirectory(make_sessionmaker(make_engine(app.database_url)))
    assert directory.add("Beta", Additions(users=[BETA_BOSS], admin=True), OPERATOR).ok
    assert directory.add("Beta", Additions(users=[BETA_WORKER]), OPERATOR).ok
    with make_sessionmaker(make_engine(app.database_url))() as session:
        remember_locale(session, BOSS, "sv-SE")


def test_a_customer_admin_sees_their_customers_requests_and_their_decisions(
    app: InProcessApp, beta_people: None
) -> None:
    home = open_home(app, BOSS)
    assert "Begärda ändringar: Acme" in home and "Inga begäranden väntar." in home
    assert "Inga avgjorda begäranden än." in home

    app.standin.reset()
    post = request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    home = published_for(app)[BOSS]  # refreshed at once, in Swedish
    waiting = "*Väntar på supporten*\n• Begäran 1: *Skapa ett alias* sales@acme.se → info@acme.se, "
    asked = f"begärd av <@{WORKER}> <!date^{requested_at(app)}^{{date_short_pretty}} {{time}}|"
    assert waiting + asked in home
    assert set(published_for(app)) == {BOSS, WORKER}  # and the requester's own; not Beta's admin

    app.standin.reset()
    support_click(app, post, "request_approve", AGENT)
    home = published_for(app)[BOSS]
    assert "Inga begäranden väntar." in home
    [decided] = [line for line in home.split("*Senast avgjorda*")[1].splitlines() if line.strip()][:1]
    assert decided.startswith("• Begäran 1: *Skapa ett alias* sales@acme.se → info@acme.se")
    [change] = [r.id for r in routing(app).audit(5) if r.subject == "sales@acme.se"]
    assert "_Godkänd <!date^" in home and f"(ändring {change})._" in home
    assert open_home(app, BOSS) == home  # the same when they open it again


def test_a_rejection_shows_its_reason_escaped_and_a_waiting_request_stays_listed(
    app: InProcessApp, beta_people: None
) -> None:
    app.command("/forward", "set bo@acme.se bo@gmail.com", user_id=BOSS)  # outside: Boss asks support
    preview = reply_saying(app, "Be om den här ändringen")
    app.click(preview.args["blocks"], "flow_request", user_id=BOSS)
    reply_saying(app, "Skickat till supporten")
    post = posted_to(app, SUPPORT_CHANNEL, "request_approve")
    app.standin.reset()
    request_from(app, WORKER, "/group", "create team@acme.se")
    support_click(app, post, "request_reject", AGENT)
    [opened] = app.standin.wait_for("views.open")
    app.standin.reset()
    assert app.submit_view(opened.args["view"], reason("Nej <!channel> *tack*"), user_id=AGENT).status == 200
    home = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == BOSS)[0]
    waiting, decided = shown(home).split("*Senast avgjorda*")
    assert "• Begäran 2: *Skapa en grupp* team@acme.se" in waiting and "bo@gmail.com" not in waiting
    assert "• Begäran 1: *Ställ in vidarebefordran* bo@acme.se → bo@gmail.com" in decided
    assert "_Avböjd <!date^" in decided and "Nej &lt;!channel&gt; *tack*" in decided
    assert "<!channel>" not in shown(home)


def test_a_customer_never_sees_another_customers_requests(app: InProcessApp, beta_people: None) -> None:
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    request_from(app, BETA_WORKER, "/alias", "add order@beta.se kim@beta.se")
    assert set(published_for(app)) == {BETA_BOSS, BETA_WORKER}
    beta = published_for(app)[BETA_BOSS]
    assert "Requested changes: Beta" in beta and "order@beta.se → kim@beta.se" in beta  # in English
    assert "acme" not in beta.lower()
    acme = open_home(app, BOSS)
    assert "sales@acme.se" in acme and "beta" not in acme.lower()
    # Their people who are not admins see their own requests only; agents and guests no one's.
    assert "sales@acme.se" in open_home(app, WORKER) and "beta" not in open_home(app, WORKER).lower()
    assert (
        "order@beta.se" in open_home(app, BETA_WORKER) and "acme" not in open_home(app, BETA_WORKER).lower()
    )
    for user in (AGENT, "UGUEST"):
        home = open_home(app, user)
        assert "sales@acme.se" not in home and "order@beta.se" not in home and "Requested changes" not in home


def test_a_customers_person_who_is_not_an_admin_sees_their_own_requests_in_their_language(
    app: InProcessApp, beta_people: None
) -> None:
    """Acme's WORKER (English) and COLLEAGUE (Swedish in Slack), neither an admin: each sees their own
    requests, waiting and decided, and never the other's; the home is published again for them when
    their request is made and decided."""
    directory = CustomerDirectory(make_sessionmaker(make_engine(app.database_url)))
    assert directory.add("Acme", Additions(users=[COLLEAGUE]), OPERATOR).ok
    with make_sessionmaker(make_engine(app.database_url))() as session:
        remember_locale(session, COLLEAGUE, "sv-SE")
    home = open_home(app, WORKER)
    assert "Your requested changes (Acme)" in home and "No requests are waiting." in home

    app.standin.reset()
    post = request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    mine = published_for(app)[WORKER]
    asked = f"asked <!date^{requested_at(app)}^{{date_short_pretty}} {{time}}|"
    assert (
        f"*Waiting for support*\n• Request 1: *Create an alias* sales@acme.se → info@acme.se, {asked}" in mine
    )
    assert "asked by" not in mine and "Changes you asked support for." in mine
    app.standin.reset()
    app.command("/group", "create team@acme.se", user_id=COLLEAGUE)
    preview = reply_saying(app, "Be om den här ändringen")
    assert app.click(preview.args["blocks"], "flow_request", user_id=COLLEAGUE).status == 200
    reply_saying(app, "Skickat till supporten")
    assert set(published_for(app)) == {BOSS, COLLEAGUE}  # not WORKER: not theirs
    theirs = published_for(app)[COLLEAGUE]
    assert "Dina begärda ändringar (Acme)" in theirs and "Begäran 2: *Skapa en grupp* team@acme.se" in theirs
    assert "sales@acme.se" not in theirs and "team@acme.se" not in open_home(app, WORKER)

    app.standin.reset()
    support_click(app, post, "request_approve", AGENT)
    mine = published_for(app)[WORKER]
    [change] = [r.id for r in routing(app).audit(5) if r.subject == "sales@acme.se"]
    assert (
        "No requests are waiting." in mine and "_Approved <!date^" in mine and f"(change {change})._" in mine
    )
    assert "team@acme.se" not in mine and "Begäran 2" in published_for(app)[BOSS]
    assert open_home(app, WORKER) == mine


# -- requests decided in the terminal ----------------------------------------------------------------

SLACK_SETTINGS = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
NO_SLACK = {name: "" for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}


def terminal(app: InProcessApp, **env: str) -> Mailbot:
    """`mailbot` on the app's database, with the Slack settings the app has (or `env`'s)."""
    return Mailbot(app.database_url, **{**SLACK_SETTINGS, **env})


def decided_views(app: InProcessApp) -> tuple[Call, Call]:
    """What an approval or rejection showed in Slack: the post agents saw updated, the requester's DM."""
    [updated] = app.standin.calls_to("chat.update")
    [told] = [call for call in app.standin.calls_to("chat.postMessage") if call.args["channel"] == WORKER]
    return updated, told


def test_a_request_approved_in_the_terminal_is_shown_in_slack_as_an_agents_click_shows_it(
    app: InProcessApp, beta_people: None
) -> None:
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    done = terminal(app)("request", "approve", "1", "--actor", "kim")
    assert "Approved by kim: change" in done.stdout and "whoever asked is told" in done.stdout
    assert app.standin.calls == []  # the command only queued it: the app's worker talks to Slack

    assert app.run_queued() == 1
    updated, told = decided_views(app)
    assert (updated.args["channel"], updated.args["ts"]) == (SUPPORT_CHANNEL, post_ts(app))
    assert "Godkänd av kim" in updated.text() and "request_approve" not in updated.text()
    assert "Your request 1 was approved by support and is done" in told.text()  # the requester's English
    assert "sales@acme.se" in told.text()
    home = published_for(app)[BOSS]  # in the admin's Swedish
    assert "Inga begäranden väntar." in home and "_Godkänd <!date^" in home
    assert set(published_for(app)) == {BOSS, WORKER}
    assert all(call.headers["Authorization"] == f"Bearer {BOT_TOKEN}" for call in app.standin.calls)
    [record] = [r for r in routing(app).audit(5) if r.subject == "sales@acme.se"]
    assert (record.actor, record.requested_by) == ("kim", WORKER)

    calls = len(app.standin.calls)  # decided already: the command says so, nothing more goes to Slack
    again = terminal(app)("request", "approve", "1", exit_code=1)
    assert "already been decided" in again.stderr
    assert app.run_queued() == 0 and len(app.standin.calls) == calls


def test_a_request_rejected_in_the_terminal_tells_the_requester_why_in_their_language(
    app: InProcessApp,
) -> None:
    app.standin.script("users.info", 200, {"ok": True, "user": {"id": WORKER, "locale": "sv-SE"}})
    request_from_sv(app)
    app.standin.reset()
    why = "Vi vidarebefordrar inte externt <!channel> {reason}"
    rejected = terminal(app).json("request", "reject", "1", "--reason", why, "--actor", "kim")
    assert rejected["slack_queued"] is True and rejected["open"] is False
    assert app.run_queued() == 1
    updated, told = decided_views(app)
    assert "Avböjd av kim" in updated.text() and "request_approve" not in updated.text()
    assert "avböjdes av supporten: Vi vidarebefordrar inte externt &lt;!channel&gt; {reason}" in told.text()
    assert "<!channel>" not in updated.text() + told.text()


def test_an_approve_in_the_terminal_that_makes_nothing_shows_why_in_the_post(app: InProcessApp) -> None:
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    assert routing(app).apply(AddAlias("sales@acme.se", "bo@acme.se"), OPERATOR).ok  # meanwhile
    app.standin.reset()
    refused = terminal(app)("request", "approve", "1", exit_code=1)
    assert "Nothing was changed. Refused by the rule" in refused.stdout
    assert "in the request's post in the support channel too" in refused.stdout
    assert app.run_queued() == 1
    [updated] = app.standin.calls_to("chat.update")
    assert "Inget ändrades." in updated.text() and "sales@acme.se" in updated.text()
    assert "request_approve" in updated.text()  # still open: Approve and Reject stay
    assert app.standin.calls_to("chat.postMessage") == [] and app.standin.calls_to("views.publish") == []


def test_a_request_decided_in_the_terminal_without_slack_settings_says_nothing_of_slack(
    app: InProcessApp, beta_people: None
) -> None:
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    done = terminal(app, **NO_SLACK).json("request", "approve", "1", "--actor", "kim")
    assert done["slack_queued"] is False and not done["open"]
    assert "Slack" not in " ".join(done["message"])
    plain = terminal(app, **NO_SLACK)("request", "reject", "1", "--reason", "no", exit_code=1)
    assert "Slack" not in plain.stdout + plain.stderr
    assert app.run_queued() == 0 and app.standin.calls == []
    assert routing(app).aliases("acme.se")[0].alias == "sales@acme.se"


def test_a_terminal_decision_taken_over_from_a_worker_that_died_sends_nothing_twice(
    app: InProcessApp, beta_people: None
) -> None:
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    terminal(app)("request", "approve", "1")
    queue, runtime = app.work.queue, app.work.runtime
    dead = queue.claim("dead")
    assert dead is not None
    client = web_client(runtime.settings.slack_api_url, BOT_TOKEN)
    worked_out = jobs.WORK[dead.kind](runtime, client, dead.details)
    assert [delivery["to"] for delivery in worked_out] == ["update", "channel", "home", "home"]
    assert queue.store_result(dead, worked_out)
    for number in (0, 1):  # the post and the DM reached Slack and were recorded; then the worker died
        deliver(client, worked_out[number], marker(dead.id, number))
        assert queue.delivered(dead, number + 1, done=False)
    with make_engine(app.database_url).begin() as connection:
        connection.execute(update(SlackJob).values(lease_until=utcnow() - timedelta(seconds=1)))

    assert app.run_queued() == 1
    assert len(app.standin.calls_to("chat.update")) == 1
    assert len([c for c in app.standin.calls_to("chat.postMessage") if c.args["channel"] == WORKER]) == 1
    assert set(published_for(app)) == {BOSS, WORKER} and len(app.standin.calls_to("views.publish")) == 2


def test_a_decision_made_while_no_app_runs_is_shown_when_one_starts(
    app: InProcessApp, beta_people: None, tmp_path: Path
) -> None:
    """The real thing: `mailbot` as its own process queues the job; the app started afterwards (a
    `mailbot serve --http` process) finds it in the database and its after-ack worker shows it."""
    post = request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    decided = run_mailbot(
        ["request", "reject", "1", "--reason", "Inte nu"], app.database_url, **SLACK_SETTINGS
    )
    assert decided.returncode == 0, decided.stderr
    assert app.standin.calls == []
    started = SlackAppProcess(app.database_url, app.standin, {}, tmp_path / "app.log")
    try:
        [updated] = app.standin.wait_for("chat.update")
        [told] = app.standin.wait_for("chat.postMessage", lambda call: call.args["channel"] == WORKER)
        [home] = app.standin.wait_for("views.publish", lambda call: call.args["user_id"] == BOSS)
    finally:
        started.stop()
    assert updated.args["ts"] == post_ts(app) and "Avböjd av" in updated.text()
    assert "was rejected by support: Inte nu" in told.text()
    assert "_Avböjd <!date^" in shown(home) and "Inte nu" in shown(home)
    assert post.args["channel"] == SUPPORT_CHANNEL


def decision_of(app: InProcessApp) -> tuple[str, int, int]:
    """Request 1's state, and how many jobs and routes to sales@acme.se were written."""
    with make_sessionmaker(make_engine(app.database_url))() as session:
        state = session.scalar(select(ChangeRequest.state).where(ChangeRequest.id == 1))
        queued = session.scalar(select(func.count()).select_from(SlackJob).where(SlackJob.kind == DECIDED))
        routes = session.scalar(
            select(func.count()).select_from(Route).where(Route.source == "sales@acme.se")
        )
    assert state is not None
    return state, queued or 0, routes or 0


def test_a_terminal_decision_whose_slack_job_cannot_be_written_is_not_made_either(
    app: InProcessApp, beta_people: None
) -> None:
    """The decision and the job that shows it in Slack are one transaction: the database refusing the
    job (a real error from a trigger, where a crash between the two would have left the decision
    untold) leaves the request as it was, and a second try does both."""
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    _, audit_before = written(app)
    with refused_writes(make_engine(app.database_url), "slack_jobs"):
        for args in (["approve", "1"], ["reject", "1", "--reason", "Nej"]):
            failed = run_mailbot(["request", *args, "--actor", "kim"], app.database_url, **SLACK_SETTINGS)
            assert failed.returncode != 0 and REFUSAL in failed.stderr
            assert decision_of(app) == ("open", 0, 0)
    assert written(app)[1] == audit_before and app.standin.calls == []

    done = run_mailbot(["request", "approve", "1", "--actor", "kim"], app.database_url, **SLACK_SETTINGS)
    assert done.returncode == 0, done.stderr
    assert decision_of(app) == ("approved", 1, 1)
    assert app.run_queued() == 1
    updated, told = decided_views(app)
    assert "Godkänd av kim" in updated.text() and "was approved by support" in told.text()


@pytest.mark.postgresql_only
def test_a_terminal_decision_killed_before_it_commits_leaves_neither_decision_nor_job(
    app: InProcessApp, beta_people: None
) -> None:
    """`mailbot request approve` killed with SIGKILL while it writes the Slack job (held up by a lock
    the test takes on the queue, after the change and "approved" are written in its transaction):
    neither stays. The request waits for the next Approve, which does both."""
    request_from(app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    app.standin.reset()
    engine = make_engine(app.database_url)
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE slack_jobs IN EXCLUSIVE MODE"))
        process = start_mailbot(["request", "approve", "1"], app.database_url, **SLACK_SETTINGS)
        try:
            wait_for_backend(engine, "INSERT INTO slack_jobs", waiting=True)
        finally:
            process.kill()
            process.communicate(timeout=60)
        holder.rollback()
    wait_for_backend(engine, "INSERT INTO slack_jobs", waiting=False)  # its server noticed and rolled back
    assert decision_of(app) == ("approving", 0, 0)  # claimed only, as an Approve whose worker died

    with engine.begin() as connection:  # the claim goes stale
        connection.execute(update(ChangeRequest).values(claimed_at=utcnow() - STALE_CLAIM))
    done = run_mailbot(["request", "approve", "1"], app.database_url, **SLACK_SETTINGS)
    assert done.returncode == 0, done.stderr
    assert decision_of(app) == ("approved", 1, 1)
    assert app.run_queued() == 1 and len(app.standin.calls_to("chat.update")) == 1


def wait_for_backend(engine: Engine, query: str, *, waiting: bool) -> None:
    """Until a PostgreSQL backend runs `query` waiting for a lock (`waiting`), or none runs it."""
    activity = text(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE :query AND pid <> pg_backend_pid()"
        + (" AND wait_event_type = 'Lock'" if waiting else "")
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if bool(connection.scalar(activity, {"query": query + "%"})) == waiting:
                return
        time.sleep(0.05)
    raise AssertionError(f"{query!r} still {'not ' if waiting else ''}running")


def test_a_terminal_decision_is_shown_with_the_token_of_the_workspace_the_request_came_in(
    oauth_app: InProcessApp,
) -> None:
    request_from(oauth_app, WORKER, "/alias", "add sales@acme.se info@acme.se")
    oauth_app.standin.reset()
    oauth = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret", "SLACK_BOT_TOKEN": ""}
    terminal(oauth_app, **oauth)("request", "approve", "1")
    assert oauth_app.run_queued() == 1
    updated, told = decided_views(oauth_app)
    for call in (updated, told, *oauth_app.standin.calls_to("views.publish")):
        assert call.headers["Authorization"] == f"Bearer xoxb-of-{TEAM_ID}"
