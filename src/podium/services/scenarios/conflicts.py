"""Whether the live plan changed under a scenario since it was copied.

A record the scenario copied that has another version now or was deleted, or a record
added that it does not know about, is a conflict: applying is refused with the list
(409, ``details.conflicts``), each with the fields changed and who changed them, from
the audit log. A live effort-driven task whose duration alone was set again because
someone on it got new hours per day is no conflict: resources are shared, so the copy
took the same hours (:mod:`.hours`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import Assignment, AuditEntry, Scenario, Task
from podium.services.scenarios._records import KINDS, record_keys
from podium.services.scenarios.hours import hours_changed, resources_on, set_again

NOUNS = {
    "projects": "project",
    "tasks": "task",
    "milestones": "milestone",
    "dependencies": "dependency",
    "assignments": "assignment",
}


def _edits_since(
    session: Session, scenario: Scenario, noun: str, ids: list[int]
) -> dict[int, tuple[set[str], set[str]]]:
    """For each record, the fields the audit log saw change since the copy, and by whom."""
    found: dict[int, tuple[set[str], set[str]]] = {i: (set(), set()) for i in ids}
    if not ids:
        return found
    for entry in session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == noun,
            AuditEntry.entity_id.in_(ids),
            AuditEntry.at >= scenario.created_at,
        )
    ):
        fields, who = found[entry.entity_id]
        fields.update(entry.changes)
        who.add(entry.user_email)
    return found


def find_conflicts(session: Session, scenario: Scenario) -> list[dict[str, Any]]:
    """Every live record changed, deleted or added since the scenario was copied (less
    the durations set again for new hours per day)."""
    conflicts: list[dict[str, Any]] = []
    for kind, model in KINDS.items():
        noun = NOUNS[kind]
        rows = scenario.basis.get(kind, [])
        current: dict[int, int] = dict(
            session.execute(
                select(model.id, model.version).where(model.program_id == scenario.program_id)
            ).all()
        )
        changed = [r for r in rows if r["live"] in current and current[r["live"]] != r["version"]]
        edits = _edits_since(session, scenario, noun, [r["live"] for r in changed])
        for r in rows:
            if r["live"] not in current:
                conflicts.append(
                    {
                        "kind": noun,
                        "key": r["key"],
                        "id": r["live"],
                        "change": "deleted",
                        "message": f"{noun} {r['key']} was deleted from the live plan",
                    }
                )
        for r in changed:
            fields, who = edits[r["live"]]
            detail = f" ({', '.join(sorted(fields))})" if fields else ""
            by = f" by {', '.join(sorted(who))}" if who else ""
            conflicts.append(
                {
                    "kind": noun,
                    "key": r["key"],
                    "id": r["live"],
                    "change": "changed",
                    "fields": sorted(fields),
                    "message": f"{noun} {r['key']} was changed in the live plan{detail}{by}",
                }
            )
        known = {r["live"] for r in rows}
        added = [i for i in current if i not in known]
        if added:
            records = list(session.scalars(select(model).where(model.id.in_(added))))
            keys = record_keys(session, kind, records)
            for record in sorted(records, key=lambda x: x.id):
                conflicts.append(
                    {
                        "kind": noun,
                        "key": keys[record.id],
                        "id": record.id,
                        "change": "added",
                        "message": f"{noun} {keys[record.id]} was added to the live plan",
                    }
                )
    return _less_hours_only(session, scenario, conflicts)


def _less_hours_only(
    session: Session, scenario: Scenario, conflicts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The conflicts less the live tasks whose duration alone changed, set again from
    their work because someone on them got new hours per day: resources are shared, so
    that happened to the copy too, and applying sets those durations at today's hours."""
    durations = {
        c["id"]
        for c in conflicts
        if c["kind"] == "task" and c["change"] == "changed" and c.get("fields") == ["duration"]
    }
    changed = hours_changed(session, scenario) if durations else {}
    if not changed:
        return conflicts
    ids = durations - _tasks_of_assignments(session, conflicts)
    on = resources_on(session, ids)
    dropped = set()
    for task_id in ids:
        task = session.get(Task, task_id)
        if task is not None and set_again(session, task, changed, on[task_id]):
            dropped.add(task_id)
    return [
        c
        for c in conflicts
        if not (c["kind"] == "task" and c["change"] == "changed" and c["id"] in dropped)
    ]


def _tasks_of_assignments(session: Session, conflicts: list[dict[str, Any]]) -> set[int]:
    """The live tasks of the assignments in conflict (a deleted one's, from the audit log)."""
    ids = {c["id"] for c in conflicts if c["kind"] == "assignment"}
    if not ids:
        return set()
    found = set(session.scalars(select(Assignment.task_id).where(Assignment.id.in_(ids))))
    for entry in session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "assignment",
            AuditEntry.entity_id.in_(ids),
            AuditEntry.action == "delete",
        )
    ):
        before = entry.changes.get("task_id")
        if isinstance(before, list) and before and isinstance(before[0], int):
            found.add(before[0])
    return found


def check_applicable(session: Session, scenario: Scenario) -> None:
    """Refuse (409 with the list) if the live plan changed under the scenario."""
    conflicts = find_conflicts(session, scenario)
    if conflicts:
        shown = "; ".join(c["message"] for c in conflicts[:5])
        more = f"; and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
        raise Conflict(
            f"the live plan changed since scenario S{scenario.number} was copied: {shown}{more}. "
            "Nothing was applied; discard the scenario and copy the plan again.",
            code="scenario_conflict",
            details={"conflicts": conflicts},
        )
