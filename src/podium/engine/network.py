"""The scheduler's input: activities, links and the program they belong to.

Plain frozen dataclasses, the vocabulary of the precedence diagramming method
(PMBOK Guide, "Schedule Management"; Microsoft Project's field names for
constraints and progress). Durations and lags are whole working days of the
activity's calendar; a duration of 0 makes a milestone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from typing import Literal, get_args

from podium.engine.calendar import WorkCalendar

LinkType = Literal["FS", "SS", "FF", "SF"]
ConstraintType = Literal["asap", "snet", "mso", "fnlt", "snlt", "fnet", "mfo"]

LINK_TYPES: tuple[LinkType, ...] = get_args(LinkType)
CONSTRAINT_TYPES: tuple[ConstraintType, ...] = get_args(ConstraintType)
MAX_DURATION = 100_000  # working days of one activity (about 385 years)
MAX_LAG = 10_000  # working days of a link's lag or lead


@dataclass(frozen=True, slots=True)
class Activity:
    """A task, summary task or milestone.

    ``calendar`` is a key of :attr:`Network.calendars` (``None``: the network's
    default calendar). An activity named as another's ``parent`` is a summary:
    its dates roll up from its children and its own ``duration`` is ignored.
    ``group`` is a free label (the project key) carried into results.
    ``not_before`` holds unstarted work back to that day at the earliest, on top of
    any constraint (a *leveling hold*: how resource leveling keeps its result).
    ``project_start`` holds it back the same way, to the start of its project (unless
    pinned by ``mso``/``mfo``).
    ``reached_with_predecessors`` marks a milestone with no progress of its own (a
    program milestone): once every predecessor is finished it is reached, finished
    itself, on the day their actual dates and the links put it, never held back to
    the status date.
    """

    id: str
    duration: int = 0
    _: KW_ONLY
    calendar: str | None = None
    parent: str | None = None
    group: str | None = None
    constraint_type: ConstraintType = "asap"
    constraint_date: date | None = None
    deadline: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    percent_complete: float = 0.0
    not_before: date | None = None
    project_start: date | None = None
    reached_with_predecessors: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency ``pred`` → ``succ`` of ``type`` FS, SS, FF or SF, ``lag`` working days."""

    pred: str
    succ: str
    type: LinkType = "FS"
    lag: int = 0


@dataclass(frozen=True, slots=True)
class Network:
    """A whole program to schedule at once (all its projects, one network).

    Work not yet done is scheduled on or after ``status_date`` (when given);
    ``start`` is the earliest day any unstarted work may start.
    """

    start: date
    activities: Sequence[Activity]
    links: Sequence[Link] = ()
    _: KW_ONLY
    calendars: Mapping[str, WorkCalendar] = field(default_factory=dict)
    default_calendar: WorkCalendar = field(default_factory=WorkCalendar)
    status_date: date | None = None


class InvalidNetwork(ValueError):
    """The network cannot be scheduled as given; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"invalid network: {shown}{more}")


class CycleError(InvalidNetwork):
    """The links form a cycle; ``cycle`` lists its activity ids in order (first repeated last)."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__([f"dependency cycle: {' → '.join(self.cycle)}"])
