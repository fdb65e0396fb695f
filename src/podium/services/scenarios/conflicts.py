"""Whether the live plan changed under a scenario in a way applying cannot take.

Applying writes what the scenario changed and keeps what the live plan changed
(:mod:`.merging`), so routine progress reported on the live plan — and any live change
to a record, or a field, the scenario left alone — is no conflict. A conflict is:

* the same field of the same record changed in the live plan and in the scenario, to
  different values (``changed``);
* a record the live plan changed that the scenario deletes (``changed``);
* a task that started in the live plan since the copy, whose start the scenario moves:
  a constraint or leveled start changed, a link into it added, removed or changed, or
  the task deleted (``started``);
* a record deleted from the live plan since the copy that the scenario changed, or that
  a record the scenario adds needs (a task under it, a link or an assignment to it)
  (``deleted``);
* a record added to the live plan since the copy that the scenario's deletions would
  take with them (a task in a project or under a task it deletes, a link or an
  assignment to a task it deletes), or whose key a record the scenario adds also takes
  (``added``).

A live deletion the scenario did not touch stands, and a live addition the scenario
does not touch stays: applying writes only what the scenario changed.

Applying is refused with the list (409, ``details.conflicts``), each with the fields
and who changed them live, from the audit log. A live effort-driven task whose duration
was set again because someone on it got new hours per day is no conflict: resources
are shared, so the copy took the same hours (:mod:`.hours`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import Assignment, AuditEntry, Dependency, Milestone, Project, Scenario, Task
from podium.services.scenarios._records import KINDS, record_keys, records_of
from podium.services.scenarios.hours import hours_changed, resources_on, set_again
from podium.services.scenarios.merging import (
    NOUNS,
    PLACING,
    base_values,
    changed_fields,
    scenario_values,
    three_way,
    values_of,
)


def _edits_since(
    session: Session, scenario: Scenario, noun: str, ids: list[int]
) -> dict[int, list[tuple[set[str], str]]]:
    """For each record, what the audit log saw change since the copy: fields and who."""
    found: dict[int, list[tuple[set[str], str]]] = {i: [] for i in ids}
    if not ids:
        return found
    for entry in session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == noun,
            AuditEntry.entity_id.in_(ids),
            AuditEntry.at >= scenario.created_at,
        )
    ):
        found[entry.entity_id].append((set(entry.changes or {}), entry.user_email))
    return found


def _who(edits: list[tuple[set[str], str]], fields: list[str]) -> str:
    people = {email for changed, email in edits if changed & set(fields)}
    return f" by {', '.join(sorted(people))}" if people else ""


def _copy_task_map(scenario: Scenario) -> dict[int, int | None]:
    return {r["copy"]: r["live"] for r in scenario.basis.get("tasks", [])}


def find_conflicts(session: Session, scenario: Scenario) -> list[dict[str, Any]]:
    """Every conflict between the live plan's changes since the scenario was copied and
    the scenario's own (see the module's list); empty when applying can go ahead."""
    copy_id = scenario.copy_program_id
    task_map = _copy_task_map(scenario)
    copies: dict[str, dict[int, Any]] = {
        kind: {r.id: r for r in records_of(session, kind, copy_id)} if copy_id else {}
        for kind in KINDS
    }
    conflicts: list[dict[str, Any]] = []
    started: dict[int, tuple[str, date]] = {}  # live task id → key, actual start
    removed: dict[str, set[int]] = {}  # live ids of the copied records the scenario deletes
    gone: dict[str, set[int]] = {}  # live ids of the copied records deleted live since
    live_added: dict[str, list[Any]] = {}  # live records added since the copy
    for kind, model in KINDS.items():
        noun = NOUNS[kind]
        rows = scenario.basis.get(kind, [])
        current: dict[int, int] = dict(
            session.execute(
                select(model.id, model.version).where(model.program_id == scenario.program_id)
            ).all()
        )
        removed[kind] = {r["live"] for r in rows if r["copy"] not in copies[kind]}
        gone[kind] = {r["live"] for r in rows if r["live"] not in current}
        for r in rows:
            if r["live"] in gone[kind] and _scenario_changed(kind, r, copies[kind], task_map):
                conflicts.append(
                    {
                        "kind": noun,
                        "key": r["key"],
                        "id": r["live"],
                        "change": "deleted",
                        "message": f"{noun} {r['key']} was deleted from the live plan, and the "
                        "scenario changes it",
                    }
                )
        saved = [r for r in rows if r["live"] in current and current[r["live"]] != r["version"]]
        live = {
            x.id: x
            for x in session.scalars(select(model).where(model.id.in_([r["live"] for r in saved])))
        }
        base = base_values(session, scenario, kind, live)
        edits = _edits_since(session, scenario, noun, list(live))
        for r in saved:
            now = values_of(kind, live[r["live"]])
            was = base[r["live"]]
            live_changed = sorted(changed_fields(was, now))
            if not live_changed:
                continue  # saved, and put back as it was
            if kind == "tasks" and was.get("actual_start") is None and now["actual_start"]:
                started[r["live"]] = (r["key"], live[r["live"]].actual_start)
            copy = copies[kind].get(r["copy"])
            if copy is None:
                detail = ", ".join(live_changed)
                conflicts.append(
                    {
                        "kind": noun,
                        "key": r["key"],
                        "id": r["live"],
                        "change": "changed",
                        "fields": live_changed,
                        "message": f"{noun} {r['key']} was changed in the live plan ({detail})"
                        f"{_who(edits[r['live']], live_changed)}, and the scenario deletes it",
                    }
                )
                continue
            _writes, clashes = three_way(was, now, scenario_values(kind, copy, task_map))
            if clashes:
                detail = ", ".join(sorted(clashes))
                conflicts.append(
                    {
                        "kind": noun,
                        "key": r["key"],
                        "id": r["live"],
                        "change": "changed",
                        "fields": sorted(clashes),
                        "message": f"{noun} {r['key']} was changed in the live plan ({detail})"
                        f"{_who(edits[r['live']], clashes)}, and otherwise in the scenario",
                    }
                )
        known = {r["live"] for r in rows}
        added = [i for i in current if i not in known]
        live_added[kind] = (
            list(session.scalars(select(model).where(model.id.in_(added)).order_by(model.id)))
            if added
            else []
        )
    conflicts += _added_live(session, scenario, copies, live_added, removed)
    conflicts += _added_on_gone(session, scenario, copies, gone)
    conflicts += _started_and_moved(session, scenario, copies, started)
    return _less_hours_only(session, scenario, conflicts)


def _scenario_changed(
    kind: str, row: dict[str, Any], copies: dict[int, Any], task_map: dict[int, int | None]
) -> bool:
    """Whether the scenario changed a copied record (deleting it is no change to keep: the
    live plan deleted it too). A scenario copied before the basis kept values cannot
    tell, and says it did."""
    copy = copies.get(row["copy"])
    if copy is None:
        return False
    if "values" not in row:
        return True
    return bool(changed_fields(row["values"], scenario_values(kind, copy, task_map)))


def _conflict(kind: str, key: str, record_id: int, change: str, message: str) -> dict[str, Any]:
    return {"kind": NOUNS[kind], "key": key, "id": record_id, "change": change, "message": message}


def _added_live(
    session: Session,
    scenario: Scenario,
    copies: dict[str, dict[int, Any]],
    live_added: dict[str, list[Any]],
    removed: dict[str, set[int]],
) -> list[dict[str, Any]]:
    """The records added to the live plan since the copy that applying could not keep:
    one the scenario's deletions would take with them, or one whose key a record the
    scenario adds takes too."""
    found: list[dict[str, Any]] = []
    project_map = {r["copy"]: r["live"] for r in scenario.basis.get("projects", [])}
    copied = {kind: {r["copy"] for r in scenario.basis.get(kind, [])} for kind in KINDS}
    # keys the scenario adds: (scope, key in upper case); a task's scope is its live project
    adding: set[tuple[str, Any, str]] = set()
    for kind in ("projects", "milestones", "tasks"):
        for copy in copies[kind].values():
            if copy.id not in copied[kind]:
                scope = project_map.get(copy.project_id) if kind == "tasks" else None
                adding.add((kind, scope, copy.key.upper()))
    deleted_keys = {
        kind: dict(
            session.execute(
                select(model.id, model.key).where(model.id.in_(removed.get(kind, set())))
            ).all()
        )
        for kind, model in (("projects", Project), ("tasks", Task), ("milestones", Milestone))
    }
    for kind, records in live_added.items():
        keys = record_keys(session, kind, records)
        for record in records:
            what = f"{NOUNS[kind]} {keys[record.id]} was added to the live plan"
            why: str | None = None
            scope = record.project_id if kind == "tasks" else None
            if kind in ("projects", "milestones", "tasks") and (
                (kind, scope, record.key.upper()) in adding
            ):
                why = (
                    f"{what}, and the scenario adds another {NOUNS[kind]} with that key: "
                    "give the scenario's another key"
                )
            else:
                for needed_kind, needed_id in _needs(kind, record):
                    if needed_id in removed.get(needed_kind, set()):
                        name = deleted_keys.get(needed_kind, {}).get(needed_id) or str(needed_id)
                        why = f"{what} on {NOUNS[needed_kind]} {name}, which the scenario deletes"
                        break
            if why is not None:
                found.append(_conflict(kind, keys[record.id], record.id, "added", why))
    return found


def _needs(kind: str, record: Any) -> list[tuple[str, int]]:
    """The records a plan record cannot be without (deleting one deletes it too)."""
    if kind == "tasks":
        return [("projects", record.project_id)] + (
            [("tasks", record.parent_id)] if record.parent_id is not None else []
        )
    if kind == "dependencies":
        return [
            (end_kind, end_id)
            for end_kind, end_id in (
                ("tasks", record.predecessor_task_id),
                ("tasks", record.successor_task_id),
                ("milestones", record.predecessor_milestone_id),
                ("milestones", record.successor_milestone_id),
            )
            if end_id is not None
        ]
    if kind == "assignments":
        return [("tasks", record.task_id)]
    return []


def _added_on_gone(
    session: Session,
    scenario: Scenario,
    copies: dict[str, dict[int, Any]],
    gone: dict[str, set[int]],
) -> list[dict[str, Any]]:
    """The records the scenario adds that need a record deleted from the live plan since
    the copy (a task under it, a link or an assignment to it)."""
    if not any(gone.values()):
        return []
    to_live = {
        kind: {r["copy"]: (r["live"], r["key"]) for r in scenario.basis.get(kind, [])}
        for kind in KINDS
    }
    found: list[dict[str, Any]] = []
    for kind in ("tasks", "dependencies", "assignments"):
        adding = [c for i, c in sorted(copies[kind].items()) if i not in to_live[kind]]
        keys = record_keys(session, kind, adding)
        for copy in adding:
            for needed_kind, copy_id in _needs(kind, copy):
                live_id, key = to_live[needed_kind].get(copy_id, (None, ""))
                if live_id in gone[needed_kind]:
                    found.append(
                        _conflict(
                            needed_kind,
                            key,
                            live_id,
                            "deleted",
                            f"{NOUNS[needed_kind]} {key} was deleted from the live plan, and the "
                            f"scenario adds {NOUNS[kind]} {keys[copy.id]} on it",
                        )
                    )
                    break
    return found


def _started_and_moved(
    session: Session,
    scenario: Scenario,
    copies: dict[str, dict[int, Any]],
    started: dict[int, tuple[str, date]],
) -> list[dict[str, Any]]:
    """The tasks started in the live plan since the copy whose start the scenario moves:
    their actual start is what the live plan knows now, so the scenario's plan for when
    they start cannot hold."""
    if not started:
        return []
    task_rows = {r["live"]: r for r in scenario.basis.get("tasks", [])}
    copy_to_live = _copy_task_map(scenario)
    live_tasks = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(started)))}
    base = base_values(session, scenario, "tasks", live_tasks)
    moves: dict[int, list[str]] = {i: [] for i in started}
    for task_id in started:
        copy = copies["tasks"].get(task_rows[task_id]["copy"])
        if copy is None:  # deleted in the scenario: a conflict already
            del moves[task_id]
            continue
        now = scenario_values("tasks", copy, copy_to_live)
        moved = [f.replace("_", " ") for f in PLACING if now[f] != base[task_id][f]]
        moves[task_id] += moved
    # links into a started task that the scenario added, removed or changed
    dep_rows = scenario.basis.get("dependencies", [])
    copied_deps = {r["copy"] for r in dep_rows}
    for dep in copies["dependencies"].values():
        successor = copy_to_live.get(dep.successor_task_id or 0)
        if dep.id not in copied_deps and successor in moves:
            moves[successor].append("a new link into it")
    live_deps = {
        d.id: d
        for d in session.scalars(
            select(Dependency).where(Dependency.id.in_([r["live"] for r in dep_rows]))
        )
    }
    dep_base = base_values(session, scenario, "dependencies", live_deps)
    for r in dep_rows:
        live_dep = live_deps.get(r["live"])
        if live_dep is None or live_dep.successor_task_id not in moves:
            continue
        copy_dep = copies["dependencies"].get(r["copy"])
        if copy_dep is None:
            moves[live_dep.successor_task_id].append("a link into it removed")
        elif scenario_values("dependencies", copy_dep) != dep_base[r["live"]]:
            moves[live_dep.successor_task_id].append("a link into it changed")
    found = []
    for task_id, what in moves.items():
        if not what:
            continue
        key, day = started[task_id]
        found.append(
            {
                "kind": "task",
                "key": key,
                "id": task_id,
                "change": "started",
                "message": f"task {key} started in the live plan on {day.isoformat()}, but the "
                f"scenario moves its start ({', '.join(what)})",
            }
        )
    return found


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
    """Refuse (409 with the list) if the live plan and the scenario clash."""
    conflicts = find_conflicts(session, scenario)
    if conflicts:
        shown = "; ".join(c["message"] for c in conflicts[:5])
        more = f"; and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
        raise Conflict(
            f"the live plan changed since scenario S{scenario.number} was copied: {shown}{more}. "
            "Nothing was applied; edit the scenario to agree with the live plan where they "
            "clash (what only the live plan changed is kept), or discard it and copy the plan "
            "again.",
            code="scenario_conflict",
            details={"conflicts": conflicts},
        )
