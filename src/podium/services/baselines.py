"""Baselines: take a snapshot of the plan, pick the current one, measure the live plan against it.

Variance is reported in working days of the program's calendar: a positive
finish variance means the live plan finishes later than the baseline said.
Scope added are tasks that did not exist when the baseline was taken; scope
removed, tasks in the baseline that are gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.errors import Conflict, NotFound, field_error
from podium.models import (
    Baseline,
    BaselineItem,
    Dependency,
    Milestone,
    Program,
    Project,
    Role,
    Task,
)
from podium.services.actor import Actor, role_in
from podium.services.audit import record_change
from podium.services.common import apply_update, check_version, flush
from podium.services.overview import program_calendar
from podium.services.programs import get_program
from podium.services.scheduling.pending import mark_program

BASELINE_FIELDS = ["name", "description", "is_current"]


def get_baseline(
    session: Session, actor: Actor, baseline_id: int, *, needed: Role = Role.VIEWER
) -> Baseline:
    baseline = session.get(Baseline, baseline_id)
    if baseline is None or role_in(session, actor, baseline.program_id) is None:
        raise NotFound(f"baseline {baseline_id} not found")  # (another program's: the same)
    get_program(session, actor, baseline.program_id, needed=needed)
    return baseline


def list_baselines(session: Session, actor: Actor, program_id: int) -> list[Baseline]:
    """A program's baselines, newest first."""
    get_program(session, actor, program_id)
    return list(
        session.scalars(
            select(Baseline)
            .where(Baseline.program_id == program_id)
            .order_by(Baseline.taken_at.desc(), Baseline.id.desc())
        )
    )


def current_baseline(session: Session, program_id: int) -> Baseline | None:
    return session.scalar(
        select(Baseline).where(Baseline.program_id == program_id, Baseline.is_current.is_(True))
    )


def _make_current(session: Session, baseline: Baseline) -> None:
    table = Baseline.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.program_id == baseline.program_id, table.c.id != baseline.id)
        .values(is_current=False)
    )
    for other in session.identity_map.values():
        if isinstance(other, Baseline) and other.program_id == baseline.program_id:
            other.is_current = other.id == baseline.id


def take_baseline(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    name: str,
    description: str = "",
    make_current: bool = True,
) -> Baseline:
    """Snapshot every task's and milestone's scheduled dates, duration and budget (managers)."""
    program = get_program(session, actor, program_id, needed=Role.MANAGER)
    name = name.strip()
    if not name:
        raise field_error("name", "a baseline needs a name")
    taken = session.scalar(
        select(Baseline.id).where(
            Baseline.program_id == program_id, func.lower(Baseline.name) == name.lower()
        )
    )
    if taken is not None:
        raise Conflict(
            f"this program already has a baseline named {name!r}", details={"field": "name"}
        )
    flush(session)
    baseline = Baseline(
        program_id=program_id,
        name=name,
        description=description,
        is_current=make_current,
        taken_by=actor.email,
        start=program.scheduled_start,
        finish=program.scheduled_finish,
    )
    session.add(baseline)
    flush(session)
    projects = dict(
        session.execute(
            select(Project.id, Project.key).where(Project.program_id == program_id)
        ).all()
    )
    parents = set(
        session.scalars(
            select(Task.parent_id).where(Task.program_id == program_id, Task.parent_id.is_not(None))
        )
    )
    rows: list[dict[str, Any]] = []
    for t in session.execute(
        select(
            Task.id,
            Task.key,
            Task.name,
            Task.project_id,
            Task.early_start,
            Task.early_finish,
            Task.duration,
            Task.budget,
        ).where(Task.program_id == program_id)
    ):
        rows.append(
            {
                "baseline_id": baseline.id,
                "kind": "task",
                "record_id": t.id,
                "key": t.key,
                "name": t.name,
                "project_key": projects.get(t.project_id),
                "is_summary": t.id in parents,
                "start": t.early_start,
                "finish": t.early_finish,
                "duration": t.duration,
                "cost": t.budget or 0.0,
                "target": None,
            }
        )
    for m in session.execute(
        select(
            Milestone.id,
            Milestone.key,
            Milestone.name,
            Milestone.early_finish,
            Milestone.target_date,
        ).where(Milestone.program_id == program_id)
    ):
        rows.append(
            {
                "baseline_id": baseline.id,
                "kind": "milestone",
                "record_id": m.id,
                "key": m.key,
                "name": m.name,
                "project_key": None,
                "is_summary": False,
                "start": m.early_finish,
                "finish": m.early_finish,
                "duration": 0,
                "cost": 0.0,
                "target": m.target_date,
            }
        )
    if rows:
        session.execute(insert(BaselineItem), rows)
    if make_current:
        _make_current(session, baseline)
    record_change(
        session,
        actor,
        program_id=program_id,
        entity_type="baseline",
        entity_id=baseline.id,
        action="create",
        changes={
            "name": [None, name],
            "items": [None, len(rows)],
            "is_current": [None, make_current],
        },
        label=name,
    )
    flush(session)
    mark_program(session, program_id)  # its baseline alerts are judged against it
    return baseline


def update_baseline(
    session: Session,
    actor: Actor,
    baseline_id: int,
    updates: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Baseline:
    """Rename, describe, or make current (managers); a baseline's snapshot never changes."""
    baseline = get_baseline(session, actor, baseline_id, needed=Role.MANAGER)
    updates = dict(updates)
    if "name" in updates:  # as a new baseline's: trimmed, and not blank
        updates["name"] = str(updates["name"]).strip()
        if not updates["name"]:
            raise field_error("name", "a baseline needs a name")
    if "name" in updates and updates["name"] != baseline.name:
        taken = session.scalar(
            select(Baseline.id).where(
                Baseline.program_id == baseline.program_id,
                func.lower(Baseline.name) == updates["name"].lower(),
                Baseline.id != baseline.id,
            )
        )
        if taken is not None:
            raise Conflict(
                f"this program already has a baseline named {updates['name']!r}",
                details={"field": "name"},
            )
    if updates.get("is_current") is False and baseline.is_current:
        raise Conflict("make another baseline current instead of clearing this one")
    apply_update(
        session,
        actor,
        baseline,
        updates,
        program_id=baseline.program_id,
        expected_version=expected_version,
    )
    if baseline.is_current:
        _make_current(session, baseline)
    mark_program(session, baseline.program_id)  # which baseline is current may change
    return baseline


def delete_baseline(
    session: Session, actor: Actor, baseline_id: int, *, expected_version: int | None = None
) -> None:
    """Remove a baseline (managers); the log keeps what it was: its name, description,
    when and by whom it was taken, whether it was the current one, and how many items
    it held."""
    baseline = get_baseline(session, actor, baseline_id, needed=Role.MANAGER)
    check_version(baseline, expected_version)
    kept = {
        "name": baseline.name,
        "description": baseline.description,
        "taken_at": baseline.taken_at.isoformat(),
        "taken_by": baseline.taken_by,
        "is_current": baseline.is_current,
        "items": item_count(session, baseline.id),
    }
    record_change(
        session,
        actor,
        program_id=baseline.program_id,
        entity_type="baseline",
        entity_id=baseline.id,
        action="delete",
        changes={field: [value, None] for field, value in kept.items()},
        label=baseline.name,
    )
    session.delete(baseline)
    flush(session)
    mark_program(session, baseline.program_id)  # its baseline alerts go with it


def item_count(session: Session, baseline_id: int) -> int:
    return session.scalar(select(func.count()).where(BaselineItem.baseline_id == baseline_id)) or 0


# --- variance --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemVariance:
    kind: str
    record_id: int
    key: str
    name: str
    project_key: str | None
    baseline_start: date | None
    baseline_finish: date | None
    live_start: date | None
    live_finish: date | None
    start_variance: int | None  # working days, + later than baseline
    finish_variance: int | None
    baseline_cost: float
    live_cost: float
    cost_variance: float  # live - baseline


@dataclass(frozen=True)
class ProjectVariance:
    project_key: str
    baseline_finish: date | None
    live_finish: date | None
    finish_variance: int | None
    baseline_cost: float
    live_cost: float


@dataclass
class Variance:
    baseline: Baseline
    program_finish_baseline: date | None
    program_finish_live: date | None
    program_finish_variance: int | None
    tasks: list[ItemVariance] = field(default_factory=list)
    milestones: list[ItemVariance] = field(default_factory=list)
    projects: list[ProjectVariance] = field(default_factory=list)
    added: list[ItemVariance] = field(default_factory=list)
    removed: list[ItemVariance] = field(default_factory=list)
    cost_baseline: float = 0.0
    cost_live: float = 0.0


def _slip(calendar: WorkCalendar, baseline: date | None, live: date | None) -> int | None:
    return calendar.slip(baseline, live) if baseline is not None and live is not None else None


def compare(session: Session, actor: Actor, baseline_id: int) -> Variance:
    """The live plan against a baseline: slips, cost and scope changes."""
    baseline = get_baseline(session, actor, baseline_id)
    program = session.get(Program, baseline.program_id)
    assert program is not None
    calendar = program_calendar(session, program)
    items = {
        (i.kind, i.record_id): i
        for i in session.scalars(
            select(BaselineItem).where(BaselineItem.baseline_id == baseline.id)
        )
    }
    projects = dict(
        session.execute(
            select(Project.id, Project.key).where(Project.program_id == program.id)
        ).all()
    )
    live: dict[tuple[str, int], tuple[str, str, str | None, date | None, date | None, float]] = {}
    newer: set[tuple[str, int]] = set()
    # a summary's dates and cost roll up from its subtasks: counted once, from them (as in EVM)
    summaries = {
        ("task", parent)
        for parent in session.scalars(
            select(Task.parent_id).where(Task.program_id == program.id, Task.parent_id.is_not(None))
        )
    }
    for t in session.execute(
        select(
            Task.id,
            Task.key,
            Task.name,
            Task.project_id,
            Task.early_start,
            Task.early_finish,
            Task.budget,
            Task.created_at,
        ).where(Task.program_id == program.id)
    ):
        if t.created_at > baseline.taken_at:
            # created since (SQLite may even reuse a deleted task's id): added scope
            newer.add(("task", t.id))
        live[("task", t.id)] = (
            t.key,
            t.name,
            projects.get(t.project_id),
            t.early_start,
            t.early_finish,
            t.budget or 0.0,
        )
    # a milestone no work leads to has no forecast (its date is only the program's start
    # or status date): no live date to set against its baseline
    into = select(Dependency.id).where(Dependency.successor_milestone_id == Milestone.id)
    for m in session.execute(
        select(
            Milestone.id,
            Milestone.key,
            Milestone.name,
            Milestone.early_finish,
            into.exists().label("fed"),
        ).where(Milestone.program_id == program.id)
    ):
        forecast = m.early_finish if m.fed else None
        live[("milestone", m.id)] = (m.key, m.name, None, forecast, forecast, 0.0)

    result = Variance(
        baseline=baseline,
        program_finish_baseline=baseline.finish,
        program_finish_live=program.scheduled_finish,
        program_finish_variance=_slip(calendar, baseline.finish, program.scheduled_finish),
    )
    spans: dict[str, list[Any]] = {}
    for ref, item in items.items():
        now = live.get(ref) if ref not in newer else None
        variance = ItemVariance(
            kind=item.kind,
            record_id=item.record_id,
            key=now[0] if now else item.key,
            name=now[1] if now else item.name,
            project_key=now[2] if now else item.project_key,
            baseline_start=item.start,
            baseline_finish=item.finish,
            live_start=now[3] if now else None,
            live_finish=now[4] if now else None,
            start_variance=_slip(calendar, item.start, now[3]) if now else None,
            finish_variance=_slip(calendar, item.finish, now[4]) if now else None,
            baseline_cost=item.cost,
            live_cost=now[5] if now else 0.0,
            cost_variance=(now[5] if now else 0.0) - item.cost,
        )
        if now is None:
            result.removed.append(variance)
        elif item.kind == "milestone":
            result.milestones.append(variance)
        elif not item.is_summary:
            result.tasks.append(variance)
        if item.is_summary:
            continue
        result.cost_baseline += item.cost
        if item.kind == "task" and item.project_key:
            span = spans.setdefault(item.project_key, [None, None, 0.0, 0.0])
            span[0] = max(filter(None, [span[0], item.finish]), default=None)
            span[2] += item.cost
    for ref, now in live.items():
        key, name, project_key, start, finish, cost = now
        if ref not in summaries:
            result.cost_live += cost
            if ref[0] == "task" and project_key:
                span = spans.setdefault(project_key, [None, None, 0.0, 0.0])
                span[1] = max(filter(None, [span[1], finish]), default=None)
                span[3] += cost
        if ref not in items or ref in newer:
            result.added.append(
                ItemVariance(
                    ref[0],
                    ref[1],
                    key,
                    name,
                    project_key,
                    None,
                    None,
                    start,
                    finish,
                    None,
                    None,
                    0.0,
                    cost,
                    cost,
                )
            )
    result.projects = [
        ProjectVariance(key, s[0], s[1], _slip(calendar, s[0], s[1]), s[2], s[3])
        for key, s in sorted(spans.items())
    ]
    result.tasks.sort(key=lambda v: (-(v.finish_variance or 0), v.key))
    result.milestones.sort(key=lambda v: (v.baseline_finish or date.max, v.key))
    return result


def baseline_finishes(session: Session, program_id: int) -> dict[str, date]:
    """The current baseline's finish per activity id (``t12``/``m3``), for impact analysis,
    of the tasks and milestones the program still has (one deleted since is no activity)."""
    baseline = current_baseline(session, program_id)
    if baseline is None:
        return {}
    tasks = select(Task.id).where(Task.program_id == program_id)
    milestones = select(Milestone.id).where(Milestone.program_id == program_id)
    rows = session.execute(
        select(BaselineItem.kind, BaselineItem.record_id, BaselineItem.finish).where(
            BaselineItem.baseline_id == baseline.id,
            BaselineItem.is_summary.is_(False),
            or_(
                (BaselineItem.kind == "task") & BaselineItem.record_id.in_(tasks),
                (BaselineItem.kind == "milestone") & BaselineItem.record_id.in_(milestones),
            ),
        )
    )
    return {
        f"{'t' if kind == 'task' else 'm'}{rid}": finish for kind, rid, finish in rows if finish
    }
