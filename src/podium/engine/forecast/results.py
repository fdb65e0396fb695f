"""What a Monte Carlo forecast returns: finish-date distributions, criticality and drivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from podium.engine.calendar import FloatArray, IntArray, WorkCalendar, to_date

PERCENTILES = (10, 50, 80, 90)
EVERY_DAY = WorkCalendar("1111111")


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

    def histogram(self, *, calendar: WorkCalendar | None = None, bins: int = 40) -> list[Bin]:
        """At most ``bins`` bars from the earliest finish to the latest, each holding the
        same number of working days of ``calendar`` (every day works without one).

        Bars of a fixed number of calendar days would hold one, two or three working days
        on a Monday-to-Friday week: their counts would rise and fall with the weekends,
        not with the odds. A bar holds one working day or a few; once it would hold a week
        of them or more, it holds whole weeks of them (five each on that week), the first
        starting on the earliest finish's week. A finish on a day the calendar does not
        work (work on a calendar of its own) counts on its next working day, so that the
        share finished by a bar's last day stays true; the bar then starts on that finish.
        """
        cal = calendar if calendar is not None else EVERY_DAY
        days = np.datetime64(self.start, "D") + self.samples.astype("timedelta64[D]")
        index = cal.index(days, epoch=self.start)  # working days from the start
        low, high = int(index.min()), int(index.max())
        width = max(1, -(-(high - low + 1) // bins))
        week = cal.weekmask.count("1")
        if width >= week:  # whole weeks, from the first working day of the earliest's week
            first_finish = self.day(int(self.samples.min()))
            monday = first_finish - timedelta(days=first_finish.weekday())
            low = int(cal.index([monday], epoch=self.start)[0])
            width = week * -(-(high - low + 1) // (bins * week))
        position = (index - low) // width
        counts = np.bincount(position)
        edges = low + np.arange(counts.size + 1, dtype=np.int64) * width
        firsts = cal.day(edges[:-1], epoch=self.start)
        lasts = cal.day(edges[1:] - 1, epoch=self.start)
        # a bar starts on its first working day, or on a finish counted in it made before
        earliest = np.full(counts.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(earliest, position, self.samples.astype(np.int64))
        starts = np.minimum((firsts - np.datetime64(self.start, "D")).astype(np.int64), earliest)
        total = len(self.samples)
        cumulative = np.cumsum(counts) / total
        return [
            Bin(
                self.day(int(starts[k])),
                to_date(lasts[k]),
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
