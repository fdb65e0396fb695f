"""Monte Carlo simulation of a whole program network (the method of Van Slyke 1963).

Each iteration draws every uncertain duration from its three-point estimate
(triangular or PERT-beta, :mod:`podium.engine.forecast._sample`), lets each
risk event happen with its probability (adding its impact to the linked
tasks), and schedules the network with the critical path method; the finish
dates over all iterations are the forecast.

The iterations run in blocks, every block as one set of array passes over the
topological levels of the network compiled by the deterministic engine — the
same slots, links, calendars (working-day points) and bounds, so one iteration
with the planned durations gives exactly the deterministic schedule. Each
block draws from its own stream ``default_rng([seed, block])``; the block size
depends only on the size of the network, so a seed, an iteration count and the
same inputs give identical results however the progress is reported.

What is uncertain, and the approximations (see docs/forecasting.md):

* only remaining work varies: finished tasks keep their actual dates; a task
  under way keeps its actual start and the work done, and the remaining
  ``ceil(D x (100 - %) / 100)`` of a drawn duration ``D`` varies;
* tasks without an estimate get ``(d (1 - u), d, d (1 + u))`` for the default
  uncertainty ``u`` (0 keeps the planned duration); drawn durations are
  rounded to whole working days (at least one);
* start constraints, pinned dates (mso/mfo, whose start stays pinned), leveling
  holds and the status date bind as in the deterministic engine; an ``fnet``
  bound is converted once with the planned duration;
* criticality is measured against each iteration's own program finish (zero
  total float on the longest path); deadlines and late constraints do not make
  work critical here, they are read as probabilities of meeting them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from podium.engine._axis import TimeAxis
from podium.engine._compile import compile_network
from podium.engine._topology import find_cycle, levels
from podium.engine.calendar import LAST_DATE, BoolArray, FloatArray, IntArray, days_to_last_date
from podium.engine.cpm import _name_cycle
from podium.engine.forecast._passes import BIG32, BlockPasses
from podium.engine.forecast._sample import (
    DISTRIBUTIONS,
    Distribution,
    Float32Array,
    standard_draws,
)
from podium.engine.forecast.results import Forecast, Outcome
from podium.engine.network import CycleError, Network

CELLS_PER_BLOCK = 4_000_000  # slots x iterations held at once (int32: 16 MB an array)
MAX_ITERATIONS = 1_000_000


@dataclass(frozen=True, slots=True)
class Estimate:
    """A three-point estimate of a task's duration, in working days."""

    optimistic: float
    most_likely: float
    pessimistic: float


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A risk that happens with ``probability`` (0–1) and then delays each of
    ``activities`` by ``impact_days`` working days."""

    id: str
    probability: float
    impact_days: float
    activities: tuple[str, ...]


class InvalidForecast(ValueError):
    """The forecast's inputs are refused; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid forecast: " + "; ".join(self.problems[:10]))


def block_size(slots: int) -> int:
    """Iterations per block for a network of ``slots`` slots (a function of size only)."""
    return int(min(4096, max(64, CELLS_PER_BLOCK // max(slots, 1))))


def simulate(
    network: Network,
    *,
    estimates: Mapping[str, Estimate] | None = None,
    distribution: Distribution = "pert",
    default_uncertainty: float = 0.2,
    risks: Sequence[RiskEvent] = (),
    iterations: int = 1000,
    seed: int | None = None,
    track: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Forecast:
    """Simulate ``network`` ``iterations`` times; see the module docstring.

    ``track`` names the activities whose own finish distribution is kept
    (default: every milestone). ``progress(done, total)`` is called after each
    block, in order. Blocks run on ``workers`` threads (default: one; more can pay
    on an idle many-core machine); the result does not depend on it. Raises
    :class:`InvalidForecast`, or the engine's ``InvalidNetwork`` / ``CycleError``
    for a network that cannot be scheduled.
    """
    _check(distribution, default_uncertainty, iterations, estimates or {}, risks)
    c = compile_network(network)
    e = c.edges
    level, stuck = levels(e.src, e.dst, len(c.slot_owner))
    if stuck:
        raise CycleError(_name_cycle(c, find_cycle(e.src, e.dst, stuck)))
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % (1 << 63)  # type: ignore[arg-type]
    axis = LockedAxis(TimeAxis(c.calendars, network.start))
    crossing = bool((c.slot_cal[e.src] != c.slot_cal[e.dst]).any())
    passes = BlockPasses(c, level, axis if crossing else None)  # type: ignore[arg-type]
    work = _Work.of(
        c.ids,
        network,
        c.bounds.span,
        c.bounds.started,
        c.bounds.finished,
        c.is_milestone | c.is_summary,
        estimates or {},
        default_uncertainty,
    )
    risk_rows = _risk_rows(risks, c.index, work.row_of)
    n = c.n
    leaf = np.flatnonzero(~c.is_summary)
    unfinished_leaf = leaf[~c.bounds.finished[leaf]]
    groups = sorted({g for g in (a.group for a in network.activities) if g is not None})
    group_of = np.array(
        [groups.index(a.group) if a.group is not None else -1 for a in network.activities], np.int64
    )
    grouped = leaf[group_of[leaf] >= 0]
    grouped = grouped[np.argsort(group_of[grouped], kind="stable")]
    group_starts = (
        np.flatnonzero(np.r_[True, np.diff(group_of[grouped]) != 0])
        if grouped.size
        else np.zeros(0, np.int64)
    )
    group_names = [groups[g] for g in group_of[grouped[group_starts]].tolist()]
    tracked = (
        [c.index[t] for t in track]
        if track is not None
        else np.flatnonzero(c.is_milestone).tolist()
    )
    single = len(c.calendars) == 1
    cal_leaf = c.slot_cal[leaf]
    milestone_leaf = c.is_milestone[leaf]
    milestone_u = c.is_milestone[unfinished_leaf]

    program_days = np.zeros(iterations, np.int64)
    group_days = np.zeros((len(group_names), iterations), np.int64)
    tracked_days = np.zeros((len(tracked), iterations), np.int64)
    critical_count = np.zeros(n, np.int64)
    stats = _Moments(len(work.rows))
    risk_stats = _Moments(len(risk_rows))
    risk_hits = np.zeros(len(risk_rows), np.int64)
    size = block_size(len(c.slot_owner))
    base_span = np.concatenate([c.bounds.span, [0]]).astype(np.int32)

    def run(block: int) -> _Block:
        """One block of iterations (runs in a worker thread; touches only its own arrays)."""
        first = block * size
        r = min(size, iterations - first)
        rng = np.random.default_rng([seed, block])
        span = np.repeat(base_span[:, None], r, axis=1)
        drawn = work.draw(rng, distribution, r, span)
        occurred = np.zeros((len(risk_rows), r), np.bool_)
        for k, (probability, impact, rows) in enumerate(risk_rows):
            occurred[k] = rng.random(r) < probability
            span[rows] += (impact * occurred[k]).astype(np.int32)
        early = passes.forward(span)
        point = early[leaf] >> 1
        shift = np.where(milestone_leaf[:, None], 1 - (early[leaf] & 1), 0)
        ef_point = np.where(milestone_leaf[:, None], point - shift, point + span[leaf] - 1)
        flag = (~milestone_leaf[:, None] | (shift == 1)).astype(np.int32)
        groups_out = np.zeros((len(group_names), r), np.int64)
        if single:
            moment = (2 * ef_point + flag).max(axis=0)
            finish_points = ((moment + 1) // 2)[None, :]
            morning_points = (moment // 2)[None, :]
            program = _days(axis, 0, moment // 2)
            if grouped.size:
                group_max = np.maximum.reduceat(ef_point[grouped_rows], group_starts, axis=0)
                groups_out = _days(axis, 0, group_max)
        else:
            ef_day = axis.day(cal_leaf[:, None], ef_point.astype(np.int64)) - axis.epoch_day
            moment = (2 * ef_day + flag).max(axis=0)
            program = moment // 2
            day_after = (moment + 1) // 2 + axis.epoch_day
            finish_points = np.stack(
                [axis.point(np.full(r, k), day_after) for k in range(len(c.calendars))]
            )
            last_day = moment // 2 + 1 + axis.epoch_day
            morning_points = np.stack(
                [axis.point(np.full(r, k), last_day) - 1 for k in range(len(c.calendars))]
            )
            if grouped.size:
                groups_out = np.maximum.reduceat(ef_day[grouped_rows], group_starts, axis=0)
        tracked_out = np.zeros((len(tracked), r), np.int64)
        for j, k in enumerate(tracked_rows):
            tracked_out[j] = _days(axis, int(cal_leaf[k]), ef_point[k])
        late = np.full_like(early, BIG32)
        cal_u = c.slot_cal[unfinished_leaf]
        # a milestone in the morning of its day keeps the finish by showing on its day (cpm)
        morning = milestone_u[:, None] & ((early[unfinished_leaf] & 1) == 1)
        at = cal_u if not single else 0
        late[unfinished_leaf] = (
            np.where(morning, morning_points[at], finish_points[at]) - span[unfinished_leaf]
        )
        late = passes.backward(early, late, span)
        total = late[unfinished_leaf] - (early[unfinished_leaf] >> 1)
        y = np.asarray(program, np.float64)
        part, risk_part = _Moments(len(work.rows)), _Moments(len(risk_rows))
        part.add(drawn, y)
        risk_part.add(occurred.astype(np.float64), y)
        return _Block(
            first,
            r,
            np.asarray(program, np.int64),
            groups_out,
            tracked_out,
            (total <= 0).sum(axis=1),
            part,
            risk_part,
            occurred.sum(axis=1),
        )

    grouped_rows = np.searchsorted(leaf, grouped)
    tracked_rows = np.searchsorted(leaf, np.asarray(tracked, np.int64)).tolist()
    blocks = range(-(-iterations // size))
    with ThreadPoolExecutor(
        max_workers=max(1, min(workers or _default_workers(), len(blocks)))
    ) as pool:
        for b in pool.map(run, blocks):  # in block order: sums are added in a fixed order
            window = slice(b.first, b.first + b.size)
            program_days[window] = b.program
            group_days[:, window] = b.groups
            tracked_days[:, window] = b.tracked
            critical_count[unfinished_leaf] += b.critical
            stats.merge(b.stats)
            risk_stats.merge(b.risk_stats)
            risk_hits += b.risk_hits
            if progress is not None:
                progress(b.first + b.size, iterations)

    if program_days.size and int(program_days.max()) > days_to_last_date(network.start):
        raise InvalidForecast(
            [
                f"in some iterations the program would finish after {LAST_DATE.isoformat()}, "
                "the last date there is: the estimates and risk impacts are too long to forecast"
            ]
        )
    correlation = np.full(n, np.nan)
    correlation[work.rows] = stats.correlation()
    mean_duration = np.asarray(c.bounds.span, np.float64).copy()
    mean_duration[work.rows] = stats.mean()
    start = network.start
    return Forecast(
        iterations=iterations,
        seed=seed,
        ids=tuple(c.ids),
        program=Outcome(start, program_days),
        groups={name: Outcome(start, group_days[k]) for k, name in enumerate(group_names)},
        activities={c.ids[t]: Outcome(start, tracked_days[k]) for k, t in enumerate(tracked)},
        criticality=critical_count / iterations,
        correlation=correlation,
        mean_duration=mean_duration,
        risk_ids=tuple(r.id for r in risks),
        risk_correlation=risk_stats.correlation(),
        risk_rate=risk_hits / iterations,
    )


def _default_workers() -> int:
    return 1  # measured: a second thread does not pay on two shared cores (docs/benchmarks.md)


class LockedAxis:
    """A :class:`TimeAxis` shared by worker threads: its tables grow under a lock."""

    def __init__(self, axis: TimeAxis) -> None:
        self._axis, self._lock = axis, threading.Lock()
        self.epoch_day = axis.epoch_day

    def day(self, cal: IntArray, points: IntArray) -> IntArray:
        with self._lock:
            return self._axis.day(cal, points)

    def point(self, cal: IntArray, days: IntArray) -> IntArray:
        with self._lock:
            return self._axis.point(cal, days)

    def forward(
        self, points: IntArray, start_type: IntArray, src: IntArray, dst: IntArray
    ) -> IntArray:
        with self._lock:
            return self._axis.forward(points, start_type, src, dst)

    def backward(
        self, points: IntArray, start_type: IntArray, src: IntArray, dst: IntArray
    ) -> IntArray:
        with self._lock:
            return self._axis.backward(points, start_type, src, dst)


@dataclass(slots=True)
class _Block:
    """What one block of iterations adds to the forecast."""

    first: int
    size: int
    program: IntArray
    groups: IntArray
    tracked: IntArray
    critical: IntArray
    stats: _Moments
    risk_stats: _Moments
    risk_hits: IntArray


def _days(axis: LockedAxis, cal: int, points: IntArray) -> IntArray:
    """Days from the epoch of working points of calendar ``cal``."""
    p = np.asarray(points, np.int64)
    return np.asarray(axis.day(np.full(p.shape, cal), p) - axis.epoch_day, np.int64)


def _check(
    distribution: str,
    default_uncertainty: float,
    iterations: int,
    estimates: Mapping[str, Estimate],
    risks: Sequence[RiskEvent],
) -> None:
    problems = []
    if distribution not in DISTRIBUTIONS:
        problems.append(f"unknown distribution {distribution!r} (pert or triangular)")
    if not 0 <= default_uncertainty < 1:
        problems.append("the default uncertainty must be at least 0 and below 1")
    if not 1 <= iterations <= MAX_ITERATIONS:
        problems.append(f"iterations must be between 1 and {MAX_ITERATIONS}")
    for task, est in estimates.items():
        if not 0 <= est.optimistic <= est.most_likely <= est.pessimistic:
            problems.append(
                f"{task}: the estimate must satisfy 0 <= optimistic <= most likely <= pessimistic"
            )
    for risk in risks:
        if not 0 <= risk.probability <= 1:
            problems.append(f"risk {risk.id}: the probability must be between 0 and 1")
        if risk.impact_days < 0:
            problems.append(f"risk {risk.id}: the impact cannot be negative")
    if problems:
        raise InvalidForecast(problems)


@dataclass(slots=True)
class _Work:
    """The unfinished tasks whose duration is drawn (``rows`` in network order)."""

    rows: IntArray
    low: FloatArray
    width: FloatArray
    mode: FloatArray
    fraction: FloatArray  # share of the duration still to do
    done: IntArray  # span of the work done (started tasks), else 0
    under_way: IntArray  # bool as int: remaining work is rounded up, as the engine does
    row_of: dict[int, int]
    low32: Float32Array = field(init=False)
    width32: Float32Array = field(init=False)
    started: IntArray = field(init=False)  # positions of the rows under way

    def __post_init__(self) -> None:
        self.low32 = self.low.astype(np.float32)
        self.width32 = self.width.astype(np.float32)
        self.done = self.done.astype(np.int32)
        self.started = np.flatnonzero(self.under_way)

    @classmethod
    def of(
        cls,
        ids: list[str],
        network: Network,
        span: IntArray,
        started: BoolArray,
        finished: BoolArray,
        no_work: BoolArray,
        estimates: Mapping[str, Estimate],
        default_uncertainty: float,
    ) -> _Work:
        rows, low, width, mode, fraction, done, under_way = [], [], [], [], [], [], []
        for i, a in enumerate(network.activities):
            if no_work[i] or finished[i] or a.duration <= 0:
                continue
            est = estimates.get(ids[i])
            d = float(a.duration)
            if est is not None:
                lo, ml, hi = est.optimistic, est.most_likely, est.pessimistic
            else:
                lo, ml, hi = d * (1 - default_uncertainty), d, d * (1 + default_uncertainty)
            share = 1.0
            done_span = 0
            if started[i]:
                share = (100 - a.percent_complete) / 100
                remaining = max(1, min(a.duration, math.ceil(a.duration * share - 1e-9)))
                done_span = int(span[i]) - remaining
            rows.append(i)
            low.append(lo)
            width.append(hi - lo)
            mode.append((ml - lo) / (hi - lo) if hi > lo else 0.5)
            fraction.append(share)
            done.append(done_span)
            under_way.append(int(bool(started[i])))
        return cls(
            np.asarray(rows, np.int64),
            np.asarray(low, np.float64),
            np.asarray(width, np.float64),
            np.asarray(mode, np.float64),
            np.asarray(fraction, np.float64),
            np.asarray(done, np.int64),
            np.asarray(under_way, np.int64),
            {r: k for k, r in enumerate(rows)},
        )

    def draw(
        self, rng: np.random.Generator, distribution: Distribution, r: int, span: np.ndarray
    ) -> FloatArray:
        """Draw ``r`` durations per row into ``span``; returns the drawn durations."""
        if not len(self.rows):
            return np.zeros((0, r))
        x = standard_draws(distribution, self.mode, rng, r)
        drawn = self.low32[:, None] + self.width32[:, None] * x
        rounded = np.rint(drawn)
        if self.started.size:  # remaining work of tasks under way, rounded up as the engine does
            part = drawn[self.started] * self.fraction[self.started, None].astype(np.float32)
            rounded[self.started] = np.ceil(part - 1e-4)
        np.maximum(rounded, 1, out=rounded)
        span[self.rows] = rounded.astype(np.int32) + self.done[:, None]
        return drawn.astype(np.float64)


def _risk_rows(
    risks: Sequence[RiskEvent], index: dict[str, int], row_of: dict[int, int]
) -> list[tuple[float, int, IntArray]]:
    """(probability, impact in whole days, activity rows) of each risk; unknown or finished
    activities are ignored."""
    out = []
    for risk in risks:
        rows = sorted({index[a] for a in risk.activities if a in index and index[a] in row_of})
        out.append((risk.probability, round(risk.impact_days), np.asarray(rows, np.int64)))
    return out


class _Moments:
    """Running sums for Pearson correlations of many series with one outcome."""

    def __init__(self, k: int) -> None:
        self.n = 0
        self.sx, self.sxx, self.sxy = np.zeros(k), np.zeros(k), np.zeros(k)
        self.sy = self.syy = 0.0

    def add(self, x: FloatArray, y: FloatArray) -> None:
        self.n += len(y)
        self.sx += x.sum(axis=1)
        self.sxx += np.einsum("ij,ij->i", x, x)
        self.sxy += x @ y
        self.sy += float(y.sum())
        self.syy += float(y @ y)

    def merge(self, other: _Moments) -> None:
        self.n += other.n
        self.sx += other.sx
        self.sxx += other.sxx
        self.sxy += other.sxy
        self.sy += other.sy
        self.syy += other.syy

    def mean(self) -> FloatArray:
        return self.sx / max(self.n, 1)

    def correlation(self) -> FloatArray:
        n = max(self.n, 1)
        cov = self.sxy / n - (self.sx / n) * (self.sy / n)
        var_x = self.sxx / n - (self.sx / n) ** 2
        var_y = self.syy / n - (self.sy / n) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            out = cov / np.sqrt(var_x * var_y)
        tiny = (var_x <= 1e-9 * np.maximum(1.0, self.sxx / n)) | (var_y <= 1e-12)
        return np.where(tiny, np.nan, np.clip(out, -1, 1))
