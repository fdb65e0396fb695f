"""The decision log: what was decided, why, by whom, when, in which review, about what."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed, field_error
from podium.models import Dependency, Milestone, Role, Task
from podium.models.governance import ChangeRequest, Decision, ReviewOccurrence, Stakeholder
from podium.services.actor import Actor, refuse_on_scenario_copy, require_role
from podium.services.common import apply_update, check_version, flush, paginate, today
from podium.services.governance._audit import audit_created, audit_deleted
from podium.services.governance._records import load_in_program, person_name

DECISION_FIELDS = ["title", "rationale", "decided_by", "decided_on", "occurrence_id", "links"]
LINK_TYPES = (
    "task",
    "milestone",
    "dependency",
    "change_request",
    "review_occurrence",
    "stakeholder",
    "risk",
    "benefit",
)
_MODELS: dict[str, Any] = {
    "task": Task,
    "milestone": Milestone,
    "dependency": Dependency,
    "change_request": ChangeRequest,
    "review_occurrence": ReviewOccurrence,
    "stakeholder": Stakeholder,
}


def decision_label(decision: Decision) -> str:
    return f"D-{decision.number} {decision.title}"


def _link_model(kind: str) -> Any:
    """The stored record behind a link type (risks and benefits when their register exists)."""
    if kind in _MODELS:
        return _MODELS[kind]
    import podium.models as models

    return getattr(models, kind.capitalize(), None)


def _label(record: Any, kind: str) -> str:
    if kind == "change_request":
        return f"CR-{record.number} {record.title}"
    if kind == "review_occurrence":
        return f"review on {record.held_on.isoformat()}"
    if kind == "dependency":
        return f"dependency {record.id}"
    key = getattr(record, "key", None)
    name = str(getattr(record, "name", None) or getattr(record, "title", ""))
    if key and name.startswith(f"{key} "):  # a risk's name already starts with its key
        return name
    return f"{key} {name}".strip() if key else name


def resolve_links(
    session: Session, program_id: int, links: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Links as stored: each ``{"type", "id", "label"}``, checked to be records of the program."""
    out: list[dict[str, Any]] = []
    problems = []
    for i, link in enumerate(links):
        kind, record_id = str(link.get("type", "")), link.get("id")
        if kind not in LINK_TYPES:
            problems.append(
                {"field": f"links.{i}.type", "message": f"one of {', '.join(LINK_TYPES)}"}
            )
            continue
        model = _link_model(kind)
        record = (
            session.get(model, record_id)
            if model is not None and isinstance(record_id, int) and 0 < record_id <= 2**31 - 1
            else None
        )
        if record is None or getattr(record, "program_id", None) != program_id:
            problems.append(
                {"field": f"links.{i}.id", "message": f"no such {kind} in this program"}
            )
            continue
        if not any(o["type"] == kind and o["id"] == record_id for o in out):
            out.append({"type": kind, "id": record_id, "label": _label(record, kind)})
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems), details=problems
        )
    return out


def _check_occurrence(session: Session, program_id: int, occurrence_id: int | None) -> None:
    if occurrence_id is None:
        return
    occurrence = session.get(ReviewOccurrence, occurrence_id)
    if occurrence is None or occurrence.program_id != program_id:
        raise ValidationFailed(
            "occurrence_id: no such review occurrence in this program",
            details=[{"field": "occurrence_id", "message": "no such review occurrence"}],
        )


def get_decision(
    session: Session, actor: Actor, decision_id: int, *, needed: Role = Role.VIEWER
) -> Decision:
    return load_in_program(session, actor, Decision, decision_id, needed=needed, noun="decision")


def list_decisions(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    occurrence_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Decision], int]:
    """The decision log, newest first."""
    require_role(session, actor, program_id, Role.VIEWER)
    query = select(Decision).where(Decision.program_id == program_id)
    if occurrence_id is not None:
        query = query.where(Decision.occurrence_id == occurrence_id)
    if since is not None:
        query = query.where(Decision.created_at > since)
    query = query.order_by(Decision.decided_on.desc(), Decision.number.desc())
    return paginate(session, query, limit=limit, offset=offset)


def decision_ids_of_occurrence(session: Session, occurrence_id: int) -> list[int]:
    """The decisions logged in one review occurrence, in order."""
    return list(
        session.scalars(
            select(Decision.id)
            .where(Decision.occurrence_id == occurrence_id)
            .order_by(Decision.number)
        )
    )


def add_decision(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    title: str,
    rationale: str = "",
    decided_by: str = "",
    decided_on: date | None = None,
    occurrence_id: int | None = None,
    links: Sequence[Mapping[str, Any]] = (),
) -> Decision:
    """Record a decision (no permission check: callers have made theirs); decided by the
    actor, by name, unless ``decided_by`` says who."""
    check_decided_on(decided_on)
    _check_occurrence(session, program_id, occurrence_id)
    number = (
        session.scalar(select(func.max(Decision.number)).where(Decision.program_id == program_id))
        or 0
    ) + 1
    decision = Decision(
        program_id=program_id,
        number=number,
        title=title,
        rationale=rationale,
        decided_by=decided_by if decided_by.strip() else person_name(session, actor),
        decided_on=decided_on or today(),
        occurrence_id=occurrence_id,
        links=resolve_links(session, program_id, links),
        recorded_by=actor.email,
    )
    session.add(decision)
    flush(session)
    audit_created(
        session,
        actor,
        decision,
        program_id=program_id,
        fields=DECISION_FIELDS,
        label=decision_label(decision),
    )
    return decision


def record_decision(session: Session, actor: Actor, **fields: Any) -> Decision:
    """Log a decision (managers and above)."""
    require_role(session, actor, fields["program_id"], Role.MANAGER)
    refuse_on_scenario_copy(session, fields["program_id"], "decisions")
    return add_decision(session, actor, **fields)


def check_decided_on(decided_on: date | None) -> None:
    """A decision is logged once taken: its date is today or earlier."""
    if decided_on is not None and decided_on > today():
        raise field_error(
            "decided_on",
            f"{decided_on.isoformat()} is in the future: log a decision once it has been taken",
        )


def update_decision(
    session: Session,
    actor: Actor,
    decision_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Decision:
    """Correct a logged decision (managers and above)."""
    decision = get_decision(session, actor, decision_id, needed=Role.MANAGER)
    check_version(decision, expected_version)
    updates = dict(updates)
    if "decided_on" in updates:
        check_decided_on(updates["decided_on"])
    if "occurrence_id" in updates:
        _check_occurrence(session, decision.program_id, updates["occurrence_id"])
    if "links" in updates:
        updates["links"] = resolve_links(session, decision.program_id, updates["links"])
    apply_update(
        session,
        actor,
        decision,
        updates,
        program_id=decision.program_id,
        expected_version=expected_version,
        label=decision_label(decision),
    )
    return decision


def delete_decision(
    session: Session, actor: Actor, decision_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a decision logged by mistake (managers and above)."""
    decision = get_decision(session, actor, decision_id, needed=Role.MANAGER)
    check_version(decision, expected_version)
    audit_deleted(
        session,
        actor,
        decision,
        program_id=decision.program_id,
        fields=DECISION_FIELDS,
        label=decision_label(decision),
    )
    session.delete(decision)
    flush(session)
