"""Per-activity bounds from the program start, constraints, deadlines and progress.

Rules (Microsoft Project's constraint names, PMBOK's negative-float reading of
late constraints; see ``docs`` and :mod:`podium.engine.cpm`):

* every unstarted activity starts no earlier than the program start, its
  project's start (whatever its constraint, unless pinned) and, when a status
  date is given, no earlier than the status date;
* ``snet``/``fnet`` raise the early start; ``snlt``/``fnlt`` and deadlines only
  lower the late dates (a miss shows as negative float, the task never moves);
  ``mso``/``mfo`` pin the early start (overriding links) and cap the late start;
* a finished activity keeps its actual dates; an in-progress task keeps its
  actual start and its remaining duration ``ceil(duration x (100 - %) / 100)``
  runs from the status date on (or straight on from the work done when no
  status date is given);
* on a summary, ``snet`` applies to each of its leaf tasks and ``fnlt`` and the
  deadline cap its rolled-up finish;
* a milestone reached with its predecessors (``reached_with_predecessors``, a
  program milestone), every one of them finished (a summary when all its tasks
  are), is finished too: its links place it after their actual dates, and neither
  the status date nor anything else of unstarted work holds it back (unless a
  lag puts it after the end of the status date: it is still to come);
* a leveling hold (``not_before``) raises the early start of unstarted, unpinned
  work like an extra ``snet`` (it is ignored on summaries and started work).

Start constraints on date *d* mean the start of *d* (rolled forward to a working
day), finish constraints and deadlines the end of *d* (rolled backward). A
milestone's limits (start or finish no later than, deadline) are on the day it
shows: here the end of *d*, and :func:`podium.engine.cpm.schedule` takes one point
off for a milestone that sits at the start of its day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from podium.engine.calendar import BoolArray, IntArray, WorkCalendar, as_days
from podium.engine.network import Activity, Network

BIG = 1 << 40  # "no bound" in points; far beyond any calendar


@dataclass(slots=True)
class Bounds:
    """Spans, progress state, forward start values and late caps."""

    span: IntArray  # per activity: finish point - start point (0 for summaries)
    started: BoolArray  # has an actual start (finished included)
    finished: BoolArray
    pinned: BoolArray  # mso/mfo on unstarted work: the early start is fixed
    init: IntArray  # per slot: encoded early value before the pass (lower bound or fixed)
    late_cap: IntArray  # per slot: upper bound on the late point (BIG: none)
    day_limit: IntArray  # per activity: a milestone's limits, the end of their day (BIG: none)
    late_constraints: Sequence[tuple[int, str, date]]  # snlt/fnlt, for conflict reports
    deadlines: list[tuple[int, date]]
    reached: IntArray  # milestones reached with their predecessors (finished)
    reached_until: IntArray  # per reached: the latest encoded early value that is reached


class _Points:
    """Dates to points in each activity's calendar, vectorized per calendar."""

    def __init__(self, calendars: list[WorkCalendar], cal_of: IntArray, epoch: date) -> None:
        self.calendars, self.cal_of, self.epoch = calendars, cal_of, epoch

    def start(self, who: IntArray, days: list[date], *, shift: int = 0) -> IntArray:
        """Point at the start of each day (shift=1: at its end) in ``who``'s calendar."""
        out = np.zeros(len(who), np.int64)
        if not len(who):
            return out
        when = as_days(days) + np.timedelta64(shift, "D")
        cals = self.cal_of[who]
        for c in np.unique(cals).tolist():
            mask = cals == c
            out[mask] = self.calendars[c].index(when[mask], epoch=self.epoch)
        return out

    def finish(self, who: IntArray, days: list[date]) -> IntArray:
        """Point at the end of each day (a finish on that day)."""
        return self.start(who, days, shift=1)


def compute_bounds(
    net: Network,
    special: list[int],
    calendars: list[WorkCalendar],
    cal_of: IntArray,
    duration: IntArray,
    is_summary: BoolArray,
    finish_slot: IntArray,
    summary_of: IntArray,
    leaf_of: IntArray,
) -> Bounds:
    """Bounds for every activity and slot of ``net``; only the ``special`` activities
    (with a constraint, deadline or progress) have more than the program start."""
    n = len(duration)
    pts = _Points(calendars, cal_of, net.start)
    milestone_bit = np.where((duration == 0) & ~is_summary, 0, 1)
    status = np.full(n, -BIG, np.int64)
    if net.status_date is not None:
        per_calendar = [cal.index([net.status_date], epoch=net.start)[0] for cal in calendars]
        status = np.asarray(per_calendar, np.int64)[cal_of]
    lower = 2 * np.maximum(status, 0) + 1
    cap = np.full(n + int(is_summary.sum()), BIG, np.int64)
    span = duration.copy()
    started, finished, pinned = (np.zeros(n, np.bool_) for _ in range(3))
    fixed = np.zeros(n, np.int64)
    rows = [(i, net.activities[i]) for i in special]
    _progress(rows, pts, duration, is_summary, status, span, started, finished, fixed)
    reached = _reached_milestones(net, is_summary, started, finished, summary_of, leaf_of)
    finished[reached] = True
    lower[reached] = 1  # the program start, as if there were no status date
    # a lag that puts it past the status date leaves it to come (see cpm.schedule)
    reached_until = np.full(reached.size, BIG, np.int64)
    if net.status_date is not None and reached.size:
        reached_until = 2 * pts.finish(reached, [net.status_date] * reached.size)
    late_constraints, deadlines = [], []
    free = ~started
    for i, a in rows:
        kind, day = a.constraint_type, a.constraint_date
        if a.deadline is not None:
            deadlines.append((i, a.deadline))
        if kind == "asap" or day is None:
            continue
        if kind in ("snlt", "fnlt"):
            late_constraints.append((i, kind, day))
        if kind == "snet" and is_summary[i]:
            under = leaf_of[summary_of == i]
            under = under[free[under]]
            p = pts.start(under, [day] * len(under))
            lower[under] = np.maximum(lower[under], 2 * p + 1)
            continue
        who = np.array([i])
        s, f = pts.start(who, [day])[0], pts.finish(who, [day])[0]
        if is_summary[i]:  # fnlt: caps the rolled-up finish
            cap[finish_slot[i]] = min(cap[finish_slot[i]], f)
        elif kind == "fnlt" and not finished[i]:
            cap[i] = min(cap[i], f - span[i])
        elif not free[i]:
            continue
        elif kind == "snet":
            lower[i] = max(lower[i], 2 * s + 1)
        elif kind == "fnet":
            lower[i] = max(lower[i], 2 * (f - span[i]) + milestone_bit[i])
        elif kind == "snlt":  # a milestone shows on d at the latest: the end of d
            cap[i] = min(cap[i], f if milestone_bit[i] == 0 else s)
        elif kind in ("mso", "mfo"):
            pinned[i] = True
            point = s if kind == "mso" else f - span[i]
            fixed[i] = 2 * point + (1 if kind == "mso" else milestone_bit[i])
            cap[i] = min(cap[i], point)
    held = [
        (i, a.not_before)
        for i, a in rows
        if a.not_before is not None and free[i] and not pinned[i] and not is_summary[i]
    ]
    held += [
        (i, a.project_start)
        for i, a in rows
        if a.project_start is not None and free[i] and not pinned[i] and not is_summary[i]
    ]
    if held:
        who = np.array([i for i, _ in held], np.int64)
        p = pts.start(who, [d for _, d in held if d is not None])
        np.maximum.at(lower, who, 2 * p + 1)  # a task held twice keeps the later day
    if deadlines:
        who = np.array([i for i, _ in deadlines], np.int64)
        f = pts.finish(who, [d for _, d in deadlines])
        summary = is_summary[who]
        np.minimum.at(cap, finish_slot[who[summary]], f[summary])
        leaf = who[~summary & ~finished[who]]
        np.minimum.at(cap, leaf, f[~summary & ~finished[who]] - span[leaf])
    day_limit = np.full(n, BIG, np.int64)
    limits = [(i, d) for i, _, d in late_constraints] + deadlines
    limits = [(i, d) for i, d in limits if milestone_bit[i] == 0 and not finished[i]]
    if limits:
        who = np.array([i for i, _ in limits], np.int64)
        np.minimum.at(day_limit, who, pts.finish(who, [d for _, d in limits]))
    init = np.where(started | pinned, fixed, lower)
    init = np.concatenate([np.where(is_summary, BIG, init), np.full(cap.size - n, -BIG)])
    return Bounds(
        span,
        started,
        finished,
        pinned,
        init,
        cap,
        day_limit,
        late_constraints,
        deadlines,
        reached,
        reached_until,
    )


def _reached_milestones(
    net: Network,
    is_summary: BoolArray,
    started: BoolArray,
    finished: BoolArray,
    summary_of: IntArray,
    leaf_of: IntArray,
) -> IntArray:
    """Milestones reached with their predecessors whose every predecessor is finished: a
    finished task, a summary whose tasks all are, or another such milestone reached.
    One with no predecessor is never reached: nothing says its work is done."""
    acts = net.activities
    flagged = {
        a.id: k
        for k, a in enumerate(acts)
        if a.reached_with_predecessors and a.duration == 0 and not is_summary[k] and not started[k]
    }
    if not flagged:
        return np.zeros(0, np.int64)
    index = {a.id: k for k, a in enumerate(acts)}
    preds: dict[int, set[int]] = {}
    for link in net.links:
        if link.succ in flagged:
            preds.setdefault(flagged[link.succ], set()).add(index[link.pred])

    def done(k: int) -> bool:
        if is_summary[k]:
            return bool(finished[leaf_of[summary_of == k]].all())
        return bool(finished[k])

    reached: set[int] = set()
    waiting = {k: {p for p in ps if not done(p)} for k, ps in preds.items()}
    progressed = True
    while progressed:  # a milestone reached may complete the predecessors of another
        progressed = False
        for k, left in waiting.items():
            if k not in reached and left <= reached:
                reached.add(k)
                progressed = True
    return np.array(sorted(reached), np.int64)


def _progress(
    special: list[tuple[int, Activity]],
    pts: _Points,
    duration: IntArray,
    is_summary: BoolArray,
    status: IntArray,
    span: IntArray,
    started: BoolArray,
    finished: BoolArray,
    fixed: IntArray,
) -> None:
    """Fill spans and fixed values of started work (actual dates are facts)."""
    rows = [
        (i, a)
        for i, a in special
        if not is_summary[i] and (a.actual_start is not None or a.actual_finish is not None)
    ]
    if not rows:
        return
    who = np.array([i for i, _ in rows], np.int64)
    started[who] = True
    for i, a in rows:
        d = int(duration[i])
        done = a.actual_finish is not None or a.percent_complete >= 100 or d == 0
        finished[i] = done
    mile = [(i, a.actual_finish or a.actual_start) for i, a in rows if duration[i] == 0]
    if mile:
        m = np.array([i for i, _ in mile], np.int64)
        fixed[m] = 2 * pts.finish(m, [d for _, d in mile if d is not None])
        span[m] = 0
    tasks = [(i, a) for i, a in rows if duration[i] > 0 and a.actual_start is not None]
    if not tasks:
        return
    t = np.array([i for i, _ in tasks], np.int64)
    begin = pts.start(t, [a.actual_start for _, a in tasks if a.actual_start is not None])
    ends = [(k, a.actual_finish) for k, (_, a) in enumerate(tasks) if a.actual_finish is not None]
    finish = begin + duration[t]
    if ends:
        k = np.array([k for k, _ in ends], np.int64)
        finish[k] = pts.finish(t[k], [d for _, d in ends])
    remaining = np.array(
        [
            max(
                1,
                min(
                    int(duration[i]),
                    math.ceil(duration[i] * (100 - a.percent_complete) / 100 - 1e-9),
                ),
            )
            for i, a in tasks
        ],
        np.int64,
    )
    resume = np.maximum(begin + duration[t] - remaining, status[t])
    going = ~finished[t]
    finish = np.where(going, resume + remaining, np.maximum(finish, begin + 1))
    span[t] = finish - begin
    fixed[t] = 2 * begin + 1
