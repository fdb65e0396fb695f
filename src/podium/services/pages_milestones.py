"""What the milestone pages show: a program's milestones, and one milestone's work.

A program milestone is reached when the work that feeds it — tasks and other
milestones, in any project — is done. The list says, for each, its target, the
scheduler's forecast, the slip in working days and which projects feed it; a
milestone's page adds that work one link at a time with its dates, and marks the
work that comes in last (what sets the forecast).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Dependency, Milestone, Program, Role, Task
from podium.services.actor import Actor, require_role, role_in
from podium.services.dependencies import (
    DependencyView,
    describe_dependencies,
    predecessors_of_milestones,
)
from podium.services.forecasts import ForecastGlance, forecast_glance
from podium.services.milestones import get_milestone
from podium.services.overview import program_calendar
from podium.services.pages_schedule import MilestoneRow, milestone_rows
from podium.services.tasks.rollup import finished_tasks


@dataclass(frozen=True, slots=True)
class Dates:
    """The scheduled dates of one end of a link, and whether its work is done."""

    early_start: date | None
    early_finish: date | None
    total_float: int | None
    is_critical: bool
    done: bool


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A dependency into or out of the milestone, with the other end's dates."""

    view: DependencyView
    dates: Dates
    last_in: bool = False  # among the predecessors, the one finishing last


@dataclass(frozen=True, slots=True)
class ProgramMilestones:
    """A program's milestones (by forecast) and the projects that feed each."""

    program: Program
    rows: list[MilestoneRow]
    fed_by: dict[int, list[str]]  # milestone id → project keys, sorted
    links: dict[int, int]  # milestone id → number of dependencies into it
    can_edit: bool
    glance: ForecastGlance | None = None  # the newest Monte Carlo forecast: the P80s


@dataclass(frozen=True, slots=True)
class MilestonePage:
    """One milestone: its forecast against its target, what feeds it, what waits on it."""

    program: Program
    milestone: Milestone
    row: MilestoneRow
    predecessors: list[LinkRow]
    successors: list[LinkRow]
    can_edit: bool
    glance: ForecastGlance | None = None  # the newest Monte Carlo forecast: the P80s


def _can_edit(session: Session, actor: Actor, program: Program) -> bool:
    role = role_in(session, actor, program.id)
    return role is not None and role.rank >= Role.MANAGER.rank and program.scenario_of_id is None


def program_milestones(session: Session, actor: Actor, program_id: int) -> ProgramMilestones:
    """The milestones page of a program (anyone in it)."""
    require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None  # require_role found it
    rows = milestone_rows(session, [program_id], {program_id: program_calendar(session, program)})
    into = predecessors_of_milestones(session, [m.id for m in rows[program_id]])
    fed_by = {
        m: sorted({v.predecessor.project_key for v in views if v.predecessor.project_key})
        for m, views in into.items()
    }
    links = {m: len(views) for m, views in into.items()}
    return ProgramMilestones(
        program,
        rows[program_id],
        fed_by,
        links,
        _can_edit(session, actor, program),
        forecast_glance(session, program_id),
    )


def _dates(
    session: Session, views: Collection[DependencyView], reached: Collection[int]
) -> dict[tuple[str, int], Dates]:
    """The dates of every end of ``views`` (three queries); ``reached``: the program's
    milestones reached."""
    task_ids = {e.id for v in views for e in (v.predecessor, v.successor) if e.type == "task"}
    milestone_ids = {
        e.id for v in views for e in (v.predecessor, v.successor) if e.type == "milestone"
    }
    found: dict[tuple[str, int], Dates] = {}
    if task_ids:
        finished = finished_tasks(session, task_ids)  # a summary: when its sub-tasks all are
        for t in session.execute(
            select(
                Task.id, Task.early_start, Task.early_finish, Task.total_float, Task.is_critical,
            ).where(Task.id.in_(task_ids))
        ):  # fmt: skip
            found[("task", t.id)] = Dates(
                t.early_start, t.early_finish, t.total_float, bool(t.is_critical), t.id in finished
            )
    if milestone_ids:
        for m in session.execute(
            select(
                Milestone.id, Milestone.early_start, Milestone.early_finish,
                Milestone.total_float, Milestone.is_critical,
            ).where(Milestone.id.in_(milestone_ids))
        ):  # fmt: skip
            found[("milestone", m.id)] = Dates(
                m.early_start, m.early_finish, m.total_float, bool(m.is_critical), m.id in reached
            )
    return found


def milestone_page(session: Session, actor: Actor, milestone_id: int) -> MilestonePage:
    """One milestone's page (anyone in its program)."""
    milestone = get_milestone(session, actor, milestone_id)
    program = session.get(Program, milestone.program_id)
    assert program is not None  # a milestone belongs to a program
    rows = milestone_rows(session, [program.id], {program.id: program_calendar(session, program)})[
        program.id
    ]
    row = next(r for r in rows if r.id == milestone.id)
    touching = list(
        session.scalars(
            select(Dependency)
            .where(
                (Dependency.successor_milestone_id == milestone.id)
                | (Dependency.predecessor_milestone_id == milestone.id)
            )
            .order_by(Dependency.id)
        )
    )
    views = describe_dependencies(session, touching)
    dates = _dates(session, views, {r.id for r in rows if r.reached})
    into = [v for v in views if v.successor.type == "milestone" and v.successor.id == milestone.id]
    out = [v for v in views if v not in into]
    before = {v.dependency.id: dates[(v.predecessor.type, v.predecessor.id)] for v in into}
    latest = max((d.early_finish for d in before.values() if d.early_finish), default=None)
    predecessors = sorted(
        (
            LinkRow(
                v,
                before[v.dependency.id],
                last_in=latest is not None and before[v.dependency.id].early_finish == latest,
            )
            for v in into
        ),
        key=lambda r: (r.dates.early_finish or date.min, r.view.predecessor.key),
        reverse=True,
    )
    successors = [LinkRow(v, dates[(v.successor.type, v.successor.id)]) for v in out]
    return MilestonePage(
        program,
        milestone,
        row,
        predecessors,
        successors,
        _can_edit(session, actor, program),
        forecast_glance(session, program.id),
    )
