"""The compiled leveling passes give exactly the schedules of the Python passes they port."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from podium.engine import Activity, CycleError, Network
from podium.engine.leveling import Assignment, Resource, level
from podium.engine.leveling._fast import FastScheduler
from podium.engine.leveling._problem import Problem, compile_problem
from podium.engine.leveling._sgs import Scheduler
from tests.unit.engine_strategies import START
from tests.unit.test_leveling_properties import staffed

Case = tuple[Network, list[Resource], list[Assignment]]


def _assert_same_passes(pb: Problem, keys: list[list[int]]) -> None:
    reference, fast = Scheduler(pb), FastScheduler(pb)
    for key in keys:
        slow_first, fast_first = reference.forward(key), fast.forward(key)
        assert fast_first.values == slow_first.values
        assert fast_first.finish == slow_first.finish
        assert fast.backward(fast_first) == reference.backward(slow_first)
        slow_best, fast_best = reference.improve(slow_first), fast.improve(fast_first)
        assert fast_best.values == slow_best.values
        assert fast_best.finish == slow_best.finish
        at_once = fast.forward_improve(key)
        assert (at_once.values, at_once.finish) == (slow_best.values, slow_best.finish)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    staffed(constraints=True, late_constraints=True, calendars=True, progress=True, summaries=True),
    st.integers(0, 2**32 - 1),
)
def test_compiled_passes_give_the_python_schedules_for_any_priority_keys(
    case: Case,
    seed: int,
) -> None:
    net, resources, assignments = case
    try:
        pb = compile_problem(net, resources, assignments)
    except CycleError:
        reject()
    rng = np.random.default_rng(seed)
    n_slots = len(pb.kind)
    keys = [rng.permutation(n_slots).tolist(), rng.integers(-3, 4, n_slots).tolist()]
    _assert_same_passes(pb, keys)


def test_compiled_passes_grow_the_tables_when_leveling_pushes_work_far_out() -> None:
    acts = [Activity(f"T{i}", 3 + i % 4) for i in range(40)]
    net = Network(START, acts, [])
    people = [Resource("solo", 1.0), Resource("pair", 2.0)]
    assignments = [Assignment(a.id, "solo", 1.0) for a in acts]
    assignments += [Assignment(a.id, "pair", 0.5) for a in acts[::3]]
    pb = compile_problem(net, people, assignments)
    span_before = pb.tables.span
    rng = np.random.default_rng(1)
    _assert_same_passes(pb, [rng.permutation(len(pb.kind)).tolist() for _ in range(3)])
    assert pb.tables.span > span_before


def test_the_heuristic_levels_one_person_s_tasks_one_after_another() -> None:
    acts = [Activity(f"T{i}", 2) for i in range(30)]
    net = Network(START, acts, [])
    result = level(
        net, [Resource("solo")], [Assignment(a.id, "solo") for a in acts], time_limit=0.2
    )
    assert result.makespan == 60
