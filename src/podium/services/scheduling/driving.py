"""Driving links: which predecessor holds each activity where the schedule put it.

A predecessor drives its successor when the date its link allows is the successor's
early date itself: the link leaves it no slack. The date a link allows is the
engine's link arithmetic (:mod:`podium.engine._compile`) told in dates: the moment
read from the predecessor (its finish, or its start) is placed in the successor's
calendar and the lag counted in the successor's working days, so an FS link lets its
successor start on the next working day after the finish, plus the lag. Following
driving links upstream from a late record gives the chain an alert shows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, timedelta
from functools import cached_property
from typing import Literal, NamedTuple

from podium.engine import ScheduleResult
from podium.engine.calendar import to_date
from podium.services.scheduling.network import ProgramNetwork

MAX_CHAIN = 25
End = Literal["start", "finish"]
ONE_DAY = timedelta(days=1)


def date_of(result: ScheduleResult, column: str, ref: str) -> date:
    """One activity's date in a column of the result (``early_start``…)."""
    return to_date(getattr(result, column)[result.index[ref]])


class Moment(NamedTuple):
    """An instant a link reads: the start of calendar day ``day``, standing for a start
    (``is_start``) or for a finish (the end of the working day before)."""

    day: date
    is_start: bool


def _moments(
    pn: ProgramNetwork, result: ScheduleResult, pred: str, *, from_finish: bool
) -> tuple[Moment, ...]:
    """The moment a link reads from ``pred``: its finish (the end of its last working day,
    i.e. the start of the next calendar day) or its start (the start of its first day).

    The schedule gives days, not instants, so some activities come with two readings,
    the likelier first: a milestone is one instant, at the start of its day or at the
    end of it (see :mod:`podium.engine._compile`); a summary finishes when its last
    subtask does (the engine links from each of them), which may be such a milestone,
    and starts when its first one does, on the summary's own working days, one working
    day further when that subtask is a milestone at the end of its day."""
    i = result.index[pred]
    summary = bool(result.is_summary[i])
    if result.is_milestone[i] or (summary and from_finish):
        day = to_date(result.early_finish[i])
        start, end = Moment(day, is_start=True), Moment(day + ONE_DAY, is_start=False)
        return (end, start) if from_finish else (start, end)
    if from_finish:
        return (Moment(to_date(result.early_finish[i]) + ONE_DAY, is_start=False),)
    day = to_date(result.early_start[i])
    if not summary:
        return (Moment(day, is_start=True),)
    calendar = pn.calendar(pred)
    day = calendar.roll_forward(day)
    return Moment(day, is_start=True), Moment(calendar.next_workday(day), is_start=True)


def link_requirement(
    pn: ProgramNetwork, result: ScheduleResult, pred: str, succ: str, kind: str, lag: int
) -> tuple[End, tuple[date, ...]]:
    """Which date of ``succ`` a ``kind`` link from ``pred`` bounds (``"start"`` or
    ``"finish"``) and the earliest it allows, one per reading of ``pred`` (see
    :func:`_moments`).

    The engine's link arithmetic in dates: the moment read from the predecessor is
    placed in the successor's calendar and the lag counted in working days of that
    calendar (so an FS link lets its successor start on the next working day after the
    finish, plus the lag); a finish is the working day before the point reached, and a
    milestone sits on the day of its instant."""
    calendar = pn.calendar(succ)
    milestone = bool(result.is_milestone[result.index[succ]])
    to_finish = kind in ("FF", "SF") and not milestone
    allowed = []
    for moment in _moments(pn, result, pred, from_finish=kind in ("FS", "FF")):
        if milestone:
            offset = lag if moment.is_start else lag - 1
        else:
            offset = lag - 1 if to_finish else lag
        allowed.append(calendar.add_workdays(moment.day, offset))
    return ("finish" if to_finish else "start"), tuple(allowed)


def required_start(
    pn: ProgramNetwork, result: ScheduleResult, pred: str, succ: str, kind: str, lag: int
) -> date | None:
    """The earliest start of ``succ`` a link from ``pred`` allows (``None``: the link
    bounds its finish, FF and SF)."""
    end, allowed = link_requirement(pn, result, pred, succ, kind, lag)
    return allowed[0] if end == "start" else None


class DrivingLinks:
    """Which predecessor drives each activity of one schedule: one whose link the
    activity's early date meets exactly (the link leaves it no slack). A link into a
    summary binds each of its subtasks, as in the engine; a summary itself is held
    where it is by the subtask that starts it or the one that finishes it."""

    def __init__(self, pn: ProgramNetwork, result: ScheduleResult) -> None:
        self.pn, self.result = pn, result

    # built on first use: most schedules have nothing to explain
    @cached_property
    def into(self) -> dict[str, list[tuple[str, str, int]]]:
        """The links into each activity: (predecessor, type, lag)."""
        into: dict[str, list[tuple[str, str, int]]] = {}
        for pred, succ, kind, lag in self.pn.links:
            into.setdefault(succ, []).append((pred, kind, lag))
        return into

    @cached_property
    def parent(self) -> dict[str, str]:
        """Each subtask's summary."""
        return {a.id: a.parent for a in self.pn.network.activities if a.parent is not None}

    def _links_into(self, ref: str) -> list[tuple[str, str, int]]:
        links = list(self.into.get(ref, ()))
        up = self.parent.get(ref)
        while up is not None:
            links += self.into.get(up, ())
            up = self.parent.get(up)
        return links

    def _binds(self, pred: str, succ: str, kind: str, lag: int) -> bool:
        end, allowed = link_requirement(self.pn, self.result, pred, succ, kind, lag)
        return date_of(self.result, f"early_{end}", succ) in allowed

    def _float(self, ref: str) -> int:
        return int(self.result.total_float[self.result.index[ref]])

    @cached_property
    def subtasks(self) -> dict[str, list[str]]:
        """Each summary's subtasks, at every depth."""
        below: dict[str, list[str]] = {}
        for a in self.pn.network.activities:
            up = self.parent.get(a.id)
            while up is not None:
                below.setdefault(up, []).append(a.id)
                up = self.parent.get(up)
        return below

    def _leaf(self, summary: str, end: End) -> str | None:
        """The subtask that starts or finishes a summary (the least float of those that do)."""
        day = date_of(self.result, f"early_{end}", summary)
        leaves = [
            leaf
            for leaf in self.subtasks.get(summary, ())
            if leaf not in self.subtasks and date_of(self.result, f"early_{end}", leaf) == day
        ]
        return min(leaves, key=self._float) if leaves else None

    def driver(
        self, ref: str, seen: Collection[str] = (), *, end: End = "finish"
    ) -> tuple[str, End] | None:
        """What holds ``ref``'s start or finish (``end``) where it is: the predecessor (the
        least float of those that do, one in another project first on a tie) and which
        of its dates its link reads; for a summary, the subtask that starts or
        finishes it."""
        if self.result.is_summary[self.result.index[ref]]:
            leaf = self._leaf(ref, end)
            return (leaf, end) if leaf is not None and leaf not in seen else None
        project = self.pn.project_of.get(ref)
        drivers = [
            (pred, kind)
            for pred, kind, lag in self._links_into(ref)
            if pred not in seen and self._binds(pred, ref, kind, lag)
        ]
        if not drivers:
            return None
        pred, kind = min(
            drivers, key=lambda d: (self._float(d[0]), self.pn.project_of.get(d[0]) == project)
        )
        return pred, "finish" if kind in ("FS", "FF") else "start"

    def upstream(self, subject: str) -> Iterator[str]:
        """The activities that drive ``subject``'s finish, nearest first."""
        seen, current = {subject}, subject
        end: End = "finish"
        while len(seen) < MAX_CHAIN:
            found = self.driver(current, seen, end=end)
            if found is None:
                return
            current, end = found
            seen.add(current)
            yield current

    def chain(self, subject: str) -> list[str]:
        """Activity ids from the upstream cause down to ``subject``."""
        return [*reversed(list(self.upstream(subject))), subject]

    def across_projects(self, ref: str) -> str | None:
        """The work in another project that drives ``ref`` (through program milestones,
        which belong to no project), or ``None`` when what drives it is in its own project."""
        project = self.pn.project_of.get(ref)
        if all(self.pn.project_of.get(pred) == project for pred, _, _ in self._links_into(ref)):
            return None  # nothing from outside its project comes in
        for pred in self.upstream(ref):
            upstream = self.pn.project_of.get(pred)
            if upstream is not None:
                return pred if upstream != project else None
        return None
