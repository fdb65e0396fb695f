"""Reading a program's schedule: critical path, milestones, alerts, and impact analysis."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import (
    AddLink,
    Change,
    CycleError,
    DelayStart,
    Impact,
    InvalidNetwork,
    Link,
    RemoveLink,
    SetDuration,
    SetStart,
    SetStatusDate,
    Slip,
    apply_changes,
    compare_networks,
)
from podium.errors import Conflict, ValidationFailed
from podium.models import Alert, Dependency, Role
from podium.services.actor import Actor
from podium.services.baselines import baseline_finishes
from podium.services.calendars import check_calendar
from podium.services.common import paginate
from podium.services.date_window import check_plan_date
from podium.services.programs import get_program
from podium.services.scheduling.alerts import fed_milestones
from podium.services.scheduling.cache import current_network
from podium.services.scheduling.link_changes import LinkLedger
from podium.services.scheduling.network import (
    ProgramNetwork,
    load_network,
    milestone_ref,
    paused_gc,
    task_ref,
)
from podium.services.scheduling.reschedule import run_engine


@dataclass(frozen=True)
class ActivityRef:
    """A task or program milestone as people know it."""

    type: Literal["task", "milestone"]
    id: int
    key: str
    name: str
    project_id: int | None
    project_key: str | None


def _ref(pn: ProgramNetwork, activity: str) -> ActivityRef:
    project_id = pn.project_of.get(activity)
    return ActivityRef(
        type="task" if activity[0] == "t" else "milestone",
        id=int(activity[1:]),
        key=pn.label(activity),
        name=pn.names.get(activity, ""),
        project_id=project_id,
        project_key=pn.project_keys.get(project_id) if project_id else None,
    )


@dataclass(frozen=True)
class PathStep:
    ref: ActivityRef
    early_start: date
    early_finish: date
    total_float: int


@dataclass(frozen=True)
class MilestoneForecast:
    ref: ActivityRef
    target: date | None
    forecast: date  # for an unfed milestone, only the date the scheduler placed it on
    slip: int  # working days past target (negative: ahead)
    total_float: int
    # some work leads to it; without any (*unfed*) ``forecast`` is the program's start or
    # status date, not a forecast, and ``slip`` says nothing (see ``fed_milestones``)
    fed: bool = True


@dataclass(frozen=True)
class ProgramSchedule:
    start: date | None
    finish: date | None
    critical_path: list[PathStep]
    critical_paths: list[list[str]]
    near_critical: list[ActivityRef]
    milestones: list[MilestoneForecast]
    projects_on_critical_path: list[str]


def program_schedule(session: Session, actor: Actor, program_id: int) -> ProgramSchedule:
    """The critical path(s) across projects and each program milestone's forecast."""
    get_program(session, actor, program_id)
    with paused_gc():
        pn = current_network(session, program_id)
        if not pn.network.activities:
            return ProgramSchedule(None, None, [], [], [], [], [])
        result = run_engine(pn)
    steps = []
    for activity in result.critical_path:
        row = result[activity]
        steps.append(
            PathStep(_ref(pn, activity), row.early_start, row.early_finish, row.total_float)
        )
    milestones = []
    calendar = pn.network.default_calendar
    fed = fed_milestones(pn)
    for activity in result.ids:
        if activity[0] != "m":
            continue
        row = result[activity]
        target = pn.targets.get(activity)
        slip = 0
        if target is not None:
            slip = calendar.slip(target, row.early_finish)
        milestones.append(
            MilestoneForecast(
                _ref(pn, activity),
                target,
                row.early_finish,
                slip,
                row.total_float,
                fed=activity in fed,
            )
        )
    # by forecast; the unfed ones, which have none, last (as the milestone pages list them)
    milestones.sort(key=lambda m: (not m.fed, m.forecast, m.ref.key))
    projects = sorted({s.ref.project_key for s in steps if s.ref.project_key})
    return ProgramSchedule(
        start=result.start,
        finish=result.finish,
        critical_path=steps,
        critical_paths=[[pn.label(a) for a in path] for path in result.critical_paths],
        near_critical=[_ref(pn, a) for a in result.near_critical],
        milestones=milestones,
        projects_on_critical_path=projects,
    )


# --- impact analysis ------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRequest:
    """One hypothetical change, as the API and change requests express it."""

    type: Literal["slip", "delay_start", "set_duration", "add_dependency", "remove_dependency"]
    task_id: int | None = None
    days: int | None = None
    predecessor: tuple[str, int] | None = None  # ("task" | "milestone", id)
    successor: tuple[str, int] | None = None
    dependency_type: str = "FS"
    lag: int = 0
    dependency_id: int | None = None


def _end(kind: str, record_id: int) -> str:
    return task_ref(record_id) if kind == "task" else milestone_ref(record_id)


def _dependency_ends(dependency: Dependency) -> tuple[str, str]:
    pred = (
        task_ref(dependency.predecessor_task_id)
        if dependency.predecessor_task_id is not None
        else milestone_ref(dependency.predecessor_milestone_id or 0)
    )
    succ = (
        task_ref(dependency.successor_task_id)
        if dependency.successor_task_id is not None
        else milestone_ref(dependency.successor_milestone_id or 0)
    )
    return pred, succ


def _engine_changes(
    session: Session, pn: ProgramNetwork, changes: list[ChangeRequest]
) -> list[Change]:
    problems: list[dict[str, str]] = []
    out: list[Change] = []
    known = set(pn.labels)
    links = LinkLedger(session)  # refuses an added link as change requests do
    for i, change in enumerate(changes):
        where = f"changes.{i}"
        if change.type in ("slip", "delay_start", "set_duration"):
            if change.task_id is None or task_ref(change.task_id) not in known:
                problems.append(
                    {"field": f"{where}.task_id", "message": "no such task in this program"}
                )
                continue
            if change.days is None:
                problems.append({"field": f"{where}.days", "message": "required"})
                continue
            ref = task_ref(change.task_id)
            if change.type == "slip":
                out.append(Slip(ref, change.days))
            elif change.type == "delay_start":
                out.append(DelayStart(ref, change.days))
            else:
                out.append(SetDuration(ref, change.days))
        elif change.type == "add_dependency":
            pred, succ = change.predecessor, change.successor
            for side, end in (("predecessor", pred), ("successor", succ)):
                if end is None or _end(*end) not in known:
                    problems.append(
                        {
                            "field": f"{where}.{side}",
                            "message": "no such task or milestone in this program",
                        }
                    )
            if pred is None or succ is None or not {_end(*pred), _end(*succ)} <= known:
                continue
            refused = links.add(i, pred, succ)
            if refused is not None:
                problems.append({"field": where, "message": refused})
            else:
                out.append(AddLink(_end(*pred), _end(*succ), change.dependency_type, change.lag))  # type: ignore[arg-type]
        else:
            dependency = (
                session.get(Dependency, change.dependency_id) if change.dependency_id else None
            )
            if dependency is None or dependency.program_id != pn.program_id:
                problems.append(
                    {
                        "field": f"{where}.dependency_id",
                        "message": "no such dependency in this program",
                    }
                )
                continue
            links.remove(dependency.id)
            out.append(RemoveLink(*_dependency_ends(dependency)))
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems), details=problems
        )
    return out


@dataclass(frozen=True)
class MoveView:
    ref: ActivityRef
    early_start_before: date
    early_start_after: date
    early_finish_before: date
    early_finish_after: date
    start_delta: int
    finish_delta: int


@dataclass(frozen=True)
class MissView:
    ref: ActivityRef
    kind: str
    limit: date
    finish_before: date
    finish_after: date
    days_late_before: int
    days_late_after: int
    is_new: bool


@dataclass(frozen=True)
class ImpactView:
    finish_before: date
    finish_after: date
    finish_delta: int
    moves: list[MoveView]
    by_project: dict[str, list[MoveView]]
    milestones: list[MoveView]
    misses: list[MissView]
    projects_affected: list[str]
    # summary tasks whose span moves with their sub-tasks (not counted among the moves)
    summaries: list[MoveView] = dataclasses.field(default_factory=list)


def analyze_program_impact(
    session: Session, actor: Actor, program_id: int, changes: list[ChangeRequest]
) -> ImpactView:
    """What the changes would move, where, and which dates they would miss; nothing is written."""
    get_program(session, actor, program_id, needed=Role.VIEWER)
    with paused_gc():
        pn = current_network(session, program_id)
        engine_changes = _engine_changes(session, pn, changes)
    return _analyze(session, pn, engine_changes)


# the program settings whose change moves the schedule without touching a calendar
PREVIEWED_SETTINGS = ("start_date", "status_date", "calendar_id")


def analyze_settings_impact(
    session: Session, actor: Actor, program_id: int, settings: Mapping[str, Any]
) -> ImpactView:
    """What saving a new program start, status date or default calendar (``settings``; a
    status date of ``None`` clears it, a ``calendar_id`` of ``None`` means the built-in
    Monday–Friday) would move, and which dates it would miss; nothing is written.

    A new default calendar moves the tasks that work to it: those with no calendar of
    their own or of their project. Other settings do not move the schedule."""
    program = get_program(session, actor, program_id, needed=Role.VIEWER)
    for field in ("start_date", "status_date"):
        check_plan_date(field, settings.get(field))
    engine_changes: list[Change] = []
    if "start_date" in settings:
        if settings["start_date"] is None:
            raise ValidationFailed(
                "start_date: a program always has a start",
                details=[{"field": "start_date", "message": "a program always has a start"}],
            )
        engine_changes.append(SetStart(settings["start_date"]))
    if "status_date" in settings:
        engine_changes.append(SetStatusDate(settings["status_date"]))
    recalendared = "calendar_id" in settings and settings["calendar_id"] != program.calendar_id
    if recalendared:
        check_calendar(session, settings["calendar_id"])
    if not engine_changes and not recalendared:
        raise ValidationFailed(
            "give a new start_date, status_date or calendar_id to see what it moves",
            details=[{"field": "start_date", "message": "give a start, status date or calendar"}],
        )
    with paused_gc():
        pn = current_network(session, program_id)
        changed = (
            load_network(session, program_id, calendar_id=settings["calendar_id"])
            if recalendared
            else None
        )
    return _analyze(session, pn, engine_changes, changed=changed)


def _analyze(
    session: Session,
    pn: ProgramNetwork,
    engine_changes: list[Change],
    *,
    changed: ProgramNetwork | None = None,
) -> ImpactView:
    """The impact of ``engine_changes`` on ``pn`` — made to ``changed`` when given: the
    same plan read with other calendars."""
    with paused_gc():
        before = run_engine(pn)
    try:
        with paused_gc():
            baseline = baseline_finishes(session, pn.program_id)
            network = pn.network if changed is None else changed.network
            after = apply_changes(network, engine_changes, before)
            # a milestone no work leads to once the changes are made has no forecast (its
            # date is only the start or status date): it misses no target and no baseline
            unfed = _unfed(pn, after.links)
            impact = compare_networks(
                pn.network,
                after,
                targets={ref: day for ref, day in pn.targets.items() if ref not in unfed},
                baseline_finish={ref: day for ref, day in baseline.items() if ref not in unfed},
                before=before,
            )
    except CycleError as exc:
        keys = [pn.label(a) for a in exc.cycle]
        raise Conflict(
            f"these changes would form a dependency cycle: {' → '.join(keys)}",
            code="dependency_cycle",
            details={"cycle": keys},
        ) from exc
    except InvalidNetwork as exc:
        problems = [pn.in_keys(p) for p in exc.problems]
        raise ValidationFailed(
            "the changes cannot be applied: " + "; ".join(problems),
            details=[{"field": "changes", "message": p} for p in problems],
        ) from exc
    return _impact_view(pn, impact, unfed=unfed)


def _unfed(pn: ProgramNetwork, links: Iterable[Link]) -> set[str]:
    """The program milestones no link of ``links`` leads to."""
    milestones = {ref for ref, project in pn.project_of.items() if project is None}
    return milestones - {link.succ for link in links}


def _impact_view(pn: ProgramNetwork, impact: Impact, *, unfed: Collection[str] = ()) -> ImpactView:
    """The moves and misses of ``impact``; the milestones ``unfed`` after the change are
    not among the moves: they have no forecast to move (only a placeholder date)."""
    moves: list[MoveView] = []
    summaries: list[MoveView] = []
    for m in impact.moves:
        if m.activity in unfed:
            continue
        view = MoveView(
            _ref(pn, m.activity),
            m.early_start_before,
            m.early_start_after,
            m.early_finish_before,
            m.early_finish_after,
            m.start_delta,
            m.finish_delta,
        )
        (summaries if _is_summary(impact, m.activity) else moves).append(view)
    by_project: dict[str, list[MoveView]] = {}
    for move in moves:
        if move.ref.project_key:
            by_project.setdefault(move.ref.project_key, []).append(move)
    misses = [
        MissView(
            _ref(pn, m.activity),
            m.kind,
            m.limit,
            m.finish_before,
            m.finish_after,
            m.days_late_before,
            m.days_late_after,
            m.is_new,
        )
        for m in impact.misses
        if m.days_late_after > m.days_late_before
    ]
    return ImpactView(
        finish_before=impact.before.finish,
        finish_after=impact.after.finish,
        finish_delta=impact.finish_delta,
        moves=moves,
        by_project=by_project,
        milestones=[m for m in moves if m.ref.type == "milestone"],
        misses=misses,
        projects_affected=sorted(by_project),
        summaries=summaries,
    )


def _is_summary(impact: Impact, activity: str) -> bool:
    return bool(impact.before.is_summary[impact.before.index[activity]])


# --- alerts -----------------------------------------------------------------------


def list_alerts(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    status: Literal["open", "resolved", "all"] = "open",
    cross_project: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """A program's schedule alerts, newest first."""
    get_program(session, actor, program_id)
    query = select(Alert).where(Alert.program_id == program_id)
    if status == "open":
        query = query.where(Alert.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(Alert.resolved_at.is_not(None))
    if cross_project is not None:
        query = query.where(Alert.cross_project.is_(cross_project))
    query = query.order_by(Alert.first_detected_at.desc(), Alert.id.desc())
    return paginate(session, query, limit=limit, offset=offset)
