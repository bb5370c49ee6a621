"""Production pieces on SQLite and PostgreSQL: redelivered events, the request log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db import make_engine, make_sessionmaker
from bot.routing.models import utcnow
from bot.slack.stores import RECEIPT_LIFETIME, EventReceipt, first_delivery


def test_an_event_is_taken_in_once_whichever_instance_gets_it(
    session_factory: sessionmaker, database_url: str
) -> None:
    other_instance = make_sessionmaker(make_engine(database_url))
    assert first_delivery(session_factory, "Ev001")
    assert not first_delivery(other_instance, "Ev001")
    assert not first_delivery(session_factory, "Ev001")
    assert first_delivery(other_instance, "Ev002")


def test_old_receipts_are_dropped(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        session.add(
            EventReceipt(event_id="EvOld", received_at=utcnow() - RECEIPT_LIFETIME - timedelta(hours=1))
        )
        session.commit()
    assert first_delivery(session_factory, "EvNew")
    with session_factory() as session:
        assert session.scalars(select(EventReceipt.event_id)).all() == ["EvNew"]
