"""Leveling PSPLIB j30 instances against their published optimum (bounds.csv), and the
serial SGS against a plain period-by-period reference implementation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from podium.engine.leveling import check_leveling, level, level_optimal
from podium.engine.leveling._problem import SEARCHED, compile_problem
from podium.engine.leveling._sgs import Scheduler
from podium.engine.leveling.cpsat import warm_up
from podium.engine.leveling.heuristic import RULES, priority_keys
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
        while not all(load[k][u] + inst.requests[j][k] <= cap
                      for k, cap in enumerate(inst.capacities)
                      for u in range(t, t + inst.durations[j])):
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
    assert 0.5 < share("j60/j601_1.sm") < 4.5
    assert share("j120/j1201_1.sm") == pytest.approx(4.5)
