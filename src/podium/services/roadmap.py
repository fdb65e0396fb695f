"""Read-only views of a whole program's plan for the roadmap, dependency map and impact pages.

:func:`program_plan` reads every project, task, program milestone and
dependency of a program with one column query per kind of record (no ORM
objects, no query per row), so a program of 10 000 tasks loads in a fraction
of a second. :func:`reach_of` walks its dependencies from one task or
milestone: everything it blocks and everything that blocks it, transitively.
:func:`impact_choices` lists the tasks the impact page can slip.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from podium.errors import NotFound
from podium.models import (
    BaselineItem,
    Calendar,
    Dependency,
    Milestone,
    Program,
    Project,
    Role,
    Task,
)
from podium.services.actor import Actor, require_role
from podium.services.baselines import current_baseline
from podium.services.tasks.rollup import rolled_up_rows
from podium.services.work_calendars import WORK_COLUMNS, stored_dates

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)

NodeType = Literal["task", "milestone"]


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """The program a plan belongs to, with its computed span."""

    id: int
    key: str
    name: str
    start_date: date
    scheduled_start: date | None
    scheduled_finish: date | None


@dataclass(frozen=True, slots=True)
class ProjectRow:
    id: int
    key: str
    name: str
    scheduled_start: date | None
    scheduled_finish: date | None


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task with its computed dates; ``node`` is its id in links (``t12``)."""

    id: int
    key: str
    name: str
    project_id: int
    parent_id: int | None
    wbs: str
    duration: int
    is_milestone: bool
    is_summary: bool
    constraint_type: str
    constraint_date: date | None
    deadline: date | None
    percent_complete: float
    early_start: date | None
    early_finish: date | None
    total_float: int | None
    is_critical: bool
    version: int

    @property
    def node(self) -> str:
        return f"t{self.id}"


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A program milestone: its target and the forecast the scheduler computed."""

    id: int
    key: str
    name: str
    target_date: date | None
    early_finish: date | None  # for an unfed one, the start or status date it is placed on
    total_float: int | None
    is_critical: bool
    fed: bool = True  # some work leads to it (see :attr:`forecast`)

    @property
    def node(self) -> str:
        return f"m{self.id}"

    @property
    def forecast(self) -> date | None:
        """Its forecast: none while no work leads to it (*unfed*): the scheduler then only
        places it on the program's start or status date, which is not a forecast."""
        return self.early_finish if self.fed else None


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A dependency between two nodes (``t<id>`` / ``m<id>``)."""

    id: int
    predecessor: str
    successor: str
    type: str
    lag: int
    cross_project: bool


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """The program's default calendar: ``weekmask`` Monday first, its holidays and its
    extra working days."""

    weekmask: str
    holidays: list[date]
    extra_workdays: list[date] = field(default_factory=list)


@dataclass
class ProgramPlan:
    """Everything the plan pages draw, as plain values, in display order."""

    program: ProgramInfo
    role: Role
    projects: list[ProjectRow]
    tasks: list[TaskRow]  # project order, then WBS order
    milestones: list[MilestoneRow]  # by forecast (target when it has none), then key
    links: list[LinkRow]
    calendar: WorkWeek
    baseline_name: str | None = None
    # the current baseline's (start, finish) per task id, for the baseline bars
    baseline: dict[int, tuple[date | None, date | None]] = field(default_factory=dict)

    @property
    def can_edit(self) -> bool:
        """Whether the viewer may change dates and durations (managers and owners)."""
        return can_edit(self.role)


def can_edit(role: Role) -> bool:
    """Whether a role may move tasks on the roadmap (the API's rule for task dates)."""
    return role.rank >= Role.MANAGER.rank


def _wbs_order(wbs: str) -> tuple[int, ...]:
    return tuple(int(part) for part in wbs.split(".") if part.isdecimal())


def _work_week(session: Session, calendar_id: int | None) -> WorkWeek:
    if calendar_id is None:
        return WorkWeek("1111100", [])
    row = session.execute(select(*WORK_COLUMNS).where(Calendar.id == calendar_id)).one_or_none()
    if row is None:
        return WorkWeek("1111100", [])
    return WorkWeek(row.weekmask, stored_dates(row.holidays), stored_dates(row.extra_workdays))


def _node(task_id: int | None, milestone_id: int | None) -> str:
    return f"t{task_id}" if task_id is not None else f"m{milestone_id}"


def _program_info(session: Session, program_id: int) -> tuple[ProgramInfo, int | None]:
    row = session.execute(
        select(
            Program.id,
            Program.key,
            Program.name,
            Program.start_date,
            Program.scheduled_start,
            Program.scheduled_finish,
            Program.calendar_id,
        ).where(Program.id == program_id)
    ).one()
    info = ProgramInfo(
        row.id, row.key, row.name, row.start_date, row.scheduled_start, row.scheduled_finish
    )
    return info, row.calendar_id


def _projects(session: Session, program_id: int) -> list[ProjectRow]:
    return [
        ProjectRow(p.id, p.key, p.name, p.scheduled_start, p.scheduled_finish)
        for p in session.execute(
            select(
                Project.id,
                Project.key,
                Project.name,
                Project.scheduled_start,
                Project.scheduled_finish,
            )
            .where(Project.program_id == program_id)
            .order_by(Project.position, Project.key)
        )
    ]


def plan_header(session: Session, actor: Actor, program_id: int) -> tuple[ProgramInfo, Role]:
    """The program and the actor's role in it, for a page heading (404 to non-members)."""
    role = require_role(session, actor, program_id, Role.VIEWER)
    return _program_info(session, program_id)[0], role


def program_plan(session: Session, actor: Actor, program_id: int) -> ProgramPlan:
    """A program's projects, tasks, milestones and dependencies for its viewer (404 to others)."""
    role = require_role(session, actor, program_id, Role.VIEWER)
    program, calendar_id = _program_info(session, program_id)
    baseline = current_baseline(session, program_id)
    planned: dict[int, tuple[date | None, date | None]] = {}
    if baseline is not None:
        for record_id, start, finish in session.execute(
            select(BaselineItem.record_id, BaselineItem.start, BaselineItem.finish).where(
                BaselineItem.baseline_id == baseline.id, BaselineItem.kind == "task"
            )
        ):
            planned[record_id] = (start, finish)
    projects = _projects(session, program_id)
    task_rows = session.execute(
        select(
            Task.id,
            Task.key,
            Task.name,
            Task.project_id,
            Task.parent_id,
            Task.wbs,
            Task.duration,
            Task.is_milestone,
            Task.constraint_type,
            Task.constraint_date,
            Task.deadline,
            Task.percent_complete,
            Task.early_start,
            Task.early_finish,
            Task.total_float,
            Task.is_critical,
            Task.version,
            Task.actual_start,
            Task.actual_finish,
            Task.budget,
            Task.actual_cost,
        ).where(Task.program_id == program_id)
    ).all()
    parents = {t.parent_id for t in task_rows if t.parent_id is not None}
    rolled = rolled_up_rows(session, task_rows)  # a summary's span and progress
    project_rank = {p.id: i for i, p in enumerate(projects)}
    tasks = [
        TaskRow(
            id=t.id,
            key=t.key,
            name=t.name,
            project_id=t.project_id,
            parent_id=t.parent_id,
            wbs=t.wbs,
            duration=rolled[t.id].duration if t.id in rolled else t.duration,
            is_milestone=t.is_milestone,
            is_summary=t.id in parents,
            constraint_type=str(t.constraint_type.value),
            constraint_date=t.constraint_date,
            deadline=t.deadline,
            percent_complete=(
                rolled[t.id].percent_complete if t.id in rolled else float(t.percent_complete or 0)
            ),
            early_start=t.early_start,
            early_finish=t.early_finish,
            total_float=t.total_float,
            is_critical=bool(t.is_critical),
            version=t.version,
        )
        for t in task_rows
    ]
    tasks.sort(key=lambda t: (project_rank.get(t.project_id, 0), _wbs_order(t.wbs), t.id))
    project_of = {t.id: t.project_id for t in tasks}
    links = []
    for d in session.execute(
        select(
            Dependency.id,
            Dependency.predecessor_task_id,
            Dependency.predecessor_milestone_id,
            Dependency.successor_task_id,
            Dependency.successor_milestone_id,
            Dependency.type,
            Dependency.lag,
        )
        .where(Dependency.program_id == program_id)
        .order_by(Dependency.id)
    ):
        before = project_of.get(d.predecessor_task_id) if d.predecessor_task_id else None
        after = project_of.get(d.successor_task_id) if d.successor_task_id else None
        links.append(
            LinkRow(
                id=d.id,
                predecessor=_node(d.predecessor_task_id, d.predecessor_milestone_id),
                successor=_node(d.successor_task_id, d.successor_milestone_id),
                type=str(d.type.value),
                lag=d.lag,
                cross_project=before is not None and after is not None and before != after,
            )
        )
    fed = {link.successor for link in links if link.successor[0] == "m"}
    milestones = [
        MilestoneRow(
            m.id,
            m.key,
            m.name,
            m.target_date,
            m.early_finish,
            m.total_float,
            bool(m.is_critical),
            fed=f"m{m.id}" in fed,
        )
        for m in session.execute(
            select(
                Milestone.id,
                Milestone.key,
                Milestone.name,
                Milestone.target_date,
                Milestone.early_finish,
                Milestone.total_float,
                Milestone.is_critical,
            ).where(Milestone.program_id == program_id)
        )
    ]
    # by forecast (an unfed one by its target: it has no forecast), then key
    milestones.sort(key=lambda m: (m.forecast or m.target_date or date.max, m.key))
    return ProgramPlan(
        program=program,
        role=role,
        projects=projects,
        tasks=tasks,
        milestones=milestones,
        links=links,
        calendar=_work_week(session, calendar_id),
        baseline_name=baseline.name if baseline else None,
        baseline=planned,
    )


# --- what a node blocks, and what blocks it --------------------------------------


@dataclass(frozen=True, slots=True)
class Reached:
    """A task or milestone, ``steps`` links away from the chosen node (0: the node itself)."""

    node: str
    type: NodeType
    key: str
    name: str
    project_key: str | None  # None: a program milestone
    early_start: date | None
    early_finish: date | None
    is_critical: bool
    steps: int = 0


@dataclass(frozen=True, slots=True)
class ReachGroup:
    """The reached nodes of one project (or of the program, for program milestones)."""

    project_key: str | None
    project_name: str
    nodes: list[Reached]


@dataclass(frozen=True, slots=True)
class Reach:
    """What one node blocks (successors) and what blocks it (predecessors), transitively."""

    node: Reached
    project_name: str
    blocks: list[ReachGroup]
    blocked_by: list[ReachGroup]

    @property
    def blocks_count(self) -> int:
        return sum(len(g.nodes) for g in self.blocks)

    @property
    def blocked_by_count(self) -> int:
        return sum(len(g.nodes) for g in self.blocked_by)


def describe_nodes(plan: ProgramPlan) -> dict[str, Reached]:
    """Every task and program milestone of the plan, by node id."""
    keys = {p.id: p.key for p in plan.projects}
    nodes = {
        t.node: Reached(
            t.node,
            "task",
            t.key,
            t.name,
            keys.get(t.project_id),
            t.early_start,
            t.early_finish,
            t.is_critical,
        )
        for t in plan.tasks
    }
    for m in plan.milestones:  # an unfed one has no forecast: no date
        nodes[m.node] = Reached(
            m.node, "milestone", m.key, m.name, None, m.forecast, m.forecast, m.is_critical
        )
    return nodes


def _walk(start: str, edges: Mapping[str, list[str]]) -> dict[str, int]:
    """Breadth-first: every node reachable from ``start``, with the fewest links to it."""
    steps = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in edges.get(here, ()):
            if there not in steps:
                steps[there] = steps[here] + 1
                queue.append(there)
    del steps[start]
    return steps


def _grouped(
    plan: ProgramPlan, found: Mapping[str, int], nodes: Mapping[str, Reached]
) -> list[ReachGroup]:
    names = {p.key: p.name for p in plan.projects}
    order = {p.key: i for i, p in enumerate(plan.projects)}
    by_project: dict[str | None, list[Reached]] = defaultdict(list)
    for node, steps in found.items():
        by_project[nodes[node].project_key].append(replace(nodes[node], steps=steps))
    return [
        ReachGroup(
            key,
            names.get(key, "") if key else "Program milestones",
            sorted(by_project[key], key=lambda r: (r.early_start or date.max, r.key)),
        )
        for key in sorted(by_project, key=lambda k: order.get(k, len(order)) if k else len(order))
    ]


def reach_of(plan: ProgramPlan, node: str) -> Reach:
    """What ``node`` blocks and what blocks it, through every dependency of the program."""
    nodes = describe_nodes(plan)
    if node not in nodes:
        raise NotFound(f"{node} is not a task or milestone of this program")
    forward: dict[str, list[str]] = defaultdict(list)
    backward: dict[str, list[str]] = defaultdict(list)
    for link in plan.links:
        forward[link.predecessor].append(link.successor)
        backward[link.successor].append(link.predecessor)
    project = nodes[node].project_key
    return Reach(
        node=nodes[node],
        project_name=next((p.name for p in plan.projects if p.key == project), ""),
        blocks=_grouped(plan, _walk(node, forward), nodes),
        blocked_by=_grouped(plan, _walk(node, backward), nodes),
    )


# --- the impact page's chooser ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskChoice:
    """A task that can slip (not a summary), as the impact page's chooser lists it."""

    id: int
    key: str
    name: str
    project_key: str
    duration: int
    is_milestone: bool
    early_start: date | None
    early_finish: date | None
    is_critical: bool


@dataclass(frozen=True, slots=True)
class ImpactChoices:
    program: ProgramInfo
    projects: list[ProjectRow]
    tasks: list[TaskChoice]  # project order, then WBS order

    def task(self, task_id: int) -> TaskChoice | None:
        return next((t for t in self.tasks if t.id == task_id), None)


def impact_choices(session: Session, actor: Actor, program_id: int) -> ImpactChoices:
    """The program's projects and the tasks that can slip (two queries): neither summaries
    nor finished tasks, which the analysis refuses (finished as the scheduler counts it: an
    actual finish, or started and 100 % done or a milestone or of no duration)."""
    require_role(session, actor, program_id, Role.VIEWER)
    program, _calendar = _program_info(session, program_id)
    projects = _projects(session, program_id)
    keys = {p.id: p.key for p in projects}
    rank = {p.id: i for i, p in enumerate(projects)}
    child = _CHILD
    rows = sorted(
        session.execute(
            select(
                Task.id,
                Task.key,
                Task.name,
                Task.project_id,
                Task.wbs,
                Task.duration,
                Task.is_milestone,
                Task.early_start,
                Task.early_finish,
                Task.is_critical,
            ).where(
                Task.program_id == program_id,
                ~exists().where(child.parent_id == Task.id),
                Task.actual_finish.is_(None),
                ~(
                    Task.actual_start.is_not(None)
                    & (
                        (Task.percent_complete >= 100)
                        | (Task.duration == 0)
                        | Task.is_milestone.is_(True)
                    )
                ),
            )
        ),
        key=lambda t: (rank.get(t.project_id, 0), _wbs_order(t.wbs), t.id),
    )
    tasks = [
        TaskChoice(
            id=t.id,
            key=t.key,
            name=t.name,
            project_key=keys.get(t.project_id, ""),
            duration=t.duration,
            is_milestone=t.is_milestone,
            early_start=t.early_start,
            early_finish=t.early_finish,
            is_critical=bool(t.is_critical),
        )
        for t in rows
    ]
    return ImpactChoices(program=program, projects=projects, tasks=tasks)
