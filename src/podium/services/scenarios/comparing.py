"""A scenario side by side with the live plan (and a baseline): finish dates, milestones,
projects, cost, scope, resource load and, when forecast, P80.

Slips are in working days of the live program's calendar, scenario minus live
(positive: later in the scenario).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.errors import NotFound
from podium.models import Baseline, BaselineItem, Dependency, Program, Project, Task
from podium.services.actor import Actor
from podium.services.baselines import get_baseline
from podium.services.forecasts import latest_forecast
from podium.services.overview import program_calendar
from podium.services.resources.load import program_resource_load
from podium.services.scenarios._records import (
    check_active,
    get_scenario,
    record_keys,
    records_of,
)

COMPARED_TASK_FIELDS = (
    "name",
    "duration",
    "constraint_type",
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "budget",
    "leveled_start",
)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def _slip(calendar: WorkCalendar, live: date | None, other: date | None) -> int | None:
    return calendar.slip(live, other) if live is not None and other is not None else None


def _row(
    calendar: WorkCalendar, live: date | None, scenario: date | None, **more: Any
) -> dict[str, Any]:
    return {**more, "live": live, "scenario": scenario, "slip": _slip(calendar, live, scenario)}


def _project_finishes(session: Session, program_id: int) -> dict[str, tuple[str, date | None]]:
    return {
        p.key: (p.name, p.scheduled_finish)
        for p in session.scalars(
            select(Project).where(Project.program_id == program_id).order_by(Project.position)
        )
    }


def _total_cost(session: Session, program_id: int) -> float:
    return round(sum(session.scalars(select(Task.budget).where(Task.program_id == program_id))), 2)


def _over_allocation(session: Session, actor: Actor, program_id: int) -> dict[str, dict[str, Any]]:
    load = program_resource_load(session, actor, program_id)
    return {
        row["resource"]["key"]: {
            "name": row["resource"]["name"],
            "days": row["over_allocated_days"],
            "peak": row["peak_utilization"],
        }
        for row in load["resources"]
    }


def latest_p80(session: Session, program_id: int) -> tuple[date | None, dict[str, date]]:
    """The program's P80 finish and each milestone's P80 (by key) from its latest stored
    forecast (``None`` and nothing without one)."""
    forecast = latest_forecast(session, program_id)
    if forecast is None:
        return None, {}
    milestones = {
        m["key"]: date.fromisoformat(m["p80"])
        for m in forecast.results.get("milestones", [])
        if isinstance(m, dict) and m.get("key") and m.get("p80")
    }
    return forecast.program_p80, milestones


def _scope(session: Session, live_id: int, copy_id: int) -> dict[str, Any]:
    live_tasks = {t.key: t for t in records_of(session, "tasks", live_id)}
    copy_tasks = {t.key: t for t in records_of(session, "tasks", copy_id)}
    projects = dict(
        session.execute(
            select(Project.id, Project.key).where(Project.program_id.in_([live_id, copy_id]))
        ).all()
    )
    changed = []
    for key in sorted(live_tasks.keys() & copy_tasks.keys()):
        live, copy = live_tasks[key], copy_tasks[key]
        fields = {
            f: [_plain(getattr(live, f)), _plain(getattr(copy, f))]
            for f in COMPARED_TASK_FIELDS
            if getattr(live, f) != getattr(copy, f)
        }
        if projects.get(live.project_id) != projects.get(copy.project_id):
            fields["project"] = [projects.get(live.project_id), projects.get(copy.project_id)]
        if fields or live.early_finish != copy.early_finish:
            changed.append(
                {
                    "key": key,
                    "name": copy.name,
                    "fields": fields,
                    "finish": [live.early_finish, copy.early_finish],
                }
            )

    def brief(tasks: dict[str, Task], keys: set[str]) -> list[dict[str, Any]]:
        return [
            {
                "key": k,
                "name": tasks[k].name,
                "project_key": projects.get(tasks[k].project_id),
                "duration": tasks[k].duration,
                "budget": tasks[k].budget,
            }
            for k in sorted(keys)
        ]

    live_deps, copy_deps = _links(session, live_id), _links(session, copy_id)
    live_links, copy_links = set(live_deps), set(copy_deps)
    live_jobs = set(
        record_keys(session, "assignments", records_of(session, "assignments", live_id)).values()
    )
    copy_jobs = set(
        record_keys(session, "assignments", records_of(session, "assignments", copy_id)).values()
    )
    return {
        "tasks_added": brief(copy_tasks, copy_tasks.keys() - live_tasks.keys()),
        "tasks_removed": brief(live_tasks, live_tasks.keys() - copy_tasks.keys()),
        "tasks_changed": [c for c in changed if c["fields"]],
        "tasks_moved": [c for c in changed if not c["fields"]],
        "dependencies_added": sorted(copy_links - live_links),
        "dependencies_removed": sorted(live_links - copy_links),
        "dependencies_changed": [
            {"link": k, "live": _link_type(live_deps[k]), "scenario": _link_type(copy_deps[k])}
            for k in sorted(live_links & copy_links)
            if _link_type(live_deps[k]) != _link_type(copy_deps[k])
        ],
        "assignments_added": sorted(copy_jobs - live_jobs),
        "assignments_removed": sorted(live_jobs - copy_jobs),
    }


def _links(session: Session, program_id: int) -> dict[str, Dependency]:
    """A program's dependencies by what people call them (``A → B``)."""
    records = records_of(session, "dependencies", program_id)
    named = record_keys(session, "dependencies", records)
    return {named[d.id]: d for d in records}


def _link_type(link: Dependency) -> str:
    """``FS``, ``SS+3``, ``FF-2``: the type and lag as the plan shows them."""
    return f"{link.type.value}{link.lag:+d}" if link.lag else link.type.value


def compare_scenario(
    session: Session, actor: Actor, scenario_id: int, *, baseline_id: int | None = None
) -> dict[str, Any]:
    """The scenario against the live plan (and the baseline ``baseline_id``), as plain data."""
    scenario = get_scenario(session, actor, scenario_id)
    copy = check_active(scenario)
    live = session.get(Program, scenario.program_id)
    assert live is not None
    baseline: Baseline | None = None
    items: list[BaselineItem] = []
    if baseline_id is not None:
        baseline = get_baseline(session, actor, baseline_id)
        if baseline.program_id != live.id:
            raise NotFound(f"baseline {baseline_id} not found in this program")
        items = list(
            session.scalars(select(BaselineItem).where(BaselineItem.baseline_id == baseline.id))
        )
    calendar = program_calendar(session, live)
    p80_live, milestone_p80_live = latest_p80(session, live.id)
    p80_copy, milestone_p80_copy = latest_p80(session, copy.id)
    with_baseline = baseline is not None

    def extra(value: Any) -> dict[str, Any]:
        return {"baseline": value} if with_baseline else {}

    milestones_live = {m.key: m for m in records_of(session, "milestones", live.id)}
    milestones_copy = {m.key: m for m in records_of(session, "milestones", copy.id)}
    milestone_items = {i.key: i for i in items if i.kind == "milestone"}
    milestones = []
    for key in sorted(milestones_live.keys() | milestones_copy.keys()):
        here, there = milestones_live.get(key), milestones_copy.get(key)
        shown = there or here
        assert shown is not None
        item = milestone_items.get(key)
        milestones.append(
            _row(
                calendar,
                here.early_finish if here else None,
                there.early_finish if there else None,
                key=key,
                name=shown.name,
                target_live=here.target_date if here else None,
                target_scenario=there.target_date if there else None,
                late_live=bool(
                    here
                    and here.target_date
                    and here.early_finish
                    and here.early_finish > here.target_date
                ),
                late_scenario=bool(
                    there
                    and there.target_date
                    and there.early_finish
                    and there.early_finish > there.target_date
                ),
                only_in="live" if there is None else "scenario" if here is None else None,
                p80_live=milestone_p80_live.get(key),
                p80_scenario=milestone_p80_copy.get(key),
                **extra(item.finish if item else None),
            )
        )

    projects_live = _project_finishes(session, live.id)
    projects_copy = _project_finishes(session, copy.id)
    project_items: dict[str, date] = {}
    for i in items:
        if i.kind == "task" and i.project_key and i.finish:
            project_items[i.project_key] = max(project_items.get(i.project_key, i.finish), i.finish)
    projects = [
        _row(
            calendar,
            projects_live.get(key, ("", None))[1],
            projects_copy.get(key, ("", None))[1],
            key=key,
            name=(projects_copy.get(key) or projects_live[key])[0],
            **extra(project_items.get(key)),
        )
        for key in [*projects_live, *(k for k in projects_copy if k not in projects_live)]
    ]

    load_live = _over_allocation(session, actor, live.id)
    load_copy = _over_allocation(session, actor, copy.id)
    resources = [
        {
            "key": key,
            "name": (load_copy.get(key) or load_live[key])["name"],
            "live": load_live.get(key, {}).get("days", 0),
            "scenario": load_copy.get(key, {}).get("days", 0),
        }
        for key in sorted(load_live.keys() | load_copy.keys())
    ]
    cost_live, cost_copy = _total_cost(session, live.id), _total_cost(session, copy.id)
    return {
        "scenario": {"id": scenario.id, "number": scenario.number, "name": scenario.name},
        "live_program_id": live.id,
        "copy_program_id": copy.id,
        "baseline": {"id": baseline.id, "name": baseline.name} if baseline else None,
        "program": {
            "start": {
                "live": live.scheduled_start,
                "scenario": copy.scheduled_start,
                **extra(baseline.start if baseline else None),
            },
            "finish": _row(
                calendar,
                live.scheduled_finish,
                copy.scheduled_finish,
                **extra(baseline.finish if baseline else None),
            ),
            "p80": {
                "live": p80_live,
                "scenario": p80_copy,
                "slip": _slip(calendar, p80_live, p80_copy),
            },
        },
        "milestones": milestones,
        "projects": projects,
        "cost": {
            "live": cost_live,
            "scenario": cost_copy,
            "difference": round(cost_copy - cost_live, 2),
            **extra(round(sum(i.cost for i in items if i.kind == "task"), 2) if baseline else None),
        },
        "scope": _scope(session, live.id, copy.id),
        "resources": resources,
        "over_allocated_days": {
            "live": sum(r["live"] for r in resources),
            "scenario": sum(r["scenario"] for r in resources),
        },
    }
