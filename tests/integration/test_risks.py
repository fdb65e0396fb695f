"""The risk register on a real database: numbering, escalation under the rules (who, when,
why), alerts opened and resolved, score history, and what the agenda and health read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Forbidden, NotFound, ValidationFailed
from podium.models import Alert, AlertKind, AuditEntry, Program, Role, User
from podium.services import health, risks
from podium.services.actor import Actor
from tests.factories import add_member, make_program, make_project, make_task, make_user


@pytest.fixture
def owner(db: Session) -> User:
    return make_user(db, email="maria@example.com", name="Maria Lopez")


@pytest.fixture
def program(db: Session, owner: User) -> Program:
    program = make_program(db, owner=owner, key="CLOUD")
    for key in ("PLAT", "DATA", "SEC"):
        make_project(db, program, key)
    return program


def projects(db: Session, program: Program) -> dict[str, int]:
    return {p.key: p.id for p in program.projects}


def raise_risk(db: Session, actor: Actor, program: Program, **fields: object):  # type: ignore[no-untyped-def]
    fields.setdefault("title", "Vendor API late")
    fields.setdefault("probability", 3)
    fields.setdefault("impact", 3)
    if "project_ids" not in fields and fields.get("level", "project") == "project":
        fields["project_ids"] = [projects(db, program)["PLAT"]]
    risk = risks.create_risk(db, actor, program_id=program.id, **fields)  # type: ignore[arg-type]
    db.commit()
    return risk


def open_alerts(db: Session, program: Program) -> list[Alert]:
    return list(
        db.scalars(
            select(Alert).where(
                Alert.program_id == program.id,
                Alert.kind == AlertKind.RISK_ESCALATED,
                Alert.resolved_at.is_(None),
            )
        )
    )


def test_risks_are_numbered_per_program_and_scored(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    first = raise_risk(db, me, program, probability=4, impact=2)
    second = raise_risk(db, me, program)
    other = make_program(db, owner=owner, key="ERP")
    third = risks.create_risk(
        db, me, program_id=other.id, title="x", probability=1, impact=1, level="program"
    )
    assert (first.key, first.score, second.key, third.key) == ("R1", 8, "R2", "R1")
    assert first.escalation == "none" and first.effective_level == "project"


def test_a_risk_scoring_15_escalates_to_program_level_recorded_with_who_and_when(
    db: Session, owner: User, program: Program
) -> None:
    sam = make_user(db, email="sam@example.com")
    add_member(db, program, sam, Role.MEMBER)
    risk = raise_risk(db, Actor.of(owner), program, probability=3, impact=4)
    assert risk.escalation == "none" and open_alerts(db, program) == []
    before = datetime.now(UTC)
    risks.update_risk(db, Actor.of(sam), risk.id, {"impact": 5})
    db.commit()
    db.refresh(risk)
    assert risk.score == 15 and risk.escalation == "program"
    assert risk.escalated_at is not None and risk.escalated_at >= before - timedelta(seconds=1)
    assert risk.version == 2  # the escalation itself does not count as someone's edit
    (move,) = risks.list_escalations(db, Actor.of(owner), risk.id)
    assert (move.from_escalation, move.to_escalation, move.by) == ("none", "program", sam.email)
    assert move.reason == "score 15 is at or above 15"
    (alert,) = open_alerts(db, program)
    assert alert.title == "Risk R1 escalated to program level: Vendor API late"
    assert alert.severity.value == "high" and alert.details["url"] == f"/risks/{risk.id}"
    assert alert.triggered_by == sam.email


def test_a_risk_linked_to_two_projects_escalates_and_closing_it_resolves_the_alert(
    db: Session, owner: User, program: Program
) -> None:
    ids = projects(db, program)
    risk = raise_risk(
        db,
        Actor.of(owner),
        program,
        probability=1,
        impact=2,
        project_ids=[ids["PLAT"], ids["DATA"]],
    )
    assert risk.escalation == "program"
    (alert,) = open_alerts(db, program)
    assert alert.cross_project and alert.projects == ["DATA", "PLAT"]
    risks.update_risk(db, Actor.of(owner), risk.id, {"status": "closed"})
    db.commit()
    assert open_alerts(db, program) == []
    db.refresh(risk)
    assert risk.escalation == "none" and risk.closed_on is not None
    assert risk.escalated_at is None  # no longer escalated: no "escalated since"
    moves = risks.list_escalations(db, Actor.of(owner), risk.id)
    assert [(m.from_escalation, m.to_escalation) for m in moves] == [
        ("none", "program"),
        ("program", "none"),
    ]
    assert moves[-1].reason == "the risk was closed"


def test_a_task_risk_counts_the_project_of_its_task(
    db: Session, owner: User, program: Program
) -> None:
    data = next(p for p in program.projects if p.key == "DATA")
    task = make_task(db, data, "DATA-4")
    risk = raise_risk(
        db,
        Actor.of(owner),
        program,
        level="task",
        task_ids=[task.id],
        project_ids=[projects(db, program)["PLAT"]],
    )
    assert risk.escalation == "program"  # PLAT directly, DATA through DATA-4


def test_a_program_risk_scoring_20_goes_on_the_steering_agenda(
    db: Session, owner: User, program: Program
) -> None:
    risk = raise_risk(db, Actor.of(owner), program, level="program", probability=4, impact=4)
    assert risk.escalation == "none" and risk.effective_level == "program"
    risks.update_risk(db, Actor.of(owner), risk.id, {"probability": 5})
    db.commit()
    db.refresh(risk)
    assert risk.escalation == "steering"
    (alert,) = open_alerts(db, program)
    assert alert.severity.value == "critical"
    assert alert.title.startswith("Risk R1 on the steering agenda")


def test_changing_the_rules_moves_the_live_risks(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    risk = raise_risk(db, me, program, probability=3, impact=4)
    rules, version, moved = risks.update_escalation_rules(db, me, program.id, {"program_score": 12})
    db.commit()
    db.refresh(risk)
    assert (rules.program_score, version, moved, risk.escalation) == (12, 1, 1, "program")
    assert risks.escalation_rules(db, me, program.id)[0].program_score == 12
    with pytest.raises(ValidationFailed):
        risks.update_escalation_rules(db, me, program.id, {"program_score": 30})


def test_history_keeps_the_score_over_time(db: Session, owner: User, program: Program) -> None:
    me = Actor.of(owner)
    risk = raise_risk(db, me, program, probability=4, impact=4)
    risks.update_risk(db, me, risk.id, {"description": "no rating change"})
    risks.update_risk(db, me, risk.id, {"probability": 2, "status": "mitigating"}, note="pilot ok")
    risks.update_risk(db, me, risk.id, {"status": "realized"})
    db.commit()
    history = risks.list_history(db, me, risk.id)
    assert [(h.score, h.status) for h in history] == [
        (16, "open"),
        (8, "mitigating"),
        (8, "realized"),
    ]
    assert history[1].note == "pilot ok" and history[0].changed_by == owner.email


def test_members_raise_and_edit_but_only_managers_close_or_delete(
    db: Session, owner: User, program: Program
) -> None:
    sam, vera = make_user(db), make_user(db)
    add_member(db, program, sam, Role.MEMBER)
    add_member(db, program, vera, Role.VIEWER)
    risk = raise_risk(db, Actor.of(sam), program)
    with pytest.raises(Forbidden):
        risks.update_risk(db, Actor.of(sam), risk.id, {"status": "closed"})
    with pytest.raises(Forbidden):
        risks.delete_risk(db, Actor.of(sam), risk.id)
    with pytest.raises(Forbidden):
        risks.update_risk(db, Actor.of(vera), risk.id, {"title": "x"})
    with pytest.raises(NotFound):
        risks.get_risk(db, Actor.of(make_user(db)), risk.id)


def test_a_project_risk_needs_a_project_and_owners_are_members(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    with pytest.raises(ValidationFailed, match="project-level risk"):
        risks.create_risk(db, me, program_id=program.id, title="x", probability=1, impact=1)
    outsider = make_user(db)
    with pytest.raises(ValidationFailed, match="not a member"):
        raise_risk(db, me, program, owner_id=outsider.id)


def test_every_change_is_audited(db: Session, owner: User, program: Program) -> None:
    me = Actor.of(owner)
    risk = raise_risk(db, me, program, probability=5, impact=3)
    risks.update_risk(db, me, risk.id, {"title": "Vendor API very late"})
    db.commit()
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "risk").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "escalate", "update"]
    assert entries[2].changes["title"] == ["Vendor API late", "Vendor API very late"]


# --- what the governance agenda and health read ---------------------------------------


def test_the_agenda_lists_new_escalated_and_steering_risks(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    old = raise_risk(db, me, program, title="Old and quiet")
    since = datetime.now(UTC)
    new = raise_risk(db, me, program, title="New and small", probability=1, impact=1)
    risks.update_risk(db, me, old.id, {"probability": 5, "impact": 3, "owner_id": owner.id})
    raise_risk(db, me, program, title="Board level", level="program", probability=5, impact=5)
    db.commit()
    agenda = risks.risks_for_agenda(db, program.id, since)
    assert [r["title"] for r in agenda["new"]] == ["Board level", "New and small"]
    assert [r["title"] for r in agenda["escalated"]] == ["Board level", "Old and quiet"]
    assert [r["title"] for r in agenda["steering"]] == ["Board level"]
    item = agenda["escalated"][1]
    assert {
        k: item[k] for k in ("id", "key_or_title", "score", "owner", "level", "status", "url")
    } == {
        "id": old.id,
        "key_or_title": "R1",
        "score": 15,
        "owner": "Maria Lopez",
        "level": "program",
        "status": "open",
        "url": f"/risks/{old.id}",
    }
    everything = risks.risks_for_agenda(db, program.id, None)
    assert len(everything["new"]) == 3 and {new.id} < {r["id"] for r in everything["new"]}


def test_open_high_risks_colour_health_with_a_reason_linked_to_the_risk(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    risk = raise_risk(db, me, program, probability=5, impact=4, title="Data centre lease ends")
    db.commit()
    report = health.program_health(db, me, program.id).report
    assert report.program.status == "red"
    reason = next(r for r in report.program.reasons if r.rule == "high_risks")
    assert (reason.ref.kind, reason.ref.id, reason.ref.key) == ("risk", risk.id, "R1")
    assert report.projects["PLAT"].status == "red"
    assert not any(r.rule == "conflict_alerts" for r in report.program.reasons)  # counted once
    risks.update_risk(db, me, risk.id, {"status": "closed"})
    db.commit()
    # nothing fires any more; with no task scheduled yet there is no plan to be green on
    assert health.program_health(db, me, program.id).report.program.status == "no_plan"


def test_the_matrix_counts_live_risks_by_default(
    db: Session, owner: User, program: Program
) -> None:
    me = Actor.of(owner)
    raise_risk(db, me, program, probability=5, impact=4)
    raise_risk(db, me, program, probability=5, impact=4)
    closed = raise_risk(db, me, program, probability=1, impact=1)
    risks.update_risk(db, me, closed.id, {"status": "closed"})
    db.commit()
    grid = risks.matrix_counts(db, me, program.id)
    assert grid[0][3].count == 2 and grid[4][0].count == 0
    everything = risks.matrix_counts(db, me, program.id, risk_filter=risks.RiskFilter())
    assert everything[4][0].count == 1
