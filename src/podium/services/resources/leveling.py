"""Level a program: delay work as little as possible so no resource is over capacity.

Leveling starts from the plan without earlier leveling (every hold cleared),
runs the fast heuristic or the CP-SAT optimizer, and reports what would move
(a preview, like an impact analysis). Applying it stores the result as
*leveling holds* (``Task.leveled_start``: start no earlier than that day), so
the critical-path schedule keeps the leveled dates on every later edit until
the program is leveled again or the holds are cleared. Started, finished and
pinned (``mso``/``mfo``) tasks never move.

A person shared with other programs is leveled around their work: the days
other programs' tasks (as scheduled now) take of a resource are kept free, and
those tasks are never moved — leveling one program never changes another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Literal

import numpy as np
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from podium.engine import Network
from podium.engine.leveling import Busy, InvalidResources, LevelingResult, level, level_optimal
from podium.engine.load import Booking, resource_load
from podium.errors import Conflict, NotFound, ValidationFailed, field_error
from podium.models import AuditEntry, LevelingPreview, Milestone, Role, Task, utcnow
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.resources.load import Demand, gather_demand
from podium.services.scheduling import cache
from podium.services.scheduling.network import ACTIVITY_REF, ProgramNetwork, load_network
from podium.services.scheduling.pending import mark_program

Method = Literal["heuristic", "optimal"]
MAX_TIME_LIMIT = 120.0
DEFAULT_TIME_LIMIT = {"heuristic": 1.0, "optimal": 10.0}
# a fixed number of sampling passes (seeded): the same plan levels the same way in a
# preview and when it is applied, unless the time limit cuts the search short
SAMPLES = 300


@dataclass
class LevelingOutcome:
    """A leveling run: what moves, the program finish before and after, and whether applied."""

    program_id: int
    method: Method
    optimal: bool
    status: str
    seconds: float
    time_limit: float
    finish_before: date | None
    finish_after: date | None
    over_allocated_days_before: int
    over_allocated_days_after: int
    moves: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    unchanged_tasks: int = 0
    # programs whose work on a shared resource leveling kept free: the keys of those the
    # actor may see, and how many others
    other_programs: list[str] = field(default_factory=list)
    other_programs_hidden: int = 0
    schedule_token: str | None = None
    preview_id: int | None = None  # the kept preview: apply it to store exactly this
    applied: bool = False
    message: str = ""


def _weights(session: Session, pn: ProgramNetwork, weights: Mapping[str, int]) -> dict[str, int]:
    """Activity weights from task, milestone or project keys (a project's weight goes to
    each of its tasks)."""
    by_key = {label.casefold(): ref for ref, label in pn.labels.items() if ref[0] in "tm"}
    projects = {key.casefold(): pid for pid, key in pn.project_keys.items()}
    parents = {a.parent for a in pn.network.activities if a.parent is not None}
    out: dict[str, int] = {}
    problems = []
    for key, weight in weights.items():
        ref = by_key.get(key.casefold())
        if ref is not None:
            out[ref] = out.get(ref, 0) + weight
        elif key.casefold() in projects:
            pid = projects[key.casefold()]
            for a in pn.network.activities:
                if pn.project_of.get(a.id) == pid and a.id not in parents:
                    out[a.id] = out.get(a.id, 0) + weight
        else:
            problems.append(
                {
                    "field": f"weights.{key}",
                    "message": f"no task, milestone or project {key!r} in this program",
                }
            )
    if problems:
        raise ValidationFailed("unknown keys in the weights", details=problems)
    return out


def _run(
    pn: ProgramNetwork,
    method: Method,
    time_limit: float,
    weights: dict[str, int],
    busy: list[Busy],
) -> LevelingResult:
    resources = list(pn.resources.values())
    network = _with_targets(pn)
    parents = {a.parent for a in pn.network.activities if a.parent is not None}
    works = {a.id for a in pn.network.activities if a.duration > 0 and a.id not in parents}
    assignments = [x for x in pn.assignments if x.task in works]
    try:
        if method == "optimal":
            return level_optimal(
                network, resources, assignments, time_limit=time_limit, weights=weights, busy=busy
            )
        return level(
            network, resources, assignments, time_limit=time_limit, samples=SAMPLES, busy=busy
        )
    except InvalidResources as exc:
        problems = [ACTIVITY_REF.sub(lambda m: pn.label(m.group(0)), p) for p in exc.problems]
        raise Conflict(
            "the program cannot be leveled: " + "; ".join(problems[:5]),
            code="invalid_leveling",
            details={"problems": problems},
        ) from exc


def _with_targets(pn: ProgramNetwork) -> Network:
    """The network with program milestones' targets as deadlines, so that the priority
    rules favour the work that milestones with a target wait for."""
    if not pn.targets:
        return pn.network
    acts = [
        replace(a, deadline=pn.targets[a.id]) if a.id in pn.targets and a.deadline is None else a
        for a in pn.network.activities
    ]
    return replace(pn.network, activities=acts)


def _demand(session: Session, pn: ProgramNetwork) -> Demand | None:
    """Every booking of the program's resources, in every program (None: no resources)."""
    ids = [int(ref[1:]) for ref in pn.resources]
    if not ids:
        return None
    return gather_demand(session, ids, default_program=pn.program_id)


def _taken_elsewhere(
    pn: ProgramNetwork, demand: Demand | None
) -> tuple[list[Busy], dict[int, str]]:
    """The time other programs' work (as scheduled now) takes of the program's resources,
    from its status date on: leveling keeps it free. Also those programs (id → key)."""
    if demand is None:
        return [], {}
    since = pn.network.status_date or pn.network.start
    elsewhere = [
        b
        for b in demand.bookings
        if demand.tasks[b.task].program_id != pn.program_id and b.finish >= since
    ]
    booked = [demand.tasks[b.task] for b in elsewhere]
    programs = {t.program_id: t.program_key for t in booked}
    return [Busy(b.resource, b.start, b.finish, b.units, b.calendar) for b in elsewhere], programs


def _over_days(
    pn: ProgramNetwork, demand: Demand | None, dates: Mapping[str, tuple[date, date]] | None
) -> int:
    """Over-allocated days of the program's resources from its status date on, with its
    tasks on ``dates`` (None: as scheduled now); other programs' work counts as it is."""
    if demand is None:
        return 0
    bookings = []
    for b in demand.bookings:
        booked = demand.tasks[b.task]
        if dates is not None and booked.program_id == pn.program_id and b.task in dates:
            start, finish = dates[b.task]
            b = Booking(b.task, b.resource, b.units, start, finish, pn.calendar(b.task), b.group)
        bookings.append(b)
    load = resource_load(
        demand.engine_resources, bookings, default_calendar=pn.network.default_calendar
    )
    since = np.datetime64(pn.network.status_date or pn.network.start, "D")
    return int(load.over[:, load.days >= since].sum())


def level_program(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    method: Method = "heuristic",
    time_limit: float | None = None,
    weights: Mapping[str, int] | None = None,
    apply: bool = False,
    schedule_token: str | None = None,
    on_start: Callable[[float], None] | None = None,
    preview_id: int | None = None,
) -> LevelingOutcome:
    """Level the program (a preview unless ``apply``). ``schedule_token``, when given,
    must still be the stored schedule's (the plan has not changed since the preview).

    A preview is kept (``outcome.preview_id``; the program's latest few): applying with
    its ``preview_id`` stores exactly what it showed, without leveling again (a search
    cut short by its time limit, or CP-SAT, may find another plan on a second run).
    """
    require_role(session, actor, program_id, Role.MANAGER)
    if apply and preview_id is not None:
        return _apply_preview(session, actor, program_id, preview_id)
    limit = DEFAULT_TIME_LIMIT[method] if time_limit is None else time_limit
    if not 0 < limit <= MAX_TIME_LIMIT:
        raise field_error("time_limit", f"between 0 and {MAX_TIME_LIMIT:g} seconds")
    if weights and method != "optimal":
        raise field_error("weights", "weights apply to the optimal method only")
    token = cache.stored_token(session, program_id)
    if apply and schedule_token is not None and schedule_token != token:
        raise Conflict(
            "the plan changed since this leveling was previewed; preview it again",
            code="schedule_changed",
            details={"expected": schedule_token, "current": token},
        )
    pn = load_network(session, program_id, with_current=False, holds=False)
    demand = _demand(session, pn)
    now = _stored_dates(session, program_id)
    finish_before = max((f for _, f in now.values()), default=None)
    outcome = LevelingOutcome(
        program_id=program_id,
        method=method,
        optimal=False,
        status="nothing to level",
        seconds=0.0,
        time_limit=limit,
        finish_before=finish_before,
        finish_after=finish_before,
        over_allocated_days_before=_over_days(pn, demand, None),
        over_allocated_days_after=0,
        schedule_token=token,
    )
    if not pn.assignments:
        outcome.message = "no task in this program has a resource assigned"
        return outcome
    if on_start is not None:
        on_start(limit)
    began = time.perf_counter()
    busy, elsewhere = _taken_elsewhere(pn, demand)
    visible = visible_program_ids(session, actor)
    outcome.other_programs = sorted(
        key for pid, key in elsewhere.items() if visible is None or pid in visible
    )
    outcome.other_programs_hidden = len(elsewhere) - len(outcome.other_programs)
    result = _run(pn, method, limit, _weights(session, pn, weights or {}), busy)
    leveled = {
        a.id: (row.start, row.finish) for a, row in zip(pn.network.activities, result, strict=True)
    }
    outcome.optimal = result.optimal
    outcome.status = result.status
    outcome.seconds = round(time.perf_counter() - began, 3)
    outcome.over_allocated_days_after = _over_days(pn, demand, leveled)
    _describe_moves(session, pn, result, now, outcome)
    if apply:
        set_holds(session, actor, program_id, _holds(result))
        outcome.applied = True
    else:
        _keep_preview(session, actor, outcome, _holds(result))
    return outcome


KEPT_PREVIEWS = 5  # per program
_DATES = ("finish_before", "finish_after", "start_before", "start_after", "target")


def _keep_preview(
    session: Session, actor: Actor, outcome: LevelingOutcome, holds: Mapping[int, date]
) -> None:
    """Keep the preview to apply later; drop the program's older ones."""
    row = LevelingPreview(
        program_id=outcome.program_id,
        schedule_token=outcome.schedule_token or "",
        method=outcome.method,
        outcome=_plain(outcome),
        holds={str(task_id): day.isoformat() for task_id, day in holds.items()},
        created_by=actor.email,
    )
    session.add(row)
    session.flush()
    outcome.preview_id = row.id
    older = session.scalars(
        select(LevelingPreview.id)
        .where(LevelingPreview.program_id == outcome.program_id)
        .order_by(LevelingPreview.id.desc())
        .offset(KEPT_PREVIEWS)
    ).all()
    if older:
        session.execute(delete(LevelingPreview).where(LevelingPreview.id.in_(older)))


def _apply_preview(
    session: Session, actor: Actor, program_id: int, preview_id: int
) -> LevelingOutcome:
    row = session.get(LevelingPreview, preview_id)
    if row is None or row.program_id != program_id:
        raise NotFound(
            f"no leveling preview {preview_id} of this program (a program keeps its "
            f"{KEPT_PREVIEWS} latest); preview it again",
            details={"preview_id": preview_id},
        )
    token = cache.stored_token(session, program_id)
    if row.schedule_token != (token or ""):
        raise Conflict(
            "the plan changed since this leveling was previewed; preview it again",
            code="schedule_changed",
            details={"expected": row.schedule_token, "current": token},
        )
    set_holds(
        session, actor, program_id, {int(k): date.fromisoformat(v) for k, v in row.holds.items()}
    )
    shown = _revived(row.outcome)
    outcome = LevelingOutcome(**shown)
    outcome.applied = True
    outcome.preview_id = row.id
    return outcome


def _plain(outcome: LevelingOutcome) -> dict[str, Any]:
    """A preview as JSON: dates as ISO strings (one pass over the moves: a big program's
    preview lists thousands)."""

    def iso(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    shown = {f.name: iso(getattr(outcome, f.name)) for f in fields(outcome)}
    for name in ("moves", "milestones"):
        shown[name] = [{k: iso(v) for k, v in entry.items()} for entry in shown[name]]
    return shown


def _revived(value: dict[str, Any]) -> dict[str, Any]:
    """A kept preview's dates back as dates."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k in _DATES and isinstance(v, str):
            out[k] = date.fromisoformat(v)
        elif isinstance(v, list):
            out[k] = [_revived(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out


def _stored_dates(session: Session, program_id: int) -> dict[str, tuple[date, date]]:
    rows = session.execute(
        select(Task.id, Task.early_start, Task.early_finish).where(
            Task.program_id == program_id, Task.early_start.is_not(None)
        )
    ).all()
    dates = {f"t{r.id}": (r.early_start, r.early_finish) for r in rows}
    for m in session.execute(
        select(Milestone.id, Milestone.early_start, Milestone.early_finish).where(
            Milestone.program_id == program_id, Milestone.early_start.is_not(None)
        )
    ):
        dates[f"m{m.id}"] = (m.early_start, m.early_finish)
    return dates


def _describe_moves(
    session: Session,
    pn: ProgramNetwork,
    result: LevelingResult,
    now: Mapping[str, tuple[date, date]],
    outcome: LevelingOutcome,
) -> None:
    parents = {a.parent for a in pn.network.activities if a.parent is not None}
    milestone_tasks = set(
        f"t{i}"
        for i in session.scalars(
            select(Task.id).where(Task.program_id == pn.program_id, Task.is_milestone.is_(True))
        )
    )
    targets = pn.targets
    project_key = {pid: key for pid, key in pn.project_keys.items()}
    finish_after = None
    unchanged = 0
    for a, row in zip(pn.network.activities, result, strict=True):
        if a.id in parents:
            continue
        before = now.get(a.id)
        after = (row.start, row.finish)
        finish_after = after[1] if finish_after is None else max(finish_after, after[1])
        is_milestone = a.id[0] == "m" or a.id in milestone_tasks
        pid = pn.project_of.get(a.id)
        moved = before is not None and before != after
        days = _workdays_between(pn, a.id, before[1] if before else None, after[1])
        entry = {
            "ref": a.id,
            "id": int(a.id[1:]),
            "key": pn.label(a.id),
            "name": pn.names.get(a.id, ""),
            "project_key": project_key.get(pid) if pid is not None else None,
            "start_before": before[0] if before else None,
            "finish_before": before[1] if before else None,
            "start_after": after[0],
            "finish_after": after[1],
            "finish_delay_days": days,
            "leveling_delay_days": row.finish_delay,
        }
        if is_milestone:
            if moved:
                target = targets.get(a.id)
                entry["target"] = target
                entry["misses_target"] = target is not None and after[1] > target
                outcome.milestones.append(entry)
            continue
        if moved:
            outcome.moves.append(entry)
        else:
            unchanged += 1
    outcome.moves.sort(key=lambda e: (-e["finish_delay_days"], e["key"]))
    outcome.unchanged_tasks = unchanged
    outcome.finish_after = finish_after


def _workdays_between(pn: ProgramNetwork, ref: str, before: date | None, after: date) -> int:
    """Working days (of the activity's calendar) from ``before`` to ``after``; negative
    when it moves earlier."""
    if before is None or before == after:
        return 0
    cal = pn.calendar(ref)
    if after > before:
        return cal.count_workdays(before, after)
    return -cal.count_workdays(after, before)


def _holds(result: LevelingResult) -> dict[int, date]:
    """The leveled starts of the tasks leveling delayed (applying clears the others)."""
    return {
        int(row.id[1:]): row.start
        for row in result
        if row.id[0] == "t" and (row.start_delay > 0 or row.finish_delay > 0)
    }


def set_holds(session: Session, actor: Actor, program_id: int, holds: Mapping[int, date]) -> int:
    """Make ``holds`` (task id → leveled start) the program's only leveling holds, in bulk:
    one statement for the tasks, one for their audit entries; returns how many changed."""
    session.flush()
    rows = session.execute(
        select(Task.id, Task.key, Task.leveled_start).where(Task.program_id == program_id)
    ).all()
    changed = [
        (r.id, r.key, r.leveled_start, holds.get(r.id))
        for r in rows
        if r.leveled_start != holds.get(r.id)
    ]
    if not changed:
        return 0
    now = utcnow()
    table = Task.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == bindparam("_id"))
        .values(leveled_start=bindparam("_hold"), version=table.c.version + 1, updated_at=now),
        [{"_id": task_id, "_hold": hold} for task_id, _key, _old, hold in changed],
    )
    session.execute(
        insert(AuditEntry),
        [
            {
                "at": now,
                "user_id": actor.user_id,
                "user_email": actor.email,
                "program_id": program_id,
                "entity_type": "task",
                "entity_id": task_id,
                "entity_label": key,
                "action": "update",
                "changes": {
                    "leveled_start": [
                        old.isoformat() if old else None,
                        hold.isoformat() if hold else None,
                    ]
                },
            }
            for task_id, key, old, hold in changed
        ],
    )
    for task_id, *_ in changed:  # loaded tasks read the new values
        obj = session.identity_map.get(identity_key(Task, task_id))
        if obj is not None:
            session.expire(obj)
    mark_program(session, program_id)
    return len(changed)


def clear_leveling(session: Session, actor: Actor, program_id: int) -> int:
    """Remove every leveling hold of the program; returns how many tasks had one."""
    require_role(session, actor, program_id, Role.MANAGER)
    return set_holds(session, actor, program_id, {})


def check_applied(session: Session, program_id: int) -> list[str]:
    """Keys of tasks whose stored schedule disagrees with their hold (should be none)."""
    rows = session.execute(
        select(Task.key, Task.early_start, Task.leveled_start).where(
            Task.program_id == program_id, Task.leveled_start.is_not(None)
        )
    )
    return [r.key for r in rows if r.early_start is not None and r.early_start < r.leveled_start]
