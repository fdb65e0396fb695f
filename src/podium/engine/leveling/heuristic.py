"""Fast resource leveling: serial SGS with priority rules, justification and sampling.

The method (Kolisch & Hartmann 2006, "Experimental investigation of heuristics
for resource-constrained project scheduling: an update", *EJOR* 174): a serial
schedule generation scheme (:mod:`._sgs`) run once per priority rule — latest
finish (LFT), latest start (LST), minimum slack (MSLK), most total successors
(MTS), greatest rank positional weight (GRPW) — each followed by
forward-backward improvement; the shortest program wins (ties: the earlier
rule); then, while the time budget lasts, random perturbations of the best
order found so far (an iterated local search), each followed by
forward-backward improvement. Three perturbations in four delay many of the
tasks that start in one stretch of the schedule (15-40 % of its length, as
decomposition methods re-solve one window at a time); the others delay a few
tasks anywhere. On the j120 subset this took the walk from 29.5 % to 28.9 %
above the critical path in 2 s, and from 30.3 % to 29.9 % in 0.4 s (four seeds;
the walk used to sample the latest-finish rule with noise every fourth pass,
which the local perturbations outdo). The walk moves on to any schedule that
finishes no later than its own, and with a small chance to one that finishes a
working day later (never more than a day past the best): on j120 this escapes
local optima the perturbations alone cannot leave (0.45 point closer to the best
known in 2 s on the 30-instance subset of the benchmark). A program that
finishes on its critical-path finish is optimal and ends the search at once.

The passes run as compiled kernels (:mod:`._fast`), which give exactly the
schedules of the Python passes of :mod:`._sgs`, some fifty times faster: a
j120 instance sees a few thousand improved schedules in 0.4 s. The kernels
release the GIL, so the walk runs as two independent walks in two threads on a
machine with two cores or more (each its own seed and half the samples): about
twice the schedules in the same time (j120 at 0.4 s: 33.4 % above the critical
path against 33.7 % with one walk).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from podium.engine.calendar import IntArray
from podium.engine.leveling._problem import SEARCHED, Problem, compile_problem
from podium.engine.leveling._result import build_result
from podium.engine.leveling._sgs import Schedule
from podium.engine.leveling.model import Assignment, Busy, LevelingResult, Resource
from podium.engine.network import Network

if TYPE_CHECKING:  # the module imports Numba
    from podium.engine.leveling._fast import FastScheduler

RULES = ("lft", "lst", "mslk", "mts", "grpw")
UPHILL = 0.05  # chance that the walk accepts a schedule one working day longer
WINDOW = 0.75  # chance that a perturbation reorders one stretch of the schedule
THREADS = 2  # walks at once by default (as many as cores, up to this)
THREADS_MAX = 8


def level(
    network: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    *,
    time_limit: float = 1.0,
    rules: Sequence[str] = RULES,
    samples: int | None = None,
    seed: int = 0,
    busy: Sequence[Busy] = (),
    threads: int | None = None,
) -> LevelingResult:
    """Level ``network`` so that no resource is over capacity on any day, delaying work
    as little as possible (shortest program first), with a fast heuristic.

    Tasks that are started, finished or pinned (``mso``/``mfo``) never move; the
    others start no earlier than their critical-path early start. ``time_limit``
    (seconds) bounds the search: the first rule always runs to its end, later
    passes start only while they are expected to end within the limit.
    ``samples`` caps the sampling passes (``None``: as many as time allows; 0:
    the deterministic rules only). ``busy``: resources' time taken elsewhere (other
    programs' work), kept free and never moved. ``threads``: walks of the search at
    once (default: two on a machine with two cores or more). Raises
    :class:`~podium.engine.leveling.InvalidResources` for bad resources or
    assignments, and the scheduler's errors for a bad network.
    """
    load_passes()  # not part of the time limit
    began = time.perf_counter()
    pb = compile_problem(network, resources, assignments, busy)
    best, rule = search(
        pb,
        time_limit=time_limit - (time.perf_counter() - began),
        rules=rules,
        samples=samples,
        seed=seed,
        began=began,
        threads=threads,
    )
    bound = pb.finish_day(pb.early)
    return build_result(
        pb,
        best.values,
        method="heuristic",
        optimal=best.finish <= bound,
        lower_bound_day=bound,
        status="optimal" if best.finish <= bound else "feasible",
        rule=rule,
        seconds=time.perf_counter() - began,
    )


def load_passes() -> None:
    """Load the compiled passes (compiling them the first time on a machine): once per
    process, before a time limit starts."""
    from podium.engine.leveling._fast import load_kernels  # imports Numba

    load_kernels()


def priority_keys(pb: Problem, rule: str) -> list[int]:
    """Per slot, the rank of each searched activity under ``rule`` (smaller goes first)."""
    n = pb.n
    ties = pb.lf_day
    if rule == "lft":
        primary = pb.lf_day
        ties = pb.ls_day
    elif rule == "lst":
        primary = pb.ls_day
    elif rule == "mslk":
        primary = pb.ls_day - pb.es_day
    elif rule == "mts":
        primary = -pb.successors
    elif rule == "grpw":
        primary = -pb.rank_weight
    else:
        raise ValueError(f"unknown priority rule {rule!r}; known: {', '.join(RULES)}")
    return _ranks(pb, np.lexsort((np.arange(n), ties, primary)))


def _ranks(pb: Problem, order: IntArray) -> list[int]:
    key = [0] * len(pb.kind)
    for rank, s in enumerate(order.tolist()):
        key[s] = rank
    return key


def search(
    pb: Problem,
    *,
    time_limit: float,
    rules: Sequence[str],
    samples: int | None,
    seed: int,
    began: float | None = None,
    threads: int | None = None,
) -> tuple[Schedule, str]:
    """The best schedule the rules, improvement and sampling find within ``time_limit``.

    The rules run one after the other; the walk then runs in ``threads`` threads at
    once (default: up to two, as the machine has cores), each its own walk with its
    own seed and its share of ``samples``; the shortest schedule any of them finds
    wins (ties: the one that starts work earliest, then the first walk's).
    """
    from podium.engine.leveling._fast import FastScheduler, load_kernels  # imports Numba

    load_kernels()
    began = time.perf_counter() if began is None else began
    deadline = began + max(time_limit, 0.0)
    scheduler = FastScheduler(pb)
    bound = pb.finish_day(pb.early)
    best: Schedule | None = None
    best_rule = ""
    longest = 0.0
    if not any(k == SEARCHED for k in pb.kind):
        return scheduler.forward([0] * len(pb.kind)), "none"
    for rule in rules or ("lft",):
        if best is not None and (time.perf_counter() + longest > deadline or best.finish <= bound):
            break
        t0 = time.perf_counter()
        sched = scheduler.forward_improve(priority_keys(pb, rule), deadline=deadline)
        longest = max(longest, time.perf_counter() - t0)
        if best is None or sched.finish < best.finish:
            best, best_rule = sched, rule
    assert best is not None
    if best.finish <= bound or samples == 0 or time.perf_counter() + longest > deadline:
        return best, best_rule
    count = max(1, min(threads or min(_cores(), THREADS), THREADS_MAX))
    if samples is not None:
        count = min(count, samples)
    stop = threading.Event()  # set when a walk reaches the bound (or fails)
    walks = [
        _Walk(
            pb,
            scheduler if i == 0 else None,
            best,
            seed=(seed, i),
            deadline=deadline,
            longest=longest,
            bound=bound,
            stop=stop,
            samples=None if samples is None else samples // count + (i < samples % count),
        )
        for i in range(count)
    ]
    if count == 1:
        walks[0].run()
    else:
        workers = [
            threading.Thread(target=w.run, name=f"leveling-walk-{i}", daemon=True)
            for i, w in enumerate(walks)
        ]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        for w in walks:
            if w.error is not None:
                raise w.error
    found = min(walks, key=lambda w: (w.best.finish, w.best_starts))
    if found.best.finish < best.finish or found.best_starts < _starts(best):
        return found.best, "sampling" if found.best.finish < best.finish else best_rule
    return best, best_rule


def _cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Walk:
    """One walk of the iterated local search from the rules' best schedule; walks of one
    search run in threads and stop together once one reaches the critical-path bound."""

    def __init__(
        self,
        pb: Problem,
        scheduler: FastScheduler | None,
        start: Schedule,
        *,
        seed: tuple[int, int],
        deadline: float,
        longest: float,
        bound: int,
        samples: int | None,
        stop: threading.Event,
    ) -> None:
        self.pb, self.scheduler, self.start = pb, scheduler, start
        self.rng = np.random.default_rng(seed if seed[1] else seed[0])  # walk 0: as alone
        self.deadline, self.longest, self.bound, self.samples = deadline, longest, bound, samples
        self.best, self.best_starts = start, _starts(start)
        self.error: BaseException | None = None
        self.stop = stop

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # re-raised by the search in its own thread
            self.error = exc
            self.stop.set()

    def _room(self) -> bool:
        return time.perf_counter() + self.longest <= self.deadline and not self.stop.is_set()

    def _run(self) -> None:
        from podium.engine.leveling._fast import FastScheduler

        pb, rng, bound = self.pb, self.rng, self.bound
        if not self._room():
            return
        scheduler = self.scheduler or FastScheduler(pb)  # its own arrays
        walker = best = self.start
        best_starts = self.best_starts
        searched = scheduler.searched
        ls = pb.ls_day[searched].astype(np.float64)
        scale = max(1.0, float(np.mean(scheduler.span[searched])))
        key = np.zeros(len(pb.kind), np.int64)
        ranks = np.arange(searched.size, dtype=np.int64)
        walker_days = scheduler.start_days(walker).astype(np.float64)
        done = 0
        while (self.samples is None or done < self.samples) and self._room():
            t0 = time.perf_counter()
            # a perturbation of the walker's order: delays drawn for some of its tasks
            noise = rng.exponential(scale * rng.uniform(0.1, 2.0), searched.size)
            if rng.random() < WINDOW:  # many of the tasks in one stretch of the schedule
                first, last = walker_days.min(), walker_days.max() + 1
                width = (last - first) * rng.uniform(0.15, 0.4)
                at = rng.uniform(first - width / 2, last - width / 2)
                inside = (walker_days >= at) & (walker_days < at + width)
                noise *= inside & (rng.random(searched.size) < rng.uniform(0.3, 0.8))
            else:  # a few tasks anywhere
                noise *= rng.random(searched.size) < rng.uniform(0.05, 0.3)
            key[searched[np.lexsort((ls, walker_days + noise))]] = ranks
            sched = scheduler.forward_improve(key, deadline=self.deadline)
            self.longest = max(self.longest, time.perf_counter() - t0)
            done += 1
            if sched.finish <= walker.finish or (  # walk on across plateaus of equal finish,
                sched.finish <= best.finish + 1 and rng.random() < UPHILL
            ):  # and now and then one day uphill, out of a valley the perturbations cannot leave
                walker = sched
                walker_days = scheduler.start_days(walker).astype(np.float64)
            if sched.finish < best.finish:
                best, best_starts = sched, _starts(sched)
                if best.finish <= bound:  # optimal: every walk stops
                    self.stop.set()
            elif sched.finish == best.finish and (starts := _starts(sched)) < best_starts:
                best, best_starts = sched, starts
        self.best, self.best_starts = best, best_starts


def _starts(sched: Schedule) -> int:
    """The sum of every slot's start point: among schedules with the same finish, the
    one that starts work earlier (delays less) is kept."""
    return sum(v >> 1 for v in sched.values)
