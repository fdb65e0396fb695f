"""A scenario side by side with the live plan (and a baseline): finish dates, milestones,
projects, cost, scope, resource load and, when forecast, P80 — each side's from its
program's latest stored forecast, saying when that forecast ran before the plan's latest
changes (its P80s then read an older plan).

Slips are in working days of the live program's calendar, scenario minus live
(positive: later in the scenario). An assignment's change of work given is listed as
``given_work_hours`` (as the assignments API names it) and, for the clients that read
it so, as ``work_hours`` too (deprecated: the same pair of values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from podium.engine import WorkCalendar
from podium.errors import NotFound
from podium.models import (
    Baseline,
    BaselineItem,
    Dependency,
    Milestone,
    Program,
    Project,
    Scenario,
    Task,
)
from podium.services.actor import Actor
from podium.services.baselines import get_baseline
from podium.services.forecasts import latest_forecast, plan_changed_since
from podium.services.overview import program_calendar
from podium.services.resources.load import program_resource_load
from podium.services.scenarios._records import (
    check_active,
    get_scenario,
    record_keys,
    records_of,
)
from podium.services.scenarios.hours import hours_report
from podium.services.scenarios.merging import (
    ASSIGNMENT_FIELDS,
    DEPENDENCY_FIELDS,
    MILESTONE_FIELDS,
    PROJECT_FIELDS,
    TASK_FIELDS,
    base_values,
    scenario_values,
    values_of,
)

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)

# what applying writes onto a task, less its place in the WBS (compared on its own)
COMPARED_TASK_FIELDS = tuple(f for f in TASK_FIELDS if f not in ("parent_id", "position"))


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
    """The budgets of the work tasks: a summary's is its sub-tasks' added up (its own
    stored one, as an imported plan may keep it, is not counted), as earned value does."""
    child = _CHILD
    leaves = select(Task.budget).where(
        Task.program_id == program_id, ~exists().where(child.parent_id == Task.id)
    )
    return round(sum(session.scalars(leaves)), 2)


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
    p80 = _latest_p80s(session, program_id)
    return p80.program, p80.milestones


@dataclass(frozen=True, slots=True)
class _P80s:
    """One side's P80s, from its program's latest stored forecast, and whether the plan
    was written since that forecast ran (its P80s then read an older plan)."""

    program: date | None = None
    milestones: dict[str, date] = field(default_factory=dict)
    forecast_at: datetime | None = None
    plan_changed_since: bool = False


def _latest_p80s(session: Session, program_id: int) -> _P80s:
    forecast = latest_forecast(session, program_id)
    if forecast is None:
        return _P80s()
    milestones = {
        m["key"]: date.fromisoformat(m["p80"])
        for m in forecast.results.get("milestones", [])
        if isinstance(m, dict) and m.get("key") and m.get("p80")
    }
    return _P80s(
        forecast.program_p80,
        milestones,
        forecast.created_at,
        plan_changed_since(session, forecast),
    )


def _matched(
    session: Session, scenario: Scenario, kind: str, live_id: int, copy_id: int
) -> tuple[dict[int, Any], dict[int, Any], dict[int, int]]:
    """A kind's live and copy records by id, and copy id → live id for the records the
    copy was made from (the copy-time identity applying goes by, whatever their keys)."""
    live = {r.id: r for r in records_of(session, kind, live_id)}
    copy = {r.id: r for r in records_of(session, kind, copy_id)}
    pairs = {
        row["copy"]: row["live"]
        for row in scenario.basis.get(kind, [])
        if row["copy"] in copy and row["live"] in live
    }
    return live, copy, pairs


def _removed(
    scenario: Scenario, kind: str, live: dict[int, Any], copy: dict[int, Any]
) -> list[Any]:
    """Live records copied that the scenario deleted (applying deletes them)."""
    return [
        live[row["live"]]
        for row in scenario.basis.get(kind, [])
        if row["copy"] not in copy and row["live"] in live
    ]


def _added(scenario: Scenario, kind: str, copy: dict[int, Any]) -> list[Any]:
    """Records made in the copy (applying creates them)."""
    known = {row["copy"] for row in scenario.basis.get(kind, [])}
    return [r for i, r in sorted(copy.items()) if i not in known]


def _fields(
    live: Any, copy: Any, fields: tuple[str, ...], base: dict[str, Any] | None = None
) -> dict[str, list[Any]]:
    """The fields applying writes: those the scenario changed since the copy (``base``,
    the values as copied) to something the live plan does not have. A field only the
    live plan changed — progress reported meanwhile — is kept, so it is not listed."""
    mine = values_of(_kind_of(copy), copy) if base is not None else {}
    return {
        f: [_plain(getattr(live, f)), _plain(getattr(copy, f))]
        for f in fields
        if getattr(live, f) != getattr(copy, f) and (base is None or mine[f] != base.get(f))
    }


def _kind_of(record: Any) -> str:
    return str(record.__tablename__)


def _job_fields(live: Any, copy: Any, base: dict[str, Any] | None) -> dict[str, list[Any]]:
    """An assignment's differences; the work given as ``given_work_hours`` (the assignments
    API's name) and, deprecated, as ``work_hours`` (the stored field's name) as well."""
    fields = _fields(live, copy, ASSIGNMENT_FIELDS, base)
    if "work_hours" in fields:
        given = fields["work_hours"]
        fields = {
            **{f: v for f, v in fields.items() if f != "work_hours"},
            "given_work_hours": given,
            "work_hours": given,
        }
    return fields


def _siblings(tasks: dict[int, Task], common: set[int]) -> dict[int, int]:
    """Each task's rank among its siblings that are on both sides."""
    ranks: dict[int, int] = {}
    by_parent: dict[tuple[int, int | None], list[Task]] = {}
    for t in tasks.values():
        if t.id in common:
            by_parent.setdefault((t.project_id, t.parent_id), []).append(t)
    for group in by_parent.values():
        for rank, t in enumerate(sorted(group, key=lambda t: (t.position, t.id))):
            ranks[t.id] = rank
    return ranks


def _scope(session: Session, scenario: Scenario, live_id: int, copy_id: int) -> dict[str, Any]:
    """Every difference applying would write, matched as applying matches records: by the
    copy-time identity (a task deleted and re-made under the same key is a deletion and an
    addition; a renamed key is a change of key)."""
    live_tasks, copy_tasks, task_pairs = _matched(session, scenario, "tasks", live_id, copy_id)
    project_live, project_copy, project_pairs = _matched(
        session, scenario, "projects", live_id, copy_id
    )
    project_keys = {i: p.key for i, p in (*project_live.items(), *project_copy.items())}
    live_ranks = _siblings(live_tasks, set(task_pairs.values()))
    copy_ranks = _siblings(copy_tasks, set(task_pairs))
    task_base = base_values(session, scenario, "tasks", live_tasks)
    copy_to_live = {row["copy"]: row["live"] for row in scenario.basis.get("tasks", [])}
    changed = []
    for copy_id_, live_id_ in task_pairs.items():
        live, copy = live_tasks[live_id_], copy_tasks[copy_id_]
        base = task_base.get(live.id)
        fields = _fields(live, copy, COMPARED_TASK_FIELDS, base)
        mine = scenario_values("tasks", copy, copy_to_live)
        moved_in_wbs = base is None or any(mine[f] != base[f] for f in ("parent_id", "position"))
        if project_pairs.get(copy.project_id) != live.project_id:
            fields["project"] = [
                project_keys.get(live.project_id),
                project_keys.get(copy.project_id),
            ]
        parent = task_pairs.get(copy.parent_id) if copy.parent_id is not None else None
        if not moved_in_wbs:
            pass  # only the live plan moved it in the WBS, if anything: kept
        elif parent != live.parent_id or (copy.parent_id is not None and parent is None):
            fields["parent"] = [
                live_tasks[live.parent_id].key if live.parent_id in live_tasks else None,
                copy_tasks[copy.parent_id].key if copy.parent_id in copy_tasks else None,
            ]
        elif live_ranks.get(live.id) != copy_ranks.get(copy.id):
            fields["position"] = [live.wbs, copy.wbs]
        if fields or live.early_finish != copy.early_finish:
            changed.append(
                {
                    "key": live.key,
                    "name": copy.name,
                    "fields": fields,
                    "finish": [live.early_finish, copy.early_finish],
                }
            )
    changed.sort(key=lambda c: c["key"])

    def brief(tasks: list[Task]) -> list[dict[str, Any]]:
        return [
            {
                "key": t.key,
                "name": t.name,
                "project_key": project_keys.get(t.project_id),
                "duration": t.duration,
                "budget": t.budget,
            }
            for t in sorted(tasks, key=lambda t: t.key)
        ]

    def keyed(records: list[Any]) -> list[dict[str, Any]]:
        return [{"key": r.key, "name": r.name} for r in sorted(records, key=lambda r: r.key)]

    def changes(kind: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        live, copy, pairs = _matched(session, scenario, kind, live_id, copy_id)
        base = base_values(session, scenario, kind, live)
        found = []
        for c, lv in pairs.items():
            differing = _fields(live[lv], copy[c], fields, base.get(lv))
            if differing:
                found.append({"key": live[lv].key, "name": copy[c].name, "fields": differing})
        return sorted(found, key=lambda x: x["key"])

    milestone_live, milestone_copy, _ = _matched(session, scenario, "milestones", live_id, copy_id)
    dep_live, dep_copy, dep_pairs = _matched(session, scenario, "dependencies", live_id, copy_id)
    dep_base = base_values(session, scenario, "dependencies", dep_live)
    dep_names = {
        **record_keys(session, "dependencies", dep_live.values()),
        **record_keys(session, "dependencies", dep_copy.values()),
    }
    job_live, job_copy, job_pairs = _matched(session, scenario, "assignments", live_id, copy_id)
    job_base = base_values(session, scenario, "assignments", job_live)
    job_names = {
        **record_keys(session, "assignments", job_live.values()),
        **record_keys(session, "assignments", job_copy.values()),
    }
    return {
        "tasks_added": brief(_added(scenario, "tasks", copy_tasks)),
        "tasks_removed": brief(_removed(scenario, "tasks", live_tasks, copy_tasks)),
        "tasks_changed": [c for c in changed if c["fields"]],
        "tasks_moved": [c for c in changed if not c["fields"]],
        "projects_added": keyed(_added(scenario, "projects", project_copy)),
        "projects_removed": keyed(_removed(scenario, "projects", project_live, project_copy)),
        "projects_changed": changes("projects", PROJECT_FIELDS),
        "milestones_added": keyed(_added(scenario, "milestones", milestone_copy)),
        "milestones_removed": keyed(
            _removed(scenario, "milestones", milestone_live, milestone_copy)
        ),
        "milestones_changed": changes("milestones", MILESTONE_FIELDS),
        "dependencies_added": sorted(
            dep_names[d.id] for d in _added(scenario, "dependencies", dep_copy)
        ),
        "dependencies_removed": sorted(
            dep_names[d.id] for d in _removed(scenario, "dependencies", dep_live, dep_copy)
        ),
        "dependencies_changed": sorted(
            (
                {
                    "link": dep_names[c],
                    "live": _link_type(dep_live[lv]),
                    "scenario": _link_type(dep_copy[c]),
                }
                for c, lv in dep_pairs.items()
                if _fields(dep_live[lv], dep_copy[c], DEPENDENCY_FIELDS, dep_base.get(lv))
            ),
            key=lambda d: d["link"],
        ),
        "assignments_added": sorted(
            job_names[a.id] for a in _added(scenario, "assignments", job_copy)
        ),
        "assignments_removed": sorted(
            job_names[a.id] for a in _removed(scenario, "assignments", job_live, job_copy)
        ),
        "assignments_changed": sorted(
            (
                {
                    "assignment": job_names[c],
                    "fields": _job_fields(job_live[lv], job_copy[c], job_base.get(lv)),
                }
                for c, lv in job_pairs.items()
                if _fields(job_live[lv], job_copy[c], ASSIGNMENT_FIELDS, job_base.get(lv))
            ),
            key=lambda a: a["assignment"],
        ),
    }


def _fed(session: Session, milestones: list[Milestone]) -> set[int]:
    """The ids of the ``milestones`` some work leads to (a dependency into them)."""
    if not milestones:
        return set()
    into = session.scalars(
        select(Dependency.successor_milestone_id).where(
            Dependency.successor_milestone_id.in_([m.id for m in milestones])
        )
    )
    return {m for m in into if m is not None}


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
    # the live P80s come from the live program's latest forecast, the scenario's from the
    # copy's: each may have run before its plan's latest changes
    p80_live, p80_copy = _latest_p80s(session, live.id), _latest_p80s(session, copy.id)
    with_baseline = baseline is not None

    def extra(value: Any) -> dict[str, Any]:
        return {"baseline": value} if with_baseline else {}

    milestones_live = {m.key: m for m in records_of(session, "milestones", live.id)}
    milestones_copy = {m.key: m for m in records_of(session, "milestones", copy.id)}
    milestone_items = {i.key: i for i in items if i.kind == "milestone"}
    fed = _fed(session, [*milestones_live.values(), *milestones_copy.values()])

    def forecast(m: Milestone | None) -> date | None:
        """Its forecast; none while no work leads to it (its date is then only the
        program's start or status date)."""
        return m.early_finish if m is not None and m.id in fed else None

    milestones = []
    for key in sorted(milestones_live.keys() | milestones_copy.keys()):
        here, there = milestones_live.get(key), milestones_copy.get(key)
        shown = there or here
        assert shown is not None
        item = milestone_items.get(key)
        now, then = forecast(here), forecast(there)
        milestones.append(
            _row(
                calendar,
                now,
                then,
                key=key,
                name=shown.name,
                target_live=here.target_date if here else None,
                target_scenario=there.target_date if there else None,
                late_live=bool(here and here.target_date and now and now > here.target_date),
                late_scenario=bool(
                    there and there.target_date and then and then > there.target_date
                ),
                # false: no work leads to it on that side, so it has no forecast there
                fed_live=here is None or here.id in fed,
                fed_scenario=there is None or there.id in fed,
                only_in="live" if there is None else "scenario" if here is None else None,
                p80_live=p80_live.milestones.get(key),
                p80_scenario=p80_copy.milestones.get(key),
                p80_live_plan_changed_since=key in p80_live.milestones
                and p80_live.plan_changed_since,
                p80_scenario_plan_changed_since=key in p80_copy.milestones
                and p80_copy.plan_changed_since,
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
                "live": p80_live.program,
                "scenario": p80_copy.program,
                "slip": _slip(calendar, p80_live.program, p80_copy.program),
                "live_forecast_at": p80_live.forecast_at,
                "scenario_forecast_at": p80_copy.forecast_at,
                "live_plan_changed_since": p80_live.plan_changed_since,
                "scenario_plan_changed_since": p80_copy.plan_changed_since,
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
        "scope": _scope(session, scenario, live.id, copy.id),
        "resources": resources,
        "over_allocated_days": {
            "live": sum(r["live"] for r in resources),
            "scenario": sum(r["scenario"] for r in resources),
        },
        "hours_changed": hours_report(session, scenario, copy.id),
    }
