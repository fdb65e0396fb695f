"""A `risk.escalated` event carries the risk's key (``R1``) beside its id, as people and
the Slack message name it; a Slack message about a risk deleted since names it by the
key the event carries."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Program, WebhookDelivery, WebhookFormat
from podium.services import risks, webhook_slack, webhooks
from podium.services.actor import SYSTEM
from tests.factories import make_program, make_project, make_user

pytestmark = pytest.mark.db


@pytest.fixture
def program(db: Session) -> Program:
    return make_program(db, owner=make_user(db, email="owner@example.com"), key="CLOUD")


def _escalate_and_delete(db: Session, program: Program) -> list[WebhookDelivery]:
    data, sec = make_project(db, program, "DATA"), make_project(db, program, "SEC")
    for title in ("Quiet one", "Residency rules differ"):
        risk = risks.create_risk(
            db, SYSTEM, program_id=program.id, title=title, probability=2, impact=3,
            project_ids=[data.id] if title == "Quiet one" else [data.id, sec.id],
        )  # fmt: skip
    risks.delete_risk(db, SYSTEM, risk.id)
    db.commit()
    return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_the_escalation_event_names_the_risk_by_its_key(db: Session, program: Program) -> None:
    webhooks.subscribe(
        db, SYSTEM, program.id, url="https://93.184.215.14/hook", events=["risk.escalated"]
    )
    db.commit()
    (delivery,) = _escalate_and_delete(db, program)
    data = delivery.payload["data"]
    assert data["risk_key"] == "R2" and data["title"] == "Residency rules differ"
    assert isinstance(data["risk_id"], int) and data["to"] == "program"


def test_a_slack_message_names_a_deleted_risk_by_the_key_in_the_event(
    db: Session, program: Program
) -> None:
    webhooks.subscribe(
        db, SYSTEM, program.id, url="https://93.184.215.14/hook", events=["risk.escalated"],
        format=WebhookFormat.SLACK,
    )  # fmt: skip
    db.commit()
    (delivery,) = _escalate_and_delete(db, program)
    text = webhook_slack.slack_message(db, delivery.payload)["text"]
    assert "Risk *R2 Residency rules differ* escalated from none to program" in text, text
