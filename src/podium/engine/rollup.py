"""Summary tasks rolled up from their leaf tasks, as Microsoft Project rolls them up.

A summary task has no work of its own: what it shows comes from the leaf tasks below
it, at every depth (a nested summary rolls up through its own leaves, never through
its stored values):

* **duration** — the working days, on the summary's calendar, from its start to its
  finish (the earliest start and the latest finish of its leaves, as the scheduler
  rolls them up), both days counted; 0 when every leaf is a milestone;
* **percent complete** — weighted by duration: Σ duration × percent complete / Σ
  duration over the leaves; a milestone weighs 0 (when there are only milestones:
  100 once every one is reached, else 0). As in Microsoft Project, a summary whose
  tasks are all done but whose milestone is not yet reached shows 100 % with no
  actual finish;
* **actual start** — the earliest actual start of its leaves (none until one starts);
* **actual finish** — the latest actual finish, once every leaf is finished (a reached
  milestone's is its one date: its actual start when no finish is recorded);
* **budget** and **actual cost** — the sums over its leaves.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from podium.engine.calendar import WorkCalendar

K = TypeVar("K", bound=Hashable)

ALMOST_DONE = 99.99  # shown for work not all done that would round to 100 %


@dataclass(frozen=True, slots=True)
class LeafWork:
    """A leaf task's own values, the ones a summary above it adds up."""

    duration: int
    percent_complete: float = 0.0
    actual_start: date | None = None
    actual_finish: date | None = None
    is_milestone: bool = False
    budget: float = 0.0
    actual_cost: float = 0.0

    @property
    def finished_on(self) -> date | None:
        """Its actual finish; for a milestone (or a zero-day task) with only an actual
        start, that start: its one date, on which the scheduler counts it reached."""
        if self.actual_finish is not None:
            return self.actual_finish
        return self.actual_start if self.is_milestone or self.duration == 0 else None

    @property
    def weight(self) -> int:
        """Its weight in the summary's percent complete: its duration (0 for a milestone)."""
        return 0 if self.is_milestone else max(self.duration, 0)


@dataclass(frozen=True, slots=True)
class RolledUp:
    """What a summary task shows in place of its own (unused) stored values."""

    duration: int
    percent_complete: float
    actual_start: date | None
    actual_finish: date | None
    budget: float
    actual_cost: float


def roll_up(
    leaves: Sequence[LeafWork],
    *,
    start: date | None,
    finish: date | None,
    calendar: WorkCalendar,
) -> RolledUp:
    """The summary of ``leaves`` (every leaf task below it) scheduled from ``start`` to
    ``finish`` (its early dates; ``None`` when not scheduled: duration 0)."""
    total = sum(leaf.weight for leaf in leaves)
    done = sum(leaf.weight * leaf.percent_complete / 100 for leaf in leaves)
    finishes = [leaf.finished_on for leaf in leaves]
    finished = bool(leaves) and all(day is not None for day in finishes)
    if total:
        percent = round(100 * done / total, 2)
        if percent >= 100 and done < total:
            percent = ALMOST_DONE
    else:
        percent = 100.0 if finished else 0.0
    duration = 0
    if total and start is not None and finish is not None and start <= finish:
        duration = calendar.count_workdays(start, finish + timedelta(days=1))
    starts = [leaf.actual_start for leaf in leaves if leaf.actual_start is not None]
    return RolledUp(
        duration=duration,
        percent_complete=percent,
        actual_start=min(starts) if starts else None,
        actual_finish=max(day for day in finishes if day is not None) if finished else None,
        budget=sum(leaf.budget for leaf in leaves),
        actual_cost=sum(leaf.actual_cost for leaf in leaves),
    )


def leaves_below(parent_of: Mapping[K, K | None]) -> dict[K, list[K]]:
    """Each summary's leaf tasks at every depth, from every task's parent (``None`` at the
    top); a summary is a task another one names as its parent."""
    summaries = {parent for parent in parent_of.values() if parent is not None}
    below: dict[K, list[K]] = {}
    for task, parent in parent_of.items():
        if task in summaries:
            continue
        seen: set[K] = set()
        while parent is not None and parent not in seen:  # a broken tree (a loop) ends too
            seen.add(parent)
            below.setdefault(parent, []).append(task)
            parent = parent_of.get(parent)
    return below
