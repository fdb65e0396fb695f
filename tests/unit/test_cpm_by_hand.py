"""Schedules checked by hand against the rules of docs/scheduling.md.

Program start Monday 2027-01-04, Monday–Friday calendar, unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from podium.engine import Activity, Network, ScheduleResult, schedule

from .engine_factories import MONDAY, day, early, floats, late, link, milestone, network, run, task


def _in_late_project(plan: Network) -> Network:
    """The plan with its LATE tasks in a project that starts on Monday 1 February."""
    late_start = day("2027-02-01")
    acts = [
        replace(a, project_start=late_start) if a.group == "LATE" else a for a in plan.activities
    ]
    return replace(plan, activities=acts)


def test_a_project_start_holds_its_tasks_whatever_their_constraint() -> None:
    # project LATE starts Monday 1 February: none of its unstarted tasks starts before,
    # whether it has no constraint, an earlier start-no-earlier-than, a finish-no-earlier-
    # than met long before, or a late constraint (start or finish no later than)
    plan = network(
        task("ASAP", 3, group="LATE"),
        task("SNET", 3, group="LATE", constraint_type="snet", constraint_date=day("2027-01-11")),
        task("FNET", 3, group="LATE", constraint_type="fnet", constraint_date=day("2027-01-12")),
        task("SNLT", 3, group="LATE", constraint_type="snlt", constraint_date=day("2027-03-01")),
        task("FNLT", 3, group="LATE", constraint_type="fnlt", constraint_date=day("2027-03-01")),
        task("OTHER", 3, group="NOW"),
    )
    result = schedule(_in_late_project(plan))
    for held in ("ASAP", "SNET", "FNET", "SNLT", "FNLT"):
        assert early(result, held) == ("2027-02-01", "2027-02-03"), held
    assert early(result, "OTHER") == ("2027-01-04", "2027-01-06")


def test_a_project_start_holds_work_under_a_summary_but_not_pinned_or_started_work() -> None:
    plan = network(
        task("S", 0, group="LATE"),
        task("S1", 2, group="LATE", parent="S"),
        task("S2", 2, group="LATE", parent="S"),
        task("PIN", 2, group="LATE", constraint_type="mso", constraint_date=day("2027-01-06")),
        task("GOING", 5, group="LATE", actual_start=day("2027-01-05"), percent_complete=20),
        task("AFTER", 1, group="LATE", constraint_type="snet", constraint_date=day("2027-02-10")),
        links=[link("S1", "S2")],
    )
    result = schedule(_in_late_project(plan))
    # S1 Mon 1 – Tue 2 Feb, S2 Wed 3 – Thu 4; the summary rolls up 1 – 4 Feb
    assert early(result, "S1") == ("2027-02-01", "2027-02-02")
    assert early(result, "S2") == ("2027-02-03", "2027-02-04")
    assert early(result, "S") == ("2027-02-01", "2027-02-04")
    # must start on keeps its day; work under way keeps its actual start
    assert early(result, "PIN") == ("2027-01-06", "2027-01-07")
    assert early(result, "GOING") == ("2027-01-05", "2027-01-11")
    # a later start no earlier than still wins
    assert early(result, "AFTER") == ("2027-02-10", "2027-02-10")


def test_a_milestone_shows_its_latest_date_on_its_deadline_not_the_next_morning() -> None:
    # K sits on the program start (nothing drives it, Monday morning) with a deadline on
    # Friday 8 Jan: it may slip 4 working days, to Friday morning; on Monday 11 it is late
    result = run(
        task("A", 10),
        milestone("K", deadline=day("2027-01-08")),
        task("B", 2),
        milestone("KS"),
        milestone("KN", deadline=day("2026-12-31")),
        links=[link("B", "KS", "SS")],
    )
    assert late(result, "K") == ("2027-01-08", "2027-01-08")
    assert floats(result, "K") == (4, 4)
    # KS (at B's start) may slip to the last day of the program, Friday 15 Jan: 9 working
    # days (on Monday 18 it would move the program finish)
    assert late(result, "KS") == ("2027-01-15", "2027-01-15")
    assert floats(result, "KS") == (9, 9)
    # KN, due Thursday 31 Dec, shows on Monday 4 Jan: 2 working days late (Fri 1, Mon 4)
    assert late(result, "KN") == ("2026-12-31", "2026-12-31")
    assert result["KN"].total_float == -2
    assert [(m.activity, m.days_late) for m in result.deadline_misses] == [("KN", 2)]
    # at its early moment (no float), a milestone's latest date is its early date
    start = run(milestone("Kickoff"), task("A", 3), links=[link("Kickoff", "A")])
    assert late(start, "Kickoff") == ("2027-01-04", "2027-01-04")
    assert floats(start, "Kickoff") == (0, 0)


def test_a_milestone_held_by_its_start_no_later_than_shows_that_day_as_its_latest() -> None:
    # K on the program start must start no later than Friday 8 Jan: its latest moment is
    # that Friday morning (4 working days of float), shown on Friday, not Thursday evening
    result = run(
        task("A", 10), milestone("K", constraint_type="snlt", constraint_date=day("2027-01-08"))
    )
    assert late(result, "K") == ("2027-01-08", "2027-01-08")
    assert floats(result, "K") == (4, 4)


def test_a_milestone_held_by_an_earlier_deadline_than_its_start_no_later_than_shows_that() -> None:
    # K on the program start may start no later than Wednesday 6 Jan, but its deadline is
    # Monday 4, the day it shows on: no float, its latest date is that Monday
    result = run(
        task("A", 10),
        milestone("K", constraint_type="snlt", constraint_date=day("2027-01-06"), deadline=MONDAY),
    )
    assert late(result, "K") == ("2027-01-04", "2027-01-04")
    assert floats(result, "K") == (0, 0)
    assert not result.deadline_misses


def test_a_morning_milestone_a_day_past_its_deadline_has_one_day_of_negative_float() -> None:
    # M sits at the start of A plus 2 (SS+2): Wednesday 6 Jan in the morning, shown on
    # Wednesday; due Tuesday 5, it misses its deadline by 1 working day, and its float
    # says the same (not 0, as the same instant read as Tuesday evening would)
    result = run(
        task("A", 5),
        milestone("M", deadline=day("2027-01-05")),
        links=[link("A", "M", "SS", 2)],
    )
    assert early(result, "M") == ("2027-01-06", "2027-01-06")
    assert [(m.activity, m.days_late) for m in result.deadline_misses] == [("M", 1)]
    assert result["M"].total_float == -1
    assert late(result, "M") == ("2027-01-05", "2027-01-05")
    # the work driving it must start a day earlier too
    assert result["A"].total_float == -1
    # on its deadline it has no float, and a day before it has one
    on_time = run(
        task("A", 5), milestone("M", deadline=day("2027-01-06")), links=[link("A", "M", "SS", 2)]
    )
    assert not on_time.deadline_misses
    assert floats(on_time, "M") == (0, 0)
    ahead = run(
        task("A", 5), milestone("M", deadline=day("2027-01-07")), links=[link("A", "M", "SS", 2)]
    )
    assert floats(ahead, "M") == (1, 1)
    assert late(ahead, "M") == ("2027-01-07", "2027-01-07")


def test_a_milestone_limit_on_a_weekend_is_met_on_the_friday_before() -> None:
    # M on Monday 11 morning (start no earlier than), due Saturday 9: shown on Monday it is
    # 1 working day late, as its float says; an evening milestone due that Saturday is on
    # time on Friday evening
    result = run(
        milestone(
            "M",
            constraint_type="snet",
            constraint_date=day("2027-01-11"),
            deadline=day("2027-01-09"),
        ),
        task("A", 5),
        milestone("E", deadline=day("2027-01-09")),
        links=[link("A", "E")],
    )
    assert [(m.activity, m.days_late) for m in result.deadline_misses] == [("M", 1)]
    assert result["M"].total_float == -1
    assert late(result, "M") == ("2027-01-08", "2027-01-08")
    assert early(result, "E") == ("2027-01-08", "2027-01-08")
    assert floats(result, "E") == (0, 0)


def test_an_evening_milestone_on_its_start_no_later_than_day_keeps_it() -> None:
    # E falls on Friday 8 Jan, at the end of A: it starts no later than Friday 8 as it
    # shows, with no conflict and no negative float
    result = run(
        task("A", 5),
        milestone("E", constraint_type="snlt", constraint_date=day("2027-01-08")),
        task("B", 10),
        links=[link("A", "E")],
    )
    assert early(result, "E") == ("2027-01-08", "2027-01-08")
    assert not result.conflicts
    assert result["E"].total_float == 0
    assert late(result, "E") == ("2027-01-08", "2027-01-08")


# --- program milestones reached with their predecessors ---------------------------------

STATUS = day("2027-01-21")  # Thursday, a week after the work below is done


def _reached(activity_id: str) -> Activity:
    return milestone(activity_id, reached_with_predecessors=True)


def _done(activity_id: str, first: str, last: str, **fields: Any) -> Activity:
    return task(activity_id, 3, actual_start=day(first), actual_finish=day(last), **fields)


def test_a_milestone_whose_work_is_done_sits_on_the_last_finish_not_the_status_date() -> None:
    # A done Mon 4 – Fri 8 Jan, B (another project) Mon 11 – Thu 14: M1 after both is
    # reached on Thursday 14, finished (no float, not critical); M2 after M1 too. C, not
    # started, still waits for the status date: Thursday 21 – Friday 22
    result = run(
        _done("A", "2027-01-04", "2027-01-08", group="PLAT"),
        _done("B", "2027-01-11", "2027-01-14", group="TRAIN"),
        _reached("M1"),
        _reached("M2"),
        task("C", 2, group="PLAT"),
        links=[link("A", "M1"), link("B", "M1"), link("M1", "M2"), link("M1", "C")],
        status_date=STATUS,
    )
    for reached in ("M1", "M2"):
        assert early(result, reached) == ("2027-01-14", "2027-01-14"), reached
        assert late(result, reached) == ("2027-01-14", "2027-01-14"), reached
        assert floats(result, reached) == (0, 0), reached
        assert result[reached].is_finished and not result[reached].is_critical, reached
    assert early(result, "C") == ("2027-01-21", "2027-01-22")
    assert result.critical_path == ("C",)
    # with no work left, the program finishes when the work did
    done = run(
        _done("A", "2027-01-04", "2027-01-08"),
        _done("B", "2027-01-11", "2027-01-14"),
        _reached("M1"),
        links=[link("A", "M1"), link("B", "M1")],
        status_date=STATUS,
    )
    assert done.finish == day("2027-01-14") and done.critical_path == ()


def test_a_reached_milestone_follows_its_link_types_and_lags() -> None:
    # B done Mon 11 – Thu 14 Jan. FS+2: the end of Monday 18; SS+1 from B's start: the
    # start of Tuesday 12 (shown that day)
    def plan(kind: str, lag: int, status: str) -> ScheduleResult:
        return run(
            _done("B", "2027-01-11", "2027-01-14"),
            _reached("M"),
            task("AFTER", 1),
            links=[link("B", "M", kind, lag), link("M", "AFTER")],
            status_date=day(status),
        )

    assert early(plan("FS", 2, "2027-01-21"), "M") == ("2027-01-18", "2027-01-18")
    assert early(plan("SS", 1, "2027-01-21"), "M") == ("2027-01-12", "2027-01-12")
    # reached by the end of the status date (Monday 18), but not with Friday 15's: it is
    # then still to come, unfinished, on the day the lag puts it
    assert plan("FS", 2, "2027-01-18")["M"].is_finished
    coming = plan("FS", 2, "2027-01-15")
    assert early(coming, "M") == ("2027-01-18", "2027-01-18")
    assert not coming["M"].is_finished and coming["M"].is_critical


def test_a_milestone_after_a_summary_is_reached_when_all_its_tasks_are_done() -> None:
    def plan(second: Activity) -> ScheduleResult:
        return run(
            task("S", 0),
            _done("S1", "2027-01-04", "2027-01-06", parent="S"),
            second,
            _reached("M"),
            links=[link("S", "M")],
            status_date=STATUS,
        )

    done = plan(_done("S2", "2027-01-07", "2027-01-12", parent="S"))
    assert early(done, "M") == ("2027-01-12", "2027-01-12") and done["M"].is_finished
    # S2 half done: its last day runs on the status date, M falls after it
    going = plan(task("S2", 2, parent="S", actual_start=day("2027-01-07"), percent_complete=50))
    assert early(going, "M") == ("2027-01-21", "2027-01-21") and not going["M"].is_finished


def test_unreached_milestones_and_task_milestones_keep_their_rules() -> None:
    result = run(
        _done("A", "2027-01-04", "2027-01-08"),
        task("B", 2),
        _reached("WAITING"),  # B is not started: after B, from the status date
        _reached("UNFED"),  # nothing leads to it: nothing says its work is done
        milestone("SIGNED", actual_finish=day("2027-01-13")),  # a task's, recorded
        milestone("UNSIGNED"),  # a task's, its own progress not recorded yet
        links=[
            link("A", "WAITING"),
            link("B", "WAITING"),
            link("A", "SIGNED"),
            link("A", "UNSIGNED"),
        ],
        status_date=STATUS,
    )
    assert early(result, "WAITING") == ("2027-01-22", "2027-01-22")
    assert not result["WAITING"].is_finished
    assert early(result, "UNFED") == ("2027-01-21", "2027-01-21")
    assert not result["UNFED"].is_finished
    assert early(result, "SIGNED") == ("2027-01-13", "2027-01-13")
    assert result["SIGNED"].is_finished
    assert early(result, "UNSIGNED") == ("2027-01-21", "2027-01-21")
    assert not result["UNSIGNED"].is_finished
