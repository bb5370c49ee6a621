"""Postfix end to end: `.venv/bin/python bench/postfix_throughput.py [--quick]` (as root, like Postfix).

Postfix's own load generator `smtp-source` (in Debian's postfix package) sends MESSAGES messages over
SMTP to random hosted addresses (mailboxes, forwarded mailboxes, aliases, groups) of a routing table of
1M routes, through a private Postfix (tests/support/postfix_instance.py) whose three virtual maps are,
taking turns:

- sqlite: ours, `proxy:sqlite:` tables exactly as `mailbot postfix-config` writes them;
- lmdb: Postfix's native `lmdb:` maps, built with postmap from the same rows (the baseline);
- pgsql: ours on PostgreSQL, `proxy:pgsql:` tables (postfix-config for a PostgreSQL URL) on a private
  server holding the same rows.

So that the maps are what is measured, every final delivery is discarded (`virtual_transport` and
`default_transport` are `discard:`) and the queue is on tmpfs: apart from the maps each message costs the
same (SMTP with its RCPT check against virtual_mailbox_domains, virtual_alias_maps and
virtual_mailbox_maps; cleanup's recursive alias expansion; trivial-rewrite; qmgr; discard). A run is timed
from the first connection until the last message has left the queue; each map keeps its best of ROUNDS.
Also prints `postmap -q` per key as bench/routing.py does (with the pgsql: table beside).
Target (issue 9): ours at least 0.9x lmdb end to end. `--quick`: 100k routes, 2,000 messages, one round.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.routing import DOMAINS, bench_postfix_lookups, build_database, entity_counts  # noqa: E402
from bot.routing.postfix import write_config  # noqa: E402
from tests.support.postfix_instance import PostfixInstance, share_with_postfix  # noqa: E402
from tests.support.postgres_server import running_server  # noqa: E402

LOCAL = "x"  # smtp-source -N sends to 1x@domain, 2x@domain, ...: the dataset names addresses so
SENDERS = 10  # smtp-source processes, each to its own random domain
SESSIONS = 2  # SMTP sessions in parallel per process
ROUNDS = 2
DRAIN_SECONDS = 600  # an upper bound for the queue to empty after the last message was sent
SAMPLE_SECONDS = 0.1  # how often the daemons' CPU time is read
# Every final delivery costs the same, whatever the maps answered.
CHEAP_DELIVERY = {"virtual_transport": "discard:", "default_transport": "discard:"}
TABLES = ("routes", "mailboxes", "distribution_groups", "domains")


def numbered_names(routes: int, seed: int) -> Callable[[str, int], str]:
    """Names for build_database: each domain's mailboxes, aliases and groups, shuffled, are
    1x@d<k>.example, 2x@d<k>.example, ..., so smtp-source -N reaches random addresses of every kind."""
    per_domain: list[list[tuple[str, int]]] = [[] for _ in range(DOMAINS)]
    for kind, count in entity_counts(routes).items():
        for n in range(count):
            per_domain[n % DOMAINS].append((kind, n))
    rng = random.Random(seed)
    names: dict[tuple[str, int], str] = {}
    for k, entities in enumerate(per_domain):
        rng.shuffle(entities)
        for j, entity in enumerate(entities, start=1):
            names[entity] = f"{j}{LOCAL}@d{k}.example"
    return lambda kind, n: names[(kind, n)]


def build_lmdb_maps(work: Path, database: Path) -> dict[str, str]:
    """Native lmdb: maps with exactly what our three queries answer; main.cf parameter -> table."""
    config = work / "etc"  # bench_postfix_lookups wrote a main.cf there
    connection = sqlite3.connect(database)
    sources = {
        "virtual_mailbox_domains": connection.execute("SELECT name, name FROM domains"),
        "virtual_mailbox_maps": connection.execute("SELECT address, maildir FROM mailboxes"),
    }
    maps = {}
    for parameter, rows in sources.items():
        path = work / f"native_{parameter}"
        path.write_text("".join(f"{key} {value}\n" for key, value in rows))
        subprocess.run(["postmap", "-c", str(config), f"lmdb:{path}"], check=True)
        maps[parameter] = f"lmdb:{path}"
    connection.close()
    maps["virtual_alias_maps"] = f"lmdb:{work / 'virtual_alias'}"  # built by bench_postfix_lookups
    return maps


def copy_to_postgresql(database: Path, url: str) -> None:
    """The SQLite routing tables, row for row, into the (migrated, empty) PostgreSQL database."""
    source = sqlite3.connect(database)
    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(target) as connection:
        for table in reversed(TABLES):  # domains first: the others refer to them
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            with connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
        for table in TABLES:
            connection.execute(f"ANALYZE {table}")
    source.close()


@dataclass
class Run:
    seconds: float
    deliveries: int  # recipients delivered (discarded): the same for every map, or one answers wrongly
    cpu: dict[str, float]  # CPU seconds by Postfix daemon (smtpd, cleanup, proxymap ...)


class DaemonClock:
    """CPU seconds of a running Postfix's daemons by name, sampled from /proc (a daemon that exits
    between two samples loses at most its last SAMPLE_SECONDS of work)."""

    def __init__(self, postfix: PostfixInstance) -> None:
        pid_file = postfix.root / "queue" / "pid" / "master.pid"
        self.master = pid_file.read_text().strip()
        self.ticks: dict[int, tuple[str, int]] = {}  # pid -> (daemon, CPU ticks so far)

    def sample(self) -> None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)
            except OSError:  # the process ended meanwhile
                continue
            name = fields[0].split("(", 1)[1]
            values = fields[1].split()
            if values[1] == self.master:  # parent pid: a daemon of this instance
                self.ticks[int(stat.parent.name)] = (name, int(values[11]) + int(values[12]))

    def seconds(self) -> dict[str, float]:
        total: dict[str, float] = defaultdict(float)
        for name, ticks in self.ticks.values():
            total[name] += ticks / os.sysconf("SC_CLK_TCK")
        return dict(total)


class MaillogReader:
    """Counts lines of Postfix's maillog as they are written, reading only what is new."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.counts: dict[str, int] = defaultdict(int)
        self.patterns = {
            "removed": re.compile(rb": removed$", re.MULTILINE),
            "sent": re.compile(rb" status=sent ", re.MULTILINE),
            "trouble": re.compile(rb" status=(?:bounced|deferred)| reject: ", re.MULTILINE),
        }

    def update(self) -> dict[str, int]:
        if self.path.exists():
            with self.path.open("rb") as log:
                log.seek(self.offset)
                chunk = log.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            self.offset += len(complete)
            for name, pattern in self.patterns.items():
                self.counts[name] += len(pattern.findall(complete))
        return self.counts


def send_and_drain(postfix: PostfixInstance, plan: list[tuple[int, int]]) -> Run:
    """smtp-source processes (domain, messages) at once; seconds until every message left the queue."""
    log = MaillogReader(postfix.root / "maillog")
    clock = DaemonClock(postfix)
    total = sum(count for _, count in plan)
    started = time.perf_counter()
    senders = [
        subprocess.Popen(
            [
                "smtp-source",
                "-N",  # recipients 1x@..., 2x@..., ...: a new address each message
                "-s",
                str(SESSIONS),
                "-m",
                str(count),
                "-M",
                "bench.invalid",
                "-f",
                "bench@outside.example",
                "-t",
                f"{LOCAL}@d{domain}.example",
                f"127.0.0.1:{postfix.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for domain, count in plan
    ]
    deadline = time.monotonic() + DRAIN_SECONDS
    while log.update()["removed"] < total:
        if any(sender.poll() not in (None, 0) for sender in senders):
            break  # a sender gave up: its error is raised below
        if time.monotonic() > deadline:
            raise RuntimeError(f"the queue did not drain: {postfix.queue()[-2000:]}")
        clock.sample()
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    clock.sample()
    for sender in senders:
        _, errors = sender.communicate()
        if sender.returncode != 0:
            raise RuntimeError(f"smtp-source failed: {errors.decode()}\n{postfix.log()[-3000:]}")
    time.sleep(0.5)  # the last delivery lines may follow the queue file's removal
    counts = log.update()
    if counts["trouble"]:
        raise RuntimeError(f"bounces, deferrals or rejects: {postfix.log()[-3000:]}")
    return Run(seconds, counts["sent"], clock.seconds())


def measure_throughput(
    configurations: dict[str, tuple[str, dict[str, str], bool]],
    queues: Path,
    messages: int,
    rounds: int,
    per_domain: int,
) -> dict[str, Run]:
    """Each configuration's best run; they take turns, so load from other work hits them alike."""
    rng = random.Random(7)
    best: dict[str, Run] = {}
    for round_number in range(rounds):
        # The same recipients for every map in a round: their deliveries must then be equal too.
        plan = [(domain, messages // SENDERS) for domain in rng.sample(range(DOMAINS), SENDERS)]
        assert all(count <= per_domain for _, count in plan), "more messages than addresses"
        this_round: dict[str, Run] = {}
        for kind, (url, settings, proxy) in configurations.items():
            postfix = PostfixInstance(
                queues / f"{kind.replace(' ', '-')}-{round_number}", url, None, settings, proxy
            )
            postfix.start()
            try:
                run = send_and_drain(postfix, plan)
            finally:
                postfix.stop()
            rate = messages / run.seconds
            busiest = ", ".join(
                f"{name} {cpu:.1f}" for name, cpu in sorted(run.cpu.items(), key=lambda i: -i[1])
            )
            print(
                f"round {round_number + 1}, {kind}: {rate:,.0f} messages/s in {run.seconds:.1f} s",
                file=sys.stderr,
            )
            print(f"  CPU seconds by daemon: {busiest}", file=sys.stderr)
            this_round[kind] = run
            if kind not in best or run.seconds < best[kind].seconds:
                best[kind] = run
        deliveries = {run.deliveries for run in this_round.values()}
        assert len(deliveries) == 1, f"the maps delivered differently: {this_round}"
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k routes, 2,000 messages, one round")
    args = parser.parse_args()
    routes = 100_000 if args.quick else 1_000_000
    messages = 2_000 if args.quick else 20_000
    rounds = 1 if args.quick else ROUNDS
    work = Path(tempfile.mkdtemp(prefix="mailbot-throughput-"))
    # The queues on tmpfs: a disk's fsync per queue file would hide what the maps cost.
    shm = Path("/dev/shm")
    queues = Path(tempfile.mkdtemp(prefix="mailbot-throughput-", dir=shm if shm.is_dir() else None))
    for directory in (work, queues):
        directory.chmod(0o755)  # Postfix's unprivileged daemons read the tables and the database
    try:
        database = work / "db" / "routes.db"
        database.parent.mkdir()
        started = time.perf_counter()
        data = build_database(database, routes, numbered_names(routes, seed=5))
        print(f"built {routes:,} routes in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        share_with_postfix(database)
        sqlite_url = f"sqlite:///{database}"
        with running_server() as server:
            pgsql_url = server.create_migrated_database("throughput")
            started = time.perf_counter()
            copy_to_postgresql(database, pgsql_url)
            print(f"copied them to PostgreSQL in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            pgsql_tables = work / "pgsql_tables"
            write_config(pgsql_url, pgsql_tables)
            more = {"pgsql": f"pgsql:{pgsql_tables / 'virtual_alias_maps.cf'}"}
            lookups = bench_postfix_lookups(work, database, data, routes, more_tables=more)
            # Ours without proxy (postfix-config --no-proxy): each daemon opens the database itself,
            # which Debian's master.cf prevents by running them chrooted.
            configurations = {
                "sqlite": (sqlite_url, CHEAP_DELIVERY, True),
                "lmdb": (sqlite_url, {**build_lmdb_maps(work, database), **CHEAP_DELIVERY}, True),
                "pgsql": (pgsql_url, CHEAP_DELIVERY, True),
                "sqlite without proxy": (sqlite_url, CHEAP_DELIVERY, False),
            }
            per_domain = sum(entity_counts(routes).values()) // DOMAINS
            best = measure_throughput(configurations, queues, messages, rounds, per_domain)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(queues, ignore_errors=True)
    lmdb_rate = messages / best["lmdb"].seconds
    throughput = []
    for kind, run in best.items():
        rate = messages / run.seconds
        origin = "native" if kind == "lmdb" else "ours"
        label = f"{messages:,} messages, {kind} ({origin})"
        throughput.append(
            (label, f"{rate:,.0f} messages/s, {run.deliveries:,} deliveries", f"{rate / lmdb_rate:.2f}x")
        )
    print(f"{routes:,} routes. Postfix end to end (smtp-source, deliveries discarded), best of {rounds}:")
    print_table(throughput, "messages/s / lmdb's")
    print("Postfix's lookups of virtual_alias_maps:")
    print_table(lookups, "sqlite's time / this map's time")


def print_table(rows: list[tuple[str, str, str]], ratio: str) -> None:
    width = max(len(row[0]) for row in rows)
    print(f"  {'measure':<{width}}  {'result':<44}  {ratio}")
    for name, value, number in rows:
        print(f"  {name:<{width}}  {value:<44}  {number}")


if __name__ == "__main__":
    main()
