"""What health is computed from (plain facts a service reads from the database) and what
it returns (a colour per task, milestone, project and the program, with its reasons).

Every record carries a :class:`Ref` — the kind, database id and key of the
record behind it — so each reason can link to what caused it. Tasks,
milestones and projects are named by key (task and milestone keys share one
namespace; project keys another).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from podium.engine.calendar import WorkCalendar

Status = Literal["green", "amber", "red"]
# a project or program with no scheduled work yet: nothing to be on plan against, so
# neither green nor any colour — a neutral state of its own, below green
HealthStatus = Literal["no_plan", "green", "amber", "red"]
Level = Literal["task", "milestone", "project", "program"]
AlertSeverity = Literal["low", "medium", "high", "critical"]

STATUSES: tuple[Status, ...] = get_args(Status)  # position = rank: green < amber < red
NO_PLAN: HealthStatus = "no_plan"
LEVELS: tuple[Level, ...] = get_args(Level)
ALERT_SEVERITIES: tuple[AlertSeverity, ...] = get_args(AlertSeverity)


@dataclass(frozen=True, slots=True)
class Ref:
    """The record behind a fact or a reason: ``kind`` ("task", "risk"…), its ``id``, its ``key``."""

    kind: str
    id: int | str
    key: str

    @property
    def label(self) -> str:
        """``"milestone M3"``."""
        return f"{self.kind} {self.key}"


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """A task: its forecast finish against its baseline, float and performance indices.

    ``parent`` is the key of its summary task (the WBS); ``finished`` tasks are
    not judged on their schedule any more, only on cost.
    """

    ref: Ref
    project: str
    _: KW_ONLY
    parent: str | None = None
    finish: date | None = None
    baseline_finish: date | None = None
    total_float: int | None = None
    spi: float | None = None
    cpi: float | None = None
    finished: bool = False


@dataclass(frozen=True, slots=True)
class MilestoneFacts:
    """A milestone of a project, or of the program (``project=None``)."""

    ref: Ref
    project: str | None = None
    _: KW_ONLY
    forecast: date | None = None
    target: date | None = None
    baseline: date | None = None
    total_float: int | None = None
    reached: bool = False


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """A project (or the program): forecast finish, baseline finish, target date, SPI, CPI."""

    ref: Ref
    _: KW_ONLY
    finish: date | None = None
    baseline_finish: date | None = None
    target: date | None = None
    spi: float | None = None
    cpi: float | None = None


@dataclass(frozen=True, slots=True)
class ProgramFacts(ProjectFacts):
    """The program as a whole (``target``: the goal's target date)."""


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """A conflict alert about a task or milestone (``subject``), touching ``projects``."""

    ref: Ref
    severity: AlertSeverity
    _: KW_ONLY
    title: str = ""
    subject: str | None = None
    projects: tuple[str, ...] = ()
    cross_project: bool = False
    open: bool = True


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """A risk (probability and impact 1-5) linked to tasks or milestones, projects, or
    (linked to nothing) the program."""

    ref: Ref
    probability: int
    impact: int
    _: KW_ONLY
    title: str = ""
    tasks: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    open: bool = True

    @property
    def score(self) -> int:
        """Probability x impact, 1-25."""
        return self.probability * self.impact


@dataclass(frozen=True, slots=True)
class BenefitFacts:
    """A benefit KPI's latest reading: the share of its planned change achieved
    (``realization_pct``) against where the linear path to target stood that day
    (``expected_pct``)."""

    ref: Ref
    _: KW_ONLY
    realization_pct: float
    expected_pct: float
    measured_on: date | None = None

    @property
    def behind_points(self) -> float:
        """How many percentage points the benefit trails its path (negative: ahead)."""
        return self.expected_pct - self.realization_pct


@dataclass(frozen=True, slots=True)
class OverAllocation:
    """A resource (``ref``, by its key) booked at ``load`` x its capacity (1.5 = 150 %)
    from ``start`` to ``finish``, by ``tasks`` of ``projects``; ``name`` is how reasons
    call it (a person by their name), its key when empty."""

    ref: Ref
    load: float
    start: date
    finish: date
    _: KW_ONLY
    tasks: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True, slots=True)
class HealthInput:
    """Everything health is judged from; slips are counted in working days of ``calendar``."""

    program: ProgramFacts
    _: KW_ONLY
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    projects: Sequence[ProjectFacts] = ()
    tasks: Sequence[TaskFacts] = ()
    milestones: Sequence[MilestoneFacts] = ()
    alerts: Sequence[AlertFacts] = ()
    risks: Sequence[RiskFacts] = ()
    benefits: Sequence[BenefitFacts] = ()
    overallocations: Sequence[OverAllocation] = ()


class InvalidHealthInput(ValueError):
    """The facts do not hang together (unknown keys, duplicates…); ``problems`` lists all."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__("invalid health input: " + "; ".join(self.problems[:10]) + more)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why something is amber or red: the ``rule``, the ``message`` ("red because …"),
    the record behind it (``ref``), and the measured ``value`` against its ``limit``."""

    rule: str
    severity: Status
    message: str
    ref: Ref
    value: float | None = None
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """The status of one task, milestone, project or the program, with every reason —
    its own and those carried up from below, deduplicated, worst first.

    A project or the program with no scheduled work (no task, no milestone with a
    date) is not ``planned``: the rules on the plan have nothing to judge, and when no
    other rule fires (a risk, a benefit) its status is ``"no_plan"``, not green.
    """

    ref: Ref
    status: HealthStatus
    reasons: tuple[Reason, ...] = ()
    planned: bool = True

    @property
    def why(self) -> str:
        """The first reason, or that no rule fires (or that there is nothing to judge)."""
        if self.reasons:
            return self.reasons[0].message
        if self.status == NO_PLAN:
            return "no tasks or dated milestones to judge yet"
        return "green: no rule fires"


@dataclass(frozen=True, slots=True, eq=False)
class TaskHealth:
    """The status of every task (a column aligned with ``refs``); rows built on demand."""

    refs: tuple[Ref, ...]
    status: npt.NDArray[np.int8]  # rank in STATUSES
    reasons: dict[int, tuple[Reason, ...]]
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {r.key: i for i, r in enumerate(self.refs)})

    def __len__(self) -> int:
        return len(self.refs)

    def __getitem__(self, key: str) -> Health:
        """The health of the task ``key`` (``KeyError`` if unknown)."""
        return self.row(self.index[key])

    def __iter__(self) -> Iterator[Health]:
        return (self.row(i) for i in range(len(self.refs)))

    def row(self, i: int) -> Health:
        """The health of the task at input position ``i``."""
        return Health(self.refs[i], STATUSES[int(self.status[i])], self.reasons.get(i, ()))

    def counts(self) -> dict[Status, int]:
        """How many tasks are green, amber and red."""
        tally = np.bincount(self.status, minlength=len(STATUSES))
        return {s: int(tally[rank]) for rank, s in enumerate(STATUSES)}


@dataclass(frozen=True, slots=True, eq=False)
class HealthReport:
    """Health of the program, its projects, milestones and tasks."""

    program: Health
    projects: dict[str, Health]
    milestones: dict[str, Health]
    tasks: TaskHealth
