"""An independent check of a leveled schedule, from its dates alone.

Written apart from the schedulers (no compiled network, no working points):
every rule is read off the plan with :class:`~podium.engine.WorkCalendar`'s
date functions, so a bug in the leveling code cannot hide itself here. A
schedule passes when

* every task that may move keeps its duration on its effective calendar (its
  own calendar and its resources' calendars; started and pinned tasks keep their
  own), starts on one of its working days,
  no earlier than the program start, the status date and its ``snet``/``fnet``
  constraint; started tasks keep their actual start, pinned ones their date;
* no unstarted, unpinned task or milestone starts before its project's start;
* every link is satisfied: the successor's start (FS, SS) or finish (FF, SF)
  lies at least ``lag`` working days of its calendar after the predecessor's
  finish (FS, FF: the end of its last day) or start (SS, SF); a link into a
  summary binds each of its tasks, a link out of one uses its rolled-up dates;
  links into started or pinned tasks do not bind (those dates are facts);
  milestones are read leniently (the scheduler may hold a milestone at the
  start or at the end of its day: as a predecessor it stands for the end of the
  working day before it, as a successor for the end of its own day);
* no resource is over capacity on any day to which a task that may move
  contributes (fixed work alone may already overload a day: leveling cannot
  help that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from podium.engine.calendar import WorkCalendar, to_date, working_days
from podium.engine.leveling.model import Assignment, Busy, LevelingResult, Resource
from podium.engine.network import Activity, Network

TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: ``kind`` is ``duration``, ``bound``, ``fixed``, ``link`` or
    ``capacity``; ``day`` and ``resource`` are set for capacity violations."""

    kind: str
    activity: str
    message: str
    resource: str | None = None
    day: date | None = None


def check_leveling(
    network: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    result: LevelingResult,
    busy: Sequence[Busy] = (),
) -> list[Violation]:
    """Every rule ``result`` breaks (an empty list: the schedule is feasible), counting
    the resources' time taken elsewhere (``busy``) as load."""
    acts = {a.id: a for a in network.activities}
    parents = {a.parent for a in network.activities if a.parent is not None}
    start = {i: to_date(result.start[k]) for k, i in enumerate(result.ids)}
    finish = {i: to_date(result.finish[k]) for k, i in enumerate(result.ids)}
    calendar = _effective_calendars(network, resources, assignments)
    leaves_of = _leaves(network, parents)
    for s in parents:
        start[s] = min(start[leaf] for leaf in leaves_of[s])
        finish[s] = max(finish[leaf] for leaf in leaves_of[s])
    one = timedelta(days=1)
    # the moment each activity's work ends: the day after a task's last day; for a
    # milestone, read leniently, the end of the working day before its own (the scheduler
    # may hold it at either end of a day); a summary's latest leaf
    ends = {
        a.id: finish[a.id] + one
        if a.duration > 0
        else calendar[a.id].previous_workday(finish[a.id]) + one
        for a in network.activities
        if a.id not in parents
    }
    for s in parents:
        ends[s] = max(ends[leaf] for leaf in leaves_of[s])
    found: list[Violation] = []
    for a in network.activities:
        if a.id not in parents:
            found += _task_rules(network, a, calendar[a.id], start[a.id], finish[a.id])
    for link in network.links:
        for succ in leaves_of.get(link.succ, [link.succ]):
            if _fixed(acts[succ]):
                continue
            found += _link_rule(
                link.pred, succ, link.type, link.lag, acts, calendar, start, finish, ends
            )
    found += _capacity_rules(resources, assignments, acts, calendar, start, finish, busy)
    return found


def _effective_calendars(
    network: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> dict[str, WorkCalendar]:
    by_id = {r.id: r for r in resources}
    out: dict[str, WorkCalendar] = {}
    made: dict[tuple[WorkCalendar, WorkCalendar], WorkCalendar] = {}
    for a in network.activities:
        out[a.id] = (
            network.default_calendar if a.calendar is None else network.calendars[a.calendar]
        )
    working = {a.id for a in network.activities if a.duration > 0 and not _fixed(a)}
    for x in assignments:
        own = by_id[x.resource].calendar
        if own is not None and x.task in working:
            cal = out[x.task]
            if (cal, own) not in made:
                both = cal.intersection(own)
                if both is None:
                    raise ValueError(
                        f"task {x.task!r}: its calendar and its resource's "
                        "have no working day in common"
                    )
                made[(cal, own)] = both
            out[x.task] = made[(cal, own)]
    return out


def _leaves(network: Network, parents: set[str]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for a in network.activities:
        if a.parent is not None:
            children.setdefault(a.parent, []).append(a.id)
    out: dict[str, list[str]] = {}

    def leaves(x: str) -> list[str]:
        if x not in out:
            out[x] = [leaf for c in children[x] for leaf in (leaves(c) if c in parents else [c])]
        return out[x]

    for p in parents:
        leaves(p)
    return out


def _fixed(a: Activity) -> bool:
    return (
        a.actual_start is not None
        or a.actual_finish is not None
        or a.constraint_type in ("mso", "mfo")
    )


def _task_rules(
    network: Network, a: Activity, cal: WorkCalendar, first: date, last: date
) -> list[Violation]:
    out: list[Violation] = []
    if a.actual_start is not None and a.duration > 0:
        if first != cal.roll_forward(a.actual_start):
            out.append(Violation("fixed", a.id, f"{a.id} started on {a.actual_start}, not {first}"))
        return out
    if a.actual_start is not None or a.actual_finish is not None:
        return out
    if a.constraint_type in ("mso", "mfo") and a.constraint_date is not None:
        if a.constraint_type == "mso":
            want, got = cal.roll_forward(a.constraint_date), first
        else:
            want, got = cal.roll_backward(a.constraint_date), last
        if a.duration > 0 and want != got:
            out.append(Violation("fixed", a.id, f"{a.id} is pinned to {want}, not {got}"))
        return out
    if a.duration > 0:
        if not cal.is_workday(first):
            out.append(Violation("duration", a.id, f"{a.id} starts on a day off ({first})"))
        worked = cal.count_workdays(first, last + timedelta(days=1))
        if worked != a.duration or not cal.is_workday(last):
            out.append(
                Violation(
                    "duration",
                    a.id,
                    f"{a.id} works {worked} days from {first} to {last}, not {a.duration}",
                )
            )
    floor = max(network.start, network.status_date or network.start)
    if a.duration > 0 and first < floor:
        out.append(Violation("bound", a.id, f"{a.id} starts on {first}, before {floor}"))
    if a.project_start is not None and first < a.project_start:
        out.append(
            Violation(
                "bound",
                a.id,
                f"{a.id} starts on {first}, before its project's start {a.project_start}",
            )
        )
    if a.constraint_type == "snet" and a.constraint_date and first < a.constraint_date:
        out.append(Violation("bound", a.id, f"{a.id} starts before its snet date"))
    if (
        a.constraint_type == "fnet"
        and a.constraint_date
        and last < cal.roll_backward(a.constraint_date)
    ):
        out.append(Violation("bound", a.id, f"{a.id} finishes before its fnet date"))
    return out


def _link_rule(
    pred: str,
    succ: str,
    kind: str,
    lag: int,
    acts: dict[str, Activity],
    calendar: dict[str, WorkCalendar],
    start: dict[str, date],
    finish: dict[str, date],
    ends: dict[str, date],
) -> list[Violation]:
    instant = ends[pred] if kind in ("FS", "FF") else start[pred]
    cal = calendar[succ]
    epoch = min(instant, start[succ])
    needed = _index(cal, instant, epoch) + lag
    if kind in ("FS", "SS") and acts[succ].duration > 0:
        have = _index(cal, start[succ], epoch)
    else:
        have = _index(cal, finish[succ] + timedelta(days=1), epoch)
    if have >= needed:
        return []
    return [
        Violation(
            "link",
            succ,
            f"{kind} link {pred} → {succ} (lag {lag}) needs {working_days(needed - have)} more",
        )
    ]


def _index(cal: WorkCalendar, day: date, epoch: date) -> int:
    return int(cal.index([day], epoch=epoch)[0])


def _capacity_rules(
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    acts: dict[str, Activity],
    calendar: dict[str, WorkCalendar],
    start: dict[str, date],
    finish: dict[str, date],
    busy: Sequence[Busy],
) -> list[Violation]:
    load: dict[tuple[str, date], float] = {}
    for b in busy:
        days = np.arange(np.datetime64(b.start, "D"), np.datetime64(b.finish, "D") + 1)
        if b.calendar is not None:
            days = days[b.calendar.is_workday_array(days)]
        for d in days.tolist():
            load[(b.resource, d)] = load.get((b.resource, d), 0.0) + b.units
    movable: dict[tuple[str, date], list[str]] = {}
    found: list[Violation] = []
    res_cal = {r.id: r.calendar for r in resources}
    for x in assignments:
        a = acts[x.task]
        if a.duration == 0:
            continue
        first, last = start[x.task], finish[x.task]
        days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        worked = days[calendar[x.task].is_workday_array(days)]
        own = res_cal[x.resource]
        for d in worked.tolist():
            key = (x.resource, d)
            load[key] = load.get(key, 0.0) + x.units
            if not _fixed(a):
                movable.setdefault(key, []).append(x.task)
                if own is not None and not own.is_workday(d):
                    found.append(
                        Violation(
                            "capacity",
                            x.task,
                            f"{x.task} uses {x.resource} on its day off {d}",
                            x.resource,
                            d,
                        )
                    )
    capacity = {r.id: r.capacity for r in resources}
    for (r, d), used in sorted(load.items()):
        if used > capacity[r] + TOLERANCE and (r, d) in movable:
            tasks = ", ".join(sorted(movable[(r, d)]))
            found.append(
                Violation(
                    "capacity",
                    movable[(r, d)][0],
                    f"{r} is loaded {used:g} > {capacity[r]:g} on {d} ({tasks})",
                    r,
                    d,
                )
            )
    return found
