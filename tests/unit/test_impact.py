"""Impact analysis: what moves, in which projects, and which dates are newly missed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from podium.engine import (
    AddLink,
    DelayStart,
    InvalidNetwork,
    RemoveLink,
    SetDuration,
    SetStart,
    SetStatusDate,
    Slip,
    WorkCalendar,
    analyze_impact,
    compare_networks,
    schedule,
)

from .engine_factories import day, link, milestone, network, task


def cloud() -> object:
    """PLAT: A(3) → B(2); TRAIN: C(4) after B, with a short side task E; milestone M after C."""
    return network(
        task("A", 3, group="PLAT"),
        task("B", 2, group="PLAT"),
        task("C", 4, group="TRAIN"),
        task("E", 1, group="TRAIN"),
        milestone("M", deadline=day("2027-01-15")),
        links=[link("A", "B"), link("B", "C"), link("C", "M"), link("A", "E")],
    )


def test_slip_in_platform_delays_training_and_the_milestone() -> None:
    impact = analyze_impact(cloud(), [Slip("B", 10)])
    moved = {m.activity: (m.start_delta, m.finish_delta) for m in impact.moves}
    assert moved == {"B": (0, 10), "C": (10, 10), "M": (10, 10)}
    groups = impact.by_group()
    assert [m.activity for m in groups["PLAT"]] == ["B"]
    assert [m.activity for m in groups["TRAIN"]] == ["C"]
    assert impact.finish_delta == 10


def test_slip_reports_a_newly_missed_milestone_deadline() -> None:
    impact = analyze_impact(cloud(), [Slip("B", 10)])
    (miss,) = impact.new_misses
    assert (miss.activity, miss.kind, miss.limit, miss.days_late_after) == (
        "M",
        "deadline",
        day("2027-01-15"),
        9,
    )
    assert miss.finish_before == day("2027-01-14") and miss.finish_after == day("2027-01-28")


def test_slip_within_float_moves_only_the_slipping_task() -> None:
    impact = analyze_impact(cloud(), [Slip("E", 3)])
    assert [(m.activity, m.finish_delta) for m in impact.moves] == [("E", 3)]
    assert impact.misses == () and impact.finish_delta == 0


def test_milestone_targets_and_baselines_are_checked_too() -> None:
    impact = analyze_impact(
        cloud(),
        [Slip("A", 1)],
        targets={"M": day("2027-01-14")},
        baseline_finish={"C": day("2027-01-14")},
    )
    kinds = {(m.activity, m.kind): m.days_late_after for m in impact.misses}
    assert kinds == {("M", "target"): 1, ("C", "baseline"): 1}


def test_a_deadline_already_missed_and_missed_by_more_is_reported_as_worse_not_new() -> None:
    late = network(task("A", 5, deadline=day("2027-01-06")))
    impact = analyze_impact(late, [Slip("A", 2)])
    (miss,) = impact.misses
    assert (miss.is_new, miss.days_late_before, miss.days_late_after) == (False, 2, 4)
    assert impact.new_misses == ()


def test_a_shorter_duration_pulls_successors_in() -> None:
    impact = analyze_impact(cloud(), [SetDuration("A", 1)])
    assert {m.activity: m.start_delta for m in impact.moves}["C"] == -2


def test_a_new_link_delays_its_successor_and_removing_it_releases_it() -> None:
    net = cloud()
    added = analyze_impact(net, [AddLink("C", "E")])
    assert {m.activity: m.start_delta for m in added.moves} == {"E": 6}
    removed = analyze_impact(net, [RemoveLink("B", "C")])
    assert {m.activity: m.start_delta for m in removed.moves}["C"] == -5


def test_delay_start_pushes_the_start_by_working_days() -> None:
    impact = analyze_impact(cloud(), [DelayStart("E", 4)])
    (move,) = impact.moves
    assert (move.activity, move.early_start_before, move.early_start_after) == (
        "E",
        day("2027-01-07"),
        day("2027-01-13"),
    )


def test_slipping_an_in_progress_task_grows_its_remaining_work_by_the_slip() -> None:
    net = network(
        task("A", 4, actual_start=day("2027-01-04"), percent_complete=50),
        status_date=day("2027-01-06"),
    )
    impact = analyze_impact(net, [Slip("A", 3)])
    assert [(m.activity, m.finish_delta) for m in impact.moves] == [("A", 3)]


def test_changes_to_unknown_or_finished_activities_are_refused() -> None:
    net = network(task("A", 1, actual_start=day("2027-01-04"), actual_finish=day("2027-01-04")))
    with pytest.raises(InvalidNetwork) as caught:
        analyze_impact(net, [Slip("Ghost", 1), Slip("A", 1), RemoveLink("A", "B")])
    assert caught.value.problems == [
        "unknown activity 'Ghost'",
        "'A' is finished",
        "no link A → B to remove",
    ]


def test_impact_analysis_reuses_a_given_schedule_and_changes_nothing() -> None:
    net = cloud()
    before = schedule(net)
    impact = analyze_impact(net, [Slip("B", 10)], before=before)
    assert impact.before is before
    assert schedule(net).finish == before.finish


def test_a_later_program_start_moves_every_unstarted_task_by_the_working_days_between() -> None:
    # the cloud plan starts Monday 4 January 2027; a week and a day later is Tuesday the 12th
    impact = analyze_impact(cloud(), [SetStart(day("2027-01-12"))])
    moved = {m.activity: (m.start_delta, m.finish_delta) for m in impact.moves}
    assert moved == {a: (6, 6) for a in ("A", "B", "C", "E", "M")}
    assert impact.finish_delta == 6
    (miss,) = impact.new_misses  # M's deadline, 15 January, met by 14 January before
    assert (miss.activity, miss.finish_after, miss.days_late_after) == ("M", day("2027-01-22"), 5)


def test_an_earlier_program_start_pulls_the_plan_in() -> None:
    impact = analyze_impact(cloud(), [SetStart(day("2026-12-28"))])
    assert {m.activity: m.start_delta for m in impact.moves}["A"] == -5
    assert impact.finish_delta == -5 and impact.misses == ()


def test_moving_the_status_date_on_pushes_the_work_left_but_not_work_already_done() -> None:
    # A is done (4-6 January); B started on the 7th with half of its 4 days done; C waits
    net = network(
        task("A", 3, actual_start=day("2027-01-04"), actual_finish=day("2027-01-06")),
        task("B", 4, actual_start=day("2027-01-07"), percent_complete=50),
        task("C", 2),
        links=[link("A", "B"), link("B", "C")],
        status_date=day("2027-01-08"),
    )
    before = schedule(net)
    assert (before["B"].early_finish, before["C"].early_finish) == (
        day("2027-01-12"),
        day("2027-01-14"),
    )
    # a week on, nothing reported: B's two days left run from Friday the 15th
    impact = analyze_impact(net, [SetStatusDate(day("2027-01-15"))])
    moved = {m.activity: (m.early_finish_after, m.finish_delta) for m in impact.moves}
    assert moved == {"B": (day("2027-01-18"), 4), "C": (day("2027-01-20"), 4)}
    assert "A" not in moved and impact.finish_delta == 4


def test_clearing_the_status_date_lets_the_work_left_run_from_where_it_stood() -> None:
    net = network(
        task("A", 4, actual_start=day("2027-01-04"), percent_complete=25),
        status_date=day("2027-01-11"),
    )
    impact = analyze_impact(net, [SetStatusDate(None)])
    (move,) = impact.moves
    assert move.finish_delta < 0 and impact.after.finish < impact.before.finish


def test_the_same_plan_on_another_default_calendar_moves_what_works_to_it() -> None:
    # on Monday–Thursday, A (3 d) runs 4–6 January, B (2 d) 7 and 11 January, C (4 d)
    # 12–14 and 18 January and M lands on 18 January, past its deadline (the 15th):
    # measured on the plan's own Monday–Friday, B finishes 1 working day later (Fri
    # 8 → Mon 11), C and M 2 (Thu 14 → Mon 18: the 14th and 15th in between)
    before = cloud()
    four_days = replace(before, default_calendar=WorkCalendar("1111000"))
    impact = compare_networks(before, four_days)
    moved = {m.activity: (m.start_delta, m.finish_delta) for m in impact.moves}
    assert moved == {"B": (0, 1), "C": (1, 2), "M": (2, 2)}  # E, on Thursday 7th, stays
    assert impact.finish_delta == 2
    (miss,) = impact.new_misses
    assert (miss.activity, miss.finish_after, miss.days_late_after) == ("M", day("2027-01-18"), 1)


def test_comparing_networks_of_other_activities_is_refused() -> None:
    with pytest.raises(InvalidNetwork, match="same activities"):
        compare_networks(cloud(), network(task("A", 3)))
