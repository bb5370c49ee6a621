"""Customers' data written before a migration gets what the code now counts on."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bot.customers.models import ChangeRequest
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


def test_a_request_opened_before_origins_were_kept_came_in_at_its_requesters_workspace(
    engine: Engine,
) -> None:
    command.downgrade(alembic_config(engine), "0014_rejection_decision_times")
    with engine.begin() as connection:
        for request_id, team in ((1, "TACME"), (2, None)):  # 2: the terminal chat's
            connection.execute(
                text(
                    "INSERT INTO change_requests (id, flow_id, change, requester, requester_team, "
                    "requester_lang, state, created_at) VALUES (:id, 'alias_add', '{}', 'UWORKER', :team, "
                    "'sv', 'open', :created)"
                ),
                {"id": request_id, "team": team, "created": CLAIMED},
            )
    upgrade_to_newest(engine)
    with Session(engine) as session:
        origins = {row.id: row.origin for row in session.scalars(select(ChangeRequest))}
    assert origins == {
        1: {"team_id": "TACME", "enterprise_id": None, "is_enterprise_install": False},
        2: None,
    }
