"""What the scheduler returns: dates and floats per activity, and the program's critical path.

:class:`ScheduleResult` keeps its per-activity results as NumPy columns (one
entry per input activity, in input order) so that a program of 100 000
activities costs no 100 000 Python objects; ``result["A"]`` or iteration build
:class:`ActivitySchedule` rows on demand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from podium.engine.calendar import BoolArray, DateArray, IntArray, to_date


@dataclass(frozen=True, slots=True)
class ActivitySchedule:
    """One activity's dates (first and last working day) and floats (working days)."""

    id: str
    group: str | None
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float: int
    free_float: int
    is_critical: bool
    is_summary: bool
    is_milestone: bool
    is_finished: bool
    deadline_missed: bool


@dataclass(frozen=True, slots=True)
class Conflict:
    """A constraint the schedule cannot honour.

    ``kind`` is ``"snlt"`` or ``"fnlt"`` (the activity starts or finishes
    ``days`` working days after its constraint date) or ``"link"`` (a pinned
    ``mso``/``mfo`` activity sits ``days`` working days before what its
    predecessor ``pred`` requires).
    """

    activity: str
    kind: str
    days: int
    message: str
    pred: str | None = None


@dataclass(frozen=True, slots=True)
class DeadlineMiss:
    """An activity whose early finish is ``days_late`` working days after its deadline."""

    activity: str
    deadline: date
    early_finish: date
    days_late: int


@dataclass(frozen=True, slots=True, eq=False)
class ScheduleResult:
    """The schedule of a whole program.

    ``critical_path`` is the chain of critical activities (ids in order, across
    projects) that drives the program finish; ``critical_paths`` lists every
    critical chain (up to the requested limit), the finish-driving ones first.
    ``near_critical`` lists unfinished activities with 0 < total float <= the
    threshold. Columns (``early_start`` … ``is_critical``) are aligned with
    ``ids``.
    """

    ids: tuple[str, ...]
    groups: tuple[str | None, ...]
    index: dict[str, int]
    early_start: DateArray
    early_finish: DateArray
    late_start: DateArray
    late_finish: DateArray
    total_float: IntArray
    free_float: IntArray
    is_critical: BoolArray
    is_summary: BoolArray
    is_milestone: BoolArray
    is_finished: BoolArray
    deadline_missed: BoolArray
    start: date
    finish: date
    critical_path: tuple[str, ...]
    critical_paths: tuple[tuple[str, ...], ...]
    near_critical: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    deadline_misses: tuple[DeadlineMiss, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, activity_id: object) -> bool:
        return activity_id in self.index

    def __getitem__(self, activity_id: str) -> ActivitySchedule:
        """The schedule of one activity (``KeyError`` if unknown)."""
        return self.row(self.index[activity_id])

    def __iter__(self) -> Iterator[ActivitySchedule]:
        return (self.row(i) for i in range(len(self.ids)))

    def row(self, i: int) -> ActivitySchedule:
        """The schedule of the activity at input position ``i``."""
        return ActivitySchedule(
            id=self.ids[i],
            group=self.groups[i],
            early_start=to_date(self.early_start[i]),
            early_finish=to_date(self.early_finish[i]),
            late_start=to_date(self.late_start[i]),
            late_finish=to_date(self.late_finish[i]),
            total_float=int(self.total_float[i]),
            free_float=int(self.free_float[i]),
            is_critical=bool(self.is_critical[i]),
            is_summary=bool(self.is_summary[i]),
            is_milestone=bool(self.is_milestone[i]),
            is_finished=bool(self.is_finished[i]),
            deadline_missed=bool(self.deadline_missed[i]),
        )

    def critical_ids(self) -> tuple[str, ...]:
        """Ids of every critical activity, in input order."""
        return tuple(self.ids[i] for i in np.flatnonzero(self.is_critical).tolist())
