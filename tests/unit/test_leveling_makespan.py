"""The makespan a leveling reports, before and after, counted alike (Mon 2027-01-04 start,
Mon-Fri): a program that leveling does not move keeps its makespan, whatever ends it."""

from __future__ import annotations

from podium.engine.leveling import Assignment, Resource
from tests.unit.engine_factories import day, milestone, network, task
from tests.unit.test_leveling import BOTH, Leveler


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
