"""Stakeholders: who has a stake in the program, how much say and interest, what they receive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine.governance import QUADRANT_LABELS, engagement
from podium.errors import field_error
from podium.models import Role, User
from podium.models.governance import Stakeholder
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role
from podium.services.common import apply_update, check_version, flush
from podium.services.governance._audit import audit_created, audit_deleted
from podium.services.governance._records import load_in_program

STAKEHOLDER_FIELDS = [
    "name",
    "role",
    "organization",
    "email",
    "influence",
    "interest",
    "reports",
    "notes",
]
REPORTS = {
    "status_report": "Executive status report",
    "review_agenda": "Review agendas",
    "decision_log": "Decision log",
    "change_requests": "Change requests awaiting decision",
    "retrospective": "Close-out retrospective",
}


def quadrant(stakeholder: Stakeholder) -> str:
    """How to engage them, from the power/interest grid."""
    return engagement(stakeholder.influence, stakeholder.interest)


def quadrant_label(stakeholder: Stakeholder) -> str:
    return QUADRANT_LABELS[quadrant(stakeholder)]


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values, checked, with each report named once (in the order first given)."""
    _check(values)
    checked = dict(values)
    if "reports" in checked:
        checked["reports"] = list(dict.fromkeys(checked["reports"]))
    return checked


def _check(values: Mapping[str, Any]) -> None:
    for name in ("influence", "interest"):
        if name in values and not 1 <= int(values[name]) <= 5:
            raise field_error(name, "must be between 1 and 5")
    unknown = [r for r in values.get("reports", []) if r not in REPORTS]
    if unknown:
        raise field_error("reports", f"unknown reports {unknown}: {', '.join(REPORTS)}")


def _user_id(session: Session, email: str) -> int | None:
    if not email:
        return None
    return session.scalar(select(User.id).where(User.email == email.strip().lower()))


def get_stakeholder(
    session: Session, actor: Actor, stakeholder_id: int, *, needed: Role = Role.VIEWER
) -> Stakeholder:
    return load_in_program(
        session, actor, Stakeholder, stakeholder_id, needed=needed, noun="stakeholder"
    )


def list_stakeholders(session: Session, actor: Actor, program_id: int) -> list[Stakeholder]:
    """A program's stakeholders, the most influential first."""
    require_role(session, actor, program_id, Role.VIEWER)
    return list(
        session.scalars(
            select(Stakeholder)
            .where(Stakeholder.program_id == program_id)
            .order_by(Stakeholder.influence.desc(), Stakeholder.interest.desc(), Stakeholder.name)
        )
    )


def recipients(session: Session, program_id: int, report: str) -> list[Stakeholder]:
    """The stakeholders who receive ``report`` (one of :data:`REPORTS`)."""
    return [
        s
        for s in session.scalars(select(Stakeholder).where(Stakeholder.program_id == program_id))
        if report in s.reports
    ]


def add_stakeholder(
    session: Session, actor: Actor, *, program_id: int, name: str, **fields: Any
) -> Stakeholder:
    """A new stakeholder (managers and above)."""
    require_role(session, actor, program_id, Role.MANAGER)
    refuse_on_scenario_copy(session, program_id, "stakeholders")
    fields = _checked(fields)
    stakeholder = Stakeholder(
        program_id=program_id,
        name=name,
        user_id=_user_id(session, fields.get("email", "")),
        **fields,
    )
    session.add(stakeholder)
    flush(session)
    audit_created(
        session,
        actor,
        stakeholder,
        program_id=program_id,
        fields=STAKEHOLDER_FIELDS,
        label=stakeholder.name,
    )
    return stakeholder


def update_stakeholder(
    session: Session,
    actor: Actor,
    stakeholder_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Stakeholder:
    """Change a stakeholder (managers and above)."""
    stakeholder = get_stakeholder(session, actor, stakeholder_id, needed=Role.MANAGER)
    check_version(stakeholder, expected_version)
    updates = _checked(updates)
    if "email" in updates:
        updates["user_id"] = _user_id(session, updates["email"])
    apply_update(
        session,
        actor,
        stakeholder,
        updates,
        program_id=stakeholder.program_id,
        expected_version=expected_version,
    )
    return stakeholder


def remove_stakeholder(
    session: Session, actor: Actor, stakeholder_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a stakeholder (managers and above)."""
    stakeholder = get_stakeholder(session, actor, stakeholder_id, needed=Role.MANAGER)
    check_version(stakeholder, expected_version)
    audit_deleted(
        session,
        actor,
        stakeholder,
        program_id=stakeholder.program_id,
        fields=STAKEHOLDER_FIELDS,
        label=stakeholder.name,
    )
    session.delete(stakeholder)
    flush(session)
