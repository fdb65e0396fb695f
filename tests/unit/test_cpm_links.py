"""Links, lags, weekends, holidays and milestones, on hand-computed networks.

The program starts on Monday 2027-01-04 on a Mon-Fri calendar:
week 1 is Mon 4 … Fri 8, week 2 Mon 11 … Fri 15, week 3 Mon 18 … Fri 22.
"""

from __future__ import annotations

from podium.engine import WorkCalendar

from .engine_factories import day, early, link, milestone, run, task


def test_a_one_day_task_starts_and_finishes_on_the_same_day() -> None:
    assert early(run(task("A", 1)), "A") == ("2027-01-04", "2027-01-04")


def test_fs_successor_starts_on_the_next_working_day_after_its_predecessor_finishes() -> None:
    result = run(task("A", 3), task("B", 2), links=[link("A", "B")])
    assert early(result, "A") == ("2027-01-04", "2027-01-06")
    assert early(result, "B") == ("2027-01-07", "2027-01-08")


def test_fs_lag_of_two_days_leaves_two_working_days_between() -> None:
    result = run(task("A", 3), task("B", 2), links=[link("A", "B", "FS", 2)])
    assert early(result, "B") == ("2027-01-11", "2027-01-12")


def test_fs_lead_of_one_day_overlaps_the_last_day_of_the_predecessor() -> None:
    result = run(task("A", 3), task("B", 2), links=[link("A", "B", "FS", -1)])
    assert early(result, "B") == ("2027-01-06", "2027-01-07")


def test_ss_lag_starts_successor_two_days_after_predecessor_start() -> None:
    result = run(task("A", 5), task("B", 3), links=[link("A", "B", "SS", 2)])
    assert early(result, "B") == ("2027-01-06", "2027-01-08")


def test_ff_successor_finishes_with_its_predecessor() -> None:
    result = run(task("A", 5), task("B", 2), links=[link("A", "B", "FF")])
    assert early(result, "B") == ("2027-01-07", "2027-01-08")


def test_ff_lag_of_one_day_finishes_the_successor_one_working_day_later() -> None:
    result = run(task("A", 5), task("B", 2), links=[link("A", "B", "FF", 1)])
    assert early(result, "B") == ("2027-01-08", "2027-01-11")


def test_sf_successor_finishes_by_the_working_day_before_its_predecessor_starts() -> None:
    result = run(
        task("A", 2, constraint_type="snet", constraint_date=day("2027-01-11")),
        task("B", 2),
        links=[link("A", "B", "SF")],
    )
    assert early(result, "A") == ("2027-01-11", "2027-01-12")
    assert early(result, "B") == ("2027-01-07", "2027-01-08")


def test_sf_lag_counts_from_the_predecessor_start() -> None:
    result = run(task("A", 2), task("B", 3), links=[link("A", "B", "SF", 5)])
    assert early(result, "B") == ("2027-01-06", "2027-01-08")


def test_a_task_over_a_weekend_skips_saturday_and_sunday() -> None:
    result = run(task("A", 3), task("B", 4), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-07", "2027-01-12")


def test_a_holiday_is_not_worked_and_pushes_the_finish() -> None:
    holiday = WorkCalendar(holidays=[day("2027-01-06")])
    result = run(task("A", 3), task("B", 1), links=[link("A", "B")], calendar=holiday)
    assert early(result, "A") == ("2027-01-04", "2027-01-07")
    assert early(result, "B") == ("2027-01-08", "2027-01-08")


def test_a_milestone_with_no_predecessors_sits_on_the_program_start() -> None:
    assert early(run(milestone("M"), task("A", 4)), "M") == ("2027-01-04", "2027-01-04")


def test_a_milestone_falls_on_the_finish_day_of_the_work_driving_it() -> None:
    result = run(task("A", 5), milestone("M"), task("B", 1), links=[link("A", "M"), link("M", "B")])
    assert early(result, "M") == ("2027-01-08", "2027-01-08")
    assert early(result, "B") == ("2027-01-11", "2027-01-11")


def test_a_successor_of_a_start_milestone_starts_on_the_program_start() -> None:
    result = run(milestone("Kickoff"), task("A", 2), links=[link("Kickoff", "A")])
    assert early(result, "A") == ("2027-01-04", "2027-01-05")


def test_a_milestone_lag_is_counted_from_the_driving_finish() -> None:
    result = run(
        task("A", 3), milestone("M"), task("B", 1), links=[link("A", "M", "FS", 2), link("M", "B")]
    )
    assert early(result, "M") == ("2027-01-08", "2027-01-08")
    assert early(result, "B") == ("2027-01-11", "2027-01-11")


def test_a_milestone_started_to_start_sits_on_its_predecessors_start() -> None:
    result = run(
        task("A", 3), task("B", 2), milestone("M"), links=[link("A", "B"), link("B", "M", "SS")]
    )
    assert early(result, "M") == ("2027-01-07", "2027-01-07")


def test_the_latest_of_several_predecessors_drives_the_successor() -> None:
    result = run(task("A", 2), task("B", 4), task("C", 1), links=[link("A", "C"), link("B", "C")])
    assert early(result, "C") == ("2027-01-08", "2027-01-08")


def test_a_seven_day_successor_of_a_weekday_task_starts_on_saturday() -> None:
    every_day = {"site": WorkCalendar("1111111")}
    result = run(
        task("A", 5), task("B", 2, calendar="site"), links=[link("A", "B")], calendars=every_day
    )
    assert early(result, "B") == ("2027-01-09", "2027-01-10")


def test_lag_is_counted_in_the_successor_calendar() -> None:
    every_day = {"site": WorkCalendar("1111111")}
    result = run(
        task("A", 5),
        task("B", 1, calendar="site"),
        links=[link("A", "B", "FS", 2)],
        calendars=every_day,
    )
    assert early(result, "B") == ("2027-01-11", "2027-01-11")


def test_a_weekday_successor_of_a_weekend_task_waits_for_monday() -> None:
    calendars = {"weekend": WorkCalendar("0000011")}
    result = run(
        task("A", 1, calendar="weekend"), task("B", 1), links=[link("A", "B")], calendars=calendars
    )
    assert early(result, "A") == ("2027-01-09", "2027-01-09")
    assert early(result, "B") == ("2027-01-11", "2027-01-11")


def test_a_start_to_start_link_across_calendars_keeps_the_same_day() -> None:
    calendars = {"site": WorkCalendar("1111111")}
    result = run(
        task("A", 5),
        task("B", 3, calendar="site"),
        links=[link("A", "B", "SS", 1)],
        calendars=calendars,
    )
    assert early(result, "B") == ("2027-01-05", "2027-01-07")
