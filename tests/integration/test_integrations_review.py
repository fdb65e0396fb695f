"""Webhook messages, as reviewed: a milestone's slip in working days, and a risk's
escalation event that says which way it moved and the score that moved it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Program, WebhookDelivery, WebhookFormat
from podium.services import events, webhooks
from podium.services.actor import SYSTEM
from podium.services.risks.writing import create_risk, update_risk
from podium.services.webhook_slack import slack_message
from tests.factories import make_milestone, make_program, make_user

pytestmark = pytest.mark.db


@pytest.fixture
def program(db: Session) -> Program:
    program = make_program(db, owner=make_user(db), key="CLOUD", name="Cloud migration")
    webhooks.subscribe(
        db, SYSTEM, program.id, url="https://93.184.215.14/hook", events=[],
        format=WebhookFormat.SLACK,
    )  # fmt: skip
    db.commit()
    return program


def _payloads(db: Session, event: str) -> list[dict[str, Any]]:
    query = select(WebhookDelivery).where(WebhookDelivery.event == event)
    return [d.payload for d in db.scalars(query.order_by(WebhookDelivery.id))]


def _text(db: Session, payload: dict[str, Any]) -> str:
    text: str = slack_message(db, payload)["text"]
    return text


def test_a_milestone_past_its_target_counts_working_days(db: Session, program: Program) -> None:
    m3 = make_milestone(db, program, "M3")
    m3.target_date = date(2027, 3, 5)  # a Friday
    db.commit()
    move = {"milestone_id": m3.id, "from": date(2027, 3, 3), "to": date(2027, 3, 10)}
    events.emit(db, program.id, events.MILESTONE_FORECAST_CHANGED, move)
    db.commit()
    (payload,) = _payloads(db, events.MILESTONE_FORECAST_CHANGED)
    # Wednesday the 10th is five calendar days after Friday the 5th, three working days
    assert _text(db, payload).endswith("; target 2027-03-05: 3 working days past target")
    next_day = {**move, "to": date(2027, 3, 8)}
    events.emit(db, program.id, events.MILESTONE_FORECAST_CHANGED, next_day)
    db.commit()
    assert _text(db, _payloads(db, events.MILESTONE_FORECAST_CHANGED)[-1]).endswith(
        "target 2027-03-05: 1 working day past target"
    )


def test_a_risk_that_steps_down_is_announced_as_de_escalated_with_the_score_of_the_moment(
    db: Session, program: Program
) -> None:
    risk = create_risk(
        db,
        SYSTEM,
        program_id=program.id,
        title="Vendor API late",
        probability=5,
        impact=5,
        level="program",
    )
    db.commit()
    update_risk(db, SYSTEM, risk.id, {"probability": 1})  # 25 → 5: off the steering agenda
    db.commit()
    up, down = _payloads(db, events.RISK_ESCALATED)
    assert (up["data"]["from"], up["data"]["to"]) == ("none", "steering")
    assert (up["data"]["direction"], up["data"]["score"]) == ("up", 25)
    assert (down["data"]["from"], down["data"]["to"]) == ("steering", "none")
    assert (down["data"]["direction"], down["data"]["score"]) == ("down", 5)

    raised = _text(db, up)
    assert f"Risk *{risk.key} Vendor API late* escalated from none to steering (score 25)" in raised
    # sent after the score fell: the message still gives the score that escalated it
    assert "(score 5)" not in raised
    lowered = _text(db, down)
    assert f"Risk *{risk.key} Vendor API late* de-escalated from steering to none (score 5)" in (
        lowered
    )
    assert "escalated from steering" not in lowered.replace("de-escalated", "")


def test_an_event_queued_without_a_direction_reads_it_from_the_levels(
    db: Session, program: Program
) -> None:
    older = {"risk_id": 424242, "title": "Vendor late", "from": "steering", "to": "program"}
    payload = {"event": events.RISK_ESCALATED, "program_id": program.id, "data": older}
    assert _text(db, payload) == (
        "[CLOUD Cloud migration] Risk *Vendor late* de-escalated from steering to program"
    )
