"""Impact analysis refuses what is not a slip or a delay, and says why a start cannot be
delayed in words.

Program start Monday 4 January 2027, Mon–Fri: A (5 d), then B (3 d).
"""

from __future__ import annotations

from datetime import date

import pytest

from podium.engine import DelayStart, InvalidNetwork, Network, Slip, analyze_impact

from .engine_factories import link, network, task


def _plan(**b_fields: object) -> Network:
    return network(task("A", 5), task("B", 3, **b_fields), links=[link("A", "B")])


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (Slip("A", -5), "a slip of 'A' is at least 1 working day, not -5"),
        (Slip("A", 0), "a slip of 'A' is at least 1 working day, not 0"),
        (DelayStart("B", -3), "a delay of 'B' is at least 1 working day, not -3"),
        (DelayStart("B", 0), "a delay of 'B' is at least 1 working day, not 0"),
    ],
)
def test_a_slip_or_delay_of_no_working_days_or_fewer_is_refused(
    change: Slip | DelayStart, said: str
) -> None:
    with pytest.raises(InvalidNetwork) as refused:
        analyze_impact(_plan(), [change])
    assert refused.value.problems == [said]


def test_a_started_task_cannot_have_its_start_delayed() -> None:
    started = _plan(actual_start=date(2027, 1, 11), percent_complete=10.0)
    with pytest.raises(InvalidNetwork) as refused:
        analyze_impact(started, [DelayStart("B", 2)])
    assert refused.value.problems == ["'B' is already started: its start cannot be delayed"]


def test_a_pinned_task_says_which_constraint_pins_it() -> None:
    pinned = _plan(constraint_type="mfo", constraint_date=date(2027, 1, 15))
    with pytest.raises(InvalidNetwork) as refused:
        analyze_impact(pinned, [DelayStart("B", 2)])
    assert refused.value.problems == [
        "'B' is pinned (must finish on 2027-01-15): its start cannot be delayed"
    ]


def test_a_delay_of_one_working_day_moves_the_start_by_one() -> None:
    impact = analyze_impact(_plan(), [DelayStart("B", 1)])
    (move,) = impact.moves
    assert (move.activity, move.start_delta) == ("B", 1)
