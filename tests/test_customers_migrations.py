"""Customers' data written before a migration gets what the code now counts on."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, text

from bot.db import alembic_config
from bot.db import upgrade as upgrade_to_newest

CLAIMED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def test_a_rejection_stored_without_its_decision_time_gets_its_claims_time(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0013_unicode_lookup_keys")
    with engine.begin() as connection:
        for request_id, state, claimed in ((1, "rejected", CLAIMED), (2, "open", None)):
            connection.execute(
                text(
                    "INSERT INTO change_requests (id, flow_id, change, requester, requester_lang, state, "
                    "created_at, claimed_at) VALUES (:id, 'alias_add', '{}', 'UWORKER', 'sv', :state, "
                    ":created, :claimed)"
                ),
                {"id": request_id, "state": state, "created": CLAIMED, "claimed": claimed},
            )
    upgrade_to_newest(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, decided_at, claimed_at FROM change_requests ORDER BY id"))
        times = {request_id: (decided, claimed) for request_id, decided, claimed in rows}
    assert times[1][0] is not None and times[1][0] == times[1][1]
    assert times[2] == (None, None)
