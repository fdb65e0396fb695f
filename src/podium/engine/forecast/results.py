"""What a Monte Carlo forecast returns: finish-date distributions, criticality and drivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from podium.engine.calendar import FloatArray, IntArray

PERCENTILES = (10, 50, 80, 90)


@dataclass(frozen=True, slots=True)
class Bin:
    """One bar of a histogram: finishes on ``first`` … ``last`` (both included)."""

    first: date
    last: date
    count: int
    share: float  # of all iterations
    cumulative: float  # share of iterations finished by ``last``


@dataclass(frozen=True, slots=True, eq=False)
class Outcome:
    """The simulated finish dates of one milestone, project or the whole program.

    ``samples`` holds one finish per iteration, in days from ``start``.
    Percentiles are sample quantiles by the inverted empirical distribution:
    P80 is the first day by which at least 80 % of the iterations have finished.
    """

    start: date
    samples: IntArray

    def day(self, offset: int | float) -> date:
        """The date ``offset`` days after the start."""
        return self.start + timedelta(days=int(offset))

    def percentile(self, p: float) -> date:
        """The first day by which ``p`` % of the iterations have finished."""
        q = np.quantile(self.samples, p / 100, method="inverted_cdf")
        return self.day(int(q))

    def percentiles(self) -> dict[str, date]:
        """``{"p10": …, "p50": …, "p80": …, "p90": …}``."""
        return {f"p{p}": self.percentile(p) for p in PERCENTILES}

    def mean(self) -> date:
        """The mean finish: the day some iteration finished on nearest the samples' mean
        (the later of two as near), so that it is a working day as every finish is, not
        the Sunday between a Friday and a Monday."""
        days = np.unique(self.samples)
        distance = np.abs(days - float(self.samples.mean()))
        return self.day(int(days[np.flatnonzero(distance <= distance.min() + 1e-9)[-1]]))

    def probability_by(self, limit: date) -> float:
        """Share of the iterations that finish on or before ``limit``."""
        return float(np.mean(self.samples <= (limit - self.start).days))

    def histogram(self, *, bins: int = 40) -> list[Bin]:
        """At most ``bins`` bars of whole days, from the earliest finish to the latest."""
        low, high = int(self.samples.min()), int(self.samples.max())
        width = max(1, -(-(high - low + 1) // bins))
        counts = np.bincount((self.samples - low) // width)
        total = len(self.samples)
        cumulative = np.cumsum(counts) / total
        return [
            Bin(
                self.day(low + k * width),
                self.day(low + (k + 1) * width - 1),
                int(count),
                float(count / total),
                float(cumulative[k]),
            )
            for k, count in enumerate(counts.tolist())
        ]


@dataclass(frozen=True, slots=True)
class Driver:
    """A bar of the tornado: a task (its duration) or a risk (whether it happened)
    and its correlation with the program finish."""

    id: str
    kind: str  # "task" | "risk"
    correlation: float
    criticality: float  # share of iterations on the critical path (risks: occurrence rate)


@dataclass(frozen=True, slots=True, eq=False)
class Forecast:
    """A Monte Carlo forecast of a network.

    ``program`` is the finish of all the work; ``groups`` the finish of each
    activity group (project); ``activities`` the finish of each tracked activity
    (milestones by default). ``criticality`` and ``correlation`` are aligned with
    ``ids``: the share of iterations in which the activity is critical (zero total
    float against that iteration's program finish), and the Pearson correlation
    of its sampled duration with the program finish (NaN when its duration does
    not vary). ``risk_correlation`` and ``risk_rate`` are aligned with ``risk_ids``.
    """

    iterations: int
    seed: int
    ids: tuple[str, ...]
    program: Outcome
    groups: dict[str, Outcome]
    activities: dict[str, Outcome]
    criticality: FloatArray
    correlation: FloatArray
    mean_duration: FloatArray
    risk_ids: tuple[str, ...]
    risk_correlation: FloatArray
    risk_rate: FloatArray

    def tornado(self, top: int = 10) -> list[Driver]:
        """The ``top`` drivers of the program finish, strongest correlation first."""
        drivers = [
            Driver(self.ids[i], "task", float(self.correlation[i]), float(self.criticality[i]))
            for i in np.flatnonzero(np.isfinite(self.correlation)).tolist()
        ]
        drivers += [
            Driver(r, "risk", float(c), float(rate))
            for r, c, rate in zip(
                self.risk_ids, self.risk_correlation.tolist(), self.risk_rate.tolist(), strict=True
            )
            if np.isfinite(c)
        ]
        drivers.sort(key=lambda d: (-abs(d.correlation), d.id))
        return drivers[:top]

    def most_critical(self, top: int = 10) -> list[tuple[str, float]]:
        """The ``top`` activities by criticality index (ties in input order)."""
        order = np.argsort(-self.criticality, kind="stable")[:top]
        return [
            (self.ids[i], float(self.criticality[i]))
            for i in order.tolist()
            if self.criticality[i] > 0
        ]
