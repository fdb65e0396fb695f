"""A slow, obviously-correct CPM scheduler to check the engine against.

Pure Python, date by date: no working-day indices, no NumPy. Time is a
*moment* ``(day, half)``: half 0 is the start of the day (8:00), half 1 its end
(17:00), as in Microsoft Project. Every rule is written the way a planner would
state it ("a finish-to-start successor starts on the first working morning at
or after its predecessor's finish, plus the lag, counted in the successor's
calendar"). Summary tasks are not supported (the hand-written tests cover them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from podium.engine import Activity, Network, WorkCalendar

ONE = timedelta(days=1)
Moment = tuple[date, int]


class Days:
    """Working days of one calendar, stepped one day at a time."""

    def __init__(self, calendar: WorkCalendar, origin: date) -> None:
        self.mask = calendar.weekmask
        self.holidays = set(calendar.holidays)
        self.extra = set(calendar.extra_workdays)
        self.origin = origin
        self._before: dict[date, int] = {}
        day, count = origin, 0
        for _ in range(6000):
            self._before[day] = count
            count += self.works(day)
            day += ONE

    def works(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return self.mask[day.weekday()] == "1" or day in self.extra

    def on_or_after(self, day: date) -> date:
        while not self.works(day):
            day += ONE
        return day

    def on_or_before(self, day: date) -> date:
        while not self.works(day):
            day -= ONE
        return day

    def step(self, day: date, count: int) -> date:
        """From working day ``day``, move ``count`` working days."""
        while count > 0:
            day = self.on_or_after(day + ONE)
            count -= 1
        while count < 0:
            day = self.on_or_before(day - ONE)
            count += 1
        return day

    def start_of(self, m: Moment) -> date:
        """The working morning that is the same working time as ``m`` (or the next one)."""
        return self.on_or_after(m[0] if m[1] == 0 else m[0] + ONE)

    def finish_of(self, m: Moment) -> date:
        """The working evening that is the same working time as ``m`` (or the one before)."""
        return self.on_or_before(m[0] - ONE if m[1] == 0 else m[0])

    def shift(self, m: Moment, lag: int) -> Moment:
        """``m`` moved by ``lag`` working days (a morning stays a morning)."""
        if m[1] == 0:
            return (self.step(self.start_of(m), lag), 0)
        return (self.step(self.finish_of(m), lag), 1)

    def position(self, m: Moment) -> int:
        """Working days wholly before moment ``m``."""
        return self._before[m[0]] + (m[1] == 1 and self.works(m[0]))

    def normal(self, m: Moment, half: int) -> Moment:
        return (self.start_of(m), 0) if half == 0 else (self.finish_of(m), 1)


@dataclass
class Row:
    es: date
    ef: date
    ls: date = date.min
    lf: date = date.min
    total_float: int = 0
    free_float: int = 0
    finished: bool = False
    milestone: bool = False
    moment: Moment = (date.min, 0)  # a milestone's early moment
    late_moment: Moment = (date.min, 0)


def reference_schedule(net: Network) -> dict[str, Row]:
    """Early/late dates and floats of every activity, the slow way."""
    acts = {a.id: a for a in net.activities}
    assert all(a.parent is None for a in acts.values()), "summaries are not supported here"
    origin = net.start - timedelta(days=1500)
    cals = {None: Days(net.default_calendar, origin)}
    cals.update({k: Days(v, origin) for k, v in net.calendars.items()})
    cal = {a.id: cals[a.calendar] for a in acts.values()}
    preds: dict[str, list] = {a: [] for a in acts}
    succs: dict[str, list] = {a: [] for a in acts}
    for link in net.links:
        preds[link.succ].append(link)
        succs[link.pred].append(link)
    order = _topological(acts, succs, preds)
    rows: dict[str, Row] = {}
    for aid in order:
        rows[aid] = _forward(acts[aid], cal[aid], net, preds[aid], rows)
    finish = max(r.moment if r.milestone else (r.ef, 1) for r in rows.values())
    for aid in reversed(order):
        _backward(acts[aid], cal, net, succs[aid], rows, acts, finish)
    return rows


def _topological(acts, succs, preds) -> list[str]:
    waiting = {a: len(preds[a]) for a in acts}
    ready = [a for a in acts if waiting[a] == 0]
    order = []
    while ready:
        a = ready.pop()
        order.append(a)
        for link in succs[a]:
            waiting[link.succ] -= 1
            if waiting[link.succ] == 0:
                ready.append(link.succ)
    assert len(order) == len(acts), "cycle"
    return order


def _progress_state(a: Activity) -> str:
    if a.duration == 0:
        return "finished" if a.actual_start or a.actual_finish else "free"
    if a.actual_start is None:
        return "free"
    return "finished" if a.actual_finish or a.percent_complete >= 100 else "going"


def _source(row: Row, link_type: str) -> Moment:
    if row.milestone:
        return row.moment
    return (row.ef, 1) if link_type in ("FS", "FF") else (row.es, 0)


def _forward(a: Activity, c: Days, net: Network, links, rows) -> Row:
    d = a.duration
    state = _progress_state(a)
    if d == 0 and state == "finished":
        day = c.finish_of((a.actual_finish or a.actual_start, 1))
        return Row(day, day, finished=True, milestone=True, moment=(day, 1))
    if state == "finished":
        es = c.start_of((a.actual_start, 0))
        ef = c.finish_of((a.actual_finish, 1)) if a.actual_finish else c.step(es, d - 1)
        return Row(es, max(ef, es), finished=True)
    if state == "going":
        es = c.start_of((a.actual_start, 0))
        remaining = max(1, min(d, math.ceil(d * (100 - a.percent_complete) / 100 - 1e-9)))
        resume = c.step(es, d - remaining)
        if net.status_date is not None:
            resume = max(resume, c.start_of((net.status_date, 0)))
        return Row(es, c.step(resume, remaining - 1))
    kind, when = a.constraint_type, a.constraint_date
    if kind == "mso":
        return _place(c, d, [("start", (when, 0))])
    if kind == "mfo":
        return _place(c, d, [("finish", (when, 1))])
    bounds: list[tuple[str, Moment]] = [("start", (net.start, 0))]
    if net.status_date is not None:
        bounds.append(("start", (net.status_date, 0)))
    if kind == "snet":
        bounds.append(("start", (when, 0)))
    if kind == "fnet":
        bounds.append(("finish", (when, 1)))
    for link in links:
        shifted = c.shift(_source(rows[link.pred], link.type), link.lag)
        bounds.append(("start" if link.type in ("FS", "SS") else "finish", shifted))
    return _place(c, d, bounds)


def _place(c: Days, d: int, bounds: list[tuple[str, Moment]]) -> Row:
    """The earliest placement meeting every bound: a start bound is met by the start,
    a finish bound by the finish (a milestone is both)."""
    if d == 0:
        m = max(c.normal(moment, moment[1]) for _, moment in bounds)
        return Row(m[0], m[0], milestone=True, moment=m)
    es = max(
        c.start_of(moment) if target == "start" else c.step(c.finish_of(moment), -(d - 1))
        for target, moment in bounds
    )
    return Row(es, c.step(es, d - 1))


def _backward(a: Activity, cal, net: Network, links, rows, acts, finish: Moment) -> None:
    """Late dates: the latest placement that keeps every successor, constraint and
    deadline, and the program finish. A bound coming from a successor on another
    calendar is read at its latest instant in that calendar (the morning ``day``)."""
    row, c = rows[a.id], cal[a.id]
    if row.finished:
        row.ls, row.lf, row.total_float, row.free_float = row.es, row.ef, 0, 0
        return
    started = _progress_state(a) != "free"
    span = 0 if row.milestone else c.position((row.ef, 1)) - c.position((row.es, 0))
    finish_bounds: list[Moment] = [finish]
    start_bounds: list[Moment] = []
    day_limits: list[date] = []  # a milestone's: met when it shows on that day at the latest
    latest_mornings: list[tuple[str, date]] = []  # (what it bounds, latest morning)
    kind, when = a.constraint_type, a.constraint_date
    if row.milestone and kind in ("fnlt", "snlt"):
        day_limits.append(when)
    elif kind in ("fnlt", "mfo") and not (started and kind == "mfo"):
        finish_bounds.append((when, 1))
    elif kind in ("snlt", "mso") and not started:
        start_bounds.append((when, 0))
    if a.deadline is not None and row.milestone:
        day_limits.append(a.deadline)
    elif a.deadline is not None:
        finish_bounds.append((a.deadline, 1))
    free = c.position(finish) - c.position(row.moment if row.milestone else (row.ef, 1))
    for link in links:
        s = rows[link.succ]
        if _progress_state(acts[link.succ]) != "free":
            continue
        cs = cal[link.succ]
        target = (
            s.late_moment if s.milestone else (s.ls, 0) if link.type in ("FS", "SS") else (s.lf, 1)
        )
        latest = cs.start_of(cs.shift(target, -link.lag))
        latest_mornings.append(("finish" if link.type in ("FS", "FF") else "start", latest))
        early_target = (
            s.moment if s.milestone else (s.es, 0) if link.type in ("FS", "SS") else (s.ef, 1)
        )
        wanted = cs.shift(_source(row, link.type), link.lag)
        free = min(free, cs.position(early_target) - cs.position(wanted))
    if row.milestone:
        # judged on the day it shows: a morning milestone meets the program finish, its
        # deadline or its limits on their (last working) day in the morning at the latest
        half = row.moment[1]
        if half == 0:
            candidates = [(c.on_or_before(b[0]), 0) for b in finish_bounds]
        else:
            candidates = [c.normal(b, half) for b in finish_bounds]
        candidates += [c.normal(b, half) for b in start_bounds]
        candidates += [(c.on_or_before(d), half) for d in day_limits]
        for _, day in latest_mornings:
            candidates.append((c.on_or_before(day), 0) if half == 0 else (c.finish_of((day, 0)), 1))
        late = min(candidates)
        row.late_moment = late
        row.total_float = c.position(late) - c.position(row.moment)
        row.ls = row.lf = late[0]  # shown as its early moment is: its dates differ by its float
    else:
        lf_points = [c.position((c.finish_of(b), 1)) for b in finish_bounds]
        lf_points += [c.position((c.start_of(b), 0)) + span for b in start_bounds]
        for what, day in latest_mornings:
            if what == "finish":
                lf_points.append(c.position((c.finish_of((day, 0)), 1)))
            else:
                lf_points.append(c.position((c.on_or_before(day), 0)) + span)
        late_finish = min(lf_points)
        row.total_float = late_finish - c.position((row.ef, 1))
        row.lf = c.step(row.ef, row.total_float)
        row.ls = c.step(row.es, row.total_float)
    row.free_float = max(0, min(free, max(row.total_float, 0)))
