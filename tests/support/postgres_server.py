"""A private PostgreSQL server for the test run: its own data directory, port and socket directory.

initdb refuses to run as root, so the server runs as the `postgres` OS user when the tests run as
root. Durability is switched off (fsync, full_page_writes): test data never needs to survive a crash.
The watchdog of `tests.support.leftovers` stops the server and removes its directory if the test
process ends without doing so (a killed pytest-xdist worker).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

from bot.db import make_engine, upgrade
from tests.support.leftovers import guard, private_directory

SERVER_OS_USER = "postgres"
MIGRATED_TEMPLATE = "mailbot_template"
# A port chosen free can be taken before the server binds it (another worker's server, under -n).
PORT_ATTEMPTS = 5
ADDRESS_IN_USE = "Address already in use"


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = [
        Path(path) for path in glob.glob("/usr/lib/postgresql/*/bin") if Path(path, "initdb").exists()
    ]
    if candidates:
        return max(candidates, key=lambda path: int(path.parent.name))
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL is not installed (no initdb); scripts/test installs Debian's postgresql")


def free_port() -> int:
    """A port free now; a server given it must bind it or fail and try another (see PORT_ATTEMPTS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.base_dir, self._directory_guard = private_directory("mailbot-pg-")
        self.data_dir = self.base_dir / "data"
        self.socket_dir = self.base_dir / "run"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self.socket_dir.mkdir()
        if self._as_root:
            account = pwd.getpwnam(SERVER_OS_USER)
            for path in (self.base_dir, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self.superuser = SERVER_OS_USER if self._as_root else pwd.getpwuid(os.geteuid()).pw_name
        self._has_migrated_template = False
        self.running = False
        self._ever_started = False
        self._log = self.base_dir / "server.log"
        # Registered before it can start: stopping a server that never ran only fails, harmlessly.
        self._server_guard = guard(
            stop=self._command("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop")
        )

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if self._as_root:
            command = ["runuser", "-u", SERVER_OS_USER, "--", *command]
        return command

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(self._command(program, *args), check=True, capture_output=True, cwd=self.base_dir)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-A",
            "trust",
            "-U",
            self.superuser,
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        """Start the server; on its first start, on another free port if another process took the one
        chosen (PostgreSQL cannot be handed a bound socket or told to pick one and say which)."""
        attempts = 1 if self._ever_started else PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            seen = self._log_size()
            try:
                self._start_on(self.port)
            except subprocess.CalledProcessError:
                if attempt == attempts or ADDRESS_IN_USE not in self._log_since(seen):
                    raise
                self.port = free_port()
            else:
                break
        self.running = self._ever_started = True

    def _start_on(self, port: int) -> None:
        options = (
            f"-h 127.0.0.1 -p {port} -k {self.socket_dir} -c fsync=off -c full_page_writes=off "
            "-c synchronous_commit=off -c max_connections=300"
        )
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self._log), "-o", options, "-w", "start")

    def _log_size(self) -> int:
        return self._log.stat().st_size if self._log.exists() else 0

    def _log_since(self, offset: int) -> str:
        with self._log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        self.running = False

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.superuser, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(sql)

    def create_database(self, name: str, template: str = "template1") -> str:
        # FILE_COPY clones a small template faster than the WAL-logged default of PostgreSQL 15.
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY')
        return self.url(name)

    def create_migrated_database(self, name: str) -> str:
        """A database at the newest schema, cloned from a template migrated once per server."""
        if not self._has_migrated_template:
            template_engine = make_engine(self.create_database(MIGRATED_TEMPLATE))
            upgrade(template_engine)
            template_engine.dispose()  # a template must have no open connections to be cloned
            self._has_migrated_template = True
        return self.create_database(name, template=MIGRATED_TEMPLATE)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def remove(self) -> None:
        """Remove the stopped server's files (and tell the watchdog there is nothing left to do)."""
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self._server_guard.release()
        self._directory_guard.release()


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A fresh server for the duration of the block; its files are removed afterwards."""
    server = PostgresServer()
    try:
        server.init()
        server.start()  # pg_ctl may give up waiting while the server still comes up: stopped below
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # a test may have stopped it, or it never ran
            server.stop()
        server.remove()
