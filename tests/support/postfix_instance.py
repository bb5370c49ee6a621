"""A private, real Postfix for tests: its own config, queue and Maildirs under a temp dir.

It listens on 127.0.0.1 at a free port, reads mailbot's routing database through the tables
`mailbot postfix-config` writes, delivers our mailboxes to Maildir and relays everything else
to an in-process SMTP sink standing for the outside world. Needs root (Postfix starts as root
and drops to the `postfix` user), like a real server.
"""

from __future__ import annotations

import asyncio
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.db import make_engine, upgrade
from bot.routing.postfix import write_config
from tests.support.leftovers import guard
from tests.support.postgres_server import ADDRESS_IN_USE, PORT_ATTEMPTS, free_port

T = TypeVar("T")
WAIT_SECONDS = 30  # an upper bound for mail to arrive; tests never assert how fast it is

# Postfix 3.7's daemons, without chroot (the private instance has no chroot jail).
MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
local     unix  - n n -  - local
virtual   unix  - n n -  - virtual
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


def wait_for(produce: Callable[[], T | None], what: str) -> T:
    """Poll until `produce` returns something truthy; fail after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = produce()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


# Every test message carries its marker in the subject and the body; a bounce carries the original.
MARKER = re.compile(rb"marker ([0-9a-f]{32})")
SENDER = "tester@outside.example"
# The recipients a delivery status notification (a bounce) reports as failed.
FINAL_RECIPIENT = re.compile(rb"^Final-Recipient: *rfc822; *(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Sent:
    recipient: str
    marker: str
    refused: int | None  # the SMTP code Postfix refused it with (550 at RCPT, 451 at DATA), or None


class _BoundController(Controller):
    """aiosmtpd's threaded server on a socket bound here, on a port the kernel picks, and kept bound
    until it serves: no other server can take the port between the choice and the listening.
    (`_create_server` is aiosmtpd's own hook, 1.4: it gives asyncio the socket instead of an address.)
    SMTPUTF8: mail to a U-label address carries UTF-8 in its envelope and headers."""

    def __init__(self, handler: object) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        super().__init__(
            handler, hostname="127.0.0.1", port=self._socket.getsockname()[1], enable_SMTPUTF8=True
        )

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._socket, ssl=self.ssl_context)


class Sink:
    """The outside world: an SMTP server that keeps (sender, recipient, message) for each recipient."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        self._lock = threading.Lock()
        self.controller = _BoundController(self)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self._lock:
            content = envelope.original_content or b""
            sender = "" if envelope.mail_from in (None, "", "<>") else envelope.mail_from
            self.received.extend((sender, rcpt.lower(), content) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def recipients_of(self, marker: str) -> list[str]:
        with self._lock:
            return sorted(rcpt for _, rcpt, content in self.received if marker.encode() in content)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def relayed(self) -> dict[str, list[str]]:
        """marker -> the outside recipients that got the message (bounces left out)."""
        found: dict[str, list[str]] = {}
        with self._lock:
            for sender, rcpt, content in self.received:
                if sender and (match := MARKER.search(content)):
                    found.setdefault(match.group(1).decode(), []).append(rcpt)
        return found

    def bounced(self) -> dict[str, list[str]]:
        """marker -> the recipients that Postfix's bounces to the sender report as failed."""
        found: dict[str, list[str]] = {}
        with self._lock:
            for sender, _, content in self.received:
                if not sender and (match := MARKER.search(content)):
                    failed = [r.decode().lower() for r in FINAL_RECIPIENT.findall(content)]
                    found.setdefault(match.group(1).decode(), []).extend(failed)
        return found


class PostfixInstance:
    """A private Postfix reading `database_url` through the tables `postfix-config` writes.

    `sink_port`: where mail for the outside world goes (None: nowhere, for a `settings` that
    discards it). `settings`: main.cf parameters that replace the snippet's, e.g. other maps or a
    cheaper transport for a benchmark. Replaced, not repeated: Postfix would warn of a repeated
    parameter in every daemon it starts, and the burst of warnings can fill the logging socket and
    hang the instance.
    """

    def __init__(
        self,
        root: Path,
        database_url: str,
        sink_port: int | None,
        settings: Mapping[str, str] | None = None,
        proxy: bool = True,
    ) -> None:
        self.root = root
        self.config_dir = root / "etc"
        self.mail_dir = root / "mail"
        self.tables_dir = root / "tables"
        self.port = free_port()
        self.database_url = database_url
        self.sink_port = sink_port
        self.settings = dict(settings or {})
        self.proxy = proxy  # the tables through proxymap, as postfix-config writes them by default
        self.mail_user = pwd.getpwnam("nobody")

    def configure(self) -> None:
        for directory in (self.config_dir, self.root / "queue", self.root / "data", self.mail_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        shutil.chown(self.root / "data", user="postfix")
        shutil.chown(self.mail_dir, user=self.mail_user.pw_uid, group=self.mail_user.pw_gid)
        write_config(self.database_url, self.tables_dir, mailbox_base=str(self.mail_dir), proxy=self.proxy)
        snippet = (self.tables_dir / "main.cf.snippet").read_text()
        snippet = snippet.replace("static:5000", f"static:{self.mail_user.pw_uid}")
        kept = [line for line in snippet.splitlines() if line.partition(" = ")[0] not in self.settings]
        snippet = "".join(f"{line}\n" for line in kept)
        relayhost = f"relayhost = [127.0.0.1]:{self.sink_port}" if self.sink_port else "relayhost ="
        overrides = "".join(f"{name} = {value}\n" for name, value in self.settings.items())
        (self.config_dir / "main.cf").write_text(
            f"""\
compatibility_level = 3.6
config_directory = {self.config_dir}
queue_directory = {self.root / "queue"}
data_directory = {self.root / "data"}
maillog_file = {self.root / "maillog"}
maillog_file_prefixes = {self.root}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.mailbot-test.invalid
mydomain = mailbot-test.invalid
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
{relayhost}
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
biff = no
alias_maps =
alias_database =
delay_warning_time = 0
virtual_minimum_uid = 1
{snippet}{overrides}"""
        )
        (self.config_dir / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))

    def postfix(self, *args: str) -> str:
        result = subprocess.run(
            ["postfix", "-c", str(self.config_dir), *args], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            # Postfix logs its reasons to the maillog (or syslog before that is set up).
            raise RuntimeError(f"postfix {' '.join(args)} failed: {result.stdout}{result.stderr}{self.log()}")
        return result.stdout

    def start(self) -> None:
        self.configure()
        # What mailbot's rules and trace count on (main.cf.snippet sets them); checked, not assumed.
        assert self.setting("recipient_delimiter") == "+"
        assert self.setting("smtputf8_enable") == "yes"
        # `postfix start` detaches the master: the watchdog stops it if this process dies first.
        self._guard = guard(stop=self._stop_command())
        for attempt in range(1, PORT_ATTEMPTS + 1):
            seen = len(self.log())
            try:
                self.postfix("start")  # the master (`-w`) fails unless it binds every listener
            except RuntimeError:
                if attempt == PORT_ATTEMPTS or ADDRESS_IN_USE not in self.log()[seen:]:
                    raise
                self.port = free_port()  # another process took the port since it was chosen
                (self.config_dir / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
            else:
                break
        wait_for(self._accepts_connections, "Postfix to listen")

    def _stop_command(self) -> list[str]:
        return ["postfix", "-c", str(self.config_dir), "stop"]

    def stop(self) -> None:
        subprocess.run(self._stop_command(), capture_output=True, check=False)
        self._guard.release()

    def _accepts_connections(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def send(self, recipient: str, marker: str) -> None:
        """Send a message whose body carries `marker`; raises smtplib errors when Postfix refuses."""
        message = EmailMessage()
        message["From"] = "tester@outside.example"
        message["To"] = recipient
        message["Subject"] = f"test {marker}"
        message.set_content(f"marker {marker}\n")
        with smtplib.SMTP("127.0.0.1", self.port, timeout=WAIT_SECONDS) as client:
            client.send_message(message)

    def send_each(self, recipients: Sequence[str], connections: int = 3) -> list[Sent]:
        """One message to each recipient (its own marker), over a few SMTP connections at once."""
        shares = [recipients[start::connections] for start in range(connections)]
        with ThreadPoolExecutor(connections) as pool:
            return [sent for share in pool.map(self._send_each, shares) for sent in share]

    def _send_each(self, recipients: Sequence[str]) -> list[Sent]:
        sent = []
        with smtplib.SMTP("127.0.0.1", self.port, timeout=WAIT_SECONDS) as client:
            for recipient in recipients:
                marker = uuid.uuid4().hex
                message = EmailMessage()
                message["From"] = SENDER
                message["To"] = recipient
                message["Subject"] = f"test marker {marker}"
                message.set_content(f"marker {marker}\n")
                refused = None
                try:
                    client.send_message(message, from_addr=SENDER, to_addrs=[recipient])
                except smtplib.SMTPRecipientsRefused as error:
                    refused = error.recipients[recipient][0]
                except smtplib.SMTPDataError as error:
                    refused = error.smtp_code
                sent.append(Sent(recipient, marker, refused))
        return sent

    def rcpt_code(self, recipient: str) -> int:
        """Postfix's answer to RCPT TO (250 accepted, 550 unknown ...), without sending anything."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=WAIT_SECONDS) as client:
            client.ehlo()
            client.mail(SENDER, [] if recipient.isascii() else ["SMTPUTF8"])  # a U-label domain needs it
            code, _ = client.rcpt(recipient)
            client.rset()
        return code

    def reload(self, settled: Callable[[], bool]) -> None:
        """`postfix reload`, as after `mailbot domain add`: smtpd keeps each address's class (ours or
        not) for its lifetime, so running smtpd processes must be replaced. Waits for `settled()`."""
        self.postfix("reload")
        wait_for(settled, "the reloaded Postfix")

    def maildir_deliveries(self) -> dict[str, list[str]]:
        """marker -> the Maildirs ("domain/local/", relative to the mail folder) it was delivered to."""
        found: dict[str, list[str]] = {}
        for path in self.mail_dir.glob("*/*/new/*"):
            if match := MARKER.search(path.read_bytes()):
                found.setdefault(match.group(1).decode(), []).append(f"{path.parts[-4]}/{path.parts[-3]}/")
        return found

    def clear_mail(self) -> None:
        """Remove every delivered message (the Maildirs stay)."""
        for path in self.mail_dir.glob("*/*/*/*"):
            path.unlink()

    def setting(self, name: str) -> str:
        """A main.cf parameter as this Postfix sees it."""
        return subprocess.run(
            ["postconf", "-c", str(self.config_dir), "-h", name], capture_output=True, text=True, check=True
        ).stdout.strip()

    def maildir_messages(self, maildir: str, marker: str) -> list[Path]:
        """Files in a mailbox's Maildir/new that carry `marker`."""
        new = self.mail_dir / maildir / "new"
        if not new.is_dir():
            return []
        return [path for path in new.iterdir() if marker.encode() in path.read_bytes()]

    def queue(self) -> str:
        result = subprocess.run(
            ["postqueue", "-c", str(self.config_dir), "-p"], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def queue_is_empty(self) -> bool:
        return "Mail queue is empty" in self.queue()

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""


def sqlite_for_postfix(root: Path) -> str:
    """The URL of a new, migrated SQLite database under `root` that Postfix's daemons can read."""
    database = root / "db" / "mailbot.db"
    database.parent.mkdir()
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    share_with_postfix(database)
    return url


def share_with_postfix(database_path: Path) -> None:
    """Let Postfix's unprivileged daemons read the SQLite database and its WAL files.

    SQLite gives new -wal/-shm files the database file's owner, and a WAL reader must be able to
    create them in the directory, so the directory and the file belong to the `postfix` user.
    """
    for path in (database_path.parent, database_path):
        shutil.chown(path, user="postfix", group="postfix")
    database_path.parent.chmod(0o775)
    database_path.chmod(0o664)
