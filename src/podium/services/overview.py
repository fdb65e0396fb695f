"""Read-only views for the program pages: the programs list and the program overview.

Everything here reads what the scheduler stored (program and project spans,
milestone forecasts, task floats, open alerts) and aggregates in SQL, so that
a page costs a fixed handful of queries whatever the size of the program.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from podium.engine import WorkCalendar
from podium.models import Program, Project, Role, Task
from podium.services import programs
from podium.services.actor import Actor, require_role
from podium.services.forecasts import ForecastGlance, forecast_glance, forecast_glances
from podium.services.pages_schedule import (
    AlertRow,
    FinishVsTarget,
    MilestoneRow,
    milestone_rows,
    next_milestone,
    open_alert_counts,
    open_alerts,
    open_cross_project_alert_count,
)
from podium.services.tasks.rollup import finished_leaf, summaries_with_work_left
from podium.services.work_calendars import calendars_by_id

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)

ALERTS_SHOWN = 8
MAX_ALERTS_SHOWN = 500  # "show all" (a program with more reads them through the API)


# --- projects -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """One project of a program with its schedule span and task counts."""

    id: int
    key: str
    name: str
    description: str
    start_date: date | None
    scheduled_start: date | None
    scheduled_finish: date | None
    task_count: int
    critical_count: int
    done_count: int


def project_summaries(session: Session, program_id: int) -> list[ProjectSummary]:
    """Every project of a program with its counts, in one grouped query (and two for the
    summary tasks done: those whose sub-tasks all are, as the scheduler reads them)."""
    child = _CHILD
    is_leaf = ~exists().where(child.parent_id == Task.id)
    counts = (
        select(
            Task.project_id,
            func.count(Task.id).label("tasks"),
            func.sum(case((Task.is_critical.is_(True), 1), else_=0)).label("critical"),
            func.sum(case((finished_leaf() & is_leaf, 1), else_=0)).label("done"),
        )
        .where(Task.program_id == program_id)
        .group_by(Task.project_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Project,
            func.coalesce(counts.c.tasks, 0),
            func.coalesce(counts.c.critical, 0),
            func.coalesce(counts.c.done, 0),
        )
        .outerjoin(counts, counts.c.project_id == Project.id)
        .where(Project.program_id == program_id)
        .order_by(Project.position, Project.key)
    ).all()
    left = summaries_with_work_left(session, program_id)
    summaries_done = Counter(
        project
        for task_id, project in session.execute(
            select(Task.id, Task.project_id).where(Task.program_id == program_id, ~is_leaf)
        )
        if task_id not in left
    )
    return [
        ProjectSummary(
            id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            start_date=p.start_date,
            scheduled_start=p.scheduled_start,
            scheduled_finish=p.scheduled_finish,
            task_count=int(tasks),
            critical_count=int(critical),
            done_count=int(done) + summaries_done[p.id],
        )
        for p, tasks, critical, done in rows
    ]


# --- the program overview ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member of a program and their role."""

    user_id: int
    name: str
    email: str
    role: Role


@dataclass(frozen=True, slots=True)
class ProgramOverview:
    """What the program overview page shows, as seen by one actor."""

    program: Program
    role: Role
    finish: FinishVsTarget
    milestones: list[MilestoneRow]
    alerts: list[AlertRow]
    open_alert_count: int
    open_cross_project_alert_count: int
    projects: list[ProjectSummary]
    members: list[MemberView]
    glance: ForecastGlance | None = None  # the newest Monte Carlo forecast, if any

    @property
    def goal_change_percent(self) -> float | None:
        """Target against baseline, in percent (-30.0 for 1200 → 840), when both are set."""
        baseline = self.program.goal_baseline_value
        target = self.program.goal_target_value
        if baseline is None or target is None or baseline == 0:
            return None
        return (target - baseline) / abs(baseline) * 100

    @property
    def next_milestone(self) -> MilestoneRow | None:
        return next_milestone(self.milestones)

    @property
    def late_milestones(self) -> list[MilestoneRow]:
        return [m for m in self.milestones if m.state == "late"]

    @property
    def doubtful_milestones(self) -> list[MilestoneRow]:
        """The milestones the plan has on track whose P80 in the newest Monte Carlo forecast
        falls past their target (less than 80 % likely by then)."""
        glance = self.glance
        if glance is None:
            return []
        return [m for m in self.milestones if glance.p80_past_target(m)]

    @property
    def critical_projects(self) -> list[str]:
        return [p.key for p in self.projects if p.critical_count]


def program_calendar(session: Session, program: Program) -> WorkCalendar:
    """The working calendar program-level slips are counted in (Mon–Fri without one)."""
    return calendars_by_id(session, [program.calendar_id]).get(
        program.calendar_id or 0, WorkCalendar()
    )


def program_overview(
    session: Session, actor: Actor, program_id: int, *, all_alerts: bool = False
) -> ProgramOverview:
    """The program, its forecast against its goal, milestones, open alerts (the
    :data:`ALERTS_SHOWN` most severe, or with ``all_alerts`` up to :data:`MAX_ALERTS_SHOWN`),
    projects, members.

    A program the actor cannot see is ``NotFound``, as everywhere.
    """
    role = require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None  # require_role checked it exists
    calendar = program_calendar(session, program)
    members = [
        MemberView(user_id=u.id, name=u.name or u.email, email=u.email, role=m.role)
        for m, u in programs.list_members(session, actor, program_id)
    ]
    members.sort(key=lambda m: (-m.role.rank, m.name.lower(), m.email))
    limit = MAX_ALERTS_SHOWN if all_alerts else ALERTS_SHOWN
    alerts, alert_count = open_alerts(session, program_id, limit=limit)
    return ProgramOverview(
        program=program,
        role=role,
        finish=FinishVsTarget.of(calendar, program.scheduled_finish, program.goal_target_date),
        milestones=milestone_rows(session, [program_id], {program_id: calendar})[program_id],
        alerts=alerts,
        open_alert_count=alert_count,
        open_cross_project_alert_count=open_cross_project_alert_count(session, program_id),
        projects=project_summaries(session, program_id),
        members=members,
        glance=forecast_glance(session, program_id),
    )


# --- the programs list ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgramListItem:
    """One row of the programs list."""

    program: Program
    finish: FinishVsTarget
    next_milestone: MilestoneRow | None
    milestone_count: int
    open_alerts: int
    glance: ForecastGlance | None = None  # the newest Monte Carlo forecast, if any


def program_list(
    session: Session, actor: Actor, *, limit: int, offset: int
) -> tuple[list[ProgramListItem], int]:
    """One page of the actor's programs, each with its forecast (and the newest Monte
    Carlo forecast's odds), next milestone and alerts.

    A fixed number of queries for the whole page (no per-program queries).
    """
    items, total = programs.list_programs(session, actor, limit=limit, offset=offset)
    ids = [p.id for p in items]
    found = calendars_by_id(session, [p.calendar_id for p in items])
    calendars = {p.id: found.get(p.calendar_id or 0, WorkCalendar()) for p in items}
    milestones = milestone_rows(session, ids, calendars)
    alerts = open_alert_counts(session, ids)
    glances = forecast_glances(session, ids)
    return [
        ProgramListItem(
            program=p,
            finish=FinishVsTarget.of(calendars[p.id], p.scheduled_finish, p.goal_target_date),
            next_milestone=next_milestone(milestones[p.id]),
            milestone_count=len(milestones[p.id]),
            open_alerts=alerts.get(p.id, 0),
            glance=glances.get(p.id),
        )
        for p in items
    ], total
