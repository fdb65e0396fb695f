"""The impact of a change request that carries a what-if scenario.

Approving such a request writes the scenario onto the live plan, so its impact is
what the scenario differs by: the scenario's comparison with the live plan (program
finish, milestones, cost, scope) plus the tasks it moves and the deadlines and
milestone targets it newly misses, in the shape of any change request's impact.
Slips are working days of the live program's calendar, scenario minus live.

It no longer applies once the scenario was discarded or applied, or when the live
plan changed under it (the conflicts applying the scenario would refuse).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.models import Milestone, Program, Project, Task
from podium.models.governance import ChangeRequest
from podium.models.scenarios import Scenario, ScenarioStatus
from podium.services import scenarios as scenario_service
from podium.services.actor import Actor
from podium.services.overview import program_calendar

CONFLICTS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class ScenarioImpact:
    """The schedule, cost and scope parts of a change request's impact, as plain JSON."""

    schedule: dict[str, Any] | None
    cost: dict[str, Any]
    scope: dict[str, Any]


def scenario_ref(session: Session, cr: ChangeRequest) -> dict[str, Any] | None:
    """The scenario a request carries, as the impact names it."""
    scenario = session.get(Scenario, cr.scenario_id) if cr.scenario_id is not None else None
    if scenario is None:
        return None
    return {
        "id": scenario.id,
        "key": f"S{scenario.number}",
        "name": scenario.name,
        "status": scenario.status.value,
    }


def scenario_problems(session: Session, cr: ChangeRequest) -> list[dict[str, Any]]:
    """Why the request's scenario cannot be applied now (empty: it can)."""
    scenario = session.get(Scenario, cr.scenario_id) if cr.scenario_id is not None else None
    if scenario is None:
        return [{"field": "scenario_id", "message": f"scenario {cr.scenario_id} no longer exists"}]
    label = f"scenario S{scenario.number} {scenario.name}"
    if scenario.status != ScenarioStatus.ACTIVE or scenario.copy_program_id is None:
        return [
            {
                "field": "scenario_id",
                "message": f"{label} was {scenario.status.value}: it can no longer be applied",
            }
        ]
    conflicts = scenario_service.find_conflicts(session, scenario)
    problems = [
        {
            "field": "scenario_id",
            "message": f"the live plan changed since {label} was copied: {c['message']}",
        }
        for c in conflicts[:CONFLICTS_SHOWN]
    ]
    if len(conflicts) > CONFLICTS_SHOWN:
        problems.append(
            {
                "field": "scenario_id",
                "message": f"and {len(conflicts) - CONFLICTS_SHOWN} more changes to the live plan",
            }
        )
    return problems


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _tasks(session: Session, program_id: int) -> dict[str, Task]:
    return {t.key: t for t in session.scalars(select(Task).where(Task.program_id == program_id))}


def _milestones(session: Session, program_id: int) -> dict[str, Milestone]:
    return {
        m.key: m
        for m in session.scalars(select(Milestone).where(Milestone.program_id == program_id))
    }


def _summary_ids(session: Session, program_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Task.parent_id).where(Task.program_id == program_id, Task.parent_id.is_not(None))
        )
    )


def _move(
    calendar: WorkCalendar,
    live: Task | Milestone,
    copy: Task | Milestone,
    *,
    kind: str,
    project_key: str | None,
) -> dict[str, Any] | None:
    """How one activity's dates move from the live plan to the scenario (``None``: not)."""
    dates = (live.early_start, live.early_finish, copy.early_start, copy.early_finish)
    start_before, finish_before, start_after, finish_after = dates
    if start_before is None or finish_before is None or start_after is None or finish_after is None:
        return None
    if (start_before, finish_before) == (start_after, finish_after):
        return None
    return {
        "type": kind,
        "id": live.id,
        "key": live.key,
        "name": copy.name,
        "project_key": project_key,
        "early_start_before": start_before.isoformat(),
        "early_start_after": start_after.isoformat(),
        "early_finish_before": finish_before.isoformat(),
        "early_finish_after": finish_after.isoformat(),
        "start_delta": calendar.slip(start_before, start_after),
        "finish_delta": calendar.slip(finish_before, finish_after),
    }


def _late(calendar: WorkCalendar, limit: date, finish: date) -> int:
    return max(0, calendar.slip(limit, finish))


def _misses(
    calendar: WorkCalendar,
    pairs: Iterable[tuple[str, Task | Milestone, Task | Milestone, date | None, str | None]],
) -> list[dict[str, Any]]:
    """Deadlines and milestone targets the scenario misses, or misses by more."""
    misses = []
    for kind, live, copy, limit, project_key in pairs:
        before, after = live.early_finish, copy.early_finish
        if limit is None or before is None or after is None:
            continue
        late_before, late_after = _late(calendar, limit, before), _late(calendar, limit, after)
        if late_after <= late_before:
            continue
        misses.append(
            {
                "type": "task" if isinstance(live, Task) else "milestone",
                "id": live.id,
                "key": live.key,
                "name": copy.name,
                "project_key": project_key,
                "kind": kind,
                "limit": limit.isoformat(),
                "finish_before": before.isoformat(),
                "finish_after": after.isoformat(),
                "days_late_before": late_before,
                "days_late_after": late_after,
                "is_new": late_before == 0,
            }
        )
    return misses


def compute_scenario_impact(
    session: Session, actor: Actor, cr: ChangeRequest, scenario: Scenario
) -> ScenarioImpact:
    """The request's impact from its (active, conflict-free) scenario's comparison."""
    compare = scenario_service.compare_scenario(session, actor, scenario.id)
    live_id, copy_id = compare["live_program_id"], compare["copy_program_id"]
    live_program = session.get(Program, live_id)
    assert live_program is not None
    calendar = program_calendar(session, live_program)
    projects: dict[int, str] = dict(
        session.execute(
            select(Project.id, Project.key).where(Project.program_id.in_([live_id, copy_id]))
        ).all()
    )
    live_tasks, copy_tasks = _tasks(session, live_id), _tasks(session, copy_id)
    summaries = _summary_ids(session, live_id)
    shared = sorted(
        live_tasks.keys() & copy_tasks.keys(),
        key=lambda k: (live_tasks[k].early_start or date.max, k),
    )
    moves = [
        move
        for key in shared
        if live_tasks[key].id not in summaries
        and (
            move := _move(
                calendar,
                live_tasks[key],
                copy_tasks[key],
                kind="task",
                project_key=projects.get(copy_tasks[key].project_id),
            )
        )
    ]
    live_milestones, copy_milestones = _milestones(session, live_id), _milestones(session, copy_id)
    both = sorted(live_milestones.keys() & copy_milestones.keys())
    milestones = [
        move
        for key in both
        if (
            move := _move(
                calendar,
                live_milestones[key],
                copy_milestones[key],
                kind="milestone",
                project_key=None,
            )
        )
    ]
    misses = _misses(
        calendar,
        [
            *(
                (
                    "target",
                    live_milestones[k],
                    copy_milestones[k],
                    copy_milestones[k].target_date,
                    None,
                )
                for k in both
            ),
            *(
                (
                    "deadline",
                    live_tasks[k],
                    copy_tasks[k],
                    copy_tasks[k].deadline,
                    projects.get(copy_tasks[k].project_id),
                )
                for k in shared
                if live_tasks[k].id not in summaries
            ),
        ],
    )
    finish = compare["program"]["finish"]
    schedule: dict[str, Any] | None = None
    if finish["live"] is not None and finish["scenario"] is not None:
        schedule = {
            "finish_before": _iso(finish["live"]),
            "finish_after": _iso(finish["scenario"]),
            "finish_delta": finish["slip"],
            "projects_affected": sorted({m["project_key"] for m in moves if m["project_key"]}),
            "milestones": milestones,
            "moves": moves,
            "misses": misses,
        }
    scope = compare["scope"]
    changed = [c for c in scope["tasks_changed"] if c["key"] in live_tasks]

    def changed_field(field: str) -> list[tuple[Task, Any, Any]]:
        return [
            (live_tasks[c["key"]], *c["fields"][field]) for c in changed if field in c["fields"]
        ]

    cost = compare["cost"]
    return ScenarioImpact(
        schedule=schedule,
        cost={
            "budget_before": cost["live"],
            "budget_after": cost["scenario"],
            "delta": cost["difference"],
            "tasks": [
                {
                    "task_id": task.id,
                    "key": task.key,
                    "name": task.name,
                    "before": before,
                    "after": after,
                    "delta": round(after - before, 2),
                }
                for task, before, after in changed_field("budget")
            ],
        },
        scope={
            "note": cr.scope_change,
            "duration_changes": [
                {
                    "task_id": task.id,
                    "key": task.key,
                    "name": task.name,
                    "before": before,
                    "after": after,
                }
                for task, before, after in changed_field("duration")
            ],
            "dependencies_added": scope["dependencies_added"],
            "dependencies_removed": scope["dependencies_removed"],
            "dependencies_changed": scope["dependencies_changed"],
            "tasks_added": [t["key"] for t in scope["tasks_added"]],
            "tasks_removed": [t["key"] for t in scope["tasks_removed"]],
        },
    )
