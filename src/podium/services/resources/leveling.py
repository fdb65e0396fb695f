"""Level a program: delay work as little as possible so no resource is over capacity.

Leveling starts from the plan without earlier leveling (every hold cleared),
runs the fast heuristic or the CP-SAT optimizer, and reports what would move
(a preview, like an impact analysis). Applying it stores the result as
*leveling holds* (``Task.leveled_start``: start no earlier than that day), so
the critical-path schedule keeps the leveled dates on every later edit until
the program is leveled again or the holds are cleared (:mod:`.holds`). Started,
finished and pinned (``mso``/``mfo``) tasks never move. A preview is kept, and
applying it stores exactly what it showed (:mod:`.previews`). What moves and
why, and the over-allocations left, are told by :mod:`.leveling_outcome`.

A person shared with other programs is leveled around their work: the days
other programs' tasks (as scheduled now) take of a resource are kept free, and
those tasks are never moved — leveling one program never changes another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.config import get_settings
from podium.engine import Network
from podium.engine.leveling import Busy, InvalidResources, LevelingResult, level, level_optimal
from podium.engine.load import Booking, Load, resource_load
from podium.errors import Conflict, ValidationFailed, field_error
from podium.models import Milestone, Project, Role, Task
from podium.services.actor import Actor, require_role, visible_program_ids
from podium.services.closed import refuse_if_closed
from podium.services.resources.demand import Demand, gather_demand
from podium.services.resources.holds import holds_of, set_holds
from podium.services.resources.leveling_outcome import (
    LevelingOutcome,
    Method,
    describe_moves,
    over_days,
    remaining_over_allocations,
    resource_labels,
    solver_note,
)
from podium.services.resources.previews import (
    apply_preview,
    keep_preview,
    leveling_token,
    plan_changed,
)
from podium.services.scheduling.network import ProgramNetwork, load_network
from podium.services.scheduling.pending import lock_plan

MAX_TIME_LIMIT = 120.0
MAX_WEIGHT = 1000  # of one task's, milestone's or project's delay
DEFAULT_TIME_LIMIT = {"heuristic": 1.0, "optimal": 10.0}
# a fixed number of sampling passes (seeded, shared by the walks): a plan levels the
# same way each time unless the time limit cuts the search short (or two walks reach
# the critical-path finish at about the same time); applying a kept preview stores
# exactly what it showed either way
SAMPLES = 300


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
    threads = get_settings().leveling_threads
    try:
        if method == "optimal":
            return level_optimal(
                network,
                resources,
                assignments,
                time_limit=time_limit,
                weights=weights,
                busy=busy,
                threads=threads,
            )
        return level(
            network,
            resources,
            assignments,
            time_limit=time_limit,
            samples=SAMPLES,
            busy=busy,
            threads=threads,
        )
    except InvalidResources as exc:
        problems = [pn.in_keys(p) for p in exc.problems]
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


def _load(
    pn: ProgramNetwork, demand: Demand | None, dates: Mapping[str, tuple[date, date]] | None
) -> Load | None:
    """The load of the program's resources with its tasks on ``dates`` (None: as
    scheduled now); other programs' work counts as it is."""
    if demand is None:
        return None
    bookings = []
    for b in demand.bookings:
        booked = demand.tasks[b.task]
        if dates is not None and booked.program_id == pn.program_id and b.task in dates:
            start, finish = dates[b.task]
            b = Booking(b.task, b.resource, b.units, start, finish, pn.calendar(b.task), b.group)
        bookings.append(b)
    return resource_load(
        demand.engine_resources, bookings, default_calendar=pn.network.default_calendar
    )


def level_program(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    method: Method | None = None,
    time_limit: float | None = None,
    weights: Mapping[str, int] | None = None,
    apply: bool = False,
    schedule_token: str | None = None,
    on_start: Callable[[float], None] | None = None,
    preview_id: int | None = None,
) -> LevelingOutcome:
    """Level the program (a preview unless ``apply``; ``method`` defaults to the
    heuristic). ``schedule_token``, when given, must still be the stored schedule's (the
    plan has not changed since the preview).

    A preview is kept (``outcome.preview_id``; the program's latest few): applying with
    its ``preview_id`` alone stores exactly what it showed, without leveling again (a
    search cut short by its time limit, or CP-SAT, may find another plan on a second
    run). An apply checks that the plan is unchanged and writes the holds in one step:
    of two at once, the second is refused (409 ``schedule_changed``). A closed program's
    plan is frozen: it is not leveled, not even as a preview.
    """
    require_role(session, actor, program_id, Role.MANAGER)
    refuse_if_closed(session, program_id)  # even with nothing to level
    _check_request(
        method=method,
        time_limit=time_limit,
        weights=weights,
        apply=apply,
        schedule_token=schedule_token,
        preview_id=preview_id,
    )
    if preview_id is not None:
        return apply_preview(session, actor, program_id, preview_id)
    method = method or "heuristic"
    limit = DEFAULT_TIME_LIMIT[method] if time_limit is None else time_limit
    if not 0 < limit <= MAX_TIME_LIMIT:
        raise field_error("time_limit", f"more than 0 and at most {MAX_TIME_LIMIT:g} seconds")
    if weights and method != "optimal":
        raise field_error("weights", "weights apply to the optimal method only")
    token = leveling_token(session, program_id)
    if apply and schedule_token is not None and schedule_token != token:
        raise plan_changed(session, actor, program_id, expected=schedule_token, current=token)
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
        over_allocated_days_before=over_days(pn, _load(pn, demand, None)),
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
    if method == "optimal" and not result.optimal:
        outcome.message = solver_note(result.status)
    outcome.seconds = round(time.perf_counter() - began, 3)
    after = _load(pn, demand, leveled)
    outcome.over_allocated_days_after = over_days(pn, after)
    assert demand is not None  # the program assigns resources
    outcome.remaining = remaining_over_allocations(pn, demand, after, visible)
    describe_moves(session, pn, result, now, outcome, resource_labels(demand))
    if apply:
        lock_plan(session, program_id)  # the plan must be the one just leveled
        current = leveling_token(session, program_id)
        if current != token:
            raise plan_changed(session, actor, program_id, expected=token or "", current=current)
        set_holds(session, actor, program_id, holds_of(result, pn.network))
        outcome.applied = True
    else:
        keep_preview(session, actor, outcome, holds_of(result, pn.network))
    return outcome


def _check_request(
    *,
    method: Method | None,
    time_limit: float | None,
    weights: Mapping[str, int] | None,
    apply: bool,
    schedule_token: str | None,
    preview_id: int | None,
) -> None:
    """Refuse contradictory requests: a kept preview is applied as it was computed, so
    ``preview_id`` goes with ``apply`` and without the options of a new run."""
    if preview_id is None:
        return
    if not apply:
        raise field_error(
            "preview_id", "goes with apply: it names the kept preview to store (a preview "
            "needs no preview_id)"
        )  # fmt: skip
    given = [
        name
        for name, value in (
            ("method", method),
            ("time_limit", time_limit),
            ("weights", weights),
            ("schedule_token", schedule_token),
        )
        if value is not None
    ]
    if given:
        raise ValidationFailed(
            f"{', '.join(given)}: not with preview_id (a kept preview is stored as it was "
            "computed, with its own method, time limit, weights and schedule token)",
            details=[
                {"field": name, "message": "not with preview_id: the kept preview has its own"}
                for name in given
            ],
        )


def weight_choices(session: Session, program_id: int) -> list[dict[str, str]]:
    """The projects and milestones of the program whose delay the optimal method can weigh
    (``weights`` keys), projects first, each with its ``key``, ``name`` and ``kind``."""
    projects = session.execute(
        select(Project.key, Project.name)
        .where(Project.program_id == program_id)
        .order_by(Project.position, Project.key)
    ).all()
    milestones = session.execute(
        select(Milestone.key, Milestone.name)
        .where(Milestone.program_id == program_id)
        .order_by(Milestone.target_date.is_(None), Milestone.target_date, Milestone.key)
    ).all()
    return [{"key": r.key, "name": r.name, "kind": "project"} for r in projects] + [
        {"key": r.key, "name": r.name, "kind": "milestone"} for r in milestones
    ]


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
