"""Escalation: each program's rules, applied to a risk on every change, recorded (who, when,
why) and shown as an alert while the risk stays escalated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podium.engine.risks import (
    ESCALATIONS,
    EscalationRules,
    EscalationVerdict,
    InvalidEscalationRules,
    evaluate_escalation,
)
from podium.errors import StaleVersion, ValidationFailed
from podium.models import (
    Alert,
    AlertKind,
    Project,
    Risk,
    RiskEscalation,
    RiskRules,
    Role,
    Severity,
    utcnow,
)
from podium.services import events
from podium.services.actor import Actor, require_role
from podium.services.audit import record_change
from podium.services.common import check_version, flush

_RANK: dict[str, int] = {name: rank for rank, name in enumerate(ESCALATIONS)}


def _stored(session: Session, program_id: int) -> RiskRules | None:
    return session.scalar(select(RiskRules).where(RiskRules.program_id == program_id))


def rules_of(session: Session, program_id: int) -> EscalationRules:
    """The program's rules (the defaults until someone changes them)."""
    row = _stored(session, program_id)
    if row is None:
        return EscalationRules()
    return EscalationRules(row.program_score, row.cross_project, row.steering_score)


def escalation_rules(
    session: Session, actor: Actor, program_id: int
) -> tuple[EscalationRules, int]:
    """The program's rules and their version (0 while they are the defaults)."""
    require_role(session, actor, program_id, Role.VIEWER)
    row = _stored(session, program_id)
    return rules_of(session, program_id), (row.version if row is not None else 0)


def update_escalation_rules(
    session: Session,
    actor: Actor,
    program_id: int,
    config: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> tuple[EscalationRules, int, int]:
    """Change the rules (managers), then apply them to every live risk of the program:
    the rules, their version and how many live risks changed level."""
    require_role(session, actor, program_id, Role.MANAGER)
    try:
        rules = EscalationRules.from_json({**rules_of(session, program_id).to_json(), **config})
    except InvalidEscalationRules as exc:
        raise ValidationFailed(
            "invalid escalation rules: " + "; ".join(exc.problems),
            details=[
                {"field": p.split(":")[0] if ":" in p else "rules", "message": p}
                for p in exc.problems
            ],
        ) from exc
    row = _stored(session, program_id)
    if row is None:
        if expected_version not in (None, 0):
            raise StaleVersion(
                f"the escalation rules were changed by someone else (your version "
                f"{expected_version}, current 0); reload and retry",
                details={"expected": expected_version, "current": 0},
            )
        row = RiskRules(program_id=program_id)
        session.add(row)
        old = EscalationRules().to_json()
    else:
        check_version(row, expected_version)
        old = rules_of(session, program_id).to_json()
    row.program_score = rules.program_score
    row.cross_project = rules.cross_project
    row.steering_score = rules.steering_score
    new = rules.to_json()
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    if changes:
        record_change(
            session,
            actor,
            program_id=program_id,
            entity_type="risk rules",
            entity_id=program_id,
            action="update",
            changes=changes,
            label="Risk escalation rules",
        )
    flush(session)
    moved = reevaluate_program(session, actor, program_id)
    return rules, row.version, moved


def linked_project_keys(session: Session, risk: Risk) -> list[str]:
    """The projects a risk touches: those linked and those of its linked tasks."""
    ids = {p.id for p in risk.projects} | {t.project_id for t in risk.tasks}
    if not ids:
        return []
    keys = session.scalars(select(Project.key).where(Project.id.in_(ids)).order_by(Project.key))
    return list(keys)


def verdict_for(session: Session, risk: Risk, rules: EscalationRules) -> EscalationVerdict:
    """Where the rules put this risk now."""
    level = risk.level if risk.level in ("task", "project", "program") else "project"
    return evaluate_escalation(
        rules,
        level=level,  # type: ignore[arg-type]
        score=risk.score,
        projects=linked_project_keys(session, risk),
        status=risk.status,
    )


def apply_escalation(
    session: Session, actor: Actor, risk: Risk, rules: EscalationRules | None = None
) -> None:
    """Move the risk to where the rules put it; record the move and keep its alert in step."""
    rules = rules or rules_of(session, risk.program_id)
    verdict = verdict_for(session, risk, rules)
    old, new = risk.escalation, verdict.escalation
    if old != new:
        reason = "; ".join(verdict.reasons) if verdict.reasons else _why_back(risk)
        session.add(
            RiskEscalation(
                program_id=risk.program_id,
                risk_id=risk.id,
                from_escalation=old,
                to_escalation=new,
                reason=reason,
                by=actor.email,
            )
        )
        raised = _RANK[new] > _RANK.get(old, 0)
        # one event name both ways (subscribers know it); ``direction`` says which, and
        # ``score`` is the score that moved it, not what it is when the message is sent
        events.emit(
            session,
            risk.program_id,
            events.RISK_ESCALATED,
            {
                "risk_id": risk.id,
                "risk_key": risk.key,
                "title": risk.title,
                "from": old,
                "to": new,
                "direction": "up" if raised else "down",
                "score": risk.score,
                "reason": reason,
            },
        )
        # when it was last raised; cleared once no rule holds it up any more
        escalated_at = utcnow() if raised else None if new == "none" else risk.escalated_at
        record_change(
            session,
            actor,
            program_id=risk.program_id,
            entity_type="risk",
            entity_id=risk.id,
            action="escalate",
            changes={"escalation": [old, new], "reason": [None, reason]},
            label=risk.name,
        )
        # the version counter is for what people edit, not for what the rules derive
        session.execute(
            update(Risk)
            .where(Risk.id == risk.id)
            .values(escalation=new, escalated_at=escalated_at)
            .execution_options(synchronize_session=False)
        )
        session.expire(risk, ["escalation", "escalated_at"])
    _sync_alert(session, risk, verdict, actor)
    flush(session)


def _why_back(risk: Risk) -> str:
    if risk.status == "closed":
        return "the risk was closed"
    return f"no rule holds it up any more (score {risk.score})"


def _fingerprint(risk_id: int) -> str:
    return f"risk_escalated:{risk_id}"


def _sync_alert(session: Session, risk: Risk, verdict: EscalationVerdict, actor: Actor) -> None:
    alert = session.scalar(
        select(Alert).where(
            Alert.program_id == risk.program_id,
            Alert.fingerprint == _fingerprint(risk.id),
            Alert.resolved_at.is_(None),
        )
    )
    if verdict.escalation == "none":
        if alert is not None:
            alert.resolved_at = utcnow()
        return
    projects = linked_project_keys(session, risk)
    steering = verdict.escalation == "steering"
    where = "on the steering agenda" if steering else "escalated to program level"
    values: dict[str, Any] = {
        "severity": Severity.CRITICAL if steering else Severity.HIGH,
        "title": f"Risk {risk.key} {where}: {risk.title}"[:500],
        "message": f"Score {risk.score} ({risk.probability} × {risk.impact}): "
        + "; ".join(verdict.reasons),
        "projects": projects,
        "cross_project": len(projects) > 1,
        "details": {
            "url": f"/risks/{risk.id}",
            "score": risk.score,
            "escalation": verdict.escalation,
        },
        "last_detected_at": utcnow(),
        "triggered_by": actor.email,
    }
    if alert is None:
        session.add(
            Alert(
                program_id=risk.program_id,
                kind=AlertKind.RISK_ESCALATED,
                fingerprint=_fingerprint(risk.id),
                subject_type="risk",
                subject_id=risk.id,
                chain=[],
                **values,
            )
        )
    else:
        for name, value in values.items():
            setattr(alert, name, value)


def resolve_alert(session: Session, risk: Risk) -> None:
    """A deleted risk's alert stops being open."""
    _sync_alert(session, risk, EscalationVerdict("none"), Actor(None, "system"))


def reevaluate_program(session: Session, actor: Actor, program_id: int) -> int:
    """Apply the program's rules to each live risk; how many moved."""
    rules = rules_of(session, program_id)
    moved = 0
    risks = session.scalars(
        select(Risk).where(Risk.program_id == program_id, Risk.status != "closed")
    )
    for risk in list(risks):
        before = risk.escalation
        apply_escalation(session, actor, risk, rules)
        moved += risk.escalation != before
    return moved
