"""Summary tasks: dates roll up from children; links on a summary bind its subtasks."""

from __future__ import annotations

import pytest

from podium.engine import InvalidNetwork, WorkCalendar

from .engine_factories import day, early, floats, link, run, task


def test_a_summary_spans_from_its_first_child_start_to_its_last_child_finish() -> None:
    result = run(
        task("S", 0), task("A", 3, parent="S"), task("B", 2, parent="S"), links=[link("A", "B")]
    )
    assert early(result, "S") == ("2027-01-04", "2027-01-08")
    assert result["S"].is_summary


def test_a_link_out_of_a_summary_waits_for_its_last_child() -> None:
    result = run(
        task("S", 0),
        task("A", 3, parent="S"),
        task("B", 5, parent="S"),
        task("X", 1),
        links=[link("S", "X")],
    )
    assert early(result, "X") == ("2027-01-11", "2027-01-11")


def test_a_link_into_a_summary_holds_every_child() -> None:
    result = run(
        task("Y", 2),
        task("S", 0),
        task("A", 3, parent="S"),
        task("B", 2, parent="S"),
        links=[link("Y", "S"), link("A", "B")],
    )
    assert early(result, "A") == ("2027-01-06", "2027-01-08")
    assert early(result, "B") == ("2027-01-11", "2027-01-12")
    assert early(result, "S") == ("2027-01-06", "2027-01-12")


def test_a_start_to_start_link_from_a_summary_follows_its_earliest_child() -> None:
    result = run(
        task("S", 0),
        task("A", 3, parent="S", constraint_type="snet", constraint_date=day("2027-01-05")),
        task("B", 2, parent="S"),
        task("Z", 1),
        links=[link("S", "Z", "SS", 1)],
    )
    assert early(result, "Z") == ("2027-01-05", "2027-01-05")


def test_nested_summaries_roll_up_level_by_level() -> None:
    result = run(
        task("P", 0),
        task("S", 0, parent="P"),
        task("A", 2, parent="S"),
        task("B", 4, parent="P"),
        links=[link("A", "B")],
    )
    assert early(result, "S") == ("2027-01-04", "2027-01-05")
    assert early(result, "P") == ("2027-01-04", "2027-01-11")


def test_a_missed_summary_deadline_is_reported_and_makes_its_last_child_critical() -> None:
    result = run(
        task("S", 0, deadline=day("2027-01-07")),
        task("A", 3, parent="S"),
        task("B", 2, parent="S"),
        task("C", 9),
        links=[link("A", "B")],
    )
    assert result["S"].deadline_missed
    assert floats(result, "B") == (-1, 0)


def test_a_summary_float_is_the_least_of_its_childrens() -> None:
    result = run(task("S", 0), task("A", 5, parent="S"), task("B", 1, parent="S"))
    assert floats(result, "B")[0] == 4
    assert result["S"].total_float == 0 and result["S"].is_critical


def test_snet_on_a_summary_holds_its_children() -> None:
    result = run(
        task("S", 0, constraint_type="snet", constraint_date=day("2027-01-11")),
        task("A", 2, parent="S"),
    )
    assert early(result, "A") == ("2027-01-11", "2027-01-12")


def test_summaries_are_left_out_of_the_critical_path() -> None:
    result = run(task("S", 0), task("A", 3, parent="S"), task("X", 1), links=[link("S", "X")])
    assert result.critical_path == ("A", "X")


def test_a_finish_to_finish_link_into_a_summary_is_refused() -> None:
    with pytest.raises(InvalidNetwork, match="FF links cannot end on a summary"):
        run(task("S", 0), task("A", 3, parent="S"), task("X", 1), links=[link("X", "S", "FF")])


def test_a_summary_linked_to_its_own_subtask_is_refused() -> None:
    with pytest.raises(InvalidNetwork, match="own subtasks"):
        run(task("S", 0), task("A", 3, parent="S"), links=[link("S", "A")])


def test_a_must_start_on_constraint_on_a_summary_is_refused() -> None:
    with pytest.raises(InvalidNetwork, match="not allowed on a summary"):
        run(
            task("S", 0, constraint_type="mso", constraint_date=day("2027-01-05")),
            task("A", 3, parent="S"),
        )


def test_a_link_out_of_a_weekday_summary_waits_for_a_child_that_finishes_on_sunday() -> None:
    """The summary's Mon-Fri calendar has no Sunday: its finish must not be read as the
    Friday before, or a seven-day successor would start before the work it follows ends."""
    every_day = {"site": WorkCalendar("1111111")}
    result = run(
        task("S", 0),
        task(
            "A",
            1,
            parent="S",
            calendar="site",
            constraint_type="snet",
            constraint_date=day("2027-01-10"),
        ),
        task("T", 0),
        task("B", 2, parent="T", calendar="site"),
        task("X", 1, calendar="site"),
        links=[link("S", "T"), link("S", "X")],
        calendars=every_day,
    )
    assert early(result, "A") == ("2027-01-10", "2027-01-10")  # Sunday
    assert early(result, "S")[1] == "2027-01-10"
    assert early(result, "B") == ("2027-01-11", "2027-01-12")
    assert early(result, "X") == ("2027-01-11", "2027-01-11")
