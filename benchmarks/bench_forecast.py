"""Monte Carlo forecast benchmark: podium.engine.forecast.simulate against per-iteration loops.

The programs are benchmarks/generate.py's (1k = 10 x 100, 10k = 20 x 500
tasks, one Mon-Fri calendar with holidays), every task with a PERT-beta
three-point estimate of (0.8 d, d, 1.6 d) and ten risk events. Timed, best of
``--runs``: ``simulate`` from the network to the forecast (percentiles,
histograms, criticality from a backward pass per iteration, correlations), on
one thread (the default; CPU time of the process beside it) and on two.

The references, what a Python developer would write first, run on fewer
iterations and are extrapolated linearly (they are linear in iterations):

* "Python CPM per iteration": draw durations with NumPy, then a forward pass
  over a topological order in plain Python (dicts of predecessors; FS/SS/FF/SF
  and lags in working days; no calendars, constraints or backward pass — less
  work than the simulation does);
* "engine per iteration": the deterministic ``schedule()`` called once per
  iteration on a network rebuilt with the drawn durations (dates, floats and
  critical path: the same answers as the simulation).

    .venv/bin/python benchmarks/bench_forecast.py           # about a minute
    .venv/bin/python benchmarks/bench_forecast.py --quick   # 10k x 10k only
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from generate import generate

from podium.engine import Network, schedule
from podium.engine.forecast import Estimate, RiskEvent, simulate

SIZES = {1_000: (10, 100), 10_000: (20, 500)}


def _program(tasks: int) -> tuple[Network, dict[str, Estimate], list[RiskEvent]]:
    projects, per = SIZES[tasks]
    net = generate(projects, per).network()
    estimates = {
        a.id: Estimate(0.8 * a.duration, a.duration, 1.6 * a.duration)
        for a in net.activities
        if a.duration > 0
    }
    rng = np.random.default_rng(1)
    ids = [a.id for a in net.activities]
    risks = [
        RiskEvent(
            f"R{k}",
            0.1 + 0.08 * k,
            5 + k,
            tuple(ids[i] for i in rng.choice(len(ids), 3, replace=False)),
        )
        for k in range(10)
    ]
    return net, estimates, risks


def _best(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        began = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - began)
    return best, out


def python_cpm_per_iteration(
    net: Network, estimates: dict[str, Estimate], iterations: int, seed: int = 1
) -> np.ndarray:
    """The reference: a plain-Python forward pass for each iteration."""
    ids = [a.id for a in net.activities]
    index = {a: i for i, a in enumerate(ids)}
    preds: list[list[tuple[int, str, int]]] = [[] for _ in ids]
    succs: list[list[int]] = [[] for _ in ids]
    for link in net.links:
        preds[index[link.succ]].append((index[link.pred], link.type, link.lag))
        succs[index[link.pred]].append(index[link.succ])
    indegree = [len(p) for p in preds]
    order = [i for i, d in enumerate(indegree) if d == 0]
    for u in order:
        for v in succs[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                order.append(v)
    low = np.array([estimates[a].optimistic if a in estimates else 0 for a in ids])
    mode = np.array([estimates[a].most_likely if a in estimates else 0 for a in ids])
    high = np.array([estimates[a].pessimistic if a in estimates else 0 for a in ids])
    rng = np.random.default_rng(seed)
    finishes = np.zeros(iterations)
    for it in range(iterations):
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = 1 + 4 * np.nan_to_num((mode - low) / (high - low), nan=0.5)
        x = rng.beta(alpha, 6 - alpha)
        duration = np.rint(low + (high - low) * x).tolist()
        start = [0.0] * len(ids)
        finish = [0.0] * len(ids)
        for v in order:
            s = 0.0
            d = duration[v]
            for u, kind, lag in preds[v]:
                if kind == "FS":
                    s = max(s, finish[u] + lag)
                elif kind == "SS":
                    s = max(s, start[u] + lag)
                elif kind == "FF":
                    s = max(s, finish[u] + lag - d)
                else:
                    s = max(s, start[u] + lag - d)
            start[v], finish[v] = s, s + d
        finishes[it] = max(finish)
    return finishes


def engine_per_iteration(
    net: Network, estimates: dict[str, Estimate], iterations: int, seed: int = 1
) -> list[Any]:
    """The reference: the deterministic engine once per iteration."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(iterations):
        acts = [
            dataclasses.replace(
                a,
                duration=max(
                    1,
                    round(
                        rng.triangular(
                            estimates[a.id].optimistic,
                            estimates[a.id].most_likely,
                            estimates[a.id].pessimistic,
                        )
                    ),
                ),
            )
            if a.id in estimates
            else a
            for a in net.activities
        ]
        out.append(schedule(dataclasses.replace(net, activities=acts)).finish)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="only 10k tasks x 10k iterations")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
    )
    programs = {t: _program(t) for t in SIZES}
    simulate(programs[1_000][0], iterations=100, seed=0)  # build the quantile tables once
    cases = (
        [(10_000, 10_000)]
        if args.quick
        else [(1_000, 1_000), (1_000, 10_000), (10_000, 1_000), (10_000, 10_000)]
    )
    print("\n| tasks | iterations | simulate | CPU time | two threads | program P80 |")
    print("|---:|---:|---:|---:|---:|---|")
    for tasks, iterations in cases:
        net, est, risks = programs[tasks]
        cpu = time.process_time()
        run = partial(simulate, net, estimates=est, risks=risks, iterations=iterations, seed=1)
        wall, f = _best(run, args.runs)
        cpu = (time.process_time() - cpu) / args.runs
        two, _ = _best(partial(run, workers=2), args.runs)
        print(
            f"| {tasks:,} | {iterations:,} | {wall:.2f} s | {cpu:.2f} s | {two:.2f} s"
            f" | {f.program.percentile(80)} |"
        )
    print("\nReferences (measured on fewer iterations, extrapolated to 10 000 iterations):")
    print("| tasks | reference | measured | per iteration | 10k iterations | simulate 10k |")
    print("|---:|---|---:|---:|---:|---:|")
    for tasks, n_py, n_engine in ((1_000, 200, 100), (10_000, 10, 10)):
        net, est, risks = programs[tasks]
        ours, _ = _best(partial(simulate, net, estimates=est, iterations=10_000, seed=1), 1)
        for name, n, reference in (
            ("Python CPM per iteration", n_py, python_cpm_per_iteration),
            ("engine per iteration", n_engine, engine_per_iteration),
        ):
            took, _ = _best(partial(reference, net, est, n), 1)
            per = took / n
            print(
                f"| {tasks:,} | {name} | {n} it. in {took:.2f} s | {per * 1000:.1f} ms"
                f" | ~{per * 10_000:.0f} s | {ours:.2f} s ({per * 10_000 / ours:.0f}x) |"
            )


if __name__ == "__main__":
    main()
