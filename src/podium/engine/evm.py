"""Earned value management: what was planned, earned and spent, and the forecasts built on them.

The earned value technique of the PMBOK Guide (6th ed., §7.4.2.2 and Table 7-1)
and PMI's *Practice Standard for Earned Value Management* (2nd ed.): per task,
rolled up to projects and the program, at any status date, and as time-phased
S-curves. Inputs are plain columns (:class:`EvmInput`, which a service fills from
the database, or builds from :class:`EvmTask` records); everything is vectorized
over tasks x dates.

Conventions:

* a status date is a *data date*, as in Primavera P6 and as the scheduler reads
  it: the day the remaining work starts from (unstarted work cannot start before
  it), so the work planned *on* it is still to do, while the progress and costs
  reported on it say where things stand as of it;
* **PV**: a task's budget (BAC) is spread over the working days of its baseline,
  ``[baseline_start, baseline_finish]`` in the task's calendar — evenly by
  default, or by a *profile*: weights over equal parts of those working days
  (:data:`PROFILES`), linear within a part. PV at a date counts the working days
  *before* it: on a program's first day PV is 0, and a task whose progress keeps
  pace with the schedule has SPI 1 (counting the status date's own work would
  plan a day the scheduler has not yet given it, and show SPI < 1 for work on
  plan). A baseline without a working day books its whole budget on its
  finish, planned at the dates after it; a task not in the baseline (no dates)
  has no budget, but its actual cost counts;
* **EV** = BAC x the percent complete of the last progress record on or before
  the status date (0 before the first; the later of two records on one day):
  a record dated on the status date reports progress as of it;
* **AC** = the cost entries dated on or before the status date (amounts, not
  running totals), including hours x hourly rate (:class:`EvmTask`), as
  reported as of it;
* SV = EV - PV, CV = EV - AC, SPI = EV / PV, CPI = EV / AC, ETC = EAC - AC,
  VAC = BAC - EAC, TCPI = (BAC - EV) / (BAC - AC) to BAC and
  (BAC - EV) / (EAC - AC) to EAC; EAC by a named formula (:data:`EAC_FORMULAS`);
* **undefined** values are ``None`` in rows and NaN in columns: SPI when PV = 0,
  CPI when AC = 0 or BAC = 0 (with no budget, nothing can be earned: a cost then
  is no sign of poor cost performance — no baseline yet, or work not budgeted),
  TCPI when its denominator (the budget or the estimate left) is <= 0; EAC by
  ``cpi`` or ``cpi_spi`` when an index it divides by is undefined or 0 — except
  that with nothing earned nor spent (EV = AC = 0) the budget stands (EAC = BAC),
  and with no work left (EV >= BAC) EAC = AC.
  ``bottom_up`` uses each task's estimate to complete, or BAC - EV without one;
* **roll-up**: BAC, PV, EV, AC and bottom-up ETC add up; indices and forecasts
  of a project or the program are recomputed from those sums with the same
  formulas — never averaged, never summed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from podium.engine.calendar import DateArray, IntArray, WorkCalendar, to_date

FloatArray = npt.NDArray[np.float64]
EacFormula = Literal["cpi", "budget_rate", "cpi_spi", "bottom_up"]

EAC_FORMULAS: dict[EacFormula, str] = {
    "cpi": "EAC = BAC / CPI",
    "budget_rate": "EAC = AC + (BAC − EV)",
    "cpi_spi": "EAC = AC + (BAC − EV) / (CPI × SPI)",
    "bottom_up": "EAC = AC + bottom-up ETC",
}
LINEAR: tuple[float, ...] = (1.0,)
# weights over ten equal parts of the working days, shaped like Microsoft Project's contours
PROFILES: dict[str, tuple[float, ...]] = {
    "linear": LINEAR,
    "back_loaded": (10, 15, 25, 50, 50, 75, 75, 100, 100, 100),
    "front_loaded": (100, 100, 100, 75, 75, 50, 50, 25, 15, 10),
    "bell": (10, 20, 40, 80, 100, 100, 80, 40, 20, 10),
    "turtle": (25, 50, 75, 100, 100, 100, 100, 75, 50, 25),
}
_UNIX_ORDINAL = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min
_DAY = np.timedelta64(1, "D")


def day_array(days: Sequence[date | None]) -> DateArray:
    """Dates (``None``: NaT) as ``datetime64[D]`` — 20x faster than ``np.array(days)``."""
    ordinals = [_NAT if d is None else d.toordinal() - _UNIX_ORDINAL for d in days]
    return np.array(ordinals, dtype=np.int64).view("datetime64[D]")


class InvalidEvmInput(ValueError):
    """The inputs cannot be evaluated; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid earned value input: " + "; ".join(self.problems[:10]))


@dataclass(frozen=True, slots=True)
class EvmTask:
    """One task (a work package: a leaf of the WBS) as the service reads it.

    ``progress`` is the percent-complete history, ``(date, percent 0-100)``;
    ``costs`` are cost entries ``(date, amount)``; ``hours`` are hours worked
    ``(date, hours)``, costed at ``hourly_rate`` (the hook for actual cost from
    timesheets). ``estimate_to_complete`` is a bottom-up ETC, if any.
    ``profile`` is a key of :data:`PROFILES` or weights of one's own.
    """

    id: str
    project: str
    budget: float
    baseline_start: date | None
    baseline_finish: date | None
    _: KW_ONLY
    calendar: str | None = None
    profile: str | Sequence[float] = "linear"
    progress: Sequence[tuple[date, float]] = ()
    costs: Sequence[tuple[date, float]] = ()
    hours: Sequence[tuple[date, float]] = ()
    hourly_rate: float | None = None
    estimate_to_complete: float | None = None


def _empty_days() -> DateArray:
    return np.zeros(0, dtype="datetime64[D]")


def _empty_ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _empty_floats() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class EvmInput:
    """The program's earned value inputs as columns (one entry per task, in order).

    ``calendar`` and ``profile`` index ``calendars`` and ``profiles``; baseline
    dates are NaT for tasks not in the baseline; ``estimate_to_complete`` is NaN
    where none was given (left out: the first calendar and profile, no estimates).
    Progress records and cost entries are event columns: ``*_task`` is the task's
    position. Checked on construction.
    """

    ids: tuple[str, ...]
    projects: tuple[str, ...]
    budget: FloatArray
    baseline_start: DateArray
    baseline_finish: DateArray
    _: KW_ONLY
    calendar: IntArray = field(default_factory=_empty_ints)
    calendars: tuple[WorkCalendar, ...] = (WorkCalendar(),)
    profile: IntArray = field(default_factory=_empty_ints)
    profiles: tuple[tuple[float, ...], ...] = (LINEAR,)
    progress_task: IntArray = field(default_factory=_empty_ints)
    progress_day: DateArray = field(default_factory=_empty_days)
    progress_percent: FloatArray = field(default_factory=_empty_floats)
    cost_task: IntArray = field(default_factory=_empty_ints)
    cost_day: DateArray = field(default_factory=_empty_days)
    cost_amount: FloatArray = field(default_factory=_empty_floats)
    estimate_to_complete: FloatArray = field(default_factory=_empty_floats)

    def __post_init__(self) -> None:
        n = len(self.ids)
        defaults = {
            "calendar": np.zeros(n, dtype=np.int64),
            "profile": np.zeros(n, dtype=np.int64),
            "estimate_to_complete": np.full(n, np.nan),
        }
        for name, value in defaults.items():
            if n and not getattr(self, name).size:
                object.__setattr__(self, name, value)  # not given: the first calendar…
        problems = _check(self)
        if problems:
            raise InvalidEvmInput(problems)

    @classmethod
    def from_tasks(
        cls,
        tasks: Sequence[EvmTask],
        *,
        calendars: Mapping[str, WorkCalendar] | None = None,
        default_calendar: WorkCalendar | None = None,
    ) -> EvmInput:
        """Columns from task records; ``task.calendar`` is a key of ``calendars``."""
        known = dict(calendars or {})
        unknown = sorted({t.calendar for t in tasks if t.calendar and t.calendar not in known})
        if unknown:
            raise InvalidEvmInput([f"unknown calendar {name!r}" for name in unknown])
        names = [None, *known]
        cals = (default_calendar or WorkCalendar(), *known.values())
        shapes: dict[tuple[float, ...], int] = {}
        for t in tasks:
            if isinstance(t.profile, str) and t.profile not in PROFILES:
                raise InvalidEvmInput([f"task {t.id!r}: unknown profile {t.profile!r}"])
            if t.hours and t.hourly_rate is None:
                raise InvalidEvmInput([f"task {t.id!r}: hours worked but no hourly rate"])
        profile = [
            shapes.setdefault(PROFILES[p] if isinstance(p, str) else tuple(p), len(shapes))
            for p in (t.profile for t in tasks)
        ]
        progress = [r for t in tasks for r in t.progress]
        hours = [(d, h * (t.hourly_rate or 0.0)) for t in tasks for d, h in t.hours]
        costs = [c for t in tasks for c in t.costs] + hours
        cost_counts = [len(t.costs) for t in tasks] + [len(t.hours) for t in tasks]
        n = len(tasks)
        return cls(
            tuple(t.id for t in tasks),
            tuple(t.project for t in tasks),
            np.array([t.budget for t in tasks], dtype=np.float64),
            day_array([t.baseline_start for t in tasks]),
            day_array([t.baseline_finish for t in tasks]),
            calendar=np.array([names.index(t.calendar) for t in tasks], dtype=np.int64),
            calendars=cals,
            profile=np.array(profile, dtype=np.int64),
            profiles=tuple(shapes) or (LINEAR,),
            progress_task=np.repeat(np.arange(n), [len(t.progress) for t in tasks]),
            progress_day=day_array([d for d, _ in progress]),
            progress_percent=np.array([p for _, p in progress], dtype=np.float64),
            cost_task=np.concatenate([np.arange(n), np.arange(n)]).repeat(cost_counts),
            cost_day=day_array([d for d, _ in costs]),
            cost_amount=np.array([a for _, a in costs], dtype=np.float64),
            estimate_to_complete=np.array(
                [
                    np.nan if t.estimate_to_complete is None else t.estimate_to_complete
                    for t in tasks
                ],
                dtype=np.float64,
            ),
        )


def _check(data: EvmInput) -> list[str]:
    n = len(data.ids)
    problems: list[str] = []

    def bad(what: str, mask: npt.NDArray[np.bool_], where: IntArray | None = None) -> None:
        rows = np.flatnonzero(mask) if where is None else where[mask]
        if rows.size:
            named = ", ".join(repr(data.ids[i]) for i in rows[:5].tolist())
            problems.append(
                f"{what}: {named}" + (f" (and {rows.size - 5} more)" if rows.size > 5 else "")
            )

    columns = (
        data.projects,
        data.budget,
        data.baseline_start,
        data.baseline_finish,
        data.calendar,
        data.profile,
        data.estimate_to_complete,
    )
    if any(len(c) != n for c in columns):
        return [f"every per-task column needs {n} entries"]
    events = (
        (data.progress_task, data.progress_day, data.progress_percent),
        (data.cost_task, data.cost_day, data.cost_amount),
    )
    for task, day, value in events:
        if not len(task) == len(day) == len(value):
            return ["event columns (task, day, value) differ in length"]
        if task.size and (task.min() < 0 or task.max() >= n):
            return ["an event names a task position out of range"]
        if np.isnat(day).any():
            return ["an event has no date"]
    if data.calendar.size and (
        data.calendar.min() < 0 or data.calendar.max() >= len(data.calendars)
    ):
        problems.append("a task's calendar index is out of range")
    if data.profile.size and (data.profile.min() < 0 or data.profile.max() >= len(data.profiles)):
        problems.append("a task's profile index is out of range")
    for weights in data.profiles:
        if not weights or min(weights) < 0 or sum(weights) <= 0 or not np.isfinite(weights).all():
            problems.append(f"profile {weights!r} needs weights >= 0 with a positive sum")
    start, finish = np.isnat(data.baseline_start), np.isnat(data.baseline_finish)
    bad("budget must be a finite amount >= 0", ~(np.isfinite(data.budget) & (data.budget >= 0)))
    bad("baseline needs both a start and a finish", start != finish)
    bad("a budget needs a baseline", start & (data.budget > 0))
    both = ~start & ~finish
    bad(
        "baseline finish before its start",
        both & (data.baseline_finish < np.where(both, data.baseline_start, data.baseline_finish)),
    )
    bad(
        "percent complete must be 0-100",
        ~((data.progress_percent >= 0) & (data.progress_percent <= 100)),
        data.progress_task,
    )
    bad("cost amounts must be finite", ~np.isfinite(data.cost_amount), data.cost_task)
    etc = data.estimate_to_complete
    bad("estimate to complete must be >= 0", ~np.isnan(etc) & ~(np.isfinite(etc) & (etc >= 0)))
    return problems


@dataclass(frozen=True, slots=True)
class EarnedValue:
    """One task's, project's or the program's earned value at the status date (None: undefined)."""

    id: str
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None


def _value(x: np.float64) -> float | None:
    return None if np.isnan(x) else float(x)


@dataclass(frozen=True, slots=True, eq=False)
class EvmTable:
    """Earned value columns (NaN: undefined) aligned with ``ids``; rows built on demand."""

    ids: tuple[str, ...]
    bac: FloatArray
    pv: FloatArray
    ev: FloatArray
    ac: FloatArray
    sv: FloatArray
    cv: FloatArray
    spi: FloatArray
    cpi: FloatArray
    eac: FloatArray
    etc: FloatArray
    vac: FloatArray
    tcpi_bac: FloatArray
    tcpi_eac: FloatArray
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {key: i for i, key in enumerate(self.ids)})

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, key: str) -> EarnedValue:
        """The row of ``key`` (``KeyError`` if unknown)."""
        return self.row(self.index[key])

    def __iter__(self) -> Iterator[EarnedValue]:
        return (self.row(i) for i in range(len(self.ids)))

    def row(self, i: int) -> EarnedValue:
        """The row at position ``i``."""
        bac, pv, ev, ac, sv, cv = (
            float(c[i]) for c in (self.bac, self.pv, self.ev, self.ac, self.sv, self.cv)
        )
        return EarnedValue(
            self.ids[i],
            bac,
            pv,
            ev,
            ac,
            sv,
            cv,
            _value(self.spi[i]),
            _value(self.cpi[i]),
            _value(self.eac[i]),
            _value(self.etc[i]),
            _value(self.vac[i]),
            _value(self.tcpi_bac[i]),
            _value(self.tcpi_eac[i]),
        )


def _ratio(num: FloatArray, den: FloatArray, defined: npt.NDArray[np.bool_]) -> FloatArray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=defined)
    return out


def evm_table(
    ids: Sequence[str],
    bac: FloatArray,
    pv: FloatArray,
    ev: FloatArray,
    ac: FloatArray,
    bottom_up_etc: FloatArray,
    formula: EacFormula,
) -> EvmTable:
    """Variances, indices and forecasts from BAC, PV, EV, AC and bottom-up ETC, elementwise.

    A NaN bottom-up ETC stands for the budget of the work left, BAC − EV.
    """
    if formula not in EAC_FORMULAS:
        raise ValueError(f"unknown EAC formula {formula!r} (one of {', '.join(EAC_FORMULAS)})")
    spi, left = _ratio(ev, pv, pv != 0), bac - ev
    cpi = _ratio(ev, ac, (ac != 0) & (bac != 0))
    if formula == "budget_rate":
        eac = ac + left
    elif formula == "bottom_up":
        eac = ac + np.where(np.isnan(bottom_up_etc), left, bottom_up_etc)
    else:
        if formula == "cpi":
            eac = _ratio(bac, cpi, cpi > 0)
        else:
            pace = cpi * spi
            eac = ac + _ratio(left, pace, pace > 0)
        # nothing earned nor spent: the budget stands; nothing left to do: the cost is known
        eac = np.where((ev == 0) & (ac == 0), bac, np.where(left <= 0, ac, eac))
    etc = eac - ac
    return EvmTable(
        tuple(ids),
        bac,
        pv,
        ev,
        ac,
        ev - pv,
        ev - ac,
        spi,
        cpi,
        eac,
        etc,
        bac - eac,
        _ratio(left, bac - ac, (bac - ac) > 0),
        _ratio(left, etc, etc > 0),
    )


@dataclass(frozen=True, slots=True, eq=False)
class EvmResult:
    """Earned value at ``status_date``: per task (input order), per project and the program."""

    status_date: date
    eac_formula: EacFormula
    tasks: EvmTable
    projects: EvmTable
    program: EarnedValue
    bottom_up_etc: FloatArray  # per task: its estimate to complete, else BAC - EV

    @property
    def formula(self) -> str:
        """The EAC formula, written out (``"EAC = BAC / CPI"``)."""
        return EAC_FORMULAS[self.eac_formula]

    def group_by(self, keys: Sequence[str]) -> EvmTable:
        """Roll the tasks up by any key per task (a summary task, a control account…)."""
        return _roll_up(keys, self.tasks, self.bottom_up_etc, self.eac_formula)


def _groups(keys: Sequence[str]) -> tuple[tuple[str, ...], IntArray]:
    """Distinct keys in order of first appearance, and each key's group number."""
    if not len(keys):
        return (), np.zeros(0, dtype=np.int64)
    names, first, inverse = np.unique(np.asarray(keys), return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")
    renumber = np.empty_like(rank)
    renumber[rank] = np.arange(rank.size)
    return tuple(names[rank].tolist()), renumber[inverse].astype(np.int64)


def _roll_up(keys: Sequence[str], t: EvmTable, etc: FloatArray, formula: EacFormula) -> EvmTable:
    if len(keys) != len(t):
        raise ValueError(f"group_by needs one key per task ({len(t)}), got {len(keys)}")
    names, group = _groups(keys)
    bac, pv, ev, ac, left = (
        np.bincount(group, weights=c, minlength=len(names)).astype(np.float64)
        for c in (t.bac, t.pv, t.ev, t.ac, etc)
    )
    return evm_table(names, bac, pv, ev, ac, left, formula)


def earned_value(
    data: EvmInput, status_date: date, *, eac_formula: EacFormula = "cpi"
) -> EvmResult:
    """Earned value of every task, project and the program as of ``status_date`` (a data
    date: PV counts the working days before it, EV and AC the records dated on or before)."""
    point = np.array([status_date], dtype="datetime64[D]")
    bac = data.budget
    pv = (_planned_share(data, point) * bac[:, None])[:, 0]
    ev = (_percent_complete(data, point) * bac[:, None] / 100)[:, 0]
    every = np.arange(len(data.ids))
    ac = _steps_by_group(data.cost_task, data.cost_day, data.cost_amount, every, every.size, point)[
        :, 0
    ]
    etc = np.where(np.isnan(data.estimate_to_complete), bac - ev, data.estimate_to_complete)
    tasks = evm_table(data.ids, bac, pv, ev, ac, etc, eac_formula)
    projects = _roll_up(data.projects, tasks, etc, eac_formula)
    program = _roll_up(("program",) * len(data.ids), tasks, etc, eac_formula)
    row = (
        program.row(0)
        if len(program)
        else EarnedValue("program", 0, 0, 0, 0, 0, 0, None, None, 0, 0, 0, None, None)
    )
    return EvmResult(status_date, eac_formula, tasks, projects, row, etc)


@dataclass(frozen=True, slots=True, eq=False)
class Curve:
    """Cumulative PV, EV and AC as of each date of :attr:`SCurves.dates` (NaN: not yet known).

    Each date is read as a status date would be: PV planned on the working days
    before it, EV and AC reported on or before it."""

    pv: FloatArray
    ev: FloatArray
    ac: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class SCurves:
    """Time-phased PV, EV and AC per group (projects by default) and for the program."""

    dates: DateArray
    groups: dict[str, Curve]
    program: Curve


def s_curves(
    data: EvmInput,
    *,
    end: date,
    start: date | None = None,
    step_days: int = 7,
    status_date: date | None = None,
    groups: Sequence[str] | None = None,
) -> SCurves:
    """Cumulative PV, EV and AC every ``step_days`` from ``start`` (default: the first
    baseline start) to ``end`` (included as the last point), and on ``status_date``
    when it falls between them: the curves reach the values the status is given at.

    Every point is read as a status date (PV before it, EV and AC on or before it), so
    a point equals :func:`earned_value` at its date; PV reaches BAC the day after the
    last baseline finish.

    EV and AC after ``status_date`` are NaN: they are not known yet. ``groups``
    (one key per task) replaces the projects.
    """
    if step_days < 1:
        raise ValueError("step_days must be at least 1")
    if start is None:
        known = data.baseline_start[~np.isnat(data.baseline_start)]
        start = to_date(known.min()) if known.size else end
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    points = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + _DAY, step_days)
    if points[-1] != np.datetime64(end, "D"):
        points = np.append(points, np.datetime64(end, "D"))
    if status_date is not None and start <= status_date <= end:
        points = np.union1d(points, np.array([np.datetime64(status_date, "D")]))
    names, group = _groups(data.projects if groups is None else groups)
    if len(group) != len(data.ids):
        raise ValueError(f"groups needs one key per task ({len(data.ids)}), got {len(group)}")
    sums = [
        _planned_by_group(data, points, group, len(names)),
        _earned_by_group(data, points, group, len(names)),
        _steps_by_group(data.cost_task, data.cost_day, data.cost_amount, group, len(names), points),
    ]
    if status_date is not None:
        unknown = points > np.datetime64(status_date, "D")
        for m in sums[1:]:
            m[:, unknown] = np.nan
    by_group = {k: Curve(sums[0][g], sums[1][g], sums[2][g]) for g, k in enumerate(names)}
    program = Curve(*(m.sum(axis=0) for m in sums))
    return SCurves(points, by_group, program)


def _steps_by_group(
    task: IntArray,
    day: DateArray,
    amount: FloatArray,
    group: IntArray,
    groups: int,
    points: DateArray,
) -> FloatArray:
    """Running totals per group at each point of amounts booked on days (groups x points)."""
    t = points.size
    slot = np.searchsorted(points, day, side="left")  # first point on or after the day
    keep = slot < t
    flat = group[task[keep]] * t + slot[keep]
    booked = np.bincount(flat, weights=amount[keep], minlength=groups * t)
    return np.cumsum(booked.reshape(groups, t).astype(np.float64), axis=1)


def _earned_by_group(data: EvmInput, points: DateArray, group: IntArray, groups: int) -> FloatArray:
    """EV per group at each point, from each progress record's change of percent."""
    order = np.lexsort((data.progress_day, data.progress_task))  # same day: input order
    task, percent = data.progress_task[order], data.progress_percent[order]
    first = np.ones(task.size, dtype=np.bool_)
    first[1:] = task[1:] != task[:-1]
    change = percent - np.where(first, 0.0, np.roll(percent, 1))
    return _steps_by_group(
        task, data.progress_day[order], change * data.budget[task] / 100, group, groups, points
    )


def _planned_by_group(
    data: EvmInput, points: DateArray, group: IntArray, groups: int
) -> FloatArray:
    """PV per group at each point, in O(tasks + groups x working days) for even spreads.

    An even spread plans ``rate`` = BAC / N a working day on ``[b, e)`` (working-day
    indices): a difference array per group, summed twice, gives the running total.
    """
    pv = np.zeros((groups, points.size))
    epoch = to_date(points[0])
    baselined = ~np.isnat(data.baseline_start)
    even = np.array([len(w) == 1 for w in data.profiles])[data.profile]
    for c, calendar in enumerate(data.calendars):
        rows = np.flatnonzero((data.calendar == c) & baselined)
        if not rows.size:
            continue
        begin = calendar.index(data.baseline_start[rows], epoch=epoch)
        end = calendar.index(data.baseline_finish[rows] + _DAY, epoch=epoch)
        done = calendar.index(points, epoch=epoch)  # working days before each point
        lo, hi = int(done.min()), int(done.max())
        spread = (end > begin) & even[rows]
        r, b, e = rows[spread], begin[spread], end[spread]
        rate = data.budget[r] / (e - b)
        before = rate * np.clip(lo - b, 0, e - b)  # planned before the first point
        b, e = np.clip(b, lo, hi) - lo, np.clip(e, lo, hi) - lo
        width = hi - lo + 1
        g = group[r]
        diff = np.bincount(
            np.concatenate([g * width + b, g * width + e]),
            weights=np.concatenate([rate, -rate]),
            minlength=groups * width,
        )
        daily = np.cumsum(diff.reshape(groups, width).astype(np.float64), axis=1)
        running = np.concatenate([np.zeros((groups, 1)), np.cumsum(daily, axis=1)], axis=1)
        pv += running[:, done - lo] + np.bincount(g, weights=before, minlength=groups)[:, None]
        # a baseline without a working day books its budget on its finish: planned after it
        lump = rows[end <= begin]
        pv += _steps_by_group(
            lump, data.baseline_finish[lump] + _DAY, data.budget[lump], group, groups, points
        )
        shaped = rows[(end > begin) & ~even[rows]]
        if shaped.size:
            share = _planned_share(_subset(data, shaped), points) * data.budget[shaped, None]
            np.add.at(pv, group[shaped], share)
    return pv


def _subset(data: EvmInput, rows: IntArray) -> EvmInput:
    """The tasks at ``rows`` with their baselines only (for :func:`_planned_share`)."""
    return EvmInput(
        tuple(data.ids[i] for i in rows.tolist()),
        tuple(data.projects[i] for i in rows.tolist()),
        data.budget[rows],
        data.baseline_start[rows],
        data.baseline_finish[rows],
        calendar=data.calendar[rows],
        calendars=data.calendars,
        profile=data.profile[rows],
        profiles=data.profiles,
    )


def _planned_share(data: EvmInput, points: DateArray) -> FloatArray:
    """Share of each task's budget planned before each point (tasks x points)."""
    share = np.zeros((len(data.ids), points.size))
    epoch = to_date(points[0]) if points.size else date(1970, 1, 1)
    baselined = ~np.isnat(data.baseline_start)
    for c, calendar in enumerate(data.calendars):
        rows = np.flatnonzero((data.calendar == c) & baselined)
        if not rows.size:
            continue
        finish = data.baseline_finish[rows]
        begin = calendar.index(data.baseline_start[rows], epoch=epoch)[:, None]
        length = calendar.index(finish + _DAY, epoch=epoch)[:, None] - begin
        done = calendar.index(points, epoch=epoch)[None, :]  # working days before each point
        elapsed = np.clip(done - begin, 0, length)
        worked = _ratio(elapsed.astype(np.float64), length.astype(np.float64), length > 0)
        # a baseline without a working day books its budget on its finish: planned after it
        share[rows] = np.where(length > 0, worked, points[None, :] > finish[:, None])
    for p, weights in enumerate(data.profiles):
        rows = np.flatnonzero(data.profile == p)
        if len(weights) > 1 and rows.size:
            knots = np.linspace(0.0, 1.0, len(weights) + 1)
            cumulative = np.concatenate([[0.0], np.cumsum(weights)]) / sum(weights)
            share[rows] = np.interp(share[rows], knots, cumulative)
    return share


def _percent_complete(data: EvmInput, points: DateArray) -> FloatArray:
    """Percent complete of each task as of each point: its last record on or before."""
    n, t = len(data.ids), points.size
    order = np.lexsort((data.progress_day, data.progress_task))  # same day: input order
    task, day = data.progress_task[order], data.progress_day[order]
    slot = np.searchsorted(points, day, side="left")  # first point on or after the record
    keep = slot < t
    last = np.full((n, t), -1, dtype=np.int64)
    np.maximum.at(last, (task[keep], slot[keep]), np.flatnonzero(keep))
    last = np.maximum.accumulate(last, axis=1)  # later records sort later within a task
    percent = data.progress_percent[order]
    return np.where(last >= 0, percent[np.maximum(last, 0)] if percent.size else 0.0, 0.0)
