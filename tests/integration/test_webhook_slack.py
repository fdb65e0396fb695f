"""Slack messages say what happened: the record, the figures that matter, a link to it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Program, WebhookDelivery, WebhookFormat
from podium.services import events, webhooks
from podium.services.actor import SYSTEM
from podium.services.governance.change_requests import (
    create_change_request,
    reject_change_request,
)
from podium.services.risks.writing import create_risk
from podium.services.webhook_slack import slack_message
from tests.factories import make_milestone, make_program, make_user

pytestmark = pytest.mark.db

BASE = "https://podium.example.com/"


@pytest.fixture
def program(db: Session) -> Program:
    program = make_program(db, owner=make_user(db), key="CLOUD", name="Cloud migration")
    webhooks.subscribe(
        db, SYSTEM, program.id, url="https://93.184.215.14/hook", events=[],
        format=WebhookFormat.SLACK,
    )  # fmt: skip
    db.commit()
    return program


def _emit(db: Session, program: Program, kind: str, payload: Mapping[str, Any]) -> None:
    events.emit(db, program.id, kind, payload)
    db.commit()


def _text(db: Session, *, base_url: str | None = BASE) -> str:
    """The Slack text of the newest queued delivery."""
    newest = db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).first()
    assert newest is not None
    message = slack_message(db, newest.payload, base_url=base_url)
    assert message["blocks"][0]["text"]["text"] == message["text"]
    text: str = message["text"]
    return text


def test_a_milestone_forecast_change_names_the_milestone_and_its_dates(
    db: Session, program: Program
) -> None:
    m3 = make_milestone(db, program, "M3")
    m3.target_date = date(2027, 3, 5)
    db.commit()
    move = {"milestone_id": m3.id, "from": date(2027, 3, 3), "to": date(2027, 3, 10)}
    _emit(db, program, events.MILESTONE_FORECAST_CHANGED, move)
    later = _text(db)
    assert later == (
        "[CLOUD Cloud migration] Milestone *M3 Milestone M3* forecast moved from 2027-03-03 "
        "to 2027-03-10 (7 days later); target 2027-03-05: 3 working days past target "
        f"<{BASE}programs/{program.id}#milestones-heading|Open in Podium>"
    )
    back = {"milestone_id": m3.id, "from": date(2027, 3, 10), "to": date(2027, 3, 4)}
    _emit(db, program, events.MILESTONE_FORECAST_CHANGED, back)
    earlier = _text(db)
    assert "from 2027-03-10 to 2027-03-04 (6 days earlier)" in earlier
    assert "target 2027-03-05: on track" in earlier and earlier != later


def test_a_raised_alert_gives_its_severity_title_and_message(db: Session, program: Program) -> None:
    raised = {
        "kind": "milestone_target_missed",
        "severity": "high",
        "subject_type": "milestone",
        "subject_id": 1,
        "title": "M3 misses its target by 5 days",
        "message": "forecast 2027-03-10, target 2027-03-05",
        "projects": ["PLAT"],
    }
    _emit(db, program, events.ALERT_RAISED, raised)
    assert _text(db) == (
        "[CLOUD Cloud migration] Alert raised (HIGH): *M3 misses its target by 5 days* — "
        "forecast 2027-03-10, target 2027-03-05 (projects PLAT) "
        f"<{BASE}programs/{program.id}#alerts-heading|Open in Podium>"
    )


def test_a_resolved_alert_gives_its_title(db: Session, program: Program) -> None:
    resolved = {"alert_id": 9, "title": "M3 misses its target", "kind": "milestone_target_missed"}
    _emit(db, program, events.ALERT_RESOLVED, resolved)
    assert _text(db) == (
        "[CLOUD Cloud migration] Alert resolved: *M3 misses its target* "
        f"<{BASE}programs/{program.id}|Open in Podium>"
    )


def test_an_escalated_risk_gives_its_key_levels_score_and_reason(
    db: Session, program: Program
) -> None:
    risk = create_risk(
        db,
        SYSTEM,
        program_id=program.id,
        title="Vendor API <late>",
        probability=4,
        impact=5,
        level="program",
    )
    db.commit()
    escalation = {
        "risk_id": risk.id,
        "title": risk.title,
        "from": "project",
        "to": "steering",
        "reason": "score 20 ≥ 15",
    }
    _emit(db, program, events.RISK_ESCALATED, escalation)
    assert _text(db) == (
        f"[CLOUD Cloud migration] Risk *{risk.key} Vendor API &lt;late&gt;* escalated from "
        f"project to steering (score {risk.score}): score 20 ≥ 15 "
        f"<{BASE}risks/{risk.id}|Open in Podium>"
    )


def test_a_decided_change_request_gives_its_number_decision_and_who(
    db: Session, program: Program
) -> None:
    cr = create_change_request(
        db, SYSTEM, program_id=program.id, title="Add a region", scope_change="An EU region"
    )
    db.commit()
    reject_change_request(db, SYSTEM, cr.id, rationale="not this quarter", decided_by="Board")
    db.commit()
    text = _text(db)
    assert text.startswith(
        f"[CLOUD Cloud migration] Change request *CR-{cr.number} Add a region* rejected by Board"
    )
    assert text.endswith(f"<{BASE}programs/{program.id}/governance#cr-{cr.id}|Open in Podium>")


def test_an_issued_report_gives_its_title_health_and_date(db: Session, program: Program) -> None:
    issued = {
        "report_id": 4,
        "title": "Cloud migration — status on 2027-03-01",
        "as_of": date(2027, 3, 1),
        "status": "amber",
    }
    _emit(db, program, events.REPORT_ISSUED, issued)
    assert _text(db) == (
        "[CLOUD Cloud migration] Report issued: *Cloud migration — status on 2027-03-01* — "
        f"health amber, as of 2027-03-01 <{BASE}programs/{program.id}/reports#report-4|"
        "Open in Podium>"
    )


def test_a_ping_says_it_is_a_test(db: Session, program: Program) -> None:
    hook = webhooks.list_subscriptions(db, SYSTEM, program.id)[0]
    webhooks.send_test(db, SYSTEM, hook.id)
    db.commit()
    assert _text(db, base_url=None) == "[CLOUD Cloud migration] A test from Podium"


def test_without_a_base_url_there_is_no_link(db: Session, program: Program) -> None:
    _emit(db, program, events.ALERT_RESOLVED, {"alert_id": 9, "title": "Gone"})
    assert "<" not in _text(db, base_url=None)
