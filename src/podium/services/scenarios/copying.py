"""Creating a scenario: a hidden copy of the live program's plan, and what it was copied from.

The copy is a real program (``scenario_of_id`` set), so every route and page works on
it, and it reschedules like any program. Its key is derived (``CLOUD~S3``); task and
milestone keys stay the same inside it. Calendars and resources are the
organisation's and are shared, not copied.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import (
    Assignment,
    Dependency,
    Milestone,
    Program,
    ProgramStatus,
    Project,
    Role,
    Scenario,
    ScenarioStatus,
    Task,
)
from podium.services.actor import Actor
from podium.services.audit import record_change
from podium.services.closed import ProgramClosed
from podium.services.common import flush
from podium.services.programs import check_key_free, get_program
from podium.services.scenarios._records import checked_texts, label, record_keys, values
from podium.services.scenarios.merging import values_of

KEY_LENGTH = 20  # programs.key


def copy_key(live_key: str, number: int) -> str:
    """The copy's program key: the live key with ``~S<number>`` (cut to fit)."""
    suffix = f"~S{number}"
    return live_key[: KEY_LENGTH - len(suffix)] + suffix


def create_scenario(
    session: Session, actor: Actor, program_id: int, *, name: str, description: str = ""
) -> Scenario:
    """Copy a live program's plan into a new scenario (managers and above)."""
    live = get_program(session, actor, program_id, needed=Role.MANAGER)
    if live.scenario_of_id is not None:
        raise Conflict(
            "a scenario is a copy of a live program; this program is itself a scenario",
            code="scenario_of_scenario",
        )
    if live.status == ProgramStatus.CLOSED:
        raise ProgramClosed(
            f"{live.key} is closed: reopen it to try what-ifs on its plan",
            details={"program_id": live.id},
        )
    texts = checked_texts({"name": name, "description": description})
    name, description = texts["name"], texts["description"]
    number = (
        session.scalar(select(func.max(Scenario.number)).where(Scenario.program_id == live.id)) or 0
    ) + 1
    key = copy_key(live.key, number)
    check_key_free(session, key)
    flush(session)  # the plan as it stands, with every pending change written
    copy = Program(
        **values(live, skip={"key", "name", "scenario_of_id", "schedule_token"}),
        key=key,
        name=name,  # as long as a program's name may be (NAME_LENGTH)
        scenario_of_id=live.id,
    )
    session.add(copy)
    flush(session)
    scenario = Scenario(
        program_id=live.id,
        number=number,
        copy_program_id=copy.id,
        name=name,
        description=description,
        status=ScenarioStatus.ACTIVE,
        created_by=actor.email,
        created_by_user_id=actor.user_id,
        basis=copy_plan(session, live.id, copy.id),
    )
    session.add(scenario)
    flush(session)
    record_change(
        session,
        actor,
        program_id=live.id,
        entity_type="scenario",
        entity_id=scenario.id,
        action="create",
        changes={"name": [None, name], "copy": [None, key]},
        label=label(scenario),
    )
    return scenario


def _basis(session: Session, kind: str, pairs: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    keys = record_keys(session, kind, [live for live, _ in pairs])
    return [
        {
            "live": live.id,
            "version": live.version,
            "copy": copy.id,
            "key": keys[live.id],
            "values": values_of(kind, live),
        }
        for live, copy in pairs
    ]


def copy_plan(session: Session, live_id: int, copy_id: int) -> dict[str, Any]:
    """Copy projects, tasks (with their WBS), milestones, dependencies and assignments;
    returns the basis: for each kind, every live record's id, version and values (the
    fields applying compares) and its copy's id."""
    basis: dict[str, Any] = {}
    projects = list(session.scalars(select(Project).where(Project.program_id == live_id)))
    project_pairs = [
        (p, Project(**values(p, skip={"program_id"}), program_id=copy_id)) for p in projects
    ]
    session.add_all(c for _, c in project_pairs)
    flush(session)
    project_ids = {p.id: c.id for p, c in project_pairs}
    basis["projects"] = _basis(session, "projects", project_pairs)

    tasks = list(session.scalars(select(Task).where(Task.program_id == live_id).order_by(Task.id)))
    task_ids: dict[int, int] = {}
    task_pairs: list[tuple[Any, Any]] = []
    waiting = tasks
    while waiting:  # parents before children, one level of the WBS per flush
        level = [t for t in waiting if t.parent_id is None or t.parent_id in task_ids]
        if not level:  # pragma: no cover - a WBS is a tree
            raise Conflict("the task tree cannot be copied: a parent is missing")
        level_pairs = [
            (
                t,
                Task(
                    **values(t, skip={"program_id", "project_id", "parent_id"}),
                    program_id=copy_id,
                    project_id=project_ids[t.project_id],
                    parent_id=task_ids[t.parent_id] if t.parent_id is not None else None,
                ),
            )
            for t in level
        ]
        session.add_all(c for _, c in level_pairs)
        flush(session)
        task_ids.update((t.id, c.id) for t, c in level_pairs)
        task_pairs += level_pairs
        done = {t.id for t in level}
        waiting = [t for t in waiting if t.id not in done]
    basis["tasks"] = _basis(session, "tasks", task_pairs)

    milestones = list(session.scalars(select(Milestone).where(Milestone.program_id == live_id)))
    milestone_pairs = [
        (m, Milestone(**values(m, skip={"program_id"}), program_id=copy_id)) for m in milestones
    ]
    session.add_all(c for _, c in milestone_pairs)
    flush(session)
    milestone_ids = {m.id: c.id for m, c in milestone_pairs}
    basis["milestones"] = _basis(session, "milestones", milestone_pairs)

    def task_end(task_id: int | None) -> int | None:
        return task_ids[task_id] if task_id is not None else None

    def milestone_end(milestone_id: int | None) -> int | None:
        return milestone_ids[milestone_id] if milestone_id is not None else None

    dependencies = list(session.scalars(select(Dependency).where(Dependency.program_id == live_id)))
    dependency_pairs = [
        (
            d,
            Dependency(
                program_id=copy_id,
                predecessor_task_id=task_end(d.predecessor_task_id),
                predecessor_milestone_id=milestone_end(d.predecessor_milestone_id),
                successor_task_id=task_end(d.successor_task_id),
                successor_milestone_id=milestone_end(d.successor_milestone_id),
                type=d.type,
                lag=d.lag,
            ),
        )
        for d in dependencies
    ]
    assignments = list(session.scalars(select(Assignment).where(Assignment.program_id == live_id)))
    assignment_pairs = [
        (
            a,
            Assignment(
                **values(a, skip={"program_id", "task_id"}),
                program_id=copy_id,
                task_id=task_ids[a.task_id],
            ),
        )
        for a in assignments
    ]
    session.add_all([*(c for _, c in dependency_pairs), *(c for _, c in assignment_pairs)])
    flush(session)
    basis["dependencies"] = _basis(session, "dependencies", dependency_pairs)
    basis["assignments"] = _basis(session, "assignments", assignment_pairs)
    return basis
