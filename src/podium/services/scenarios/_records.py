"""Reading a scenario and the live program and copy behind it; the kinds of records copied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound, ValidationFailed
from podium.models import (
    Assignment,
    Dependency,
    Milestone,
    Program,
    Project,
    Resource,
    Role,
    Scenario,
    ScenarioStatus,
    Task,
)
from podium.services.actor import Actor, require_role
from podium.services.programs import program_id_by_key
from podium.text import control_problem

MAX_ID = 2**31 - 1
# every kind of plan record a scenario copies, in the order they are copied
KINDS: dict[str, type[Any]] = {
    "projects": Project,
    "tasks": Task,
    "milestones": Milestone,
    "dependencies": Dependency,
    "assignments": Assignment,
}
# a kind of record named one at a time
ONE = {
    "projects": "project",
    "tasks": "task",
    "milestones": "milestone",
    "dependencies": "dependency",
    "assignments": "assignment",
}
NOT_COPIED = frozenset({"id", "version", "created_at", "updated_at"})
# what a scenario's name and description may hold, however they are given (API, web form,
# CLI): the name fits scenarios.name, and programs.name too, as the copy takes it
NAME_LENGTH = 200
DESCRIPTION_LENGTH = 20_000


def checked_texts(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with the scenario's ``name`` and ``description`` among them trimmed;
    refused (422, each problem beside its field) when the name is blank, either is too
    long or holds a control character (PostgreSQL cannot store NUL)."""
    limits = {"name": NAME_LENGTH, "description": DESCRIPTION_LENGTH}
    checked = dict(fields)
    problems: list[dict[str, str]] = []
    for field, limit in limits.items():
        if field not in checked:
            continue
        value = checked[field] = str(checked[field] or "").strip()
        if field == "name" and not value:
            problem: str | None = "a scenario needs a name"
        elif len(value) > limit:
            problem = f"at most {limit:,} characters, not {len(value):,}"
        else:
            problem = control_problem(value)
        if problem is not None:
            problems.append({"field": field, "message": problem})
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['message']}" for p in problems), details=problems
        )
    return checked


def applied_in_words(applied: Mapping[str, Mapping[str, int]] | None) -> list[str]:
    """What applying wrote (an outcome's ``applied``), as the page and the CLI say it:
    ``created 2 tasks``, ``updated 1 milestone``; none written: an empty list."""
    return [
        f"{what} {n} {ONE.get(kind, kind) if n == 1 else kind}"
        for what in ("created", "updated", "deleted")
        for kind, n in sorted((applied or {}).get(what, {}).items())
        if n
    ]


def label(scenario: Scenario) -> str:
    return f"S{scenario.number} {scenario.name}"


def get_scenario(
    session: Session, actor: Actor, scenario_id: int, *, needed: Role = Role.VIEWER
) -> Scenario:
    """A scenario of a program the actor may act on with at least ``needed``."""
    scenario = session.get(Scenario, scenario_id) if 0 < scenario_id <= MAX_ID else None
    if scenario is None:
        raise NotFound(f"scenario {scenario_id} not found")
    try:
        require_role(session, actor, scenario.program_id, needed)
    except NotFound:
        raise NotFound(f"scenario {scenario_id} not found") from None
    return scenario


def scenario_of_copy(session: Session, copy_program_id: int) -> Scenario | None:
    """The scenario whose copy this program is (``None`` for a live program)."""
    return session.scalar(select(Scenario).where(Scenario.copy_program_id == copy_program_id))


def check_active(scenario: Scenario) -> Program:
    """The scenario's copy, if it is still open to editing, applying or discarding."""
    if scenario.status != ScenarioStatus.ACTIVE or scenario.copy_program_id is None:
        raise Conflict(
            f"scenario S{scenario.number} is already {scenario.status.value}",
            code="scenario_closed",
            details={"status": scenario.status.value},
        )
    return copy_of(scenario)


def copy_of(scenario: Scenario) -> Program:
    session = inspect(scenario).session
    assert session is not None
    copy = session.get(Program, scenario.copy_program_id) if scenario.copy_program_id else None
    if copy is None:
        raise Conflict(f"scenario S{scenario.number} has no copy of the plan any more")
    return copy


def values(record: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A record's stored columns, ready to build its copy."""
    skipped = NOT_COPIED | set(skip)
    return {
        attr.key: getattr(record, attr.key)
        for attr in inspect(type(record)).column_attrs
        if attr.key not in skipped
    }


def record_keys(session: Session, kind: str, records: Iterable[Any]) -> dict[int, str]:
    """What people call each record: a key, ``A → B`` for a dependency, ``Ana on PLAT-1``
    for an assignment."""
    records = list(records)
    if kind in ("projects", "tasks", "milestones"):
        return {r.id: r.key for r in records}
    if kind == "dependencies":
        task_ids = {i for r in records for i in (r.predecessor_task_id, r.successor_task_id) if i}
        milestone_ids = {
            i for r in records for i in (r.predecessor_milestone_id, r.successor_milestone_id) if i
        }
        tasks = _keys(session, Task, task_ids)
        milestones = _keys(session, Milestone, milestone_ids)

        def end(task_id: int | None, milestone_id: int | None) -> str:
            if task_id is not None:
                return tasks.get(task_id, "?")
            return milestones.get(milestone_id or 0, "?")

        return {
            r.id: f"{end(r.predecessor_task_id, r.predecessor_milestone_id)} → "
            f"{end(r.successor_task_id, r.successor_milestone_id)}"
            for r in records
        }
    tasks = _keys(session, Task, {r.task_id for r in records})
    names = dict(
        session.execute(
            select(Resource.id, Resource.key).where(
                Resource.id.in_({r.resource_id for r in records})
            )
        ).all()
    )
    return {
        r.id: f"{names.get(r.resource_id, '?')} on {tasks.get(r.task_id, '?')}" for r in records
    }


def _keys(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.key).where(model.id.in_(ids))).all())


def records_of(session: Session, kind: str, program_id: int) -> list[Any]:
    model = KINDS[kind]
    return list(session.scalars(select(model).where(model.program_id == program_id)))


def find_scenario(
    session: Session, actor: Actor, ref: str, *, needed: Role = Role.VIEWER
) -> Scenario:
    """A scenario by id (``7``), by its copy's key (``CLOUD~S2``) or as ``CLOUD/S2``."""
    text = ref.strip()
    if text.isdecimal():
        return get_scenario(session, actor, int(text), needed=needed)
    program_key, _, number = text.replace("~", "/").rpartition("/")
    number = number.upper().removeprefix("S")
    if program_key and number.isdecimal():
        found = session.scalar(
            select(Scenario)
            .join(Program, Program.id == Scenario.program_id)
            .where(
                Program.id == program_id_by_key(session, program_key),
                Scenario.number == int(number),
            )
        )
        if found is not None:
            return get_scenario(session, actor, found.id, needed=needed)
    raise NotFound(f"no scenario {ref!r}: give its id, CLOUD~S2 or CLOUD/S2")
