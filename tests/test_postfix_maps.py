"""The queries Postfix prepares for every lookup key read each table through an index, on both databases.

A query that cannot use its index still answers right (the differential test would not notice)
but reads the whole table for every key: on PostgreSQL a U-label comparison in the wrong collation
does exactly that.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.routing.postfix import map_type, queries


def test_every_map_query_finds_its_key_through_an_index(engine: Engine) -> None:
    kind = map_type(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if kind == "pgsql":
            # On empty tables a scan would be cheapest; forbid it to see whether an index can answer.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for name, query in queries(kind).items():
            statement = query.replace("%s", "anna@kulexempel.se")
            if kind == "pgsql":
                plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}")]
                conditions = [line for line in plan if "Index Cond:" in line]
                assert len(conditions) == 2 and not any("Seq Scan" in line for line in plan), (name, plan)
            else:
                plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")]
                scans = [line for line in plan if line.startswith(("SEARCH", "SCAN"))]
                assert len(scans) == 2 and all(" INDEX " in line for line in scans), (name, plan)
                assert all(line.startswith("SEARCH") for line in scans), (name, plan)
