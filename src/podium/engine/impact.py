"""Impact analysis: "if task X slips 10 days, what moves, where, and which dates are missed?"

The network is scheduled as it is and again with hypothetical changes applied
(nothing is stored anywhere); the answer is the difference of the two critical
path schedules (:func:`podium.engine.cpm.schedule`): every activity whose early
dates move, by how many working days (of its own calendar), grouped by the
activity's ``group`` (its project), and every deadline, milestone target and
baseline finish that is newly missed or missed by more.

Changes:

* :class:`Slip` — the activity takes ``days`` more working days, so its finish
  moves by ``days`` and its start stays ("task X slips 10 days"). On an
  in-progress task the work done is kept, so the remaining work grows by ``days``.
* :class:`DelayStart` — the activity cannot start before its current early
  start plus ``days`` working days (a start-no-earlier-than constraint); a started
  activity, or one pinned by its constraint, cannot be delayed.

A slip or a delay is at least one working day (a negative one would be a
different question: what if it took less, or started earlier).
* :class:`SetDuration`, :class:`AddLink`, :class:`RemoveLink` — as named.
* :class:`SetStart`, :class:`SetStatusDate` — the whole program's start or status
  date (the weekly move of the status date: unstarted and remaining work is
  scheduled from the new day on).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from podium.engine.calendar import DateArray, IntArray, WorkCalendar, to_date
from podium.engine.cpm import schedule
from podium.engine.network import Activity, InvalidNetwork, Link, LinkType, Network
from podium.engine.results import ScheduleResult


@dataclass(frozen=True, slots=True)
class Slip:
    """``activity`` takes ``days`` more working days (its finish moves, its start stays)."""

    activity: str
    days: int


@dataclass(frozen=True, slots=True)
class DelayStart:
    """``activity`` cannot start before its current early start + ``days`` working days."""

    activity: str
    days: int


@dataclass(frozen=True, slots=True)
class SetDuration:
    """``activity`` now takes ``days`` working days."""

    activity: str
    days: int


@dataclass(frozen=True, slots=True)
class AddLink:
    """A new dependency ``pred`` → ``succ``."""

    pred: str
    succ: str
    type: LinkType = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class RemoveLink:
    """Remove every dependency ``pred`` → ``succ``."""

    pred: str
    succ: str


@dataclass(frozen=True, slots=True)
class SetStart:
    """The network starts on ``day``: the earliest day any unstarted work may start."""

    day: date


@dataclass(frozen=True, slots=True)
class SetStatusDate:
    """Progress is as of ``day`` (``None``: no status date); work left is scheduled from it."""

    day: date | None


Change = Slip | DelayStart | SetDuration | AddLink | RemoveLink | SetStart | SetStatusDate


@dataclass(frozen=True, slots=True)
class Move:
    """An activity whose early dates move; deltas in working days of its calendar (+ = later)."""

    activity: str
    group: str | None
    early_start_before: date
    early_start_after: date
    early_finish_before: date
    early_finish_after: date
    start_delta: int
    finish_delta: int


@dataclass(frozen=True, slots=True)
class Miss:
    """A finish later than a limit: a ``deadline``, a milestone ``target`` or a ``baseline``."""

    activity: str
    group: str | None
    kind: str
    limit: date
    finish_before: date
    finish_after: date
    days_late_before: int
    days_late_after: int

    @property
    def is_new(self) -> bool:
        """Met before the change, missed after it."""
        return self.days_late_before == 0


@dataclass(frozen=True, slots=True, eq=False)
class Impact:
    """The difference the changes make to the schedule (``moves`` in input order)."""

    before: ScheduleResult
    after: ScheduleResult
    moves: tuple[Move, ...]
    misses: tuple[Miss, ...]
    finish_delta: int  # program finish, working days of the default calendar

    def by_group(self) -> dict[str | None, tuple[Move, ...]]:
        """Moves grouped by their activity's group (project), groups in first-seen order."""
        grouped: dict[str | None, list[Move]] = {}
        for move in self.moves:
            grouped.setdefault(move.group, []).append(move)
        return {group: tuple(moves) for group, moves in grouped.items()}

    @property
    def new_misses(self) -> tuple[Miss, ...]:
        """Limits met before and missed after."""
        return tuple(m for m in self.misses if m.is_new)


def analyze_impact(
    network: Network,
    changes: Sequence[Change],
    *,
    targets: Mapping[str, date] | None = None,
    baseline_finish: Mapping[str, date] | None = None,
    before: ScheduleResult | None = None,
) -> Impact:
    """Schedule ``network`` with and without ``changes`` and return what moved.

    ``targets`` (milestone target dates) and ``baseline_finish`` are finish limits
    checked besides each activity's deadline; ``before`` reuses a schedule of
    ``network`` already computed.
    """
    before = before or schedule(network)
    return compare_networks(
        network,
        apply_changes(network, changes, before),
        targets=targets,
        baseline_finish=baseline_finish,
        before=before,
    )


def compare_networks(
    network: Network,
    changed: Network,
    *,
    targets: Mapping[str, date] | None = None,
    baseline_finish: Mapping[str, date] | None = None,
    before: ScheduleResult | None = None,
) -> Impact:
    """What moves from the schedule of ``network`` to that of ``changed``: the same
    activities (by id) with other inputs — calendars, for one, which no single change
    describes. Deltas count working days of each activity's calendar in ``network``.
    """
    before = before or schedule(network)
    after = schedule(changed)
    if after.ids != before.ids:
        raise InvalidNetwork(["the changed network must hold the same activities"])
    calendars = _calendars(network)
    moved = np.flatnonzero(
        (before.early_start != after.early_start) | (before.early_finish != after.early_finish)
    )
    start_delta = _delta(calendars, moved, before.early_start, after.early_start)
    finish_delta = _delta(calendars, moved, before.early_finish, after.early_finish)
    # dates of the moved activities, converted once per column (not once per value)
    columns = [
        col[moved].astype(object).tolist()
        for col in (before.early_start, after.early_start, before.early_finish, after.early_finish)
    ]
    moves = tuple(
        Move(
            before.ids[i],
            before.groups[i],
            columns[0][k],
            columns[1][k],
            columns[2][k],
            columns[3][k],
            int(start_delta[k]),
            int(finish_delta[k]),
        )
        for k, i in enumerate(moved.tolist())
    )
    limits = [(a.id, "deadline", a.deadline) for a in network.activities if a.deadline]
    limits += [(aid, "target", day) for aid, day in (targets or {}).items()]
    limits += [(aid, "baseline", day) for aid, day in (baseline_finish or {}).items()]
    misses = tuple(_misses(limits, before, after, calendars))
    default = network.default_calendar
    program_delta = int(default.index([after.finish], epoch=before.finish)[0])
    return Impact(before, after, moves, misses, program_delta)


def apply_changes(network: Network, changes: Sequence[Change], before: ScheduleResult) -> Network:
    """``network`` with ``changes`` applied (raises :class:`InvalidNetwork` for bad changes)."""
    acts = list(network.activities)
    index = {a.id: i for i, a in enumerate(acts)}
    links = list(network.links)
    start, status_date = network.start, network.status_date
    problems = []
    for change in changes:
        if isinstance(change, SetStart):
            start = change.day
            continue
        if isinstance(change, SetStatusDate):
            status_date = change.day
            continue
        if isinstance(change, AddLink):
            links.append(Link(change.pred, change.succ, change.type, change.lag))
            continue
        if isinstance(change, RemoveLink):
            kept = [x for x in links if (x.pred, x.succ) != (change.pred, change.succ)]
            if len(kept) == len(links):
                problems.append(f"no link {change.pred} → {change.succ} to remove")
            links = kept
            continue
        i = index.get(change.activity, -1)
        if i < 0:
            problems.append(f"unknown activity {change.activity!r}")
            continue
        changed, problem = _change_activity(network, acts[i], change, before)
        acts[i] = changed
        problems += [problem] if problem else []
    if problems:
        raise InvalidNetwork(problems)
    return replace(network, activities=acts, links=links, start=start, status_date=status_date)


# the constraints that hold an activity's dates where they are, as people say them
MAX_CHANGE_DAYS = 10_000
# the working days each task change takes: (fewest, what it is called); at most 10,000
CHANGE_DAYS = {
    "slip": (1, "a slip"),
    "delay_start": (1, "a delay"),
    "set_duration": (0, "a duration"),
}

PINNING = {
    "mso": "must start on",
    "mfo": "must finish on",
    "snlt": "start no later than",
    "fnlt": "finish no later than",
}


def _change_activity(
    network: Network, a: Activity, change: Slip | DelayStart | SetDuration, before: ScheduleResult
) -> tuple[Activity, str | None]:
    row = before[a.id]
    if row.is_summary:
        return a, f"{a.id!r} is a summary: change its subtasks"
    if row.is_finished:
        return a, f"{a.id!r} is finished"
    if isinstance(change, Slip | DelayStart) and change.days < 1:
        what = "a slip" if isinstance(change, Slip) else "a delay"
        return a, f"{what} of {a.id!r} is at least 1 working day, not {change.days}"
    if isinstance(change, DelayStart):
        if a.actual_start is not None:
            return a, f"{a.id!r} is already started: its start cannot be delayed"
        if a.constraint_type not in ("asap", "snet", "fnet"):
            pinned = f"{PINNING[a.constraint_type]} {a.constraint_date}"
            return a, f"{a.id!r} is pinned ({pinned}): its start cannot be delayed"
        calendar = network.calendars[a.calendar] if a.calendar else network.default_calendar
        day = calendar.add_workdays(row.early_start, change.days)
        return replace(a, constraint_type="snet", constraint_date=day), None
    duration = a.duration + change.days if isinstance(change, Slip) else change.days
    if duration < 0:
        return a, f"{a.id!r} would get a negative duration ({duration})"
    if a.actual_start is not None and a.duration > 0:
        # keep the work done: the same number of days, as a share of the new duration
        done = a.duration * a.percent_complete / 100
        percent = min(99.0, 100 * done / duration) if duration else 0.0
        return replace(a, duration=duration, percent_complete=percent), None
    return replace(a, duration=duration), None


def _calendars(network: Network) -> list[WorkCalendar]:
    named = network.calendars
    default = network.default_calendar
    return [named[a.calendar] if a.calendar else default for a in network.activities]


def _delta(
    calendars: list[WorkCalendar], which: IntArray, old: DateArray, new: DateArray
) -> IntArray:
    """Signed working days from ``old`` to ``new`` for the activities ``which``."""
    out = np.zeros(len(which), np.int64)
    groups: dict[WorkCalendar, list[int]] = {}
    for k, i in enumerate(which.tolist()):
        groups.setdefault(calendars[i], []).append(k)
    for calendar, ks in groups.items():
        rows = which[ks]
        # index from a common epoch, so the difference counts [old, new) or [new, old)
        epoch = to_date(old[rows].min())
        out[ks] = calendar.index(new[rows], epoch=epoch) - calendar.index(old[rows], epoch=epoch)
    return out


def _misses(
    limits: list[tuple[str, str, date]],
    before: ScheduleResult,
    after: ScheduleResult,
    calendars: list[WorkCalendar],
) -> list[Miss]:
    out = []
    for aid, kind, limit in limits:
        i = before.index.get(aid)
        if i is None:
            raise InvalidNetwork([f"{kind} for unknown activity {aid!r}"])
        old, new = to_date(before.early_finish[i]), to_date(after.early_finish[i])
        late_before = _days_late(calendars[i], limit, old)
        late_after = _days_late(calendars[i], limit, new)
        if late_after > late_before:
            out.append(Miss(aid, before.groups[i], kind, limit, old, new, late_before, late_after))
    return out


def _days_late(calendar: WorkCalendar, limit: date, finish: date) -> int:
    """Working days in (limit, finish]; 0 when the finish is on or before the limit."""
    if finish <= limit:
        return 0
    return calendar.count_workdays(limit + timedelta(days=1), finish + timedelta(days=1))
