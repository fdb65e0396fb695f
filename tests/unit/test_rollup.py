"""Summary roll-ups by hand: span, duration-weighted progress, actual dates and costs."""

from __future__ import annotations

from datetime import date

from podium.engine import WorkCalendar
from podium.engine.rollup import LeafWork, RolledUp, leaves_below, roll_up

MON_FRI = WorkCalendar()
JAN = {d: date(2027, 1, d) for d in range(1, 32)}  # 2027-01-04 is a Monday


def rolled(*leaves: LeafWork, start: int = 4, finish: int = 8) -> RolledUp:
    return roll_up(leaves, start=JAN[start], finish=JAN[finish], calendar=MON_FRI)


def test_a_summary_none_started_spans_its_working_days_at_zero_percent() -> None:
    summary = rolled(LeafWork(3), LeafWork(2), start=4, finish=8)
    assert summary == RolledUp(
        duration=5,
        percent_complete=0.0,
        actual_start=None,
        actual_finish=None,
        budget=0.0,
        actual_cost=0.0,
    )


def test_the_span_counts_working_days_of_the_summary_calendar_only() -> None:
    # Monday 4 to Monday 11: 6 working days, the weekend left out; a holiday too
    assert rolled(LeafWork(3), LeafWork(3), start=4, finish=11).duration == 6
    holiday = WorkCalendar(holidays=[JAN[6]])
    summary = roll_up([LeafWork(3)], start=JAN[4], finish=JAN[11], calendar=holiday)
    assert summary.duration == 5


def test_partial_progress_is_weighted_by_duration() -> None:
    done = LeafWork(3, 100, actual_start=JAN[4], actual_finish=JAN[6])
    half = LeafWork(2, 50, actual_start=JAN[7])
    summary = rolled(done, half, LeafWork(5))
    # (3 × 100 + 2 × 50 + 5 × 0) / 10
    assert summary.percent_complete == 40.0
    assert summary.actual_start == JAN[4] and summary.actual_finish is None


def test_all_done_finishes_on_the_last_actual_finish() -> None:
    summary = rolled(
        LeafWork(3, 100, actual_start=JAN[5], actual_finish=JAN[7]),
        LeafWork(2, 100, actual_start=JAN[4], actual_finish=JAN[12]),
    )
    assert summary.percent_complete == 100.0
    assert (summary.actual_start, summary.actual_finish) == (JAN[4], JAN[12])


def test_a_milestone_weighs_nothing_but_must_be_reached_to_finish() -> None:
    work = LeafWork(4, 50, actual_start=JAN[4])
    gate = LeafWork(0, is_milestone=True)
    assert rolled(work, gate).percent_complete == 50.0
    # the work done, the milestone not reached: 100 %, as Microsoft Project shows, unfinished
    finished = LeafWork(4, 100, actual_start=JAN[4], actual_finish=JAN[7])
    summary = rolled(finished, gate)
    assert summary.percent_complete == 100.0 and summary.actual_finish is None
    reached = LeafWork(0, 100, actual_start=JAN[8], actual_finish=JAN[8], is_milestone=True)
    assert rolled(finished, reached).actual_finish == JAN[8]


def test_a_milestone_reached_with_only_its_actual_start_finishes_the_summary_that_day() -> None:
    # the scheduler counts a milestone with an actual start as reached: its one date
    finished = LeafWork(4, 100, actual_start=JAN[4], actual_finish=JAN[7])
    reached = LeafWork(0, 0, actual_start=JAN[11], is_milestone=True)
    assert rolled(finished, reached).actual_finish == JAN[11]
    only_milestones = rolled(reached, reached, start=11, finish=11)
    assert (only_milestones.percent_complete, only_milestones.actual_finish) == (100.0, JAN[11])
    # work with only an actual start is not finished, whatever its duration weighs
    started = LeafWork(3, 40, actual_start=JAN[5])
    assert rolled(finished, started).actual_finish is None


def test_a_summary_of_milestones_only_has_no_duration() -> None:
    gate = LeafWork(0, is_milestone=True)
    reached = LeafWork(0, 100, actual_start=JAN[6], actual_finish=JAN[6], is_milestone=True)
    none_reached = rolled(gate, gate, start=6, finish=6)
    assert (none_reached.duration, none_reached.percent_complete) == (0, 0.0)
    # one of two reached: no work to weigh, so not done until both are
    assert rolled(reached, gate, start=6, finish=6).percent_complete == 0.0
    both = rolled(reached, reached, start=6, finish=6)
    assert (both.percent_complete, both.actual_finish) == (100.0, JAN[6])


def test_progress_rounds_to_hundredths_and_never_to_done_while_work_remains() -> None:
    assert rolled(LeafWork(1, 100, JAN[4], JAN[4]), LeafWork(2)).percent_complete == 33.33
    nearly = rolled(LeafWork(100_000, 100, JAN[4], JAN[8]), LeafWork(1))
    assert nearly.percent_complete == 99.99


def test_costs_add_up_and_an_unscheduled_summary_has_no_span() -> None:
    summary = roll_up(
        [LeafWork(2, budget=1000, actual_cost=250), LeafWork(3, budget=500.5)],
        start=None,
        finish=None,
        calendar=MON_FRI,
    )
    assert (summary.budget, summary.actual_cost, summary.duration) == (1500.5, 250.0, 0)


def test_nested_summaries_roll_up_through_their_leaves() -> None:
    #  S ─┬─ S1 ─┬─ A
    #     │      └─ B
    #     ├─ M (milestone)
    #     └─ C          and X alone at the top
    parent_of = {"S": None, "S1": "S", "A": "S1", "B": "S1", "M": "S", "C": "S", "X": None}
    below = leaves_below(parent_of)
    assert {k: sorted(v) for k, v in below.items()} == {
        "S": ["A", "B", "C", "M"],
        "S1": ["A", "B"],
    }
    work = {
        "A": LeafWork(3, 100, JAN[4], JAN[6]),
        "B": LeafWork(2, 50, JAN[7]),
        "M": LeafWork(0, is_milestone=True),
        "C": LeafWork(5),
    }
    inner = roll_up([work[k] for k in below["S1"]], start=JAN[4], finish=JAN[8], calendar=MON_FRI)
    outer = roll_up([work[k] for k in below["S"]], start=JAN[4], finish=JAN[15], calendar=MON_FRI)
    assert (inner.duration, inner.percent_complete) == (5, 80.0)
    # through the leaves, not the nested summary's 80 %: (300 + 100) / 10
    assert (outer.duration, outer.percent_complete, outer.actual_start) == (10, 40.0, JAN[4])


def test_a_broken_tree_with_a_loop_still_ends() -> None:
    below = leaves_below({"A": "B", "B": "A", "C": "A"})
    assert below["A"] == ["C"]
