"""Optimal resource leveling with OR-Tools CP-SAT (Perron & Didier, Google OR-Tools).

The model (the textbook RCPSP in constraint programming, Baptiste, Le Pape &
Nuijten 2001, "Constraint-based scheduling"): one integer start variable per
movable activity, in working-day points of its effective calendar, at or after
its critical-path early start; one interval per task and one cumulative
constraint per resource (demands and capacities in thousandths, so 0.5 of a
person is exact); every link of the compiled network as a precedence with its
lag (links across calendars through an element table of the monotone
conversion); summaries as the minimum/maximum of their children. Objective:
the program finish, times ``makespan_weight``, plus the weighted finish delay
of the activities given in ``weights``. The heuristic's schedule is the hint,
and the answer is never worse than it.

A resource whose tasks all share one calendar gets its cumulative in that
calendar's working points, which is exact. Otherwise the intervals are taken
in calendar days from a task's first to its last working day: a task paused
for another resource's day off keeps this one booked through the pause. That
can only reject schedules, never accept an overload, but then ``optimal`` is
not claimed. A result that is not proven optimal says why in its status:
``feasible (heuristic; …)`` when the heuristic's plan was kept, ``feasible (not
proven optimal: …)`` when the solver's plan was taken (see :data:`SEVERAL_CALENDARS`
and the other reasons below).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from podium.engine._compile import CT_OWN
from podium.engine._topology import levels
from podium.engine.leveling._problem import FIXED, SEARCHED, SUMMARY, Problem, compile_problem
from podium.engine.leveling._result import build_result
from podium.engine.leveling._sgs import Schedule, Scheduler
from podium.engine.leveling.heuristic import RULES, load_passes, search
from podium.engine.leveling.model import (
    Assignment,
    Busy,
    InvalidResources,
    LevelingResult,
    Resource,
)
from podium.engine.network import Network

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

logger = logging.getLogger(__name__)

# why the solver's plan is not proven optimal (the end of its status)
SEVERAL_CALENDARS = (
    "a person works on tasks with different calendars; the solver books such a person "
    "through every pause of those tasks, which is stricter than the calendars, so its "
    "plan, re-timed to the calendars, cannot be proven best"
)
PAST_THE_HORIZON = "with these weights a plan finishing after the solver's horizon might weigh less"
FREE_FINISH = "with weights alone the finish is free, and no horizon is known to be enough"
TIME_RAN_OUT = "the time limit ran out before CP-SAT proved that no plan is better"


def level_optimal(
    network: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    *,
    time_limit: float = 10.0,
    weights: Mapping[str, int] | None = None,
    makespan_weight: int = 1,
    heuristic_time: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    busy: Sequence[Busy] = (),
    threads: int | None = None,
) -> LevelingResult:
    """Level ``network`` with CP-SAT within ``time_limit`` seconds (the heuristic included).

    Minimizes ``makespan_weight`` x the program finish (working days) plus, for
    each activity id in ``weights``, its weight x the working days its finish
    moves past its unleveled early finish (milestones and projects' summary
    tasks are the usual choice). ``heuristic_time`` is spent first on the fast
    heuristic, whose schedule seeds the solver (default: :func:`warm_up`).
    ``result.optimal`` tells whether the solver proved that nothing better
    exists. ``workers``: CP-SAT's parallel workers (default 8, its full portfolio
    of strategies, even on fewer cores: on two cores it finds shorter programs in
    the same time than with two workers). ``busy``: resources' time taken elsewhere,
    as for :func:`~podium.engine.leveling.level`; ``threads``: the heuristic's walks at
    once, as there.
    """
    load_passes()  # the heuristic's, once per process: not part of the time limit
    began = time.perf_counter()
    pb = compile_problem(network, resources, assignments, busy)
    unknown = sorted(set(weights or {}) - set(pb.c.index))
    if unknown:
        raise InvalidResources([f"weight for unknown activity {a!r}" for a in unknown])
    warm = warm_up(pb, time_limit) if heuristic_time is None else heuristic_time
    hint, rule = search(
        pb, time_limit=warm, rules=RULES, samples=None, seed=seed, began=began, threads=threads
    )
    bound_day = pb.finish_day(pb.early)
    scheduler = Scheduler(pb)

    def heuristic_only(status: str) -> LevelingResult:
        """The heuristic's schedule, optimal when it reaches the critical-path bound
        without delaying a weighted activity."""
        done = hint.finish <= bound_day and not weighted_delay(pb, hint, weights)
        return build_result(
            pb,
            hint.values,
            method="heuristic",
            optimal=done,
            lower_bound_day=bound_day,
            status="optimal" if done else status,
            rule=rule,
            seconds=time.perf_counter() - began,
        )

    left = time_limit - (time.perf_counter() - began)
    if not any(k == SEARCHED for k in pb.kind):
        return heuristic_only("feasible")
    if left <= 0.05:  # the heuristic took the whole time
        return heuristic_only(_without_solver("no time"))
    try:  # building the model counts in the time limit
        model = _Model(pb, hint, dict(weights or {}), makespan_weight, began + time_limit)
    except _OutOfTime:
        return heuristic_only(_without_solver("no time"))
    left = time_limit - (time.perf_counter() - began)
    outcome = (
        model.solve(left, workers=workers, seed=seed)
        if left > 0.05
        else _Outcome(None, "no time", None)
    )
    answered = outcome.status
    if answered == "infeasible" and not model.exact:
        # a resource shared by tasks on different calendars is booked through their
        # pauses (another resource's day off): the heuristic's schedule may not fit that
        # stricter model within its finish, so nothing better was found; no defect
        answered = "feasible"
    best, status, optimal = hint, _without_solver(answered), False
    if outcome.points is not None:
        schedule = _decode(scheduler, pb, outcome.points)
        if model.objective_of(schedule) <= model.objective_of(hint):
            # the solver's "optimal" holds for its model, exact only on one calendar
            best = schedule
            optimal = outcome.status == "optimal" and model.exact
            why = model.unproven or TIME_RAN_OUT
            status = "optimal" if optimal else f"feasible (not proven optimal: {why})"
    lower = bound_day
    if not weights and makespan_weight > 0 and outcome.bound_day is not None and model.exact:
        lower = max(lower, outcome.bound_day)
    # at the critical-path finish with no weighted activity delayed, both parts of the
    # objective are at their least: nothing can do better
    if optimal or (best.finish <= lower and not weighted_delay(pb, best, weights)):
        optimal, status = True, "optimal"
    return build_result(
        pb,
        best.values,
        method="cp-sat",
        optimal=optimal,
        lower_bound_day=lower,
        status=status,
        rule="cp-sat",
        seconds=time.perf_counter() - began,
    )


def weighted_delay(pb: Problem, sched: Schedule, weights: Mapping[str, int] | None) -> int:
    """The weighted working days the activities in ``weights`` finish past their
    critical-path early finish in ``sched`` (0: none of them is delayed)."""
    total = 0
    for activity, weight in (weights or {}).items():
        s = pb.c.index[activity]
        slot = int(pb.c.finish_slot[s]) if pb.c.is_summary[s] else s
        if pb.kind[slot] != FIXED:
            total += weight * max(0, (sched.values[slot] >> 1) - (pb.early[slot] >> 1))
    return total


def _without_solver(status: str) -> str:
    """The status of a result that stays the heuristic's, saying why CP-SAT did not
    improve it. An exact model CP-SAT calls infeasible or invalid is a defect (the
    heuristic's schedule satisfies it): it is logged."""
    if status in ("optimal", "feasible"):
        return "feasible (heuristic; CP-SAT found nothing better)"
    if status in ("unknown", "no time"):
        return "feasible (heuristic; CP-SAT found no schedule within the time limit)"
    logger.error("CP-SAT answered %s on its model of a leveling problem (a defect)", status)
    return f"feasible (heuristic; CP-SAT failed on this program: {status}, a defect, logged)"


def warm_up(pb: Problem, time_limit: float) -> float:
    """The heuristic's share of ``time_limit``: a tenth (at most half a second) for 30
    tasks to level or fewer, plus a share growing with the tasks to 0.7 of the limit
    for 120 and more.

    Measured on PSPLIB with 2 cores: on 30 tasks CP-SAT proves most optima in a
    fraction of a second and needs its time for the proofs; on 120 the heuristic's
    walks (two threads) find shorter programs than CP-SAT's search in the same time
    (j120 at 10 s: 28.7 % above the critical path after 8 s of heuristic, 28.8 %
    after 4.5 s, 29.8 % after half a second), and CP-SAT's part still proves more
    optima than the heuristic can (13 of 30 against 9); on 60 tasks the share makes
    no difference.
    """
    searched = sum(1 for k in pb.kind if k == SEARCHED)
    grown = min(max((searched - 30) / 90, 0.0), 1.0)
    return min(time_limit / 10, 0.5) + 0.7 * grown * time_limit


def _decode(scheduler: Scheduler, pb: Problem, points: dict[int, int]) -> Schedule:
    """The solver's starts as a schedule: searched tasks in order of their start day,
    each at its earliest feasible point (never later than the solver put it), the
    other activities folded from them."""
    day = pb.tables.day
    key = [0] * len(pb.kind)
    for s, p in points.items():
        key[s] = day(pb.cal[s], p)
    left_justified = scheduler.forward(key)
    pinned = scheduler.forward(key, pin=points)
    return pinned if pinned.finish < left_justified.finish else left_justified


class _OutOfTime(Exception):
    """Building the model took the whole time limit."""


@dataclass(slots=True)
class _Outcome:
    points: dict[int, int] | None
    status: str
    bound_day: int | None


@dataclass(slots=True)
class _Model:
    """The CP-SAT model of one problem."""

    pb: Problem
    hint: Schedule
    weights: dict[str, int]
    makespan_weight: int
    deadline: float = float("inf")  # time.perf_counter() by which the model must be built
    unproven: str = ""  # why the model is not exact (its optimum is not the problem's)
    model: cp_model.CpModel = field(init=False)
    var: dict[int, cp_model.IntVar] = field(init=False, default_factory=dict)
    lb: list[int] = field(init=False, default_factory=list)
    ub: list[int] = field(init=False, default_factory=list)
    makespan: cp_model.IntVar | None = field(init=False, default=None)
    # under weights, the least objective of a schedule finishing past the horizon: an
    # answer above it is not proven optimal (the horizon may cut off a better one)
    beyond: int | None = field(init=False, default=None)
    single: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        from ortools.sat.python import cp_model

        self.model = cp_model.CpModel()
        pb = self.pb
        self.single = len(set(pb.cal)) == 1
        self._in_time()
        horizon = self.hint.finish
        if self.weights:
            horizon += max(7, (self.hint.finish - pb.finish_day(pb.early)) // 2 + 7)
        self._bounds(horizon)
        self._precedences()
        self._resources()
        self._objective(horizon)
        self._in_time()
        for s, v in self.var.items():
            if pb.kind[s] != SUMMARY:
                self.model.add_hint(v, self.hint.values[s] >> 1)

    @property
    def exact(self) -> bool:
        """Whether the model's optimum is the problem's (see the module docstring)."""
        return not self.unproven

    def _in_time(self) -> None:
        if time.perf_counter() > self.deadline:
            raise _OutOfTime

    # --- variables ----------------------------------------------------------------

    def _bounds(self, horizon_day: int) -> None:
        """Domains: from the critical-path early point to the latest point that still
        finishes by the horizon; summaries from the fold of their children's domains."""
        pb, tables = self.pb, self.pb.tables
        n_slots = len(pb.kind)
        self.lb = [v >> 1 for v in pb.early]
        self.ub = [0] * n_slots
        top = [tables.point(c, horizon_day + 1) for c in range(len(tables.calendars))]
        for s in range(n_slots):
            k = pb.kind[s]
            if k == FIXED:
                self.lb[s] = self.ub[s] = pb.init[s] >> 1
            elif k != SUMMARY:
                self.ub[s] = max(self.lb[s], top[pb.cal[s]] - pb.span[s])
        for s in _summary_order(pb):
            cands = [self._cand_bound(e, self.ub[pb.e_src[e]]) for e in pb.into[s]]
            self.ub[s] = max(max(cands), self.lb[s]) if cands else self.lb[s]
        for s in range(n_slots):
            if pb.kind[s] != FIXED:
                self.var[s] = self.model.new_int_var(self.lb[s], self.ub[s], f"p{s}")

    def _cand_bound(self, e: int, p: int) -> int:
        """What edge ``e`` asks of its target when its source is at point ``p``."""
        pb = self.pb
        q = p + pb.e_wsrc[e]
        if pb.e_cross[e]:
            q = pb.tables.forward(q, self._start_type(e), pb.cal[pb.e_src[e]], pb.cal[pb.e_dst[e]])
        return q + pb.e_wdst[e]

    def _start_type(self, e: int) -> int:
        pb = self.pb
        ct = pb.e_ct[e]
        return self.hint.values[pb.e_src[e]] & 1 if ct == CT_OWN else ct

    # --- constraints ----------------------------------------------------------------

    def _precedences(self) -> None:
        pb, m = self.pb, self.model
        rolled: dict[int, list[cp_model.LinearExprT]] = {}
        for e in range(len(pb.e_src)):
            if e % 256 == 0:
                self._in_time()
            t = pb.e_dst[e]
            cand = self._candidate(e)
            if pb.kind[t] == SUMMARY:
                rolled.setdefault(t, []).append(cand)
            elif pb.kind[t] != FIXED:
                m.add(self.var[t] >= cand)
        for t, cands in rolled.items():
            if pb.e_min[pb.into[t][0]]:
                m.add_min_equality(self.var[t], cands)
            else:
                m.add_max_equality(self.var[t], cands)

    def _candidate(self, e: int) -> cp_model.LinearExprT:
        pb = self.pb
        s = pb.e_src[e]
        if not pb.e_cross[e] or pb.kind[s] == FIXED:
            if pb.kind[s] == FIXED:
                return self._cand_bound(e, self.lb[s])
            return self.var[s] + pb.e_wsrc[e] + pb.e_wdst[e]
        lo, hi = self.lb[s], self.ub[s]
        table = [self._cand_bound(e, p) for p in range(lo, hi + 1)]
        target = self.model.new_int_var(min(table), max(table), f"c{e}")
        self.model.add_element(self.var[s] - lo, table, target)
        return target

    def _resources(self) -> None:
        """One cumulative per resource with work to move. Its fixed part (started and
        pinned work, time taken elsewhere) is one profile capped at the capacity: fixed
        work alone may overload a day, which leveling cannot help (the heuristic and the
        check accept it), and which leaves no room on that day either way."""
        pb, m = self.pb, self.model
        users: list[list[tuple[int, int]]] = [[] for _ in pb.capacity]
        for s in range(pb.n):
            for r, u in pb.assigns[s]:
                users[r].append((s, u))
        for r, pairs in enumerate(users):
            self._in_time()
            if not any(pb.kind[s] == SEARCHED for s, _ in pairs):
                continue
            calendars = {pb.cal[s] for s, _ in pairs}
            in_points = len(calendars) == 1
            if not in_points:
                self.unproven = self.unproven or SEVERAL_CALENDARS
            intervals: list[cp_model.IntervalVar] = []
            demands: list[int] = []
            fixed: dict[int, int] = {}
            for s, u in pairs:
                if pb.kind[s] != FIXED:
                    intervals.append(
                        m.new_fixed_size_interval_var(self.var[s], pb.span[s], f"i{r}_{s}")
                        if in_points
                        else self._day_interval(s, r)
                    )
                    demands.append(u)
                    continue
                p, d, day = pb.init[s] >> 1, pb.span[s], pb.tables.day
                cells = (
                    range(p, p + d)
                    if in_points
                    else range(day(pb.cal[s], p), day(pb.cal[s], p + d - 1) + 1)
                )
                for x in cells:
                    fixed[x] = fixed.get(x, 0) + u
            for x, u in self._taken(r, next(iter(calendars)), in_points):
                fixed[x] = fixed.get(x, 0) + u
            capacity = pb.capacity[r]
            for at, size, units in _runs({x: min(u, capacity) for x, u in fixed.items()}):
                intervals.append(m.new_fixed_size_interval_var(at, size, f"b{r}_{at}"))
                demands.append(units)
            m.add_cumulative(intervals, demands, capacity)

    def _taken(self, r: int, c: int, in_points: bool) -> list[tuple[int, int]]:
        """Resource ``r``'s time taken elsewhere as (time, thousandths) cells: in points
        of calendar ``c`` when the resource's tasks share it (a day it does not work
        cannot clash), else in calendar days."""
        at, units = self.pb.busy[r]
        tables = self.pb.tables
        cells: list[tuple[int, int]] = []
        for day, u in zip(at.tolist(), units.tolist(), strict=True):
            if not in_points:
                cells.append((day, u))
                continue
            p = tables.point(c, day)
            if tables.day(c, p) == day:
                cells.append((p, u))
        return cells

    def _day_interval(self, s: int, r: int) -> cp_model.IntervalVar:
        """From the first working day of ``s`` to the day after its last, in calendar days."""
        self._in_time()
        pb, m = self.pb, self.model
        day, c, d = pb.tables.day, pb.cal[s], pb.span[s]
        lo, hi = self.lb[s], self.ub[s]
        firsts = [day(c, p) for p in range(lo, hi + 1)]
        ends = [day(c, p + d - 1) + 1 for p in range(lo, hi + 1)]
        sizes = [b - a for a, b in zip(firsts, ends, strict=True)]
        start = m.new_int_var(min(firsts), max(firsts), f"sd{r}_{s}")
        end = m.new_int_var(min(ends), max(ends), f"ed{r}_{s}")
        size = m.new_int_var(min(sizes), max(sizes), f"zd{r}_{s}")
        m.add_element(self.var[s] - lo, firsts, start)
        m.add_element(self.var[s] - lo, ends, end)
        return m.new_interval_var(start, size, end, f"d{r}_{s}")

    def _objective(self, horizon_day: int) -> None:
        pb, m = self.pb, self.model
        day = pb.tables.day
        leaves = [s for s in range(pb.n) if pb.kind[s] != SUMMARY]
        terms: list[cp_model.LinearExprT] = []
        if self.makespan_weight:
            low = pb.finish_day(pb.early)
            ends = [
                self._last_point(s) if self.single else self._finish_day(s)
                for s in leaves
                if pb.kind[s] != FIXED
            ]
            fixed_last = max(
                (
                    day(pb.cal[s], pb.last_point(s, pb.init[s]))
                    for s in leaves
                    if pb.kind[s] == FIXED
                ),
                default=low,
            )
            if self.single:
                c = pb.cal[leaves[0]]
                lo_p, hi_p = pb.tables.point(c, low), pb.tables.point(c, horizon_day + 1)
                self.makespan = m.new_int_var(lo_p, max(lo_p, hi_p), "finish")
                past = max(lo_p, hi_p)  # the last point of a task started past its domain
                m.add(self.makespan >= pb.tables.point(c, fixed_last + 1) - 1)
            else:
                self.makespan = m.new_int_var(low, max(low, horizon_day), "finish")
                past = max(low, horizon_day) + 1
                m.add(self.makespan >= fixed_last)
            for end in ends:
                m.add(self.makespan >= end)
            terms.append(self.makespan_weight * self.makespan)
            self.beyond = self.makespan_weight * past
        elif self.weights:
            self.unproven = self.unproven or FREE_FINISH
        for activity, weight in self.weights.items():
            s = pb.c.index[activity]
            slot = int(pb.c.finish_slot[s]) if pb.c.is_summary[s] else s
            if slot in self.var and weight:
                terms.append(weight * (self.var[slot] + pb.span[slot]))
                if self.beyond is not None:  # it finishes at its early finish at best
                    self.beyond += weight * (self.lb[slot] + pb.span[slot])
        m.minimize(sum(terms) if terms else 0)

    def _type(self, s: int) -> int:
        """Slot ``s``'s type bit, as in the hint (a milestone's start or end of day: the
        links out of it are modelled with the same bit)."""
        return self.hint.values[s] & 1

    def _last_point(self, s: int) -> cp_model.LinearExprT:
        """Slot ``s``'s last working point (:meth:`Problem.last_point`), on one calendar."""
        span = self.pb.span[s]
        return self.var[s] + span - 1 if span > 0 else self.var[s] - 1 + self._type(s)

    def _finish_day(self, s: int) -> cp_model.LinearExprT:
        """Slot ``s``'s last working day (:meth:`Problem.last_point`'s day), in calendar days."""
        pb, m = self.pb, self.model
        day, c, kind = pb.tables.day, pb.cal[s], self._type(s)
        lo, hi = self.lb[s], self.ub[s]
        table = [day(c, pb.last_point(s, 2 * p + kind)) for p in range(lo, hi + 1)]
        end = m.new_int_var(min(table), max(table), f"f{s}")
        m.add_element(self.var[s] - lo, table, end)
        return end

    # --- solving ----------------------------------------------------------------------

    def objective_of(self, sched: Schedule) -> int:
        """The objective of a schedule (for comparing the solver's with the hint)."""
        pb = self.pb
        total = self.makespan_weight * sched.finish
        for activity, weight in self.weights.items():
            s = pb.c.index[activity]
            slot = int(pb.c.finish_slot[s]) if pb.c.is_summary[s] else s
            total += weight * ((sched.values[slot] >> 1) + pb.span[slot])
        return total

    def solve(self, seconds: float, *, workers: int | None, seed: int) -> _Outcome:
        from ortools.sat.python import cp_model

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.01)
        solver.parameters.num_workers = workers or 8
        solver.parameters.random_seed = seed
        code = solver.solve(self.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Outcome(None, solver.status_name(code).lower(), None)
        if self.weights and self.beyond is not None and solver.objective_value > self.beyond:
            self.unproven = self.unproven or PAST_THE_HORIZON
        pb = self.pb
        points = {s: int(solver.value(v)) for s, v in self.var.items() if pb.kind[s] == SEARCHED}
        bound_day = None
        if self.makespan is not None and not self.weights and self.makespan_weight > 0:
            bound = int(solver.best_objective_bound + 1e-6) // self.makespan_weight
            if self.single:
                c = pb.cal[next(s for s in range(pb.n) if pb.kind[s] != SUMMARY)]
                bound_day = pb.tables.day(c, bound)
            else:
                bound_day = bound
        return _Outcome(points, "optimal" if code == cp_model.OPTIMAL else "feasible", bound_day)


def _runs(cells: Mapping[int, int]) -> list[tuple[int, int, int]]:
    """A load profile (time → thousandths) as (start, size, thousandths) runs."""
    runs: list[tuple[int, int, int]] = []
    for x, u in sorted(cells.items()):
        if u <= 0:
            continue
        if runs and runs[-1][0] + runs[-1][1] == x and runs[-1][2] == u:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1, u)
        else:
            runs.append((x, 1, u))
    return runs


def _summary_order(pb: Problem) -> list[int]:
    """Summary slots, children before parents."""
    src = np.asarray(pb.e_src, np.int64)
    dst = np.asarray(pb.e_dst, np.int64)
    level, _ = levels(src, dst, len(pb.kind))
    summaries = [s for s in range(len(pb.kind)) if pb.kind[s] == SUMMARY]
    return sorted(summaries, key=lambda s: int(level[s]))
