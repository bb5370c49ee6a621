"""Real mail through a real Postfix that reads mailbot's routing database live.

One private Postfix (and one SMTP sink for the outside world) serves the whole module; every test
changes routing through the service, sends mail over SMTP on 127.0.0.1 and looks at Maildirs,
the sink and Postfix's queue. Each test uses its own addresses, so the order does not matter.
"""

from __future__ import annotations

import shutil
import smtplib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session, sessionmaker

from bot.customers.directory import Additions, CustomerDirectory
from bot.db import make_engine, make_sessionmaker, upgrade, utcnow
from bot.routing.changes import (
    Actor,
    AddAlias,
    AddMembers,
    Change,
    CreateGroup,
    RemoveAlias,
    Role,
    SetForward,
)
from bot.routing.graph import RoutingGraph
from bot.routing.mailbox_csv import MailboxLine
from bot.routing.models import Route, RouteKind
from bot.routing.service import RoutingService, Status
from bot.routing.trace import DeliveryKind
from tests.support.leftovers import private_directory
from tests.support.postfix_instance import PostfixInstance, Sink, share_with_postfix, wait_for
from tests.support.slack_dispatch import InProcessApp, app_settings
from tests.support.slack_standin import SlackStandIn

ADMIN = Actor("operator", Role.ADMIN)
D = "kulexempel.se"
MAILBOXES = ("anna", "bertil", "cecilia", "david", "erik", "frida", "gustav", "hanna", "ivar")


def a(local: str) -> str:
    return f"{local}@{D}"


@dataclass
class MailWorld:
    service: RoutingService
    postfix: PostfixInstance
    sink: Sink
    sessions: sessionmaker[Session]

    def write_behind_the_rules(self, routes: list[tuple[str, str, RouteKind]]) -> None:
        """Rows the rules would refuse, to see what Postfix itself makes of them (each with the U-label
        form of its source, as mailbot writes every row)."""
        now = utcnow()
        with self.sessions() as session, session.begin():
            graph = RoutingGraph(session)
            rows = [
                {
                    "source": s,
                    "source_unicode": graph.unicode_form(s),
                    "destination": d,
                    "kind": k,
                    "created_at": now,
                }
                for s, d, k in routes
            ]
            session.execute(insert(Route), rows)

    def change(self, change: Change) -> int:
        outcome = self.service.apply(change, ADMIN)
        assert outcome.ok, outcome.message.render("en")
        assert outcome.change_id is not None
        return outcome.change_id

    def send(self, recipient: str) -> str:
        marker = uuid.uuid4().hex
        self.postfix.send(recipient, marker)
        return marker

    def delivered(self, marker: str) -> list[str]:
        """Every delivery of the message: one entry per Maildir file or sink recipient."""
        found = []
        for path in self.postfix.mail_dir.glob("*/*/new/*"):
            if marker.encode() in path.read_bytes():
                found.append(f"{path.parts[-3]}@{path.parts[-4]}")
        return sorted(found + self.sink.recipients_of(marker))

    def expect(self, marker: str, addresses: list[str]) -> None:
        """The message reaches exactly `addresses`, once each, and nothing stays in Postfix's queue."""
        expected = sorted(addresses)
        wait_for(lambda: self.delivered(marker) == expected or None, f"delivery to {expected}")
        wait_for(self.postfix.queue_is_empty, "an empty queue")
        assert self.delivered(marker) == expected, self.postfix.log()[-3000:]

    def traced(self, address: str) -> list[str]:
        trace = self.service.trace(address)
        assert not trace.loops
        return [d.address for d in trace.deliveries if d.kind is not DeliveryKind.UNKNOWN]


@pytest.fixture(scope="module")
def world(database_kind: str, request: pytest.FixtureRequest) -> Iterator[MailWorld]:
    """Postfix reading SQLite (sqlite:) or PostgreSQL (pgsql:), as MAILBOT_TEST_DATABASES selects."""
    # Not pytest's tmp_path: Postfix's unprivileged daemons must be able to walk into this folder.
    root, root_guard = private_directory("mailbot-postfix-")
    root.chmod(0o755)
    if database_kind == "postgresql":
        database_url = request.getfixturevalue("postgres_server").create_migrated_database("postfix_world")
    else:
        database = root / "db" / "mailbot.db"
        database.parent.mkdir()
        database_url = f"sqlite:///{database}"
    engine = make_engine(database_url)
    upgrade(engine)
    if database_kind == "sqlite":
        share_with_postfix(database)
    service = RoutingService(make_sessionmaker(engine))
    assert service.add_domain(D, ADMIN).ok and service.add_domain("exämpel.se", ADMIN).ok
    for local in MAILBOXES:
        assert service.add_mailbox(a(local), ADMIN).ok
    assert service.add_mailbox("info@exämpel.se", ADMIN).ok
    sink = Sink()
    sink.controller.start()
    postfix = PostfixInstance(root / "postfix", database_url, sink.controller.port)
    try:
        postfix.start()
        yield MailWorld(service, postfix, sink, make_sessionmaker(engine))
    finally:
        postfix.stop()
        sink.controller.stop()
        engine.dispose()
        shutil.rmtree(root, ignore_errors=True)
        root_guard.release()


def test_an_alias_delivers_to_its_mailbox_and_its_removal_makes_postfix_reject_it(world: MailWorld) -> None:
    world.change(AddAlias(a("support"), a("anna")))
    marker = world.send(a("support"))
    world.expect(marker, [a("anna")])
    world.change(RemoveAlias(a("support")))
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        world.send(a("support"))
    code, reply = refused.value.recipients[a("support")]
    assert code == 550 and b"User unknown" in reply


def test_idn_mailboxes_receive_mail_for_their_punycode_address(world: MailWorld) -> None:
    world.change(AddAlias("kontakt@exämpel.se", "info@exämpel.se"))
    marker = world.send("kontakt@xn--exmpel-cua.se")
    world.expect(marker, ["info@xn--exmpel-cua.se"])


def test_an_external_forward_reaches_the_outside_and_keep_a_copy_also_the_mailbox(world: MailWorld) -> None:
    world.change(SetForward(a("bertil"), "bertil@outside.example"))
    world.expect(world.send(a("bertil")), ["bertil@outside.example"])
    world.change(SetForward(a("bertil"), "bertil@outside.example", keep_copy=True))
    world.expect(world.send(a("bertil")), [a("bertil"), "bertil@outside.example"])


def test_a_group_delivers_to_every_member_once(world: MailWorld) -> None:
    world.change(CreateGroup(a("sales"), "Sales"))
    world.change(AddAlias(a("cecilia.s"), a("cecilia")))
    # cecilia is a member twice (directly and by her alias): Postfix delivers once.
    members = (a("cecilia"), a("cecilia.s"), a("david"), "partner@outside.example")
    world.change(AddMembers(a("sales"), members))
    expected = [a("cecilia"), a("david"), "partner@outside.example"]
    assert sorted(world.traced(a("sales"))) == expected
    world.expect(world.send(a("sales")), expected)


def test_nested_setups_deliver_as_trace_said(world: MailWorld) -> None:
    world.change(AddAlias(a("help"), a("erik")))
    world.change(SetForward(a("erik"), a("frida"), keep_copy=True))
    world.change(SetForward(a("frida"), "frida@outside.example"))
    world.change(CreateGroup(a("team"), "Team"))
    world.change(AddMembers(a("team"), (a("help"), a("frida"), a("gustav"))))
    world.change(CreateGroup(a("all"), "All"))
    world.change(AddMembers(a("all"), (a("team"), a("erik"), "boss@outside.example")))
    for address in (a("help"), a("team"), a("all")):
        traced = world.traced(address)
        assert traced  # trace found somewhere to deliver
        world.expect(world.send(address), traced)
    assert sorted(world.traced(a("all"))) == [
        "boss@outside.example",
        a("erik"),
        "frida@outside.example",
        a("gustav"),
    ]


def test_a_change_that_would_loop_is_refused_and_nothing_is_deferred(world: MailWorld) -> None:
    world.change(SetForward(a("hanna"), a("ivar")))
    refused = world.service.apply(SetForward(a("ivar"), a("hanna")), ADMIN)
    assert (refused.status, refused.rule) == (Status.REFUSED, "no_loops")
    world.expect(world.send(a("hanna")), [a("ivar")])
    world.expect(world.send(a("ivar")), [a("ivar")])
    assert "Mail queue is empty" in world.postfix.queue()


def test_after_undo_delivery_is_as_before(world: MailWorld) -> None:
    world.change(AddAlias(a("orders"), a("gustav")))
    before = world.traced(a("orders"))
    world.expect(world.send(a("orders")), before)
    forward = world.change(SetForward(a("gustav"), "gustav@outside.example"))
    world.expect(world.send(a("orders")), ["gustav@outside.example"])
    assert world.service.undo(forward, ADMIN).ok
    world.expect(world.send(a("orders")), before)
    assert world.service.forward(a("gustav")) is None


def test_postfix_counts_an_expansion_with_duplicates_and_u_labels_as_trace_does(world: MailWorld) -> None:
    """Postfix's 1000-address limit counts duplicates, and a U-label key expands a keep-a-copy
    mailbox twice (the A-label result is not "itself"): trace counts the same way."""
    assert world.service.add_mailbox("wide@exämpel.se", ADMIN).ok
    teams = [a(f"wide{n}") for n in range(10)]
    people = [f"w{n}@outside.example" for n in range(50)]
    world.write_behind_the_rules(
        [(team, person, RouteKind.MEMBER) for team in teams for person in people]
        + [(a("wide"), team, RouteKind.MEMBER) for team in teams]  # 500 addresses, 50 different
        + [("wide@xn--exmpel-cua.se", a("wide"), RouteKind.FORWARD)]
        + [("wide@xn--exmpel-cua.se", "wide@xn--exmpel-cua.se", RouteKind.KEEP_COPY)]
    )
    delivered = world.traced("wide@xn--exmpel-cua.se")  # 501: within the limit
    assert sorted(delivered) == sorted([*people, "wide@xn--exmpel-cua.se"])
    world.expect(world.send("wide@xn--exmpel-cua.se"), delivered)
    assert world.service.trace("wide@exämpel.se").loops  # 1001: past it
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        world.send("wide@exämpel.se")
    assert deferred.value.smtp_code == 451 and b"4.6.0" in deferred.value.smtp_error
    assert world.postfix.queue_is_empty()


def test_a_keep_a_copy_mailbox_is_expanded_once_however_many_paths_lead_to_it(world: MailWorld) -> None:
    """Six groups lead to a mailbox that keeps a copy and forwards to 200 addresses: Postfix expands it
    once (it expanded into itself), 201 deliveries. Without the copy each path expands it again, 1206
    addresses: dropping the copy is refused by "limits", and written behind the rules' back, Postfix
    defers the mail (451 4.6.0) as trace says."""
    assert world.service.add_mailbox(a("kopia"), ADMIN).ok
    world.change(CreateGroup(a("kopia-fan"), "Fan"))
    fan = [f"k{n}@outside.example" for n in range(200)]
    world.change(AddMembers(a("kopia-fan"), tuple(fan)))
    world.change(SetForward(a("kopia"), a("kopia-fan"), keep_copy=True))
    paths = [a(f"kopia-via{n}") for n in range(6)]
    for path in paths:
        world.change(CreateGroup(path, "Via"))
        world.change(AddMembers(path, (a("kopia"),)))
    world.change(CreateGroup(a("kopia-all"), "All"))
    world.change(AddMembers(a("kopia-all"), tuple(paths)))
    delivered = world.traced(a("kopia-all"))
    assert sorted(delivered) == sorted([a("kopia"), *fan])
    world.expect(world.send(a("kopia-all")), delivered)
    refused = world.service.apply(SetForward(a("kopia"), a("kopia-fan")), ADMIN)
    assert (refused.status, refused.rule) == (Status.REFUSED, "limits")
    with world.sessions() as session, session.begin():
        session.execute(delete(Route).where(Route.source == a("kopia"), Route.destination == a("kopia")))
    assert world.service.trace(a("kopia-all")).loops
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        world.send(a("kopia-all"))
    assert deferred.value.smtp_code == 451 and b"4.6.0" in deferred.value.smtp_error
    assert world.postfix.queue_is_empty()


def test_a_customer_admins_change_from_slack_is_delivered_by_postfix(
    world: MailWorld, slack_standin: SlackStandIn
) -> None:
    """Signed Slack requests from a customer's admin: preview, Confirm, and Postfix delivers; their
    forward outside is refused and mail goes where it went before."""
    sessions = make_sessionmaker(make_engine(world.postfix.database_url))
    access = Additions(["exämpel.se"], users=["UKUNDADMIN"], admin=True)
    assert CustomerDirectory(sessions).add("Exämpel AB", access, ADMIN).ok
    app = InProcessApp(app_settings(world.postfix.database_url, slack_standin), slack_standin)
    slack_standin.reset()
    app.command("/alias", "add order@exämpel.se info@exämpel.se", user_id="UKUNDADMIN")
    [preview] = slack_standin.wait_for("response_url", lambda call: "will land" in call.text())
    app.click(preview.args["blocks"], "flow_confirm", user_id="UKUNDADMIN")
    slack_standin.wait_for("response_url", lambda call: "Done (change" in call.text())
    world.expect(world.send("order@xn--exmpel-cua.se"), ["info@xn--exmpel-cua.se"])

    app.command("/forward", "set info@exämpel.se info@outside.example", user_id="UKUNDADMIN")
    slack_standin.wait_for("response_url", lambda call: "is not in your domains" in call.text())
    world.expect(world.send("order@xn--exmpel-cua.se"), ["info@xn--exmpel-cua.se"])


def test_mail_to_u_label_addresses_lands_where_trace_says_as_the_domain_and_its_routes_change(
    world: MailWorld,
) -> None:
    """An IDN domain that routes already point into becomes ours; its mailboxes (added and imported),
    an alias and a forward are written, undone and redone: after each step mail to every address
    typed with the U-label, in capitals too, lands where `trace` says (or is refused, as it says)."""
    idn, idn_a = "bärnsten.se", "xn--brnsten-5wa.se"
    assert world.service.add_mailbox(a("kalle"), ADMIN).ok
    world.change(SetForward(a("kalle"), f"order@{idn}"))  # not ours yet: out to the Internet
    world.expect(world.send(a("kalle")), [f"order@{idn_a}"])
    names = ("order", "info", "sales", "postmaster", "abuse", "nobody")
    probes = [a("kalle"), *(f"{name}@{idn}" for name in names)]

    def lands_where_trace_says() -> None:
        for probe in [*probes, *(probe.upper() for probe in probes[1:])]:
            trace = world.service.trace(probe)
            assert not trace.loops
            if [d.kind for d in trace.deliveries] == [DeliveryKind.UNKNOWN] and not trace.steps:
                assert world.postfix.rcpt_code(probe) == 550, probe
                continue
            assert all(d.kind is not DeliveryKind.UNKNOWN for d in trace.deliveries), probe
            world.expect(world.send(probe), [d.mailbox or d.address for d in trace.deliveries])

    assert world.service.add_domain(idn, ADMIN).ok  # kalle's mail bounces until order@ exists
    world.postfix.reload(lambda: world.postfix.rcpt_code(f"nobody@{idn_a}") == 550)
    assert world.service.add_mailbox(f"order@{idn}", ADMIN).ok
    lands_where_trace_says()
    assert world.service.import_mailboxes([MailboxLine(2, f"sales@{idn}", "Sales")], ADMIN).ok
    alias = world.change(AddAlias(f"info@{idn}", f"order@{idn}"))
    forward = world.change(SetForward(f"order@{idn}", "order@outside.example", keep_copy=True))
    lands_where_trace_says()
    info = world.service.trace(f"INFO@{idn.upper()}")
    assert sorted(d.mailbox or d.address for d in info.deliveries) == [
        "order@outside.example",
        f"order@{idn_a}",
    ]
    assert world.service.undo(forward, ADMIN).ok
    undo_alias = world.service.undo(alias, ADMIN).change_id
    assert undo_alias is not None
    lands_where_trace_says()
    assert world.service.trace(f"info@{idn}").deliveries[0].kind is DeliveryKind.UNKNOWN
    assert world.service.undo(undo_alias, ADMIN).ok  # the alias again
    lands_where_trace_says()
