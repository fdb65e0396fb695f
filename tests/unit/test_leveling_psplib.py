"""Leveling PSPLIB j30 instances against their published optimum (bounds.csv), and the
serial SGS against a plain period-by-period reference implementation."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import pytest

from podium.engine.leveling import check_leveling, level, level_optimal
from podium.engine.leveling._problem import SEARCHED, compile_problem
from podium.engine.leveling._sgs import Scheduler
from podium.engine.leveling.cpsat import warm_up
from podium.engine.leveling.heuristic import RULES, load_passes, priority_keys
from podium.interop.psplib import PsplibInstance, psplib_to_leveling, read_psplib

PSPLIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "psplib"
pytestmark = pytest.mark.skipif(not PSPLIB.is_dir(), reason="PSPLIB data not available")

# quick to prove, from several parameter groups (network complexity, resource factor
# and strength): the optimum is reached and proven in well under a second each
INSTANCES = ["j301_1", "j3014_5", "j3020_3", "j3028_2", "j3036_5", "j3040_4"]


def optimum(name: str) -> int:
    with (PSPLIB / "bounds.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["instance"] == name)
    assert row["optimal"] == "true"
    return int(row["upper_bound"])


def instance(name: str) -> PsplibInstance:
    return read_psplib(PSPLIB / "j30" / f"{name}.sm")


@pytest.mark.parametrize("name", INSTANCES)
def test_cp_sat_reaches_and_proves_the_known_optimum(name: str) -> None:
    plan = psplib_to_leveling(instance(name))
    result = level_optimal(plan.network, plan.resources, plan.assignments, time_limit=10.0)
    assert result.makespan == optimum(name)
    assert result.optimal
    assert check_leveling(plan.network, plan.resources, plan.assignments, result) == []


@pytest.mark.parametrize("name", INSTANCES)
def test_the_heuristic_is_feasible_and_never_beats_the_optimum(name: str) -> None:
    plan = psplib_to_leveling(instance(name))
    result = level(plan.network, plan.resources, plan.assignments, time_limit=0.1)
    assert check_leveling(plan.network, plan.resources, plan.assignments, result) == []
    assert optimum(name) <= result.makespan <= optimum(name) * 1.1


def reference_sgs(inst: PsplibInstance, order_key: list[int]) -> list[int]:
    """Serial SGS as in the textbook: repeatedly the eligible job with the smallest key,
    at the first period from its predecessors' latest finish where every resource has
    room in every period it runs. Returns each job's start."""
    n = inst.jobs
    preds: list[list[int]] = [[] for _ in range(n)]
    for j, succs in enumerate(inst.successors):
        for s in succs:
            preds[s - 1].append(j)
    horizon = sum(inst.durations) + 1
    load = [[0] * horizon for _ in inst.capacities]
    start = [-1] * n
    for _ in range(n):
        eligible = [j for j in range(n) if start[j] < 0 and all(start[p] >= 0 for p in preds[j])]
        j = min(eligible, key=lambda x: (order_key[x], x))
        t = max((start[p] + inst.durations[p] for p in preds[j]), default=0)
        while not all(
            load[k][u] + inst.requests[j][k] <= cap
            for k, cap in enumerate(inst.capacities)
            for u in range(t, t + inst.durations[j])
        ):
            t += 1
        for k in range(len(inst.capacities)):
            for u in range(t, t + inst.durations[j]):
                load[k][u] += inst.requests[j][k]
        start[j] = t
    return start


@pytest.mark.parametrize("name", ["j301_1", "j3010_2", "j3030_3"])
@pytest.mark.parametrize("rule", RULES)
def test_the_fast_serial_sgs_places_every_job_where_the_reference_does(
    name: str, rule: str
) -> None:
    inst = instance(name)
    plan = psplib_to_leveling(inst)
    pb = compile_problem(plan.network, plan.resources, plan.assignments)
    key = priority_keys(pb, rule)
    # jobs without resources go first in the fast SGS (they cannot collide): do the same
    reference_key = [key[j] if pb.kind[j] == SEARCHED else -1 for j in range(inst.jobs)]
    fast = Scheduler(pb).forward(key)
    assert [v >> 1 for v in fast.values[: inst.jobs]] == reference_sgs(inst, reference_key)


def test_the_heuristic_warms_cp_sat_up_longer_on_larger_programs() -> None:
    def share(path: str) -> float:
        plan = psplib_to_leveling(read_psplib(PSPLIB / path))
        return warm_up(compile_problem(plan.network, plan.resources, plan.assignments), 10.0)

    # 30 jobs: CP-SAT needs its time for the proofs; 120: the heuristic's walk does better
    assert share("j30/j301_1.sm") == pytest.approx(0.5)
    assert 0.5 < share("j60/j601_1.sm") < 7.5
    assert share("j120/j1201_1.sm") == pytest.approx(7.5)


def _counting_passes(monkeypatch: pytest.MonkeyPatch, fail_in: str = "") -> list[str]:
    """Record the thread of every improved pass; raise in the thread named ``fail_in``."""
    from podium.engine.leveling import _fast

    load_passes()  # its own passes (the first leveling of a process) are not counted
    threads: list[str] = []
    original = _fast.FastScheduler.forward_improve

    def counted(self: _fast.FastScheduler, key: Any, *, deadline: float | None = None) -> Any:
        name = threading.current_thread().name
        if name == fail_in:
            raise RuntimeError(f"pass failed in {name}")
        threads.append(name)
        return original(self, key, deadline=deadline)

    monkeypatch.setattr(_fast.FastScheduler, "forward_improve", counted)
    return threads


def test_the_walk_runs_in_threads_that_share_the_samples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # j3013_2's optimum (62) is above its critical path: no walk stops early
    plan = psplib_to_leveling(instance("j3013_2"))
    threads = _counting_passes(monkeypatch)
    runs = [
        level(
            plan.network, plan.resources, plan.assignments, time_limit=60.0, samples=40, threads=2
        )
        for _ in range(2)
    ]
    # per run: the five rules in the caller's thread, 20 samples in each walk's thread
    main = threading.current_thread().name
    per_run = threads[: len(threads) // 2]
    assert sorted(set(per_run)) == sorted({main, "leveling-walk-0", "leveling-walk-1"})
    assert [per_run.count(t) for t in (main, "leveling-walk-0", "leveling-walk-1")] == [
        len(RULES),
        20,
        20,
    ]
    # seeded walks with a fixed share of samples level the same way every time
    assert [(r.id, r.start) for r in runs[0]] == [(r.id, r.start) for r in runs[1]]
    assert check_leveling(plan.network, plan.resources, plan.assignments, runs[0]) == []
    assert runs[0].makespan >= optimum("j3013_2")


def test_one_walk_in_a_thread_does_what_the_single_walk_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = psplib_to_leveling(instance("j3013_2"))
    alone = level(
        plan.network, plan.resources, plan.assignments, time_limit=60.0, samples=30, threads=1
    )
    threads = _counting_passes(monkeypatch)
    again = level(
        plan.network, plan.resources, plan.assignments, time_limit=60.0, samples=30, threads=1
    )
    assert set(threads) == {threading.current_thread().name}
    assert [r.start for r in again] == [r.start for r in alone]


def test_a_failing_walk_fails_the_leveling(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = psplib_to_leveling(instance("j3013_2"))
    _counting_passes(monkeypatch, fail_in="leveling-walk-1")
    with pytest.raises(RuntimeError, match="pass failed in leveling-walk-1"):
        level(
            plan.network, plan.resources, plan.assignments, time_limit=60.0, samples=40, threads=2
        )
