"""Actual progress against a status date (Monday 2027-01-11 unless said otherwise)."""

from __future__ import annotations

from .engine_factories import day, early, floats, late, link, milestone, run, task

STATUS = day("2027-01-11")


def test_finished_work_keeps_its_actual_dates_and_is_not_critical() -> None:
    done = task("A", 3, actual_start=day("2027-01-04"), actual_finish=day("2027-01-07"))
    result = run(done, status_date=STATUS)
    assert early(result, "A") == ("2027-01-04", "2027-01-07")
    assert late(result, "A") == ("2027-01-04", "2027-01-07")
    assert floats(result, "A") == (0, 0)
    assert result["A"].is_finished and not result["A"].is_critical


def test_remaining_work_of_an_in_progress_task_runs_from_the_status_date() -> None:
    going = task("B", 4, actual_start=day("2027-01-06"), percent_complete=50)
    assert early(run(going, status_date=STATUS), "B") == ("2027-01-06", "2027-01-12")


def test_without_a_status_date_an_in_progress_task_runs_straight_on() -> None:
    going = task("B", 4, actual_start=day("2027-01-06"), percent_complete=50)
    assert early(run(going), "B") == ("2027-01-06", "2027-01-11")


def test_a_started_task_with_no_recorded_progress_does_all_its_work_after_the_status_date() -> None:
    going = task("B", 3, actual_start=day("2027-01-07"))
    assert early(run(going, status_date=STATUS), "B") == ("2027-01-07", "2027-01-13")


def test_unstarted_work_cannot_start_before_the_status_date() -> None:
    done = task("A", 3, actual_start=day("2027-01-04"), actual_finish=day("2027-01-07"))
    result = run(done, task("C", 2), links=[link("A", "C")], status_date=STATUS)
    assert early(result, "C") == ("2027-01-11", "2027-01-12")


def test_a_hundred_percent_task_without_a_finish_date_finished_after_its_duration() -> None:
    done = task("A", 3, actual_start=day("2027-01-05"), percent_complete=100)
    result = run(done, status_date=STATUS)
    assert early(result, "A") == ("2027-01-05", "2027-01-07")
    assert result["A"].is_finished


def test_a_started_task_keeps_its_actual_start_even_against_its_predecessor() -> None:
    result = run(
        task("A", 5),
        task("B", 2, actual_start=day("2027-01-05"), percent_complete=50),
        links=[link("A", "B")],
    )
    assert early(result, "B")[0] == "2027-01-05"


def test_a_reached_milestone_sits_on_its_actual_date_and_drives_its_successors() -> None:
    result = run(
        milestone("M", actual_finish=day("2027-01-08")),
        task("B", 1),
        links=[link("M", "B")],
        status_date=day("2027-01-05"),
    )
    assert early(result, "M") == ("2027-01-08", "2027-01-08")
    assert early(result, "B") == ("2027-01-11", "2027-01-11")


def test_progress_mixes_finished_in_progress_and_unstarted_work() -> None:
    result = run(
        task("A", 3, actual_start=day("2027-01-04"), actual_finish=day("2027-01-07")),
        task("B", 4, actual_start=day("2027-01-06"), percent_complete=50),
        task("C", 2),
        task("D", 1),
        links=[link("A", "C"), link("A", "B", "SS"), link("B", "D"), link("C", "D")],
        status_date=STATUS,
    )
    assert early(result, "B") == ("2027-01-06", "2027-01-12")
    assert early(result, "C") == ("2027-01-11", "2027-01-12")
    assert early(result, "D") == ("2027-01-13", "2027-01-13")
    assert result.critical_path in (("B", "D"), ("C", "D"))
    assert {p for p in result.critical_paths} == {("B", "D"), ("C", "D")}
