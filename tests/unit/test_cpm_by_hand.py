"""Schedules checked by hand against the rules of docs/scheduling.md.

Program start Monday 2027-01-04, Monday–Friday calendar, unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import replace

from podium.engine import Network, schedule

from .engine_factories import day, early, floats, late, link, milestone, network, run, task


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
    # K sits on the program start (nothing drives it) with a deadline on Friday 8 Jan: it
    # may slip to the end of that Friday, 5 working days; shown on Monday 11 it looked late
    result = run(
        task("A", 10),
        milestone("K", deadline=day("2027-01-08")),
        task("B", 2),
        milestone("KS"),
        milestone("KN", deadline=day("2026-12-31")),
        links=[link("B", "KS", "SS")],
    )
    assert late(result, "K") == ("2027-01-08", "2027-01-08")
    assert floats(result, "K") == (5, 5)
    # KS (at B's start) may slip to the end of the program, Friday 15 Jan: 10 working days
    assert late(result, "KS") == ("2027-01-15", "2027-01-15")
    assert floats(result, "KS") == (10, 10)
    # KN, due Thursday 31 Dec, is a working day late: its latest date is its deadline
    assert late(result, "KN") == ("2026-12-31", "2026-12-31")
    assert result["KN"].total_float == -1
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
