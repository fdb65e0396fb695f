"""Changing the register: raising, editing, closing and deleting risks, and their
mitigation actions. Every change is audited, keeps the score history and re-applies
the escalation rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.engine.risks import RISK_LEVELS, RISK_RESPONSES, RISK_STATUSES, risk_score
from podium.errors import field_error
from podium.models import Membership, Risk, RiskAction, RiskHistory, Role, Task, User, utcnow
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role, role_too_low
from podium.services.audit import record_change, record_created, record_deleted, snapshot
from podium.services.common import apply_update, check_version, flush, today
from podium.services.projects import projects_by_id
from podium.services.risks.escalation import apply_escalation, resolve_alert
from podium.services.risks.reading import get_action, get_risk

RISK_FIELDS = [
    "title",
    "description",
    "cause",
    "effect",
    "probability",
    "impact",
    "schedule_impact_days",
    "score",
    "level",
    "response",
    "status",
    "owner_id",
    "due_date",
]
ACTION_FIELDS = ["title", "owner_id", "due_date", "done", "done_on"]
_RATED = ("probability", "impact", "status")


def _check_choice(field: str, value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise field_error(field, f"must be one of {', '.join(allowed)}, not {value!r}")


def _check_owner(
    session: Session, program_id: int, owner_id: int | None, field: str, *, kept: int | None = None
) -> None:
    """A new owner is an active member of the program. The owner already there (``kept``)
    stays, even after leaving the program: saving a form that shows them changes nothing."""
    if owner_id is None or owner_id == kept:
        return
    active = session.scalar(
        select(User.is_active)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.program_id == program_id, Membership.user_id == owner_id)
    )
    if active is None:
        raise field_error(field, f"user {owner_id} is not a member of this program")
    if not active:
        raise field_error(field, f"user {owner_id} is deactivated: choose someone who can act")


def _tasks(session: Session, program_id: int, ids: Sequence[int]) -> list[Task]:
    found = list(
        session.scalars(select(Task).where(Task.program_id == program_id, Task.id.in_(list(ids))))
    )
    missing = sorted(set(ids) - {t.id for t in found})
    if missing:
        raise field_error("task_ids", f"no task {missing[0]} in this program")
    return found


def _check_level(risk: Risk) -> None:
    """A task-level risk names its tasks; a project-level one its projects (or tasks)."""
    if risk.level == "task" and not risk.tasks:
        raise field_error("task_ids", "a task-level risk must be linked to at least one task")
    if risk.level == "project" and not (risk.projects or risk.tasks):
        raise field_error(
            "project_ids", "a project-level risk must be linked to at least one project or task"
        )


def _check_values(values: Mapping[str, Any]) -> None:
    if "title" in values and not str(values["title"] or "").strip():
        raise field_error("title", "a risk needs a title")
    for name, allowed in (
        ("level", RISK_LEVELS),
        ("response", RISK_RESPONSES),
        ("status", RISK_STATUSES),
    ):
        if name in values:
            _check_choice(name, values[name], allowed)
    for name in ("probability", "impact"):
        if name in values:
            try:
                risk_score(values[name], 1)
            except ValueError as exc:
                raise field_error(name, "must be a whole number from 1 to 5") from exc


def record_history(session: Session, actor: Actor, risk: Risk, note: str = "") -> None:
    """Keep the risk's ratings and status as they are now, with why they changed."""
    session.add(
        RiskHistory(
            risk_id=risk.id,
            probability=risk.probability,
            impact=risk.impact,
            score=risk.score,
            status=risk.status,
            changed_by=actor.email,
            note=note[:500],
        )
    )


def _status_dates(risk: Risk, status: str) -> dict[str, Any]:
    """The dates a status change sets: realized on, closed on."""
    changes: dict[str, Any] = {}
    if status == "realized" and risk.realized_on is None:
        changes["realized_on"] = today()
    if status == "closed":
        changes["closed_on"] = today()
    elif risk.closed_on is not None:
        changes["closed_on"] = None
    return changes


def create_risk(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    title: str,
    probability: int,
    impact: int,
    level: str = "project",
    description: str = "",
    cause: str = "",
    effect: str = "",
    response: str = "mitigate",
    status: str = "open",
    owner_id: int | None = None,
    due_date: date | None = None,
    project_ids: Sequence[int] = (),
    task_ids: Sequence[int] = (),
    schedule_impact_days: int | None = None,
) -> Risk:
    """Raise a risk (members and above); closing one at once needs a manager."""
    require_role(session, actor, program_id, Role.MANAGER if status == "closed" else Role.MEMBER)
    refuse_on_scenario_copy(session, program_id, "risks")
    _check_values(
        {
            "title": title,
            "level": level,
            "response": response,
            "status": status,
            "probability": probability,
            "impact": impact,
        }
    )
    _check_owner(session, program_id, owner_id, "owner_id")
    number = (
        session.scalar(select(func.max(Risk.number)).where(Risk.program_id == program_id)) or 0
    ) + 1
    risk = Risk(
        program_id=program_id,
        number=number,
        title=title,
        description=description,
        cause=cause,
        effect=effect,
        probability=probability,
        impact=impact,
        schedule_impact_days=schedule_impact_days,
        score=risk_score(probability, impact),
        level=level,
        response=response,
        status=status,
        owner_id=owner_id,
        due_date=due_date,
        created_by=actor.email,
        escalation="none",
    )
    risk.projects = projects_by_id(session, program_id, project_ids)
    risk.tasks = _tasks(session, program_id, task_ids)
    _check_level(risk)
    for name, value in _status_dates(risk, status).items():
        setattr(risk, name, value)
    session.add(risk)
    flush(session)
    record_created(session, actor, risk, program_id=program_id, fields=RISK_FIELDS)
    record_history(session, actor, risk, "raised")
    apply_escalation(session, actor, risk)
    return risk


def _links(risk: Risk) -> dict[str, list[int]]:
    return {
        "project_ids": sorted(p.id for p in risk.projects),
        "task_ids": sorted(t.id for t in risk.tasks),
    }


def _require_manager(session: Session, actor: Actor, risk: Risk, why: str) -> None:
    role = require_role(session, actor, risk.program_id, Role.VIEWER)
    if role.rank < Role.MANAGER.rank:
        raise role_too_low(
            session,
            risk.program_id,
            role,
            f"manager or above is needed {why}",
            required=Role.MANAGER.value,
        )


def update_risk(
    session: Session,
    actor: Actor,
    risk_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    note: str = "",
) -> Risk:
    """Change a risk (members); closing it, or changing a closed one, needs a manager.

    ``project_ids`` and ``task_ids`` replace the links. A change of probability,
    impact or status is kept in the risk's history; the escalation rules are
    applied again.
    """
    risk = get_risk(session, actor, risk_id, needed=Role.MEMBER)
    check_version(risk, expected_version)
    updates = dict(updates)
    closing = updates.get("status") == "closed" and risk.status != "closed"
    if closing or risk.status == "closed":
        _require_manager(session, actor, risk, "to close a risk or change a closed one")
    _check_values(updates)
    if "owner_id" in updates:
        _check_owner(session, risk.program_id, updates["owner_id"], "owner_id", kept=risk.owner_id)
    before_links = _links(risk)
    if "project_ids" in updates:
        risk.projects = projects_by_id(session, risk.program_id, updates.pop("project_ids") or [])
    if "task_ids" in updates:
        risk.tasks = _tasks(session, risk.program_id, updates.pop("task_ids") or [])
    probability = updates.get("probability", risk.probability)
    impact = updates.get("impact", risk.impact)
    updates["score"] = risk_score(probability, impact)
    if "status" in updates:
        updates.update(_status_dates(risk, updates["status"]))
    rated_before = snapshot(risk, list(_RATED))
    level = updates.get("level", risk.level)
    if level != risk.level or before_links != _links(risk):
        original = risk.level
        risk.level = level
        _check_level(risk)
        risk.level = original
    after_links = _links(risk)
    if after_links != before_links:
        record_change(
            session,
            actor,
            program_id=risk.program_id,
            entity_type="risk",
            entity_id=risk.id,
            action="update",
            changes={
                k: [before_links[k], after_links[k]]
                for k in after_links
                if after_links[k] != before_links[k]
            },
            label=risk.name,
        )
        risk.updated_at = utcnow()  # a new version, so If-Match sees the links changed
    apply_update(session, actor, risk, updates, program_id=risk.program_id, expected_version=None)
    flush(session)
    if snapshot(risk, list(_RATED)) != rated_before:
        record_history(session, actor, risk, note)
    apply_escalation(session, actor, risk)
    return risk


def delete_risk(
    session: Session, actor: Actor, risk_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a risk from the register (managers); its score history goes with it, and
    its mitigation actions, each audited with what it held."""
    risk = get_risk(session, actor, risk_id, needed=Role.MANAGER)
    check_version(risk, expected_version)
    resolve_alert(session, risk)
    for action in risk.actions:
        record_deleted(session, actor, action, program_id=risk.program_id, fields=ACTION_FIELDS)
    record_deleted(session, actor, risk, program_id=risk.program_id, fields=RISK_FIELDS)
    session.delete(risk)
    flush(session)


# --- mitigation actions ---------------------------------------------------------------


def add_action(
    session: Session,
    actor: Actor,
    risk_id: int,
    *,
    title: str,
    owner_id: int | None = None,
    due_date: date | None = None,
) -> RiskAction:
    """Plan a mitigation action (members; on a closed risk, managers)."""
    risk = get_risk(session, actor, risk_id, needed=Role.MEMBER)
    if risk.status == "closed":
        _require_manager(session, actor, risk, "to change a closed risk")
    _check_owner(session, risk.program_id, owner_id, "owner_id")
    action = RiskAction(risk_id=risk.id, title=title, owner_id=owner_id, due_date=due_date)
    risk.actions.append(action)
    flush(session)
    record_created(session, actor, action, program_id=risk.program_id, fields=ACTION_FIELDS)
    flush(session)
    return action


def update_action(
    session: Session,
    actor: Actor,
    risk_id: int,
    action_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> RiskAction:
    """Change an action or mark it done (members; on a closed risk, managers); done today
    unless ``done_on`` is given, which may be neither after today nor before the risk was
    raised."""
    action = get_action(session, actor, risk_id, action_id, needed=Role.MEMBER)
    risk = action.risk
    if risk.status == "closed":
        _require_manager(session, actor, risk, "to change a closed risk")
    check_version(action, expected_version)
    updates = dict(updates)
    if "owner_id" in updates:
        _check_owner(
            session, risk.program_id, updates["owner_id"], "owner_id", kept=action.owner_id
        )
    if updates.get("done") is True and not action.done and updates.get("done_on") is None:
        updates["done_on"] = today()
    if updates.get("done") is False:
        updates["done_on"] = None
    if updates.get("done_on") is not None and not updates.get("done", action.done):
        raise field_error("done_on", "only a done action has a done date")
    if updates.get("done_on") is not None and updates["done_on"] != action.done_on:
        _check_done_on(risk, updates["done_on"])
    apply_update(
        session,
        actor,
        action,
        updates,
        program_id=risk.program_id,
        expected_version=None,
        label=action.title,
    )
    return action


def _check_done_on(risk: Risk, day: date) -> None:
    """An action is done on a day that has come, and not before its risk was raised."""
    now = today()
    if day > now:
        raise field_error(
            "done_on",
            f"{day.isoformat()} is in the future: an action is marked done once it is done "
            f"(today is {now.isoformat()})",
        )
    raised = risk.created_at.astimezone().date()  # the local day, as today() counts
    if day < raised:
        raise field_error(
            "done_on",
            f"{day.isoformat()} is before {risk.key} was raised ({raised.isoformat()})",
        )


def delete_action(
    session: Session,
    actor: Actor,
    risk_id: int,
    action_id: int,
    *,
    expected_version: int | None = None,
) -> None:
    """Remove an action (managers)."""
    action = get_action(session, actor, risk_id, action_id, needed=Role.MANAGER)
    check_version(action, expected_version)
    record_deleted(session, actor, action, program_id=action.risk.program_id, fields=ACTION_FIELDS)
    action.risk.actions.remove(action)
    flush(session)
