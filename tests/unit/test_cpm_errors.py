"""Networks that cannot be scheduled are refused with every reason named."""

from __future__ import annotations

import pytest

from podium.engine import Activity, CycleError, InvalidNetwork, Link

from .engine_factories import day, late, link, milestone, run, task


def test_a_cycle_is_refused_naming_its_activities_in_order() -> None:
    with pytest.raises(CycleError) as caught:
        run(
            task("A", 1),
            task("B", 1),
            task("C", 1),
            task("D", 1),
            links=[link("D", "A"), link("A", "B"), link("B", "C"), link("C", "A")],
        )
    assert caught.value.cycle == ["A", "B", "C", "A"]
    assert "A → B → C → A" in str(caught.value)


def test_a_cycle_behind_other_work_is_still_found() -> None:
    with pytest.raises(CycleError) as caught:
        run(
            task("X", 1),
            task("Y", 1),
            task("Z", 1),
            links=[link("X", "Y"), link("Y", "Z"), link("Z", "Y")],
        )
    assert caught.value.cycle == ["Y", "Z", "Y"]


def test_a_cycle_through_a_summary_names_the_summary() -> None:
    with pytest.raises(CycleError) as caught:
        run(
            task("S", 0),
            task("A", 2, parent="S"),
            task("X", 1),
            links=[link("S", "X"), link("X", "A")],
        )
    assert caught.value.cycle == ["S", "X", "A", "S"]


def test_a_cycle_error_is_an_invalid_network_and_a_value_error() -> None:
    assert issubclass(CycleError, InvalidNetwork) and issubclass(InvalidNetwork, ValueError)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(InvalidNetwork) as caught:
        run(
            task("A", 1),
            task("A", 2),
            task("B", -1),
            task("C", 1, calendar="night"),
            links=[link("A", "Nope"), link("B", "B"), Link("A", "B", "XX", 0)],
        )  # type: ignore[arg-type]
    problems = caught.value.problems
    assert "duplicate activity id 'A'" in problems
    assert "activity 'B': duration -1 is negative" in problems
    assert "activity 'C': unknown calendar 'night'" in problems
    assert "link A → Nope: unknown activity 'Nope'" in problems
    assert "link B → B: an activity cannot depend on itself" in problems
    assert "link A → B: unknown type 'XX' (FS, SS, FF or SF)" in problems


def test_unknown_parents_and_parent_cycles_are_refused() -> None:
    with pytest.raises(InvalidNetwork) as caught:
        run(task("A", 1, parent="Ghost"), task("B", 1, parent="C"), task("C", 1, parent="B"))
    assert "activity 'A': parent 'Ghost' not found" in caught.value.problems
    assert any(p.startswith("parent cycle: B → C → B") for p in caught.value.problems)


def test_a_constraint_without_a_date_is_refused() -> None:
    with pytest.raises(InvalidNetwork, match="constraint 'snet' needs a date"):
        run(Activity("A", 1, constraint_type="snet"))


def test_inconsistent_progress_is_refused() -> None:
    with pytest.raises(InvalidNetwork) as caught:
        run(
            task("A", 2, actual_finish=day("2027-01-05")),
            task("B", 2, percent_complete=30),
            task("C", 2, actual_start=day("2027-01-06"), actual_finish=day("2027-01-05")),
            task("D", 2, actual_start=day("2027-01-06"), percent_complete=130),
        )
    assert caught.value.problems == [
        "activity 'A': actual_finish without actual_start",
        "activity 'B': percent_complete > 0 without actual_start",
        "activity 'C': actual_finish is before actual_start",
        "activity 'D': percent_complete 130 not in 0-100",
    ]


def test_a_schedule_that_would_end_after_the_last_date_is_refused_naming_the_last_task() -> None:
    with pytest.raises(InvalidNetwork) as caught:
        run(
            task("A", 10),
            task("B", 100_000),
            task("C", 3),
            links=[link("A", "B")],
            start=day("9990-01-01"),
        )
    assert caught.value.problems == [
        "B would finish after 9999-12-31: the durations and lags before it are too long to schedule"
    ]
    # a lag counts as well
    with pytest.raises(InvalidNetwork):
        run(task("A", 1), task("B", 1), links=[link("A", "B", lag=5_000)], start=day("9990-01-01"))
    # ending on the last date itself is fine: Monday 27 to Friday 31 December 9999
    assert run(task("A", 5), start=day("9999-12-27")).finish == day("9999-12-31")


def test_an_unlinked_milestone_of_a_plan_ending_on_the_last_date_is_scheduled() -> None:
    # the plan ends on the last date there is; an unlinked milestone (on the first morning)
    # may slip to the morning of that day, which shows on it: 4 working days of float
    result = run(task("A", 5), milestone("M"), start=day("9999-12-27"))
    assert late(result, "M") == ("9999-12-31", "9999-12-31")
    assert result["M"].total_float == 4
    assert run(task("A", 5), milestone("M"), start=day("9999-12-20")).finish == day("9999-12-24")


def test_a_schedule_that_would_start_before_the_first_date_is_refused_naming_the_task() -> None:
    # a deadline in year 1 pulls the late dates of the chain before it past 0001-01-01
    with pytest.raises(InvalidNetwork) as caught:
        run(task("A", 10), task("B", 5, deadline=day("0001-01-03")), links=[link("A", "B")])
    assert caught.value.problems == [
        "A would have to start before 0001-01-01: a deadline, a constraint or an actual "
        "date around it is too far in the past"
    ]
    # so does a finish constraint
    with pytest.raises(InvalidNetwork):
        run(task("A", 30, constraint_type="fnlt", constraint_date=day("0001-01-10")))
    # a deadline missed by centuries is reported, not refused, while the dates exist
    late = run(task("A", 10), task("B", 5, deadline=day("1900-01-03")), links=[link("A", "B")])
    assert late["A"].late_start.year == 1899
    assert late["A"].total_float < -30_000


def test_a_duration_or_lag_beyond_the_limits_is_refused_before_any_arithmetic() -> None:
    with pytest.raises(InvalidNetwork) as caught:
        run(
            task("A", 10**20),
            task("B", 100_001),
            task("C", 1),
            links=[link("A", "C", lag=10**30), link("B", "C", lag=-10_001)],
        )
    assert caught.value.problems == [
        f"activity 'A': duration {10**20} is more than 100000 working days",
        "activity 'B': duration 100001 is more than 100000 working days",
        f"link 'A' → 'C': lag {10**30} is beyond ±10000 working days",
        "link 'B' → 'C': lag -10001 is beyond ±10000 working days",
    ]
