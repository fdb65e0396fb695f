"""Shared resources' hours per day since a scenario was copied.

Resources belong to the organisation and are shared by the live plan and its
scenarios' copies. A change of someone's hours per day sets again the duration of
every effort-driven task they work on, in the live plan and in the copies alike: the
same work takes more or fewer days. That is no edit of the plan, so it does not make
applying a scenario refuse; applying sets each effort-driven task's duration from its
work at today's hours, and the comparison and the outcome say which tasks it moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Assignment, AuditEntry, Resource, Scenario, Task
from podium.services.resources.effort import effort_duration, hours


@dataclass(frozen=True, slots=True)
class HoursChange:
    """A resource whose hours per day changed since the copy: then (when the scenario was
    copied) and now."""

    resource_id: int
    key: str
    name: str
    then: float
    now: float


def hours_changed(session: Session, scenario: Scenario) -> dict[int, HoursChange]:
    """Every resource whose hours per day were changed since the scenario was copied (from
    the audit log), by id; one changed and changed back is there too, ``then == now``."""
    first: dict[int, float] = {}
    for entry in session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "resource",
            AuditEntry.action == "update",
            AuditEntry.at >= scenario.created_at,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        change = entry.changes.get("hours_per_day")
        if isinstance(change, list) and len(change) == 2 and entry.entity_id not in first:
            first[entry.entity_id] = float(change[0])
    if not first:
        return {}
    return {
        r.id: HoursChange(r.id, r.key, r.name, first[r.id], r.hours_per_day)
        for r in session.scalars(select(Resource).where(Resource.id.in_(first)))
    }


def follows_work(task: Task) -> bool:
    """Whether the task's duration follows from the work given on its assignments (it is
    effort-driven and has not started)."""
    return task.effort_driven and task.actual_start is None


def work_days(session: Session, task_id: int) -> int | None:
    """The working days the work given for the task takes at its people's hours per day
    today (``None`` when none is given); not checked against the longest a task may last."""
    rows = session.execute(
        select(Assignment.units, Assignment.work_hours, Resource.hours_per_day)
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Assignment.task_id == task_id)
    ).all()
    return effort_duration([(units, work, per_day) for units, work, per_day in rows])


def resources_on(session: Session, task_ids: set[int]) -> dict[int, set[int]]:
    """The resources assigned to each task."""
    found: dict[int, set[int]] = {i: set() for i in task_ids}
    if task_ids:
        for task_id, resource_id in session.execute(
            select(Assignment.task_id, Assignment.resource_id).where(
                Assignment.task_id.in_(task_ids)
            )
        ):
            found[task_id].add(resource_id)
    return found


def set_again(
    session: Session, task: Task, changed: dict[int, HoursChange], on_it: set[int]
) -> bool:
    """Whether the live task's duration is what its work takes at today's hours and a
    resource on it had its hours per day changed since the copy: a duration that changed
    (and nothing else of the task, nor its assignments) for that reason alone."""
    return (
        follows_work(task)
        and bool(on_it & changed.keys())
        and work_days(session, task.id) == task.duration
    )


def _durations_as_copied(session: Session, scenario: Scenario, ids: list[int]) -> dict[int, int]:
    """The duration each live task had when the scenario was copied, for those whose
    duration changed since (the first change's old value, from the audit log)."""
    found: dict[int, int] = {}
    if not ids:
        return found
    for entry in session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "task",
            AuditEntry.entity_id.in_(ids),
            AuditEntry.at >= scenario.created_at,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        change = entry.changes.get("duration")
        if (
            isinstance(change, list)
            and len(change) == 2
            and isinstance(change[0], int)
            and entry.entity_id not in found
        ):
            found[entry.entity_id] = change[0]
    return found


def hours_report(session: Session, scenario: Scenario, copy_id: int) -> dict[str, Any]:
    """What changed hours per day did to the plan since the copy: the resources (hours
    then and now) and the effort-driven tasks they work on whose duration moved for it,
    each with its live id, its duration as copied, live and in the scenario (working
    days) and who moved it, and a sentence; empty lists when no resource's hours changed."""
    changed = {i: c for i, c in hours_changed(session, scenario).items() if c.then != c.now}
    if not changed:
        return {"resources": [], "tasks": [], "note": ""}
    pairs = {row["copy"]: row["live"] for row in scenario.basis.get("tasks", [])}
    live_tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(pairs.values())))}
    copy_tasks = {t.id: t for t in session.scalars(select(Task).where(Task.program_id == copy_id))}
    on_live = resources_on(session, set(live_tasks))
    on_copy = resources_on(session, set(copy_tasks))
    copied = _durations_as_copied(session, scenario, list(live_tasks))
    tasks: list[dict[str, Any]] = []
    for copy_id_, live_id in pairs.items():
        live, copy = live_tasks.get(live_id), copy_tasks.get(copy_id_)
        if live is None or copy is None:
            continue
        by = (on_live[live.id] | on_copy[copy.id]) & changed.keys()
        if not by or not (follows_work(live) or follows_work(copy)):
            continue
        then = copied.get(live.id, live.duration)
        if then == live.duration and then == copy.duration:
            continue
        tasks.append(
            {
                "task_id": live.id,
                "key": live.key,
                "name": copy.name,
                "copied": then,
                "live": live.duration,
                "scenario": copy.duration,
                "resources": sorted(changed[i].key for i in by),
            }
        )
    tasks.sort(key=lambda t: t["key"])
    resources = sorted(changed.values(), key=lambda c: c.name.casefold())
    said = ", ".join(f"{c.name}'s from {hours(c.then)} to {hours(c.now)}" for c in resources)
    note = (
        f"Since this scenario was copied, hours per day changed ({said}). Resources are "
        "shared with the live plan, so effort-driven tasks take their work at today's "
        "hours in both, and applying sets their durations that way."
    )
    return {
        "resources": [
            {"key": c.key, "name": c.name, "hours_per_day": [c.then, c.now]} for c in resources
        ],
        "tasks": tasks,
        "note": note,
    }
