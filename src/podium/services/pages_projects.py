"""Read-only views for the projects pages: a program's projects, and one project's WBS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from podium.models import Dependency, Program, Project, Role, Task
from podium.services.actor import Actor, require_role
from podium.services.overview import ProjectSummary, project_summaries
from podium.services.projects import get_project
from podium.services.tasks.rollup import RolledUp, rolled_up_rows, shown_values

# Aliases are built once: making one costs more than the query it serves.
_BEFORE = aliased(Task)
_AFTER = aliased(Task)
_CHILD = aliased(Task)


@dataclass(frozen=True, slots=True)
class ProgramProjects:
    """A program's projects with their spans and counts, and what the actor may do."""

    program: Program
    role: Role
    projects: list[ProjectSummary]

    @property
    def can_edit(self) -> bool:
        return self.role.rank >= Role.MANAGER.rank


def program_projects(session: Session, actor: Actor, program_id: int) -> ProgramProjects:
    """Every project of a program (a fixed number of queries)."""
    role = require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None  # require_role checked it exists
    return ProgramProjects(program, role, project_summaries(session, program_id))


@dataclass(frozen=True, slots=True)
class WbsRow:
    """One task of a project's WBS, with where it sits among its siblings."""

    task: Task
    depth: int
    is_summary: bool
    is_first: bool
    is_last: bool
    can_indent: bool
    cross_links: int
    rolled: RolledUp | None = None  # a summary's span, progress and costs

    @property
    def can_outdent(self) -> bool:
        return self.task.parent_id is not None

    @property
    def shown(self) -> Mapping[str, Any]:
        """Its duration, progress and costs: a summary's rolled up from its sub-tasks."""
        return shown_values(self.task, self.rolled)


@dataclass(frozen=True)
class ProjectWbs:
    """A project's whole WBS in outline order, as one actor sees it."""

    program: Program
    project: Project
    role: Role
    rows: list[WbsRow]
    siblings: list[tuple[int, str, str]]  # the program's projects: id, key, name

    @property
    def can_edit(self) -> bool:
        return self.role.rank >= Role.MANAGER.rank

    @cached_property
    def by_id(self) -> dict[int, WbsRow]:
        return {row.task.id: row for row in self.rows}

    @property
    def parent_options(self) -> list[tuple[str, str]]:
        """Where new work can go: under any task but a milestone (id, "1.2 PLAT-3 Name")."""
        return [
            (str(row.task.id), f"{row.task.wbs}  {row.task.key} {row.task.name}")
            for row in self.rows
            if not row.task.is_milestone
        ]

    def descendants(self, task_id: int) -> int:
        """How many tasks sit below ``task_id``."""
        row = self.by_id.get(task_id)
        if row is None:
            return 0
        prefix = row.task.wbs + "."
        return sum(1 for r in self.rows if r.task.wbs.startswith(prefix))


def _wbs_order(wbs: str) -> tuple[int, ...]:
    return tuple(int(part) for part in wbs.split(".") if part.isdecimal())


def _cross_project_links(session: Session, project_id: int) -> Counter[int]:
    """For each task of the project, how many dependencies tie it to another project."""
    before, after = _BEFORE, _AFTER
    rows = session.execute(
        select(before.id, before.project_id, after.id, after.project_id)
        .select_from(Dependency)
        .join(before, before.id == Dependency.predecessor_task_id)
        .join(after, after.id == Dependency.successor_task_id)
        .where(
            before.project_id != after.project_id,
            or_(before.project_id == project_id, after.project_id == project_id),
        )
    )
    counts: Counter[int] = Counter()
    for pred_id, pred_project, succ_id, _succ_project in rows:
        counts[pred_id if pred_project == project_id else succ_id] += 1
    return counts


def project_wbs(session: Session, actor: Actor, project_id: int) -> ProjectWbs:
    """The project's tasks in WBS order with their depth and sibling position, and the
    summaries' roll-ups (six queries)."""
    project = get_project(session, actor, project_id)
    role = require_role(session, actor, project.program_id, Role.VIEWER)
    program = session.get(Program, project.program_id)
    assert program is not None
    child = _CHILD
    found = session.execute(
        select(Task, exists().where(child.parent_id == Task.id)).where(
            Task.project_id == project_id
        )
    ).all()
    ordered = sorted(((t, bool(s)) for t, s in found), key=lambda r: _wbs_order(r[0].wbs))
    siblings: dict[int | None, list[Task]] = {}
    place: dict[int, int] = {}
    for task, _summary in ordered:
        group = siblings.setdefault(task.parent_id, [])
        place[task.id] = len(group)
        group.append(task)
    links = _cross_project_links(session, project_id)
    rolled = rolled_up_rows(session, [task for task, _summary in ordered])
    rows = []
    for task, summary in ordered:
        group = siblings[task.parent_id]
        index = place[task.id]
        rows.append(
            WbsRow(
                task=task,
                depth=task.wbs.count("."),
                is_summary=summary,
                is_first=index == 0,
                is_last=index == len(group) - 1,
                can_indent=index > 0 and not group[index - 1].is_milestone,
                cross_links=links[task.id],
                rolled=rolled.get(task.id),
            )
        )
    projects = session.execute(
        select(Project.id, Project.key, Project.name)
        .where(Project.program_id == project.program_id)
        .order_by(Project.position, Project.key)
    )
    return ProjectWbs(
        program=program,
        project=project,
        role=role,
        rows=rows,
        siblings=[(i, k, n) for i, k, n in projects],
    )
