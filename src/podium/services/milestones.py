"""Program milestones: reached when their predecessor work, in any projects, is done."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.errors import Conflict, NotFound
from podium.models import Milestone, Program, Role, Task
from podium.services.actor import Actor, require_role, role_in, visible_program_ids
from podium.services.audit import record_created, record_deleted
from podium.services.common import apply_update, check_version, flush, paginate
from podium.services.dependencies import (
    MAX_ID,
    DependencyView,
    dependencies_touching_milestone,
    predecessors_of_milestones,
    remove_dependency,
)
from podium.services.pages_schedule import MilestoneRow, milestone_rows
from podium.services.work_calendars import calendars_by_id

MILESTONE_FIELDS = ["key", "name", "description", "target_date"]
_AUTO_KEY = re.compile(r"^M(\d+)$")


@dataclass(frozen=True, slots=True)
class MilestoneView:
    """A milestone, the dependencies into it (whose ends show the projects feeding it) and
    where it stands: the scheduler's forecast, its slip past the target, reached or not."""

    milestone: Milestone
    predecessors: list[DependencyView]
    standing: MilestoneRow


def get_milestone(
    session: Session, actor: Actor, milestone_id: int, *, needed: Role = Role.VIEWER
) -> Milestone:
    """A milestone in a program the actor may act on with at least ``needed``."""
    milestone = session.get(Milestone, milestone_id) if 0 < milestone_id <= MAX_ID else None
    if milestone is None or role_in(session, actor, milestone.program_id) is None:
        raise NotFound(f"milestone {milestone_id} not found")
    require_role(session, actor, milestone.program_id, needed)
    return milestone


def describe_milestones(session: Session, milestones: Iterable[Milestone]) -> list[MilestoneView]:
    """Milestones with their predecessors described (a fixed number of queries)."""
    milestones = list(milestones)
    predecessors = predecessors_of_milestones(session, [m.id for m in milestones])
    program_ids = {m.program_id for m in milestones}
    calendar_of = dict(
        session.execute(
            select(Program.id, Program.calendar_id).where(Program.id.in_(program_ids))
        ).all()
    )
    found = calendars_by_id(session, list(calendar_of.values()))
    calendars = {p: found.get(c or 0, WorkCalendar()) for p, c in calendar_of.items()}
    rows = milestone_rows(session, program_ids, calendars)  # as the pages read them
    standing = {row.id: row for rows_of in rows.values() for row in rows_of}
    return [MilestoneView(m, predecessors[m.id], standing[m.id]) for m in milestones]


def _milestones_query(
    session: Session, actor: Actor, *, program_id: int | None
) -> Select[Milestone]:
    query = select(Milestone).order_by(Milestone.program_id, Milestone.id)
    if program_id is not None:
        require_role(session, actor, program_id, Role.VIEWER)
        return query.where(Milestone.program_id == program_id)
    visible = visible_program_ids(session, actor)
    if visible is not None:
        query = query.where(Milestone.program_id.in_(visible))
    return query


def list_milestones(
    session: Session,
    actor: Actor,
    *,
    program_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Milestone], int]:
    """Milestones of one program, or of every program the actor sees, in creation order."""
    query = _milestones_query(session, actor, program_id=program_id)
    return paginate(session, query, limit=limit, offset=offset)


def _check_key_free(
    session: Session, program_id: int, key: str, *, except_id: int | None = None
) -> None:
    """Milestone keys are unique in a program and distinct from its task keys.

    Plans and dependency messages refer to tasks and milestones alike by key.
    """
    lowered = key.lower()
    existing = session.scalar(
        select(Milestone.key).where(
            Milestone.program_id == program_id,
            func.lower(Milestone.key) == lowered,
            Milestone.id != except_id,
        )
    )
    if existing is not None:
        raise Conflict(
            f"milestone {existing} already exists in this program", details={"field": "key"}
        )
    task = session.scalar(
        select(Task.key).where(Task.program_id == program_id, func.lower(Task.key) == lowered)
    )
    if task is not None:
        raise Conflict(f"{task} is the key of a task in this program", details={"field": "key"})


def _next_key(session: Session, program_id: int) -> str:
    """``M<n>``, one above the highest ``M<n>`` key in the program."""
    taken = [
        *session.scalars(select(Milestone.key).where(Milestone.program_id == program_id)),
        *session.scalars(
            select(Task.key).where(Task.program_id == program_id, Task.key.like("M%"))
        ),
    ]
    numbers = [int(m.group(1)) for key in taken if (m := _AUTO_KEY.match(key))]
    return f"M{max(numbers, default=0) + 1}"


def create_milestone(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    name: str,
    key: str | None = None,
    description: str = "",
    target_date: date | None = None,
) -> Milestone:
    """A new program milestone (managers and above); the key defaults to the next ``M<n>``."""
    require_role(session, actor, program_id, Role.MANAGER)
    if key is None:
        key = _next_key(session, program_id)
    else:
        _check_key_free(session, program_id, key)
    milestone = Milestone(
        program_id=program_id, key=key, name=name, description=description, target_date=target_date
    )
    session.add(milestone)
    flush(session)
    record_created(session, actor, milestone, program_id=program_id, fields=MILESTONE_FIELDS)
    flush(session)
    return milestone


def update_milestone(
    session: Session,
    actor: Actor,
    milestone_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Milestone:
    """Change a milestone's key, name, description or target date (managers and above)."""
    milestone = get_milestone(session, actor, milestone_id, needed=Role.MANAGER)
    check_version(milestone, expected_version)
    if "key" in updates and updates["key"] != milestone.key:
        _check_key_free(session, milestone.program_id, updates["key"], except_id=milestone.id)
    apply_update(
        session,
        actor,
        milestone,
        updates,
        program_id=milestone.program_id,
        expected_version=expected_version,
    )
    return milestone


def delete_milestone(
    session: Session,
    actor: Actor,
    milestone_id: int,
    *,
    cascade: bool = False,
    expected_version: int | None = None,
) -> None:
    """Remove a milestone (managers and above).

    A milestone that dependencies still point to or from is kept unless
    ``cascade``, which removes those dependencies too (each audited).
    """
    milestone = get_milestone(session, actor, milestone_id, needed=Role.MANAGER)
    check_version(milestone, expected_version)
    linked = dependencies_touching_milestone(session, milestone.id)
    if linked and not cascade:
        raise Conflict(
            f"milestone {milestone.key} has {len(linked)} "
            f"{'dependency' if len(linked) == 1 else 'dependencies'}; "
            "delete them first or delete with cascade=true",
            code="milestone_has_dependencies",
            details={"dependency_ids": [d.id for d in linked]},
        )
    for dependency in linked:
        remove_dependency(session, actor, dependency)
    record_deleted(
        session, actor, milestone, program_id=milestone.program_id, fields=MILESTONE_FIELDS
    )
    session.delete(milestone)
    flush(session)
