"""Read-only views for the program pages: a program with its members and projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Program, Project, Role, Task
from podium.services import programs
from podium.services.actor import Actor, require_role


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member of a program and their role."""

    user_id: int
    name: str
    email: str
    role: Role


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    """One project of a program, with how many tasks its WBS holds."""

    id: int
    key: str
    name: str
    description: str
    start_date: date | None
    task_count: int


@dataclass(frozen=True, slots=True)
class ProgramOverview:
    """What the program overview page shows, as seen by one actor."""

    program: Program
    role: Role
    members: list[MemberView]
    projects: list[ProjectSummary]

    @property
    def goal_change_percent(self) -> float | None:
        """Target against baseline, in percent (-30.0 for 1200 → 840), when both are set."""
        baseline = self.program.goal_baseline_value
        target = self.program.goal_target_value
        if baseline is None or target is None or baseline == 0:
            return None
        return (target - baseline) / abs(baseline) * 100


def _project_summaries(session: Session, program_id: int) -> list[ProjectSummary]:
    task_counts = (
        select(Task.project_id, func.count(Task.id).label("task_count"))
        .where(Task.program_id == program_id)
        .group_by(Task.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Project, func.coalesce(task_counts.c.task_count, 0))
        .outerjoin(task_counts, task_counts.c.project_id == Project.id)
        .where(Project.program_id == program_id)
        .order_by(Project.position, Project.key)
    )
    return [
        ProjectSummary(
            id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            start_date=p.start_date,
            task_count=int(count),
        )
        for p, count in rows
    ]


def program_overview(session: Session, actor: Actor, program_id: int) -> ProgramOverview:
    """The program, the actor's role, its members (owners first) and its projects.

    A program the actor cannot see is ``NotFound``, as everywhere.
    """
    role = require_role(session, actor, program_id, Role.VIEWER)
    program = session.get(Program, program_id)
    assert program is not None  # require_role checked it exists
    members = [
        MemberView(user_id=u.id, name=u.name, email=u.email, role=m.role)
        for m, u in programs.list_members(session, actor, program_id)
    ]
    members.sort(key=lambda m: (-m.role.rank, m.name.lower(), m.email))
    return ProgramOverview(
        program=program,
        role=role,
        members=members,
        projects=_project_summaries(session, program_id),
    )
