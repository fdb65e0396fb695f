"""The leveling engine's input (resources and assignments) and its result.

A :class:`Resource` is a person, a team or a piece of equipment with a
``capacity`` per working day (1.0 = one full-time person, 3.0 = a team of
three) and an optional :class:`~podium.engine.calendar.WorkCalendar` of its
own (its working days, holidays and time off). An :class:`Assignment` puts
``units`` of a resource on a task for every working day of the task (0.5 = half
of a person's day). A :class:`Busy` is a resource's time already taken
elsewhere (another program's work): leveling keeps it free and never moves it.

A task with resources works only on the days its own calendar *and* the
calendars of all its resources have in common (its *effective calendar*, as in
Microsoft Project): its duration and the lags of the links into it count those
days, and a resource's day off pauses the task rather than overloading the
resource. Started and pinned tasks keep their own calendar (their dates are
facts or commitments); so do milestones, which have no work.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from podium.engine.calendar import DateArray, IntArray, WorkCalendar, to_date
from podium.engine.network import InvalidNetwork, Network

Method = Literal["heuristic", "cp-sat"]
# the most units a resource may have (a team of ten thousand): the loads are counted in
# whole thousandths, and sums of them must stay far from the integers' limit
MAX_CAPACITY = 10_000.0
UNIT = 1000  # units and capacities are counted in whole thousandths


def thousandths(value: float) -> float:
    """``value`` in whole thousandths, as leveling counts units and capacities (an
    overflow stays infinite instead of failing)."""
    scaled = value * UNIT
    return float(round(scaled)) if math.isfinite(scaled) else scaled


def exceeds(units: float, capacity: float) -> bool:
    """Whether ``units`` are more than ``capacity`` holds, counted as leveling counts them."""
    return thousandths(units) > thousandths(capacity)


@dataclass(frozen=True, slots=True)
class Resource:
    """A person, team or equipment: ``capacity`` units per working day, on ``calendar``
    (``None``: no calendar of its own — it works whenever its tasks do)."""

    id: str
    capacity: float = 1.0
    calendar: WorkCalendar | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """``units`` of ``resource`` on ``task`` for each of the task's working days."""

    task: str
    resource: str
    units: float = 1.0


@dataclass(frozen=True, slots=True)
class Busy:
    """``units`` of ``resource`` already taken elsewhere (another program's work) on each
    working day of ``calendar`` from ``start`` to ``finish``, both included: leveling
    keeps room for it and never moves it."""

    resource: str
    start: date
    finish: date
    units: float = 1.0
    calendar: WorkCalendar | None = None


@dataclass(frozen=True, slots=True)
class LevelingInput:
    """Everything leveling needs: the network and its resources and assignments."""

    network: Network
    resources: Sequence[Resource]
    assignments: Sequence[Assignment]


class InvalidResources(InvalidNetwork):
    """Resources or assignments that cannot be leveled; ``problems`` lists every reason."""


@dataclass(frozen=True, slots=True)
class TaskDates:
    """One activity's leveled dates, and how far leveling moved it (working days of its
    own calendar, against the unleveled critical-path schedule)."""

    id: str
    start: date
    finish: date
    start_index: int
    finish_index: int
    start_delay: int
    finish_delay: int


@dataclass(frozen=True, slots=True, eq=False)
class LevelingResult:
    """A leveled schedule of a whole program.

    Columns are aligned with ``ids`` (the network's activities, in input order).
    ``start``/``finish`` are the first and last working day of each activity (a
    milestone's day twice). ``start_index``/``finish_index`` count working days
    of the network's default calendar from its start: ``start_index`` is the
    first working day's index and ``finish_index`` the index just past the last
    working day, so a task of *d* days on the default calendar has
    ``finish_index - start_index == d`` and a milestone has both equal (the
    moment it falls on). ``makespan`` is the largest ``finish_index``;
    ``finish`` the program's last working day. ``start_delay``/``finish_delay``
    are the working days (of each activity's own calendar) that leveling added
    to its unleveled early dates, ``early_finish`` those unleveled finishes.
    ``optimal`` is true only when CP-SAT proved that no shorter program (or
    better objective) exists; ``lower_bound`` is the best bound on ``makespan``
    the method knows.

    Why an activity moved: ``held_by`` maps each activity that starts later than
    its predecessors (as leveled) allow to the resources whose capacity, with
    everything else where it is, had no room for it earlier (empty when it could
    start earlier: the optimizer's choice, or room freed after it was placed);
    ``follows_moved`` holds the activities whose predecessors, as leveled, let
    them start no earlier than a later day than before leveling.
    """

    ids: tuple[str, ...]
    index: dict[str, int]
    start: DateArray
    finish: DateArray
    start_index: IntArray
    finish_index: IntArray
    start_delay: IntArray
    finish_delay: IntArray
    makespan: int
    program_finish: date
    unleveled_makespan: int
    method: Method
    optimal: bool
    lower_bound: int
    status: str
    rule: str
    seconds: float
    early_finish: DateArray
    held_by: Mapping[str, tuple[str, ...]]
    follows_moved: frozenset[str]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, activity_id: str) -> TaskDates:
        """The leveled dates of one activity (``KeyError`` if unknown)."""
        return self.row(self.index[activity_id])

    def __iter__(self) -> Iterator[TaskDates]:
        return (self.row(i) for i in range(len(self.ids)))

    def row(self, i: int) -> TaskDates:
        """The leveled dates of the activity at input position ``i``."""
        return TaskDates(
            id=self.ids[i],
            start=to_date(self.start[i]),
            finish=to_date(self.finish[i]),
            start_index=int(self.start_index[i]),
            finish_index=int(self.finish_index[i]),
            start_delay=int(self.start_delay[i]),
            finish_delay=int(self.finish_delay[i]),
        )

    def delayed(self) -> tuple[str, ...]:
        """Ids of the activities that leveling made finish later, in input order."""
        return tuple(self.ids[i] for i in np.flatnonzero(self.finish_delay > 0).tolist())
