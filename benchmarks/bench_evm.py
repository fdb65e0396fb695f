"""Earned value and health roll-up benchmark: a 10k-task program at a status date.

The program is benchmarks/generate.py's 20 projects x 500 tasks, scheduled by
the engine to give the baseline (2027-01-04 to 2031-10-30); the live forecast
slips ~30 % of the tasks by 1-15 working days. At the status date, 2029-03-05,
half the tasks have started; each of those has a weekly percent-complete
history and weekly cost entries (110k records in all), its pace and cost
efficiency drawn per task. Health gets every task, the ~4 % zero-duration
activities as milestones (targets a few days after their baseline), 20
projects, 200 risks, 100 alerts and 300 over-allocations.

Timed (median of ``--runs``): the engine from its inputs — EVM at the status
date, 52 weekly S-curve points, health with every rule and the roll-up — and,
apart, what a service does around it: building the EVM columns from task
records, and the health records from the EVM result.

    .venv/bin/python benchmarks/bench_evm.py            # about 5 s
    .venv/bin/python benchmarks/bench_evm.py --runs 5
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from generate import START, generate

from podium.engine import ScheduleResult, schedule
from podium.engine.calendar import to_date
from podium.engine.evm import EvmInput, EvmResult, EvmTask, earned_value, s_curves
from podium.engine.health import (
    AlertFacts,
    AlertSeverity,
    HealthInput,
    MilestoneFacts,
    OverAllocation,
    ProgramFacts,
    ProjectFacts,
    Ref,
    RiskFacts,
    TaskFacts,
    assess_health,
)

STATUS = date(2029, 3, 5)  # a Monday: half the tasks have started
SEVERITIES: tuple[AlertSeverity, ...] = ("low", "medium", "high", "critical")


def _median_ms(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, out


class Synthetic:
    """The benchmark program: baseline schedule, forecast, histories, risks and alerts."""

    def __init__(self, projects: int, tasks: int, seed: int = 7) -> None:
        self.program = generate(projects, tasks)
        network = self.program.network()
        self.baseline: ScheduleResult = schedule(network)
        self.calendar = self.program.calendar
        self.ids = list(self.baseline.ids)
        self.projects = [g or "" for g in self.baseline.groups]
        rng = np.random.default_rng(seed)
        n = len(self.ids)
        self.milestone = self.baseline.is_milestone.copy()
        slip = np.where(rng.random(n) < 0.3, rng.integers(1, 16, n), 0)
        self.forecast = self.calendar.add_workdays_array(self.baseline.early_finish, slip)
        self.pace = rng.uniform(0.7, 1.15, n)  # progress against plan
        self.thrift = rng.uniform(0.75, 1.2, n)  # EV earned per unit of cost
        self.rate = rng.uniform(400, 1200, n)

    def evm_tasks(self) -> list[EvmTask]:
        """Task records as a service would read them (baseline, histories)."""
        out = []
        status = np.datetime64(STATUS, "D")
        for i, key in enumerate(self.ids):
            start, finish = self.baseline.early_start[i], self.baseline.early_finish[i]
            days = int(self.calendar.count_workdays_array([start], [finish + 1])[0])
            budget = 0.0 if self.milestone[i] else float(days * self.rate[i])
            weeks = (
                np.arange(start + 6, min(status, finish + 70) + 1, 7)
                if start <= status
                else np.zeros(0, dtype="datetime64[D]")
            )
            elapsed = (weeks - start).astype(np.int64) + 1
            span = max(int((finish - start).astype(np.int64)) + 1, 1)
            percent = np.minimum(100.0, np.floor(100 * self.pace[i] * elapsed / span))
            earned = np.diff(np.concatenate([[0.0], percent])) * budget / 100
            when = [to_date(w) for w in weeks]
            out.append(
                EvmTask(
                    key,
                    self.projects[i],
                    budget,
                    to_date(start),
                    to_date(finish),
                    progress=list(zip(when, percent.tolist(), strict=True)),
                    costs=list(zip(when, (earned / self.thrift[i]).tolist(), strict=True)),
                )
            )
        return out

    def health_input(self, evm: EvmResult) -> HealthInput:
        """Health records from the schedule, the forecast and the EVM result."""
        rng = np.random.default_rng(11)
        forecast: list[date] = self.forecast.tolist()
        baseline: list[date] = self.baseline.early_finish.tolist()
        total_float: list[int] = self.baseline.total_float.tolist()
        spi = [None if np.isnan(v) else v for v in evm.tasks.spi.tolist()]
        cpi = [None if np.isnan(v) else v for v in evm.tasks.cpi.tolist()]
        finished: list[bool] = (self.forecast < np.datetime64(STATUS, "D")).tolist()
        slack: list[int] = rng.integers(0, 10, len(self.ids)).tolist()
        tasks, milestones = [], []
        for i, key in enumerate(self.ids):
            if self.milestone[i]:
                milestones.append(
                    MilestoneFacts(
                        Ref("milestone", i, key),
                        self.projects[i],
                        forecast=forecast[i],
                        baseline=baseline[i],
                        target=baseline[i] + timedelta(days=slack[i]),
                        reached=finished[i],
                    )
                )
            else:
                tasks.append(
                    TaskFacts(
                        Ref("task", i, key),
                        self.projects[i],
                        finish=forecast[i],
                        baseline_finish=baseline[i],
                        total_float=total_float[i],
                        spi=spi[i],
                        cpi=cpi[i],
                        finished=finished[i],
                    )
                )
        keys = [t.ref.key for t in tasks]
        names = sorted(set(self.projects))
        picks: list[list[str]] = rng.choice(keys, (600, 3)).tolist()
        scores: list[list[int]] = rng.integers(1, 6, (200, 2)).tolist()
        risks = [
            RiskFacts(
                Ref("risk", r, f"R{r}"),
                scores[r][0],
                scores[r][1],
                title=f"Risk {r}",
                tasks=tuple(picks[r][:2]),
            )
            for r in range(200)
        ]
        alerts = [
            AlertFacts(
                Ref("alert", a, str(a)),
                SEVERITIES[a % 4],
                subject=picks[200 + a][0],
                cross_project=True,
                projects=(names[a % len(names)], names[(a + 1) % len(names)]),
                title=f"Alert {a}",
            )
            for a in range(100)
        ]
        loads: list[float] = rng.uniform(0.9, 1.8, 300).tolist()
        overs = [
            OverAllocation(
                Ref("resource", o, f"res{o}"),
                loads[o],
                STATUS,
                STATUS + timedelta(days=4),
                tasks=tuple(picks[300 + o]),
            )
            for o in range(300)
        ]
        return HealthInput(
            ProgramFacts(Ref("program", 1, "SYN"), spi=evm.program.spi, cpi=evm.program.cpi),
            calendar=self.calendar,
            projects=[
                ProjectFacts(Ref("project", p, p), spi=evm.projects[p].spi, cpi=evm.projects[p].cpi)
                for p in names
            ],
            tasks=tasks,
            milestones=milestones,
            alerts=alerts,
            risks=risks,
            overallocations=overs,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="EVM and health benchmark")
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=500, help="tasks per project")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    syn = Synthetic(args.projects, args.tasks)
    records = syn.evm_tasks()
    pack_ms, data = _median_ms(
        lambda: EvmInput.from_tasks(records, default_calendar=syn.calendar), args.runs
    )
    status_ms, evm = _median_ms(lambda: earned_value(data, STATUS), args.runs)
    year = STATUS - timedelta(weeks=51)
    curves_ms, curves = _median_ms(lambda: s_curves(data, start=year, end=STATUS), args.runs)
    finish = syn.baseline.finish
    whole_ms, whole = _median_ms(lambda: s_curves(data, start=START, end=finish), args.runs)
    facts_ms, facts = _median_ms(lambda: syn.health_input(evm), args.runs)
    health_ms, report = _median_ms(lambda: assess_health(facts), args.runs)
    total = status_ms + curves_ms + health_ms
    events = data.progress_task.size + data.cost_task.size
    print(
        f"{len(data.ids)} tasks, {events} progress records and cost entries, "
        f"{len(facts.milestones)} milestones, status {STATUS}"
    )
    print(
        f"program: SPI {evm.program.spi:.3f}, CPI {evm.program.cpi:.3f}, "
        f"EAC {evm.program.eac:,.0f} of BAC {evm.program.bac:,.0f}; health "
        f"{report.program.status} ({len(report.program.reasons)} reasons), tasks "
        f"{report.tasks.counts()}, {curves.dates.size} S-curve points"
    )
    print(f"{'engine (median of ' + str(args.runs) + ')':<44} {'ms':>7}")
    for label, ms in (
        ("EVM at the status date (tasks, projects, program)", status_ms),
        ("S-curves, the last year: 52 weekly points", curves_ms),
        ("health: every rule and the roll-up", health_ms),
        ("total (target <= 300 ms)", total),
    ):
        print(f"  {label:<52} {ms:>7.1f}")
    print(f"  {f'S-curves, the whole plan: {whole.dates.size} weekly points':<52} {whole_ms:>7.1f}")
    print("around it, in a service")
    print(f"  {'EVM columns from 10k task records':<52} {pack_ms:>7.1f}")
    print(f"  {'health records from the EVM result':<52} {facts_ms:>7.1f}")


if __name__ == "__main__":
    main()
