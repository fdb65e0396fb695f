"""Properties of leveling on random programs: always feasible, never earlier than the
critical path, and the optimizing mode never worse than the heuristic."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from podium.engine import CycleError, Network, WorkCalendar, schedule
from podium.engine.leveling import (
    Assignment,
    LevelingResult,
    Resource,
    Violation,
    check_leveling,
    level,
    level_optimal,
)
from tests.unit.engine_strategies import START, networks

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def staffed(draw: st.DrawFn, **options: bool) -> tuple[Network, list[Resource], list[Assignment]]:
    """A random network (see engine_strategies) with 1-3 resources, some with days off,
    and assignments of 0.25-1.0 units (never above the capacity) to its tasks."""
    net = draw(networks(**options))
    count = draw(st.integers(1, 3))
    resources = []
    for k in range(count):
        capacity = draw(st.sampled_from([1.0, 1.0, 1.5, 2.0]))
        calendar = None
        if draw(st.booleans()):
            off = draw(st.lists(st.integers(0, 40), max_size=4))
            mask = draw(st.sampled_from(["1111100", "1111100", "1111110", "0111110"]))
            calendar = WorkCalendar(mask, [START + timedelta(days=d) for d in off])
        resources.append(Resource(f"r{k}", capacity, calendar))
    parents = {a.parent for a in net.activities if a.parent is not None}
    assignments = []
    for a in net.activities:
        if a.id in parents:
            continue
        for r in resources:
            if draw(st.integers(0, 2)) == 0:
                units = draw(st.sampled_from([0.25, 0.5, 1.0]))
                assignments.append(Assignment(a.id, r.id, min(units, r.capacity)))
    return net, resources, assignments


def _violations(
    net: Network, resources: list[Resource], assignments: list[Assignment], result: LevelingResult
) -> list[Violation]:
    """What the independent checker finds wrong with a leveled schedule."""
    return check_leveling(net, resources, assignments, result)


def _never_earlier(net: Network, start: np.ndarray, finish: np.ndarray) -> None:
    cpm = schedule(net)
    early = np.flatnonzero((start < cpm.early_start) | (finish < cpm.early_finish))
    assert [
        (
            cpm.ids[i],
            str(start[i]),
            str(cpm.early_start[i]),
            str(finish[i]),
            str(cpm.early_finish[i]),
        )
        for i in early.tolist()
    ] == []


@SETTINGS
@given(staffed(constraints=True, calendars=True, progress=True, summaries=True))
def test_the_heuristic_is_always_feasible_and_never_earlier_than_the_critical_path(
    case: tuple[Network, list[Resource], list[Assignment]],
) -> None:
    net, resources, assignments = case
    try:
        result = level(net, resources, assignments, time_limit=0.05, samples=2)
    except CycleError:
        reject()
    assert _violations(net, resources, assignments, result) == []
    _never_earlier(net, result.start, result.finish)
    assert result.makespan >= result.lower_bound


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staffed(constraints=True, calendars=True, summaries=True))
def test_cp_sat_is_feasible_and_never_worse_than_the_heuristic(
    case: tuple[Network, list[Resource], list[Assignment]],
) -> None:
    net, resources, assignments = case
    try:
        fast = level(net, resources, assignments, time_limit=0.05, samples=2)
    except CycleError:
        reject()
    best = level_optimal(net, resources, assignments, time_limit=1.0, workers=2)
    assert _violations(net, resources, assignments, best) == []
    _never_earlier(net, best.start, best.finish)
    assert best.program_finish <= max(fast.program_finish, date.max)
    if best.optimal:
        assert best.makespan <= fast.makespan
