"""Resources and assignments of a plan, to and from the database.

Resources belong to the organisation, not to a program: an import matches them
by key (ignoring case, as keys are unique that way). A stored resource with the
plan's key is reused as it is — the plan never changes a resource other programs
may assign — so the plan's units must fit its stored capacity; any other
resource is created, with its calendar by name. Export writes the resources the
program assigns and all its assignments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from podium.engine.leveling.model import exceeds
from podium.interop.plan_format import Plan
from podium.models import Assignment, Calendar, Resource, ResourceKind, Task
from podium.services.actor import Actor
from podium.services.audit import record_created
from podium.services.common import flush

RESOURCE_FIELDS = [
    "key",
    "name",
    "kind",
    "description",
    "capacity",
    "hours_per_day",
    "cost_rate",
    "calendar_id",
    "time_off",
]


def stored_resources(session: Session, plan: Plan) -> dict[str, Resource]:
    """The stored resources the plan names, by the plan's resource id."""
    if not plan.resources:
        return {}
    wanted = {r.id.lower(): r.id for r in plan.resources}
    found = session.scalars(select(Resource).where(func.lower(Resource.key).in_(wanted)))
    return {wanted[r.key.lower()]: r for r in found}


def resource_problems(plan: Plan, stored: Mapping[str, Resource]) -> list[dict[str, str]]:
    """Assignments whose units exceed the capacity of the stored resource they reuse."""
    problems: list[dict[str, str]] = []
    for index, a in enumerate(plan.assignments):
        resource = stored.get(a.resource)
        if resource is not None and exceeds(a.units, resource.capacity):
            problems.append(
                {
                    "location": f"assignments[{index}].units",
                    "message": (
                        f"{a.units:g} units exceed the capacity of the stored resource "
                        f"{resource.key!r} ({resource.capacity:g}), which the import reuses "
                        "unchanged"
                    ),
                }
            )
    return problems


def import_resources(
    session: Session,
    actor: Actor,
    plan: Plan,
    stored: Mapping[str, Resource],
    calendar_ids: Mapping[str, int],
) -> dict[str, int]:
    """Create the plan's resources that are not stored yet; every resource's id by the
    plan's resource id."""
    ids = {key: r.id for key, r in stored.items()}
    for r in plan.resources:
        if r.id in ids:
            continue
        periods = sorted(r.time_off, key=lambda p: (p.start, p.finish))
        resource = Resource(
            key=r.id,
            name=r.name,
            kind=ResourceKind(r.kind),
            description=r.description,
            capacity=r.capacity,
            hours_per_day=r.hours_per_day,
            cost_rate=r.cost_rate,
            calendar_id=calendar_ids[r.calendar] if r.calendar else None,
            time_off=[
                {"start": p.start.isoformat(), "finish": p.finish.isoformat(), "note": p.note}
                for p in periods
            ],
        )
        session.add(resource)
        flush(session)
        record_created(session, actor, resource, program_id=None, fields=RESOURCE_FIELDS)
        ids[r.id] = resource.id
    return ids


def import_assignments(
    session: Session,
    plan: Plan,
    *,
    program_id: int,
    task_ids: Mapping[str, int],
    resource_ids: Mapping[str, int],
) -> None:
    """Write the plan's assignments (of resources to the imported tasks)."""
    rows = [
        {
            "program_id": program_id,
            "task_id": task_ids[a.task],
            "resource_id": resource_ids[a.resource],
            "units": a.units,
            "work_hours": a.work_hours,
        }
        for a in plan.assignments
    ]
    if rows:
        session.execute(insert(Assignment), rows)


def export_resources(
    session: Session, program_id: int
) -> tuple[list[Resource], list[tuple[Assignment, Resource]]]:
    """The resources the program assigns (by key) and its assignments with their resource."""
    rows = session.execute(
        select(Assignment, Resource)
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Assignment.program_id == program_id)
    ).all()
    resources = {r.id: r for _, r in rows}
    return sorted(resources.values(), key=lambda r: r.key), [(a, r) for a, r in rows]


def resource_json(resource: Resource, calendars: Mapping[int, Calendar]) -> dict[str, Any]:
    """One resource as the plan format writes it."""
    return {
        "id": resource.key,
        "name": resource.name,
        "kind": resource.kind.value,
        "description": resource.description,
        "capacity": resource.capacity,
        "hours_per_day": resource.hours_per_day,
        "cost_rate": resource.cost_rate,
        "calendar": calendars[resource.calendar_id].name if resource.calendar_id else None,
        "time_off": [
            {"start": p["start"], "finish": p["finish"], "note": p.get("note", "")}
            for p in resource.time_off or []
        ],
    }


def assignment_json(task: Task, resource: Resource, assignment: Assignment) -> dict[str, Any]:
    """One assignment as the plan format writes it."""
    return {
        "task": task.key,
        "resource": resource.key,
        "units": assignment.units,
        "work_hours": assignment.work_hours,
    }
