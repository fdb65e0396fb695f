"""The makespan a leveling reports, before and after, counted alike (Mon 2027-01-04 start,
Mon-Fri): a program that leveling does not move keeps its makespan, whatever ends it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from podium.engine import Network
from podium.engine.leveling import Assignment, LevelingResult, Resource, level, level_optimal
from tests.unit.engine_factories import day, milestone, network, task

Leveler = Callable[[Network, Sequence[Resource], Sequence[Assignment]], LevelingResult]


def fast(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> LevelingResult:
    return level(net, resources, assignments, time_limit=0.2)


def optimal(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> LevelingResult:
    return level_optimal(net, resources, assignments, time_limit=2.0)


BOTH = pytest.mark.parametrize("leveler", [fast, optimal], ids=["heuristic", "cp-sat"])


@BOTH
def test_a_gate_at_the_start_of_a_later_day_ends_the_program_there_before_and_after(
    leveler: Leveler,
) -> None:
    # A1 (5 d) and the gate G held to Monday 18 January: ten working days go by before
    # it, and nothing moves, so the program is ten days long before leveling as after
    net = network(
        task("A1", 5),
        milestone("G", constraint_type="snet", constraint_date=day("2027-01-18")),
    )
    result = leveler(net, [Resource("ana")], [Assignment("A1", "ana")])
    assert result.delayed() == ()
    assert (result.makespan, result.unleveled_makespan, result.lower_bound) == (10, 10, 10)


@BOTH
def test_a_plan_of_milestones_alone_lasts_no_day_before_or_after(leveler: Leveler) -> None:
    result = leveler(network(milestone("M1"), milestone("M2")), [], [])
    assert (result.makespan, result.unleveled_makespan, result.lower_bound) == (0, 0, 0)


@BOTH
def test_an_empty_plan_has_a_makespan_and_a_bound_of_zero(leveler: Leveler) -> None:
    result = leveler(network(), [], [])
    assert (result.makespan, result.unleveled_makespan, result.lower_bound) == (0, 0, 0)
    assert result.optimal
