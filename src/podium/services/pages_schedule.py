"""Schedule facts the pages read: forecasts against targets, milestones, open alerts.

Everything is read from what the scheduler stored (milestone forecasts, open
alerts) in a fixed number of queries for any number of programs or tasks;
differences between dates are in working days of the program's calendar,
counted as the schedule API counts a milestone's slip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Self

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.models import Alert, Dependency, Milestone
from podium.services.scheduling.alerts import COLLIDING_KINDS, collision_words, other_programs
from podium.services.tasks.rollup import finished_tasks

# --- dates against targets ------------------------------------------------------


def working_days_late(calendar: WorkCalendar, forecast: date, target: date) -> int:
    """Working days ``forecast`` falls after ``target`` (negative: ahead), as the API's slip."""
    return calendar.slip(target, forecast)


FinishState = Literal["late", "on_time", "ahead", "no_target", "not_scheduled"]


@dataclass(frozen=True, slots=True)
class FinishVsTarget:
    """A forecast against its target, in working days (positive: late)."""

    forecast: date | None
    target: date | None
    days: int | None

    @classmethod
    def of(cls, calendar: WorkCalendar, forecast: date | None, target: date | None) -> Self:
        days = None
        if forecast is not None and target is not None:
            days = working_days_late(calendar, forecast, target)
        return cls(forecast, target, days)

    @property
    def state(self) -> FinishState:
        if self.forecast is None:
            return "not_scheduled"
        if self.days is None:
            return "no_target"
        return "late" if self.days > 0 else "on_time" if self.days == 0 else "ahead"


# --- milestones -----------------------------------------------------------------

MilestoneState = Literal["reached", "late", "on_track", "no_target", "not_scheduled", "unfed"]


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A program milestone: its target, the stored forecast, and whether its work is done."""

    id: int
    key: str
    name: str
    target: date | None
    forecast: date | None
    slip: int | None  # working days past target (negative: ahead)
    total_float: int | None
    reached: bool
    fed: bool = True  # some work leads to it (without any, its forecast is the start)

    @property
    def forecast_shown(self) -> date | None:
        """The forecast as people read it: none while no work leads to the milestone (its
        stored date is then only the program's start or status date, not a forecast)."""
        return self.forecast if self.fed else None

    @property
    def state(self) -> MilestoneState:
        if self.reached:
            return "reached"
        if not self.fed:
            return "unfed"
        if self.forecast is None:
            return "not_scheduled"
        if self.slip is None:
            return "no_target"
        return "late" if self.slip > 0 else "on_track"


def _reached(session: Session, milestone_ids: Collection[int]) -> set[int]:
    """Milestones whose every predecessor is done (finished tasks, summary tasks whose
    sub-tasks all are, reached milestones), as the scheduler reaches them.

    A milestone with no predecessors is never reached: nothing says its work is done.
    """
    if not milestone_ids:
        return set()
    rows = session.execute(
        select(
            Dependency.successor_milestone_id,
            Dependency.predecessor_task_id,
            Dependency.predecessor_milestone_id,
        ).where(Dependency.successor_milestone_id.in_(list(milestone_ids)))
    ).all()
    finished = finished_tasks(
        session, {r.predecessor_task_id for r in rows if r.predecessor_task_id is not None}
    )
    tasks_done: dict[int, bool] = {}
    milestone_preds: dict[int, list[int]] = defaultdict(list)
    for successor_id, task_id, pred_milestone_id in rows:
        assert successor_id is not None  # the query asks for dependencies into milestones
        milestone_id = successor_id
        if task_id is not None:
            done = task_id in finished
            tasks_done[milestone_id] = tasks_done.get(milestone_id, True) and done
        else:
            assert pred_milestone_id is not None  # one end is a task, or else a milestone
            milestone_preds[milestone_id].append(pred_milestone_id)
            tasks_done.setdefault(milestone_id, True)

    memo: dict[int, bool] = {}

    def reached(milestone_id: int, seen: frozenset[int] = frozenset()) -> bool:
        if milestone_id in memo:
            return memo[milestone_id]
        if milestone_id not in tasks_done or milestone_id in seen:
            return False
        ok = tasks_done[milestone_id] and all(
            reached(p, seen | {milestone_id}) for p in milestone_preds[milestone_id]
        )
        memo[milestone_id] = ok
        return ok

    return {m for m in milestone_ids if reached(m)}


def milestone_rows(
    session: Session, program_ids: Collection[int], calendars: dict[int, WorkCalendar]
) -> dict[int, list[MilestoneRow]]:
    """Each program's milestones by forecast (then key), with slips in its calendar."""
    result: dict[int, list[MilestoneRow]] = {p: [] for p in program_ids}
    if not program_ids:
        return result
    rows = session.execute(
        select(
            Milestone.id,
            Milestone.program_id,
            Milestone.key,
            Milestone.name,
            Milestone.target_date,
            Milestone.early_finish,
            Milestone.total_float,
        ).where(Milestone.program_id.in_(list(program_ids)))
    ).all()
    reached = _reached(session, [r.id for r in rows])
    fed = set(
        session.scalars(
            select(Dependency.successor_milestone_id)
            .where(Dependency.successor_milestone_id.in_([r.id for r in rows]))
            .distinct()
        )
    )
    for r in rows:
        calendar = calendars[r.program_id]
        slip = None  # nothing feeds it: its date is the program's start, not a forecast
        if r.early_finish is not None and r.target_date is not None and r.id in fed:
            slip = working_days_late(calendar, r.early_finish, r.target_date)
        result[r.program_id].append(
            MilestoneRow(
                id=r.id,
                key=r.key,
                name=r.name,
                target=r.target_date,
                forecast=r.early_finish,
                slip=slip,
                total_float=r.total_float,
                reached=r.id in reached,
                fed=r.id in fed,
            )
        )
    for rows_of in result.values():
        rows_of.sort(key=lambda m: (m.forecast_shown or date.max, m.key))
    return result


def next_milestone(milestones: Iterable[MilestoneRow]) -> MilestoneRow | None:
    """The milestone not yet reached that is due first: by its target date (its forecast
    when it has none), so a late one is not hidden behind a later one on track.

    One no work leads to yet comes only when every open milestone is like it: it has no
    forecast to watch, and work is on its way to the others."""
    open_ = [m for m in milestones if not m.reached]
    return min(
        open_,
        key=lambda m: (
            not m.fed,
            m.target or m.forecast_shown or date.max,
            m.forecast_shown or date.max,
            m.key,
        ),
        default=None,
    )


# --- alerts ---------------------------------------------------------------------

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One activity on an alert's chain, upstream first."""

    type: str
    id: int
    key: str
    name: str
    project_key: str | None


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An open schedule alert, as the overview shows it."""

    id: int
    severity: str
    kind: str
    title: str
    message: str
    cross_project: bool
    projects: list[str]
    chain: list[ChainStep]
    days_late: int | None
    forecast: date | None
    limit: date | None
    first_detected_at: datetime
    url: str | None = None  # the page of the record the alert is about, when it has one
    # the chain lists tasks that collide on one resource (overlap in time), not driving
    # work; ``collision`` is what follows their keys (``collide``, ``and work in …``)
    colliding: bool = False
    collision: str = ""

    @property
    def chain_by_project(self) -> list[tuple[str | None, list[ChainStep]]]:
        """The chain cut where it changes project (milestones belong to none)."""
        groups: list[tuple[str | None, list[ChainStep]]] = []
        for step in self.chain:
            if groups and groups[-1][0] == step.project_key:
                groups[-1][1].append(step)
            else:
                groups.append((step.project_key, [step]))
        return groups


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _step_id(step: dict[str, Any]) -> int:
    """A chain step's record id; over-allocation alerts stored before their steps
    carried one name it by ``ref`` alone (``t42``)."""
    if "id" in step:
        return int(step["id"])
    ref = str(step.get("ref", ""))
    return int(ref[1:]) if ref[1:].isdecimal() else 0


def _alert_row(alert: Alert) -> AlertRow:
    details = alert.details if isinstance(alert.details, dict) else {}
    colliding = alert.kind in COLLIDING_KINDS
    days = details.get("days_late")
    chain = [
        ChainStep(
            type=str(step.get("type", "task")),
            id=_step_id(step),
            key=str(step.get("key", "")),
            name=str(step.get("name", "")),
            project_key=step.get("project_key"),
        )
        for step in (alert.chain or [])
    ]
    return AlertRow(
        id=alert.id,
        severity=alert.severity.value,
        kind=alert.kind.value,
        title=alert.title,
        message=alert.message,
        cross_project=alert.cross_project,
        projects=list(alert.projects or []),
        chain=chain,
        days_late=int(days) if isinstance(days, int | float) else None,
        forecast=_day(details.get("forecast")),
        limit=_day(details.get("limit")),
        first_detected_at=alert.first_detected_at,
        url=details["url"] if isinstance(details.get("url"), str) else None,
        colliding=colliding,
        collision=collision_words(len(chain), other_programs(alert)) if colliding else "",
    )


def _severity_order() -> Any:
    return case({name: rank for name, rank in SEVERITY_RANK.items()}, value=Alert.severity, else_=9)


def open_alerts(session: Session, program_id: int, *, limit: int) -> tuple[list[AlertRow], int]:
    """The most severe open alerts of a program (most severe, then newest) and how many are open."""
    is_open = (Alert.program_id == program_id) & Alert.resolved_at.is_(None)
    total = session.scalar(select(func.count(Alert.id)).where(is_open)) or 0
    alerts = session.scalars(
        select(Alert)
        .where(is_open)
        .order_by(_severity_order(), Alert.first_detected_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    rows = [_alert_row(a) for a in alerts]
    rows.sort(key=lambda a: (SEVERITY_RANK.get(a.severity, 9), -(a.days_late or 0)))
    return rows, total


def open_cross_project_alert_count(session: Session, program_id: int) -> int:
    """How many of a program's open alerts cross projects (shown or not)."""
    return (
        session.scalar(
            select(func.count(Alert.id)).where(
                Alert.program_id == program_id,
                Alert.resolved_at.is_(None),
                Alert.cross_project.is_(True),
            )
        )
        or 0
    )


def open_alert_counts(session: Session, program_ids: Collection[int]) -> dict[int, int]:
    if not program_ids:
        return {}
    rows = session.execute(
        select(Alert.program_id, func.count(Alert.id))
        .where(Alert.program_id.in_(list(program_ids)), Alert.resolved_at.is_(None))
        .group_by(Alert.program_id)
    )
    return {program_id: int(n) for program_id, n in rows}
