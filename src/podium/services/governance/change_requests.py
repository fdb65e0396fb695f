"""Change requests: a proposed change to the plan, its impact computed, decided on.

A change request carries the same hypothetical changes impact analysis takes
(``slip``, ``delay_start``, ``set_duration``, ``add_dependency``,
``remove_dependency``), plus new budgets for tasks and a note on scope. Its
impact — what moves, which dates are newly missed, what it costs — is computed
from the live plan whenever it is read, until it is decided; the impact at the
moment of the decision is kept with it. A request carrying a what-if scenario
takes its impact from the scenario's comparison with the live plan
(:mod:`podium.services.governance.scenario_impact`).

Approving applies the changes through the task and dependency services in the
caller's one transaction (the unit of work reschedules before it commits),
records the decision, and optionally takes a new baseline. If the live plan has
moved so that a change no longer applies (its task deleted, finished or
started…), approval is refused with the reasons and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from podium.engine.impact import PINNING
from podium.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PodiumError,
    StaleVersion,
    ValidationFailed,
)
from podium.models import ConstraintType, Dependency, DependencyType, Milestone, Role, Task, utcnow
from podium.models.governance import ChangeRequest, ChangeRequestStatus
from podium.models.scenarios import Scenario, ScenarioStatus
from podium.services import dependencies as dependency_service
from podium.services import events
from podium.services import scenarios as scenario_service
from podium.services import tasks as task_service
from podium.services.actor import Actor, require_role
from podium.services.baselines import take_baseline
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.governance._audit import audit_action, audit_created
from podium.services.governance._records import load_in_program, person_name
from podium.services.governance.decisions import add_decision, decision_day
from podium.services.governance.scenario_impact import (
    compute_scenario_impact,
    scenario_problems,
    scenario_ref,
)
from podium.services.scheduling import reschedule_pending
from podium.services.scheduling import views as schedule_views
from podium.services.scheduling.cache import current_network
from podium.services.scheduling.link_changes import LinkLedger
from podium.services.scheduling.network import task_ref
from podium.services.scheduling.reschedule import run_engine

CR_FIELDS = ["title", "rationale", "requested_by", "changes", "budget_changes", "scope_change"]
EDITABLE = frozenset({*CR_FIELDS, "rebaseline"})
TASK_CHANGES = ("slip", "delay_start", "set_duration")
MOVABLE_CONSTRAINTS = (ConstraintType.ASAP, ConstraintType.SNET, ConstraintType.FNET)


def cr_label(cr: ChangeRequest) -> str:
    return f"CR-{cr.number} {cr.title}"


def get_change_request(
    session: Session, actor: Actor, cr_id: int, *, needed: Role = Role.VIEWER
) -> ChangeRequest:
    return load_in_program(
        session, actor, ChangeRequest, cr_id, needed=needed, noun="change request"
    )


def find_change_request(session: Session, actor: Actor, program_id: int, ref: str) -> ChangeRequest:
    """A change request by ``CR-3``, ``3`` or its id within a program."""
    require_role(session, actor, program_id, Role.VIEWER)
    text = ref.strip().upper().removeprefix("CR-")
    if text.isdecimal():
        found = session.scalar(
            select(ChangeRequest).where(
                ChangeRequest.program_id == program_id, ChangeRequest.number == int(text)
            )
        )
        if found is not None:
            return found
    raise NotFound(f"no change request {ref!r} in this program")


def list_change_requests(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    status: ChangeRequestStatus | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[ChangeRequest], int]:
    """A program's change requests, newest first (optionally of one status)."""
    require_role(session, actor, program_id, Role.VIEWER)
    query = select(ChangeRequest).where(ChangeRequest.program_id == program_id)
    if status is not None:
        query = query.where(ChangeRequest.status == status)
    query = query.order_by(ChangeRequest.number.desc())
    return paginate(session, query, limit=limit, offset=offset)


# --- what a change request's changes refer to -----------------------------------------


def _task(session: Session, program_id: int, task_id: Any) -> Task | None:
    task = session.get(Task, task_id) if isinstance(task_id, int) and task_id > 0 else None
    return task if task is not None and task.program_id == program_id else None


def _has_children(session: Session, task_id: int) -> bool:
    return session.scalar(select(Task.id).where(Task.parent_id == task_id).limit(1)) is not None


def _end_exists(session: Session, program_id: int, end: Mapping[str, Any] | None) -> bool:
    if not end:
        return False
    record = _end_record(session, end)
    return record is not None and record.program_id == program_id


def _ends(change: Mapping[str, Any]) -> tuple[tuple[str, int], tuple[str, int]]:
    pred, succ = change["predecessor"], change["successor"]
    return (str(pred["type"]), int(pred["id"])), (str(succ["type"]), int(succ["id"]))


def _end_record(session: Session, end: Mapping[str, Any]) -> Task | Milestone | None:
    record_id = end.get("id")
    if not isinstance(record_id, int) or not 0 < record_id <= 2**31 - 1:
        return None
    if end.get("type") == "task":
        return session.get(Task, record_id)
    return session.get(Milestone, record_id)


def _shape_problem(session: Session, change: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why an added link cannot be, whatever the schedule (a summary and its own sub-task,
    a link ending on a summary's finish): the field under the change it is about, and why.
    Both ends exist."""
    predecessor = _end_record(session, change["predecessor"])
    successor = _end_record(session, change["successor"])
    assert predecessor is not None and successor is not None
    try:
        kind = DependencyType(change.get("dependency_type", "FS"))
    except ValueError:
        return ".dependency_type", f"unknown link type {change.get('dependency_type')!r}"
    try:
        dependency_service.check_shape(session, predecessor, successor, kind)
    except Conflict as exc:
        return "", exc.message
    except ValidationFailed as exc:  # about the link's type: the one field it names
        return ".dependency_type", exc.details[0]["message"] if exc.details else exc.message
    return None


def problems_with(
    session: Session,
    program_id: int,
    changes: Sequence[Mapping[str, Any]],
    budget_changes: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Why each change cannot apply to the live plan now (empty: all apply)."""
    problems: list[dict[str, Any]] = []
    # links removed before they are added again apply; refused as impact analysis does
    links = LinkLedger(session)

    def refuse(field: str, message: str) -> None:
        problems.append({"field": field, "message": message})

    for i, change in enumerate(changes):
        where, kind = f"changes.{i}", change.get("type")
        if kind in TASK_CHANGES:
            task = _task(session, program_id, change.get("task_id"))
            if task is None:
                refuse(f"{where}.task_id", f"task {change.get('task_id')} is not in the plan")
            elif change.get("days") is None:
                refuse(f"{where}.days", "required")
            elif _has_children(session, task.id):
                refuse(f"{where}.task_id", f"{task.key} is a summary task: change its sub-tasks")
            elif task.actual_finish is not None:
                refuse(f"{where}.task_id", f"{task.key} is finished")
            elif kind == "delay_start" and task.actual_start is not None:
                refuse(
                    f"{where}.task_id",
                    f"{task.key} is already started: its start cannot be delayed",
                )
            elif kind == "delay_start" and task.constraint_type not in MOVABLE_CONSTRAINTS:
                refuse(
                    f"{where}.task_id",
                    f"{task.key} is pinned ({PINNING[task.constraint_type.value]} "
                    f"{task.constraint_date}): its start cannot be delayed",
                )
            elif kind == "slip" and task.duration + int(change["days"]) < 0:
                refuse(f"{where}.days", f"{task.key} would get a negative duration")
            elif kind == "set_duration" and int(change["days"]) < 0:
                refuse(f"{where}.days", "a duration cannot be negative")
        elif kind == "add_dependency":
            missing = False
            for side in ("predecessor", "successor"):
                if not _end_exists(session, program_id, change.get(side)):
                    refuse(f"{where}.{side}", "no such task or milestone in the plan")
                    missing = True
            if missing:
                continue
            shape = _shape_problem(session, change)
            if shape is not None:
                refuse(f"{where}{shape[0]}", shape[1])
                continue
            refused = links.add(i, *_ends(change))
            if refused is not None:
                refuse(where, refused)
        elif kind == "remove_dependency":
            dependency_id = change.get("dependency_id")
            found = (
                session.get(Dependency, dependency_id) if isinstance(dependency_id, int) else None
            )
            if found is None or found.program_id != program_id:
                refuse(f"{where}.dependency_id", f"dependency {dependency_id} is not in the plan")
            else:
                links.remove(found.id)
        else:
            refuse(f"{where}.type", f"unknown change {kind!r}")
    budgeted: set[int] = set()
    for i, budget in enumerate(budget_changes):
        where = f"budget_changes.{i}.task_id"
        task = _task(session, program_id, budget.get("task_id"))
        if task is None:
            refuse(where, f"task {budget.get('task_id')} is not in the plan")
        elif _has_children(session, task.id):  # its budget is the sum of its sub-tasks'
            refuse(where, f"{task.key} is a summary task: change its sub-tasks")
        elif task.id in budgeted:  # both would count in the cost impact, one would apply
            refuse(where, f"{task.key} already has a new budget in this request: give it one")
        else:
            budgeted.add(task.id)
    return problems


def _once(problems: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each reason once: a deleted task slipped and given a budget is one reason, on the
    first field that names it."""
    seen: set[str] = set()
    out = []
    for problem in problems:
        if problem["message"] not in seen:
            seen.add(problem["message"])
            out.append(problem)
    return out


def _reasons(problems: Sequence[dict[str, Any]]) -> str:
    return "; ".join(p["message"] for p in _once(problems))


# --- impact ------------------------------------------------------------------------


def _schedule_change(change: Mapping[str, Any]) -> schedule_views.ChangeRequest:
    def end(value: Mapping[str, Any] | None) -> tuple[str, int] | None:
        return (str(value["type"]), int(value["id"])) if value else None

    return schedule_views.ChangeRequest(
        type=change["type"],
        task_id=change.get("task_id"),
        days=change.get("days"),
        predecessor=end(change.get("predecessor")),
        successor=end(change.get("successor")),
        dependency_type=str(change.get("dependency_type", "FS")),
        lag=int(change.get("lag", 0)),
        dependency_id=change.get("dependency_id"),
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _move_json(m: schedule_views.MoveView) -> dict[str, Any]:
    return {
        "type": m.ref.type,
        "id": m.ref.id,
        "key": m.ref.key,
        "name": m.ref.name,
        "project_key": m.ref.project_key,
        "early_start_before": _iso(m.early_start_before),
        "early_start_after": _iso(m.early_start_after),
        "early_finish_before": _iso(m.early_finish_before),
        "early_finish_after": _iso(m.early_finish_after),
        "start_delta": m.start_delta,
        "finish_delta": m.finish_delta,
    }


def _schedule_json(view: schedule_views.ImpactView) -> dict[str, Any]:
    return {
        "finish_before": _iso(view.finish_before),
        "finish_after": _iso(view.finish_after),
        "finish_delta": view.finish_delta,
        "projects_affected": view.projects_affected,
        "milestones": [_move_json(m) for m in view.milestones],
        "moves": [_move_json(m) for m in view.moves if m.ref.type == "task"],
        "misses": [
            {
                "type": m.ref.type,
                "id": m.ref.id,
                "key": m.ref.key,
                "name": m.ref.name,
                "project_key": m.ref.project_key,
                "kind": m.kind,
                "limit": _iso(m.limit),
                "finish_before": _iso(m.finish_before),
                "finish_after": _iso(m.finish_after),
                "days_late_before": m.days_late_before,
                "days_late_after": m.days_late_after,
                "is_new": m.is_new,
            }
            for m in view.misses
        ],
    }


def _cost_json(session: Session, cr: ChangeRequest) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for budget in cr.budget_changes:
        task = _task(session, cr.program_id, budget.get("task_id"))
        if task is None or _has_children(session, task.id):  # refused among its problems
            continue
        after = float(budget["budget"])
        rows.append(
            {
                "task_id": task.id,
                "key": task.key,
                "name": task.name,
                "before": task.budget,
                "after": after,
                "delta": round(after - task.budget, 2),
            }
        )
    total = session.scalar(
        select(func.coalesce(func.sum(Task.budget), 0.0)).where(
            Task.program_id == cr.program_id,
            ~Task.id.in_(select(Task.parent_id).where(Task.parent_id.is_not(None))),
        )
    )
    delta = round(sum(r["delta"] for r in rows), 2)
    return {
        "budget_before": round(float(total or 0), 2),
        "budget_after": round(float(total or 0) + delta, 2),
        "delta": delta,
        "tasks": rows,
    }


def _scope_json(session: Session, cr: ChangeRequest) -> dict[str, Any]:
    durations, added, removed = [], [], []
    for change in cr.changes:
        kind = change.get("type")
        if kind in ("slip", "set_duration"):
            task = _task(session, cr.program_id, change.get("task_id"))
            if task is not None and not _has_children(session, task.id):
                days = int(change.get("days") or 0)
                after = task.duration + days if kind == "slip" else days
                durations.append(
                    {
                        "task_id": task.id,
                        "key": task.key,
                        "name": task.name,
                        "before": task.duration,
                        "after": after,
                    }
                )
        elif kind == "add_dependency":
            added.append(
                f"{_end_key(session, change.get('predecessor'))} → "
                f"{_end_key(session, change.get('successor'))} "
                f"({change.get('dependency_type', 'FS')}{int(change.get('lag', 0)):+d})"
            )
        elif kind == "remove_dependency":
            found = session.get(Dependency, change.get("dependency_id"))
            if found is not None:
                view = dependency_service.describe_dependencies(session, [found])[0]
                removed.append(f"{view.predecessor.key} → {view.successor.key}")
    return {
        "note": cr.scope_change,
        "duration_changes": durations,
        "dependencies_added": added,
        "dependencies_removed": removed,
        "tasks_added": [],
        "tasks_removed": [],
    }


def _end_key(session: Session, end: Mapping[str, Any] | None) -> str:
    if not end:
        return "?"
    record = _end_record(session, end)
    return record.key if record is not None else f"{end.get('type')} {end.get('id')}"


def compute_impact(session: Session, actor: Actor, cr: ChangeRequest) -> dict[str, Any]:
    """The change request's schedule, cost and scope impact on the live plan, as plain JSON.

    A decided request answers with the impact kept at its decision.
    """
    if cr.status != ChangeRequestStatus.PROPOSED and cr.impact_at_decision is not None:
        return {**cr.impact_at_decision, "as_decided": True}
    problems = problems_with(session, cr.program_id, cr.changes, cr.budget_changes)
    schedule: dict[str, Any] | None = None
    cost, scope = _cost_json(session, cr), _scope_json(session, cr)
    if cr.scenario_id is not None:
        problems += scenario_problems(session, cr)
        scenario = session.get(Scenario, cr.scenario_id)
        if not problems and scenario is not None:
            found = compute_scenario_impact(session, actor, cr, scenario)
            schedule, cost, scope = found.schedule, found.cost, found.scope
    elif not problems and cr.changes:
        try:
            view = schedule_views.analyze_program_impact(
                session, actor, cr.program_id, [_schedule_change(c) for c in cr.changes]
            )
            schedule = _schedule_json(view)
        except (ValidationFailed, Conflict) as exc:
            problems.append({"field": "changes", "message": exc.message})
    return {
        "computed_at": utcnow().isoformat(timespec="seconds"),
        "as_decided": False,
        "applicable": not problems,
        "problems": _once(problems),
        "scenario": scenario_ref(session, cr),
        "schedule": schedule,
        "cost": cost,
        "scope": scope,
    }


# --- writing -----------------------------------------------------------------------


def _check_changes(
    session: Session,
    actor: Actor,
    program_id: int,
    changes: Sequence[Mapping[str, Any]],
    budget_changes: Sequence[Mapping[str, Any]],
) -> None:
    problems = problems_with(session, program_id, changes, budget_changes)
    if not problems and changes:
        # what only scheduling finds (a link that closes a loop): the plan must take it
        try:
            schedule_views.analyze_program_impact(
                session, actor, program_id, [_schedule_change(c) for c in changes]
            )
        except (ValidationFailed, Conflict) as exc:
            problems.append({"field": "changes", "message": exc.message})
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems), details=problems
        )


def create_change_request(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    title: str,
    rationale: str = "",
    requested_by: str = "",
    changes: Sequence[Mapping[str, Any]] = (),
    budget_changes: Sequence[Mapping[str, Any]] = (),
    scope_change: str = "",
    rebaseline: bool = False,
    scenario_id: int | None = None,
) -> ChangeRequest:
    """Raise a change request (members and above); its changes must apply to the plan now.

    A request may carry a what-if scenario of the program: approving it applies the scenario.
    """
    require_role(session, actor, program_id, Role.MEMBER)
    if scenario_id is not None:
        _check_scenario(session, actor, program_id, scenario_id)
    if not changes and not budget_changes and not scope_change.strip() and scenario_id is None:
        raise ValidationFailed(
            "a change request needs changes to the plan, budget changes or a scope change",
            details=[{"field": "changes", "message": "nothing to change"}],
        )
    _check_changes(session, actor, program_id, changes, budget_changes)
    number = (
        session.scalar(
            select(func.max(ChangeRequest.number)).where(ChangeRequest.program_id == program_id)
        )
        or 0
    ) + 1
    cr = ChangeRequest(
        program_id=program_id,
        number=number,
        title=title,
        rationale=rationale,
        requested_by=requested_by if requested_by.strip() else person_name(session, actor),
        requested_by_user_id=actor.user_id,
        changes=[dict(c) for c in changes],
        budget_changes=[dict(b) for b in budget_changes],
        scope_change=scope_change,
        rebaseline=rebaseline,
        scenario_id=scenario_id,
    )
    session.add(cr)
    flush(session)
    audit_created(session, actor, cr, program_id=program_id, fields=CR_FIELDS, label=cr_label(cr))
    return cr


def _check_scenario(session: Session, actor: Actor, program_id: int, scenario_id: int) -> None:
    try:
        scenario = scenario_service.get_scenario(session, actor, scenario_id)
    except NotFound:
        raise ValidationFailed(
            f"scenario {scenario_id} does not exist",
            details=[{"field": "scenario_id", "message": "no such scenario"}],
        ) from None
    if scenario.program_id != program_id or scenario.status != ScenarioStatus.ACTIVE:
        raise ValidationFailed(
            f"scenario {scenario_id} is not an active scenario of this program",
            details=[{"field": "scenario_id", "message": "not an active scenario of this program"}],
        )


def _check_open(cr: ChangeRequest) -> None:
    if cr.status != ChangeRequestStatus.PROPOSED:
        raise Conflict(
            f"CR-{cr.number} is already {cr.status.value}",
            code="change_request_decided",
            details={"status": cr.status.value},
        )


def _claim(session: Session, cr: ChangeRequest, expected_version: int | None) -> None:
    """Take the request's own row for this decision, so of two managers deciding at once
    one wins and the other is refused (409 decided, or 412 with ``If-Match``) before
    anything is written.

    The row is locked by a write that changes nothing: PostgreSQL holds the second
    decider there until the first commits, SQLite holds the whole write the same way;
    either then reads the row as the first left it.
    """
    read = cr.version
    version, status = session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == cr.id)
        .values(status=ChangeRequest.status, updated_at=ChangeRequest.updated_at)
        .returning(ChangeRequest.version, ChangeRequest.status)
        .execution_options(synchronize_session=False)
    ).one()
    if expected_version is not None and version != expected_version:
        raise StaleVersion(
            f"CR-{cr.number} was changed by someone else (your version {expected_version}, "
            f"current {version}); reload and retry",
            details={"expected": expected_version, "current": version},
        )
    if status != ChangeRequestStatus.PROPOSED:
        raise Conflict(
            f"CR-{cr.number} is already {ChangeRequestStatus(status).value}",
            code="change_request_decided",
            details={"status": ChangeRequestStatus(status).value},
        )
    if version != read:  # changed while this request read it: what it read is not what is
        raise StaleVersion(
            f"CR-{cr.number} was changed by someone else meanwhile; reload and retry",
            details={"expected": read, "current": version},
        )


def _check_requester_or_manager(session: Session, actor: Actor, cr: ChangeRequest) -> None:
    role = require_role(session, actor, cr.program_id, Role.MEMBER)
    if role.rank < Role.MANAGER.rank and cr.requested_by_user_id != actor.user_id:
        raise Forbidden(
            "only whoever raised a change request, or a manager, can change or withdraw it",
            details={"role": role.value, "required": Role.MANAGER.value},
        )


def update_change_request(
    session: Session,
    actor: Actor,
    cr_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Change a proposed request (whoever raised it, or a manager)."""
    cr = get_change_request(session, actor, cr_id, needed=Role.MEMBER)
    check_version(cr, expected_version)
    _check_requester_or_manager(session, actor, cr)
    _check_open(cr)
    updates = {k: v for k, v in updates.items() if k in EDITABLE}
    if "changes" in updates or "budget_changes" in updates:
        _check_changes(
            session,
            actor,
            cr.program_id,
            updates.get("changes", cr.changes),
            updates.get("budget_changes", cr.budget_changes),
        )
    apply_update(
        session,
        actor,
        cr,
        updates,
        program_id=cr.program_id,
        expected_version=expected_version,
        label=cr_label(cr),
    )
    return cr


def withdraw_change_request(
    session: Session, actor: Actor, cr_id: int, *, expected_version: int | None = None
) -> ChangeRequest:
    """Withdraw a proposed request (whoever raised it, or a manager)."""
    cr = get_change_request(session, actor, cr_id, needed=Role.MEMBER)
    check_version(cr, expected_version)
    _check_requester_or_manager(session, actor, cr)
    _check_open(cr)
    who = person_name(session, actor)  # read before the request changes: one version more
    cr.status = ChangeRequestStatus.WITHDRAWN
    cr.decided_at = utcnow()
    cr.decided_by = who
    audit_action(
        session,
        actor,
        cr,
        program_id=cr.program_id,
        action="withdraw",
        changes={"status": ["proposed", "withdrawn"]},
        label=cr_label(cr),
    )
    flush(session)
    return cr


def _links(cr: ChangeRequest) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = [{"type": "change_request", "id": cr.id}]
    for change in cr.changes:
        if change.get("type") in TASK_CHANGES:
            links.append({"type": "task", "id": change["task_id"]})
    return links


def _decide(
    session: Session,
    actor: Actor,
    cr: ChangeRequest,
    *,
    status: ChangeRequestStatus,
    rationale: str,
    decided_by: str,
    decided_on: date | None,
    occurrence_id: int | None,
    impact: dict[str, Any],
) -> None:
    verb = "Approved" if status == ChangeRequestStatus.APPROVED else "Rejected"
    decision = add_decision(
        session,
        actor,
        program_id=cr.program_id,
        title=f"{verb} CR-{cr.number}: {cr.title}",
        rationale=rationale,
        decided_by=decided_by,
        decided_on=decided_on,
        occurrence_id=occurrence_id,
        links=[link for link in _links(cr) if _task_still_there(session, cr, link)],
    )
    cr.status = status
    cr.decision_id = decision.id
    cr.decided_at = utcnow()
    cr.decided_by = decision.decided_by
    cr.impact_at_decision = {**impact, "as_decided": True}
    events.emit(
        session,
        cr.program_id,
        events.CHANGE_REQUEST_DECIDED,
        {
            "change_request_id": cr.id,
            "number": cr.number,
            "title": cr.title,
            "status": status,
            "decided_by": cr.decided_by,
        },
    )
    audit_action(
        session,
        actor,
        cr,
        program_id=cr.program_id,
        action="approve" if status == ChangeRequestStatus.APPROVED else "reject",
        changes={"status": ["proposed", status.value], "decision": [None, f"D-{decision.number}"]},
        label=cr_label(cr),
    )


def _task_still_there(session: Session, cr: ChangeRequest, link: Mapping[str, Any]) -> bool:
    return link["type"] != "task" or _task(session, cr.program_id, link["id"]) is not None


def _apply_changes(session: Session, actor: Actor, cr: ChangeRequest) -> None:
    """Write the request's changes through the task and dependency services."""
    pn = current_network(session, cr.program_id)
    before = run_engine(pn) if any(c["type"] == "delay_start" for c in cr.changes) else None
    for change in cr.changes:
        kind = change["type"]
        if kind in ("slip", "set_duration"):
            task = _task(session, cr.program_id, change["task_id"])
            assert task is not None  # problems_with checked it
            days = int(change["days"])
            duration = task.duration + days if kind == "slip" else days
            updates: dict[str, Any] = {"duration": duration}
            if task.actual_start is not None and task.duration > 0:
                # keep the work done, as impact analysis does: the same days, a new share
                done = task.duration * task.percent_complete / 100
                updates["percent_complete"] = min(99.0, 100 * done / duration) if duration else 0.0
            task_service.update_task(session, actor, task.id, updates)
        elif kind == "delay_start":
            assert before is not None
            ref = task_ref(int(change["task_id"]))
            day = pn.calendar(ref).add_workdays(before[ref].early_start, int(change["days"]))
            task_service.update_task(
                session,
                actor,
                int(change["task_id"]),
                {"constraint_type": ConstraintType.SNET, "constraint_date": day},
            )
        elif kind == "add_dependency":
            pred, succ = change["predecessor"], change["successor"]
            dependency_service.create_dependency(
                session,
                actor,
                predecessor=dependency_service.EndRef(pred["type"], int(pred["id"])),
                successor=dependency_service.EndRef(succ["type"], int(succ["id"])),
                dependency_type=DependencyType(change.get("dependency_type", "FS")),
                lag=int(change.get("lag", 0)),
            )
        elif kind == "remove_dependency":
            dependency_service.delete_dependency(session, actor, int(change["dependency_id"]))
    for budget in cr.budget_changes:
        task_service.update_task(
            session, actor, int(budget["task_id"]), {"budget": budget["budget"]}
        )


def approve_change_request(
    session: Session,
    actor: Actor,
    cr_id: int,
    *,
    rationale: str = "",
    decided_by: str = "",
    decided_on: date | None = None,
    occurrence_id: int | None = None,
    rebaseline: bool | None = None,
    baseline_name: str | None = None,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Approve (managers): apply the changes, log the decision, optionally re-baseline.

    Everything happens in the caller's one transaction. A change that no longer
    applies to the live plan refuses the approval (409, with the reasons).
    """
    cr = get_change_request(session, actor, cr_id, needed=Role.MANAGER)
    check_version(cr, expected_version)
    _check_open(cr)
    decided_on = decision_day(session, cr.program_id, occurrence_id, decided_on, about=cr)
    _claim(session, cr, expected_version)
    key = f"CR-{cr.number}"  # read now: a refused write leaves the session unreadable
    problems = problems_with(session, cr.program_id, cr.changes, cr.budget_changes)
    if problems:
        raise Conflict(
            f"CR-{cr.number} no longer applies to the plan: " + _reasons(problems),
            code="change_no_longer_applies",
            details=problems,
        )
    scenario = session.get(Scenario, cr.scenario_id) if cr.scenario_id is not None else None
    if scenario is not None:  # refused with the scenario's own reasons and conflicts
        scenario_service.check_active(scenario)
        scenario_service.check_applicable(session, scenario)
    impact = compute_impact(session, actor, cr)
    if not impact["applicable"]:
        raise Conflict(
            f"CR-{cr.number} no longer applies to the plan: " + _reasons(impact["problems"]),
            code="change_no_longer_applies",
            details=impact["problems"],
        )
    if scenario is not None:
        scenario_service.write_onto_live(session, actor, scenario)
    try:
        _apply_changes(session, actor, cr)
    except StaleVersion:  # a task changed by someone else meanwhile: reload and retry
        raise
    except PodiumError as exc:
        raise Conflict(
            f"{key} cannot be applied: {exc.message}",
            code="change_no_longer_applies",
            details=[{"field": "changes", "message": exc.message}],
        ) from exc
    _decide(
        session,
        actor,
        cr,
        status=ChangeRequestStatus.APPROVED,
        rationale=rationale,
        decided_by=decided_by,
        decided_on=decided_on,
        occurrence_id=occurrence_id,
        impact=impact,
    )
    reschedule_pending(session)
    if cr.rebaseline if rebaseline is None else rebaseline:
        baseline = take_baseline(
            session,
            actor,
            cr.program_id,
            name=baseline_name or f"After CR-{cr.number}",
            description=f"Re-baselined on approving CR-{cr.number}: {cr.title}",
        )
        cr.baseline_id = baseline.id
    flush(session)
    return cr


def reject_change_request(
    session: Session,
    actor: Actor,
    cr_id: int,
    *,
    rationale: str,
    decided_by: str = "",
    decided_on: date | None = None,
    occurrence_id: int | None = None,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Reject (managers): nothing changes in the plan; the decision and its reason are logged."""
    cr = get_change_request(session, actor, cr_id, needed=Role.MANAGER)
    check_version(cr, expected_version)
    _check_open(cr)
    decided_on = decision_day(session, cr.program_id, occurrence_id, decided_on, about=cr)
    _claim(session, cr, expected_version)
    _decide(
        session,
        actor,
        cr,
        status=ChangeRequestStatus.REJECTED,
        rationale=rationale,
        decided_by=decided_by,
        decided_on=decided_on,
        occurrence_id=occurrence_id,
        impact=compute_impact(session, actor, cr),
    )
    flush(session)
    return cr
