"""A leveling run's outcome (:class:`LevelingOutcome`): what moves, why, and what is left.

The tasks and milestones that move, each with its delay and why it waits (the
resources whose capacity held it back, or a predecessor that moved); the
over-allocated resource-days before and after; and the over-allocations leveling
leaves, with the work in them it may not move (started, finished or pinned here;
another program's). A kept preview stores the outcome, to show it again when it is
applied (:mod:`.previews`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.engine.calendar import to_date
from podium.engine.leveling import LevelingResult
from podium.engine.load import Load
from podium.models import Task
from podium.services.resources.demand import Demand
from podium.services.scheduling.network import ProgramNetwork, resource_ref
from podium.text import listed

Method = Literal["heuristic", "optimal"]


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
    # over-allocations leveling leaves (they involve work it may not move): resource,
    # days, and each task with why it stays ("started", "finished", "pinned", "elsewhere")
    remaining: list[dict[str, Any]] = field(default_factory=list)
    schedule_token: str | None = None
    preview_id: int | None = None  # the kept preview: apply it to store exactly this
    applied: bool = False
    message: str = ""  # why nothing was leveled, or why the optimal method proved nothing


def solver_note(status: str) -> str:
    """Why an optimal run is not proven optimal, in words, from the engine's ``status``
    (empty when it says nothing): ``feasible (heuristic; CP-SAT found nothing better)``
    reads "the optimizing solver kept the heuristic's plan: CP-SAT found nothing better",
    ``feasible (not proven optimal: …)`` reads "not proven optimal: …"."""
    _word, _, why = status.partition(" (")
    why = why.removesuffix(")")
    if why.startswith("heuristic; "):
        return f"the optimizing solver kept the heuristic's plan: {why.removeprefix('heuristic; ')}"
    return why if why.startswith("not proven optimal: ") else ""


def _since(pn: ProgramNetwork) -> date:
    """Over-allocations count from the status date on (the program start without one)."""
    return pn.network.status_date or pn.network.start


def over_days(pn: ProgramNetwork, load: Load | None) -> int:
    """Resource-days over capacity from the status date on: each resource's over-allocated
    days, added up (two people over on the same day count two)."""
    if load is None:
        return 0
    since = np.datetime64(_since(pn), "D")
    return int(load.over[:, load.days >= since].sum())


def remaining_over_allocations(
    pn: ProgramNetwork, demand: Demand, load: Load | None, visible: list[int] | None
) -> list[dict[str, Any]]:
    """The over-allocations leveling leaves, from the status date on, and why: the work
    in them it may not move (started, finished or pinned here; another program's).
    Tasks of programs the actor cannot see are counted, not named."""
    if load is None:
        return []
    since = _since(pn)
    pinned = {a.id for a in pn.network.activities if a.constraint_type in ("mso", "mfo")}
    labels = resource_labels(demand)
    out = []
    for o, first, days in load.overloads_from(since):
        tasks, hidden = [], 0
        for ref in o.tasks:
            booked = demand.tasks[ref]
            here = booked.program_id == pn.program_id
            if not here and visible is not None and booked.program_id not in visible:
                hidden += 1
                continue
            why = "elsewhere"
            if here:
                why = (
                    "finished"
                    if ref in pn.finished
                    else "started"
                    if ref in pn.started
                    else "pinned"
                    if ref in pinned
                    else ""
                )
            tasks.append(
                {
                    "key": booked.key,
                    "name": booked.name,
                    "program_key": booked.program_key,
                    "why": why,
                }
            )
        out.append(
            {
                "resource": labels[o.resource],
                "start": first,
                "finish": o.finish,
                "days": days,
                "peak_demand": o.peak_demand,
                "capacity": o.capacity,
                "tasks": tasks,
                "hidden_tasks": hidden,
            }
        )
    return out


def resource_labels(demand: Demand) -> dict[str, dict[str, str]]:
    """Resource reference → its key and name."""
    return {resource_ref(r.id): {"key": r.key, "name": r.name} for r in demand.resources}


def describe_moves(
    session: Session,
    pn: ProgramNetwork,
    result: LevelingResult,
    now: Mapping[str, tuple[date, date]],
    outcome: LevelingOutcome,
    resources: Mapping[str, dict[str, str]],
) -> None:
    """The tasks and milestones that move, and why: the resources whose capacity held a
    task back, or a predecessor that moved. Delays count working days of the program's
    calendar, one calendar for every task (a person's time off does not stretch one)."""
    parents = {a.parent for a in pn.network.activities if a.parent is not None}
    milestone_tasks = set(
        f"t{i}"
        for i in session.scalars(
            select(Task.id).where(Task.program_id == pn.program_id, Task.is_milestone.is_(True))
        )
    )
    targets = pn.targets
    project_key = {pid: key for pid, key in pn.project_keys.items()}
    calendar = pn.network.default_calendar
    finish_after = None
    unchanged = 0
    for i, (a, row) in enumerate(zip(pn.network.activities, result, strict=True)):
        if a.id in parents:
            continue
        before = now.get(a.id)
        after = (row.start, row.finish)
        finish_after = after[1] if finish_after is None else max(finish_after, after[1])
        is_milestone = a.id[0] == "m" or a.id in milestone_tasks
        pid = pn.project_of.get(a.id)
        moved = before is not None and before != after
        early_finish = to_date(result.early_finish[i])
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
            "finish_delay_days": _workdays_between(
                calendar, before[1] if before else None, after[1]
            ),
            "leveling_delay_days": _workdays_between(calendar, early_finish, after[1]),
            "held_by": [resources[r] for r in result.held_by.get(a.id, ()) if r in resources],
            "after_moved_predecessor": a.id in result.follows_moved,
        }
        entry["why"] = why_it_moves(entry)
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


def why_it_moves(move: Mapping[str, Any]) -> str:
    """Why a task or milestone moves, said against the delay shown beside it (its finish
    now → leveled): a move later names the resources that had no room for it and whether
    its predecessors moved; a move earlier (a re-leveling found room sooner) says so first,
    as what holds it still is measured from the plan without leveling."""
    held = [r["name"] for r in move["held_by"]]
    reasons = []
    if held:
        reasons.append("waits for " + listed(held))
    if move["after_moved_predecessor"]:
        reasons.append("follows a moved predecessor")
    if move["finish_delay_days"] >= 0:
        return "; ".join(reasons)
    if not reasons or move["leveling_delay_days"] <= 0:
        return "room found sooner: no longer delayed by leveling"
    return "room found sooner; still " + "; still ".join(reasons)


def _workdays_between(calendar: WorkCalendar, before: date | None, after: date) -> int:
    """Working days of ``calendar`` from ``before`` to ``after``; negative when it moves
    earlier."""
    if before is None or before == after:
        return 0
    if after > before:
        return calendar.count_workdays(before, after)
    return -calendar.count_workdays(after, before)
