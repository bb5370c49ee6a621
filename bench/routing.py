"""Routing benchmark: `.venv/bin/python bench/routing.py [--quick]` (as root or any user who can run postmap).

1. Postfix's own lookups: with the largest routing table in SQLite, `postmap -q -` of many keys in
   one call against our `sqlite:` table (exactly the virtual_alias_maps.cf `mailbot postfix-config`
   writes), beside the same data in Postfix's native `lmdb:` and `hash:` maps and our table asked
   for A-label keys only (the query before U-label keys were answered), in the same run.
2. The routing service at 10k, 100k and 1M routes: `trace` of random addresses, and changes that
   need the loop check (a forward to an alias, a group joining a group, a new alias), each applied
   through `RoutingService.apply` (write lock, every rule, the route rows and the audit row, commit).
3. CSV import rate of `mailbot mailbox import` (in-process, progress bar included).

Targets (issue 3): SQL map within 3x of the native map, insert under 5 ms median at 1M routes,
import over 20,000 mailboxes per second. `--quick` runs 10k and 100k routes only.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from click.testing import CliRunner  # noqa: E402
from sqlalchemy import Engine, event  # noqa: E402

from bot.cli import main as mailbot  # noqa: E402
from bot.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from bot.routing.changes import Actor, AddAlias, AddMembers, Change, Role, SetForward  # noqa: E402
from bot.routing.postfix import connection_lines, write_config  # noqa: E402
from bot.routing.service import RoutingService  # noqa: E402

DOMAINS = 100
GROUP_SIZE = 10
LOOKUP_KEYS = 100_000
POSTMAP_RUNS = 5
# virtual_alias_maps as it was before U-label keys were answered: the cost those add is measured against it.
A_LABEL_ONLY = "sqlite (A-label keys only)"
A_LABEL_ONLY_QUERY = "SELECT destination FROM routes WHERE source = '%s'"
SAMPLES = 300
NOW = "2026-01-01 00:00:00.000000"
ACTOR = Actor("bench", Role.ADMIN)


def domain(n: int) -> str:
    return f"d{n % DOMAINS}.example"


def default_name(kind: str, n: int) -> str:
    """The address of the `n`th mailbox, alias or group: user7@d7.example, alias7@..., group7@..."""
    return f"{ {'mailbox': 'user', 'alias': 'alias', 'group': 'group'}[kind] }{n}@{domain(n)}"


@dataclass
class Dataset:
    mailboxes: list[str]
    aliases: list[str]
    groups: list[str]
    forwarded: list[str]
    rows: list[tuple[str, str, str]]  # (source, destination, kind)


def entity_counts(routes: int) -> dict[str, int]:
    """How many mailboxes, aliases and groups a dataset of `routes` rows has."""
    return {"mailbox": routes // 2, "alias": routes * 35 // 100, "group": routes // 2 // GROUP_SIZE}


def add_domains(engine: Engine) -> None:
    """The DOMAINS domains, each as `mailbot domain add` adds it: with postmaster@ (a mailbox) and
    abuse@ (a group around it), which the routing rules protect."""
    service = RoutingService(make_sessionmaker(engine))
    for n in range(DOMAINS):
        outcome = service.add_domain(f"d{n}.example", ACTOR)
        assert outcome.ok, outcome.message.render("en")


def build_database(path: Path, routes: int, name: Callable[[str, int], str] = default_name) -> Dataset:
    """A routing database with `routes` rows: 35% alias, 10% forward out (half of them keeping a
    copy: 5% keep-copy rows), 50% group members (groups of ten mailboxes or aliases), plus each
    domain's abuse@ -> postmaster@ row. The `n`th mailbox, alias or group is in domain(n) and has
    the address `name(kind, n)`."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    add_domains(engine)
    engine.dispose()
    counts = entity_counts(routes)
    mailboxes = [name("mailbox", n) for n in range(counts["mailbox"])]
    aliases = [name("alias", n) for n in range(counts["alias"])]
    forwarded = mailboxes[: routes // 10]
    groups = [name("group", n) for n in range(counts["group"])]
    rows = [(a, mailboxes[n % len(mailboxes)], "alias") for n, a in enumerate(aliases)]
    rows += [(m, f"{m.split('@')[0]}@outside.example", "forward") for m in forwarded]
    rows += [(m, m, "keep_copy") for m in forwarded[::2]]
    members = mailboxes[len(forwarded) :] + aliases
    for g, group in enumerate(groups):
        rows += [(group, members[(g * GROUP_SIZE + k) % len(members)], "member") for k in range(GROUP_SIZE)]
    connection = sqlite3.connect(path)
    domain_ids = dict(connection.execute("SELECT name, id FROM domains"))
    protected_rows = list(connection.execute("SELECT source, destination, kind FROM routes"))
    with connection:
        connection.executemany(
            "INSERT INTO mailboxes (address, domain_id, maildir, display_name, created_at)"
            " VALUES (?, ?, ?, '', ?)",
            (
                (m, domain_ids[domain(n)], f"{domain(n)}/{m.split('@')[0]}/", NOW)
                for n, m in enumerate(mailboxes)
            ),
        )
        connection.executemany(
            "INSERT INTO distribution_groups (address, domain_id, display_name, created_at)"
            " VALUES (?, ?, '', ?)",
            ((g, domain_ids[domain(n)], NOW) for n, g in enumerate(groups)),
        )
        connection.executemany(
            "INSERT INTO routes (source, destination, kind, created_at) VALUES (?, ?, ?, ?)",
            ((s, d, k, NOW) for s, d, k in rows),
        )
    connection.close()
    return Dataset(mailboxes, aliases, groups, forwarded, protected_rows + rows)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmap_query(config: Path, table: str, keys: bytes) -> tuple[float, float, set[str]]:
    """Seconds for one `postmap -q -` call over all keys (elapsed, and postmap's CPU time, which other
    work on a shared machine inflates less), and its answers (destinations sorted)."""
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    result = subprocess.run(
        ["postmap", "-c", str(config), "-q", "-", table], input=keys, capture_output=True, check=False
    )
    elapsed, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
    if result.returncode not in (0, 1):  # 1: some key not found
        raise RuntimeError(result.stderr.decode())
    answers = set()
    for line in result.stdout.decode().splitlines():
        key, _, value = line.partition("\t")
        answers.add(f"{key}\t{','.join(sorted(value.split(',')))}")
    return elapsed, cpu, answers


def bench_postfix_lookups(
    work: Path, database: Path, data: Dataset, routes: int, more_tables: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """`postmap -q` over LOOKUP_KEYS keys: our sqlite: table, the same asked for A-label keys only, native
    lmdb: and hash: maps built from the same rows, and `more_tables` (kind -> table, e.g. a pgsql: table
    of the same data), taking turns."""
    config = work / "etc"
    config.mkdir(exist_ok=True)
    (config / "main.cf").write_text("compatibility_level = 3.6\nmyhostname = bench.invalid\n")
    tables = work / "tables"
    write_config(f"sqlite:///{database}", tables)
    a_label_only = work / "virtual_alias_maps_a_label_only.cf"
    a_label_only.write_text(
        "\n".join([*connection_lines(f"sqlite:///{database}"), f"query = {A_LABEL_ONLY_QUERY}\n"])
    )
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, destination, _ in data.rows:
        by_source[source].append(destination)
    native_source = work / "virtual_alias"
    native_source.write_text("".join(f"{s} {','.join(d)}\n" for s, d in by_source.items()))
    sources = list(by_source)
    rng = random.Random(1)
    # 90% keys that exist, 10% that do not (Postfix asks for unknown recipients too).
    keys = [
        rng.choice(sources) if rng.random() < 0.9 else f"nobody{n}@d1.example" for n in range(LOOKUP_KEYS)
    ]
    key_bytes = "".join(f"{k}\n" for k in keys).encode()
    builds = []
    tables_by_kind = {
        "sqlite": f"sqlite:{tables / 'virtual_alias_maps.cf'}",
        A_LABEL_ONLY: f"sqlite:{a_label_only}",
        **(more_tables or {}),
    }
    for kind in ("lmdb", "hash"):
        started = time.perf_counter()
        subprocess.run(["postmap", "-c", str(config), f"{kind}:{native_source}"], check=True)
        seconds = time.perf_counter() - started
        builds.append((f"  building the {kind}: map from {routes:,} routes", f"{seconds:.2f} s", ""))
        tables_by_kind[kind] = f"{kind}:{native_source}"
    # Rounds take turns, and each table keeps its best time: load from other work hits all alike.
    best = dict.fromkeys(tables_by_kind, float("inf"))
    best_cpu = dict.fromkeys(tables_by_kind, float("inf"))
    for _ in range(POSTMAP_RUNS):
        answers = {}
        for kind, table in tables_by_kind.items():
            seconds, cpu, answers[kind] = postmap_query(config, table, key_bytes)
            best[kind], best_cpu[kind] = min(best[kind], seconds), min(best_cpu[kind], cpu)
        assert all(found == answers["sqlite"] for found in answers.values()), "the maps answer differently"
    lookups = []
    for kind, seconds in best.items():
        origin = {"lmdb": "(native)", "hash": "(native)", A_LABEL_ONLY: "(ours, the query before U-labels)"}
        label = f"postmap -q, {LOOKUP_KEYS:,} keys, {kind}: {origin.get(kind, '(ours)')}"
        cpu = best_cpu[kind]
        ratio = (
            ""
            if kind == "sqlite"
            else f"{best['sqlite'] / seconds:.2f}x (CPU {best_cpu['sqlite'] / cpu:.2f}x)"
        )
        per_key = f"{seconds / LOOKUP_KEYS * 1e6:.1f} µs/key (CPU {cpu / LOOKUP_KEYS * 1e6:.1f})"
        lookups.append((label, f"{seconds:.2f} s, {per_key}", ratio))
    return lookups + builds


def summary(times: list[float]) -> str:
    times = sorted(times)
    return f"median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms"


def bench_trace(database: Path, data: Dataset) -> str:
    engine = make_engine(f"sqlite:///{database}")
    service = RoutingService(make_sessionmaker(engine))
    times = []
    for address in random.Random(2).sample(data.groups + data.aliases + data.forwarded, SAMPLES):
        started = time.perf_counter()
        service.trace(address)
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return summary(times)


def bench_inserts(database: Path, data: Dataset, round_number: int, synchronous: str) -> str:
    """Apply SAMPLES changes that each need the loop check; `synchronous` is SQLite's fsync setting."""
    engine = make_engine(f"sqlite:///{database}")
    event.listen(
        engine, "connect", lambda connection, _: connection.execute(f"PRAGMA synchronous={synchronous}")
    )
    service = RoutingService(make_sessionmaker(engine))
    rng = random.Random(3 + round_number)
    groups, mailboxes = data.groups, data.mailboxes
    changes: list[Change] = []
    per_kind = SAMPLES // 3
    for k in range(per_kind):
        n = round_number * per_kind + k  # each round changes other addresses
        # A mailbox forwards to an alias (of another mailbox); a group joins a group; a new alias.
        # Groups in the first half only get members from the second half, so nothing loops.
        changes.append(SetForward(mailboxes[-1 - n], data.aliases[n]))
        changes.append(AddMembers(groups[n], (groups[len(groups) // 2 + n],)))
        changes.append(AddAlias(f"new{n}@{domain(n)}", mailboxes[rng.randrange(len(mailboxes))]))
    times = []
    for change in changes:
        started = time.perf_counter()
        outcome = service.apply(change, ACTOR)
        times.append((time.perf_counter() - started) * 1000)
        assert outcome.ok, outcome.message.render("en")
    engine.dispose()
    return summary(times)


def bench_import(work: Path, count: int) -> str:
    database = work / "import.db"
    csv_path = work / "mailboxes.csv"
    csv_path.write_text(
        "address,name\n" + "".join(f"person{n}@{domain(n)},Person {n}\n" for n in range(count))
    )
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    add_domains(engine)
    engine.dispose()
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    started = time.perf_counter()
    result = runner.invoke(mailbot, ["mailbox", "import", str(csv_path)], env=env)
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return f"{count / seconds:,.0f} mailboxes/s ({count:,} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k routes only, smaller import")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    import_count = 50_000 if args.quick else 200_000
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="mailbot-bench-") as tmp:
        work = Path(tmp)
        for size in sizes:
            database = work / f"routes{size}.db"
            started = time.perf_counter()
            data = build_database(database, size)
            print(f"built {size:,} routes in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            if size == sizes[-1]:  # before the service adds routes the native maps would lack
                rows[:0] = bench_postfix_lookups(work, database, data, size)
            rows.append((f"trace, {size:,} routes", bench_trace(database, data), ""))
            for round_number, synchronous in enumerate(("FULL", "NORMAL")):
                insert = bench_inserts(database, data, round_number, synchronous)
                rows.append(
                    (f"insert with loop check, {size:,} routes, synchronous={synchronous}", insert, "")
                )
            database.unlink()
        rows.append(("CSV import (mailbot mailbox import)", bench_import(work, import_count), ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':<36}  sqlite: time / this map's time")
    for name, value, ratio in rows:
        print(f"{name:<{width}}  {value:<36}  {ratio}")


if __name__ == "__main__":
    main()
