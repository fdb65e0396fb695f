"""Three sides of every record a scenario copied: as copied, live now, in the scenario now.

A scenario writes onto the live plan only what *it* changed: each field of a copied
record whose value in the scenario differs from its value when copied. What the live
plan changed meanwhile — progress reported on a task, most often — stays. The same
field changed on both sides, to different values, is a conflict (:mod:`.conflicts`).

The values as copied are kept with the scenario's basis (``values``, the JSON-ready
form the audit log uses). A scenario copied before they were kept has them rebuilt from
the audit log: a field's first recorded old value since the copy, else its value now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import AuditEntry, Scenario
from podium.services.audit import snapshot
from podium.services.projects import PROJECT_FIELDS as _PROJECT_FIELDS
from podium.services.tasks import TASK_FIELDS as ALL_TASK_FIELDS

PROJECT_FIELDS = tuple(_PROJECT_FIELDS)  # the fields a project's history records
# parent_id and position are the task's place in the WBS (the parent as a live id)
TASK_FIELDS = tuple(f for f in ALL_TASK_FIELDS if f not in ("project_id", "wbs"))
MILESTONE_FIELDS = ("key", "name", "description", "target_date")
DEPENDENCY_FIELDS = ("type", "lag")
ASSIGNMENT_FIELDS = ("units", "work_hours", "notes")
FIELDS: dict[str, tuple[str, ...]] = {
    "projects": PROJECT_FIELDS,
    "tasks": TASK_FIELDS,
    "milestones": MILESTONE_FIELDS,
    "dependencies": DEPENDENCY_FIELDS,
    "assignments": ASSIGNMENT_FIELDS,
}
NOUNS = {
    "projects": "project",
    "tasks": "task",
    "milestones": "milestone",
    "dependencies": "dependency",
    "assignments": "assignment",
}
# what places a task's start: the scenario changing one of these moves the task
PLACING = ("constraint_type", "constraint_date", "leveled_start")


def values_of(kind: str, record: Any) -> dict[str, Any]:
    """A live record's compared fields, JSON-ready (as the basis keeps them)."""
    return snapshot(record, list(FIELDS[kind]))


def scenario_values(
    kind: str, copy: Any, task_map: Mapping[int, int | None] | None = None
) -> dict[str, Any]:
    """A copy's compared fields, JSON-ready, in the live plan's terms: a task's parent as
    the live task it was copied from (``"new"`` for a task made in the scenario)."""
    found = snapshot(copy, list(FIELDS[kind]))
    if kind == "tasks" and copy.parent_id is not None:
        live_parent = (task_map or {}).get(copy.parent_id)
        found["parent_id"] = live_parent if live_parent is not None else "new"
    return found


def base_values(
    session: Session, scenario: Scenario, kind: str, live: Mapping[int, Any]
) -> dict[int, dict[str, Any]]:
    """Each live record's compared fields as they were when the scenario was copied, by
    live id, for the copied records still live."""
    rows = [r for r in scenario.basis.get(kind, []) if r["live"] in live]
    found = {r["live"]: dict(r["values"]) for r in rows if "values" in r}
    missing = [r["live"] for r in rows if "values" not in r]
    if not missing:
        return found
    fields = FIELDS[kind]
    rebuilt = {i: values_of(kind, live[i]) for i in missing}
    seen: dict[int, set[str]] = {i: set() for i in missing}
    for entry in session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == NOUNS[kind],
            AuditEntry.entity_id.in_(missing),
            AuditEntry.at >= scenario.created_at,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ):
        for field, change in (entry.changes or {}).items():
            if field in fields and field not in seen[entry.entity_id]:
                seen[entry.entity_id].add(field)
                if isinstance(change, list) and len(change) == 2:
                    rebuilt[entry.entity_id][field] = change[0]
    return {**found, **rebuilt}


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    return {f for f in before if before[f] != after.get(f)}


def three_way(
    base: Mapping[str, Any], live: Mapping[str, Any], scenario: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The fields to write (changed in the scenario only) and the fields in conflict
    (changed on both sides, to different values)."""
    writes: list[str] = []
    clashes: list[str] = []
    for field, was in base.items():
        now, wanted = live.get(field), scenario.get(field)
        if wanted in (was, now):
            continue
        (writes if now == was else clashes).append(field)
    return writes, clashes


def tree_changed(fields: Iterable[str]) -> bool:
    return bool({"parent_id", "position"} & set(fields))
