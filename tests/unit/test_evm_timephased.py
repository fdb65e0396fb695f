"""Time-phased earned value: PV spread over working days, progress and cost histories, S-curves.

Every expected figure is hand-computed on a Mon-Fri calendar (the dates are
written with their weekday where it matters). A status date is a data date: PV
counts the work planned on the working days *before* it; EV and AC count the
records dated on or before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from podium.engine import WorkCalendar
from podium.engine.evm import EvmInput, EvmTask, InvalidEvmInput, earned_value, s_curves

from .engine_factories import day

HOLIDAY = day("2027-05-31")  # a Monday
WITH_HOLIDAY = WorkCalendar("1111100", [HOLIDAY])
# Mon 24 May - Fri 4 June 2027: ten weekdays, nine working days without the holiday
SPAN = (day("2027-05-24"), day("2027-06-04"))


def planned(
    task: EvmTask, on: date, calendar: WorkCalendar = WITH_HOLIDAY, **calendars: WorkCalendar
) -> float:
    data = EvmInput.from_tasks([task], calendars=calendars, default_calendar=calendar)
    return earned_value(data, on).tasks[task.id].pv


def test_planned_value_is_spread_evenly_over_working_days_skipping_a_holiday() -> None:
    task = EvmTask("A", "P", 9_000, *SPAN)  # 1,000 a working day
    assert planned(task, day("2027-05-21")) == 0  # the Friday before
    assert planned(task, day("2027-05-24")) == 0  # the first day's work is still to do
    assert planned(task, day("2027-05-25")) == 1_000  # Tuesday: Monday is planned
    assert planned(task, day("2027-05-28")) == 4_000  # Friday: Monday to Thursday
    assert planned(task, day("2027-05-29")) == 5_000  # Saturday: the whole week
    assert planned(task, HOLIDAY) == 5_000
    assert planned(task, day("2027-06-01")) == 5_000  # Tuesday: the holiday planned nothing
    assert planned(task, day("2027-06-02")) == 6_000  # Wednesday: Tuesday, the sixth day
    assert planned(task, day("2027-06-04")) == 8_000  # the last day is still to do
    assert planned(task, day("2027-06-05")) == 9_000
    assert planned(task, day("2027-12-31")) == 9_000


def test_on_the_first_day_nothing_is_planned_so_the_schedule_index_is_undefined() -> None:
    # the status date is the data date the remaining work starts from, as the scheduler
    # reads it: on the first baseline day no work was due yet
    task = EvmTask("A", "P", 9_000, *SPAN)
    result = earned_value(EvmInput.from_tasks([task], default_calendar=WITH_HOLIDAY), SPAN[0])
    assert (result.program.pv, result.program.ev, result.program.sv) == (0, 0, 0)
    assert result.program.spi is None  # not 0: nothing could be behind yet


def test_a_task_exactly_on_plan_has_an_spi_of_one() -> None:
    # nine working days (the holiday skipped); as of Wed 2 June six are behind it
    # (24-28 May, Tue 1 June) and six ninths of the work is reported done that day
    on_plan = EvmTask("A", "P", 9_000, *SPAN, progress=[(day("2027-06-02"), 600 / 9)])
    data = EvmInput.from_tasks([on_plan], default_calendar=WITH_HOLIDAY)
    row = earned_value(data, day("2027-06-02")).tasks["A"]
    assert row.pv == pytest.approx(6_000) and row.ev == pytest.approx(6_000)
    assert row.spi == pytest.approx(1.0) and f"{row.spi:.2f}" == "1.00"
    # the S-curve's point on the status date is the same status
    curves = s_curves(data, end=day("2027-06-07"), status_date=day("2027-06-02"))
    at = curves.dates.tolist().index(day("2027-06-02"))
    assert (curves.program.pv[at], curves.program.ev[at]) == pytest.approx((6_000, 6_000))


def test_without_the_holiday_the_same_span_plans_ten_days() -> None:
    task = EvmTask("A", "P", 9_000, *SPAN)
    # as of Monday 31 May, a working day here: the five days of the week before, 5 x 900
    assert planned(task, HOLIDAY, WorkCalendar()) == pytest.approx(4_500)


def test_weekly_s_curve_across_the_holiday() -> None:
    data = EvmInput.from_tasks(
        [
            EvmTask(
                "A",
                "P",
                9_000,
                *SPAN,
                progress=[(day("2027-05-26"), 20.0), (day("2027-06-02"), 70.0)],
                costs=[(day("2027-05-25"), 1_500.0), (day("2027-06-01"), 4_000.0)],
            )
        ],
        default_calendar=WITH_HOLIDAY,
    )
    curves = s_curves(data, start=day("2027-05-17"), end=day("2027-06-07"))
    assert curves.dates.astype(str).tolist() == [
        "2027-05-17",
        "2027-05-24",
        "2027-05-31",
        "2027-06-07",
    ]
    # nothing before Mon 24 May; 24-28 May by Mon 31 May; all nine days by Mon 7 June
    assert curves.program.pv.tolist() == [0, 0, 5_000, 9_000]
    assert curves.program.ev.tolist() == [0, 0, 1_800, 6_300]  # 20 %, then 70 % of 9,000
    assert curves.program.ac.tolist() == [0, 0, 1_500, 5_500]
    assert curves.groups["P"].pv.tolist() == curves.program.pv.tolist()


def test_an_s_curve_ends_on_its_end_date_even_off_the_weekly_step() -> None:
    data = EvmInput.from_tasks([EvmTask("A", "P", 9_000, *SPAN)], default_calendar=WITH_HOLIDAY)
    curves = s_curves(data, end=day("2027-06-02"))  # starts on the first baseline start
    assert curves.dates.astype(str).tolist() == ["2027-05-24", "2027-05-31", "2027-06-02"]
    # before Wed 2 June: 24-28 May and Tue 1 June, six working days
    assert curves.program.pv.tolist() == [0, 5_000, 6_000]


def test_earned_value_and_cost_after_the_status_date_are_not_known() -> None:
    data = EvmInput.from_tasks(
        [EvmTask("A", "P", 9_000, *SPAN, progress=[(SPAN[0], 10.0)])], default_calendar=WITH_HOLIDAY
    )
    curves = s_curves(data, start=SPAN[0], end=day("2027-06-07"), status_date=day("2027-05-31"))
    assert curves.program.pv.tolist() == [0, 5_000, 9_000]  # the plan runs to the end
    assert curves.program.ev[:2].tolist() == [900, 900]  # reported as of 24 May
    assert np.isnan(curves.program.ev[2]) and np.isnan(curves.program.ac[2])


def test_a_back_loaded_profile_plans_little_at_first() -> None:
    # ten working days (Mon 4 - Fri 15 Jan 2027), one tenth of the profile each:
    # weights 10, 15, 25 … of 600 in all, 10 a unit of weight
    task = EvmTask("A", "P", 6_000, day("2027-01-04"), day("2027-01-15"), profile="back_loaded")
    assert planned(task, day("2027-01-04")) == 0
    assert planned(task, day("2027-01-05")) == pytest.approx(100)  # Monday's 10
    assert planned(task, day("2027-01-06")) == pytest.approx(250)  # 10+15
    assert planned(task, day("2027-01-09")) == pytest.approx(1_500)  # Sat: 10+15+25+50+50
    assert planned(task, day("2027-01-15")) == pytest.approx(5_000)  # all but Friday's 100
    assert planned(task, day("2027-01-16")) == pytest.approx(6_000)


def test_a_profile_of_ones_own_is_interpolated_within_its_parts() -> None:
    # four working days, a quarter of the money in the first half, linear within each half
    task = EvmTask("A", "P", 800, day("2027-01-04"), day("2027-01-07"), profile=(1, 3))
    assert [planned(task, day(f"2027-01-0{d}")) for d in (4, 5, 6, 7, 8)] == pytest.approx(
        [0, 100, 200, 500, 800]
    )


def test_each_task_is_phased_on_its_own_calendar() -> None:
    six_days = WorkCalendar("1111110")
    task = EvmTask("A", "P", 1_100, day("2027-01-04"), day("2027-01-15"), calendar="six")
    # Mon 4 - Fri 15 Jan on Mon-Sat: 11 working days, 100 each; Saturday 9 Jan is worked,
    # so six of them come before Monday 11 Jan
    assert planned(task, day("2027-01-11"), six=six_days) == 600
    # the same task on Mon-Fri: 10 days of 110, five of them before Monday
    assert planned(replace(task, calendar=None), day("2027-01-11"), six=six_days) == 550


def test_a_baseline_without_a_working_day_books_its_budget_on_its_finish() -> None:
    saturday = day("2027-01-09")
    task = EvmTask("A", "P", 500, saturday, saturday)
    assert planned(task, day("2027-01-08")) == 0
    assert planned(task, saturday) == 0  # planned on it: still to do as of it
    assert planned(task, day("2027-01-10")) == 500


def test_work_outside_the_baseline_has_no_budget_but_its_cost_counts() -> None:
    extra = EvmTask(
        "X",
        "P",
        0,
        None,
        None,
        costs=[(day("2027-01-05"), 300.0)],
        progress=[(day("2027-01-05"), 50.0)],
    )
    row = earned_value(EvmInput.from_tasks([extra]), day("2027-01-08")).tasks["X"]
    assert (row.bac, row.pv, row.ev, row.ac) == (0, 0, 0, 300)
    assert row.cpi is None and row.eac == 300  # no budget to earn; no work left at budget


def test_percent_complete_is_the_last_record_on_or_before_the_status_date() -> None:
    task = EvmTask(
        "A",
        "P",
        1_000,
        *SPAN,
        progress=[
            (day("2027-05-25"), 10.0),
            (day("2027-05-27"), 30.0),
            (day("2027-05-27"), 35.0),
            (day("2027-06-01"), 25.0),  # a correction downwards is a fact too
        ],
    )
    data = EvmInput.from_tasks([task], default_calendar=WITH_HOLIDAY)
    ev = [
        earned_value(data, day(d)).tasks["A"].ev
        for d in ("2027-05-24", "2027-05-25", "2027-05-27", "2027-05-31", "2027-06-01")
    ]
    assert ev == [0, 100, 350, 350, 250]


def test_actual_cost_adds_entries_and_hours_at_the_hourly_rate_up_to_the_status_date() -> None:
    task = EvmTask(
        "A",
        "P",
        1_000,
        *SPAN,
        hourly_rate=80.0,
        costs=[(day("2027-05-24"), 150.0), (day("2027-05-28"), 50.0)],
        hours=[(day("2027-05-24"), 8.0), (day("2027-05-25"), 4.0)],
    )
    data = EvmInput.from_tasks([task])
    assert earned_value(data, day("2027-05-24")).tasks["A"].ac == 150 + 640
    assert earned_value(data, day("2027-05-27")).tasks["A"].ac == 150 + 640 + 320
    assert earned_value(data, day("2027-06-30")).tasks["A"].ac == 1_160


@pytest.mark.parametrize(
    ("task", "complaint"),
    [
        (EvmTask("A", "P", -5, *SPAN), "budget must be a finite amount >= 0: 'A'"),
        (EvmTask("A", "P", 5, SPAN[1], SPAN[0]), "baseline finish before its start: 'A'"),
        (EvmTask("A", "P", 5, None, None), "a budget needs a baseline: 'A'"),
        (EvmTask("A", "P", 5, SPAN[0], None), "baseline needs both a start and a finish"),
        (
            EvmTask("A", "P", 5, *SPAN, progress=[(SPAN[0], 120.0)]),
            "percent complete must be 0-100: 'A'",
        ),
        (EvmTask("A", "P", 5, *SPAN, estimate_to_complete=-1), "estimate to complete"),
        (EvmTask("A", "P", 5, *SPAN, profile="wavy"), "unknown profile 'wavy'"),
        (EvmTask("A", "P", 5, *SPAN, profile=(0, 0)), "positive sum"),
        (EvmTask("A", "P", 5, *SPAN, hours=[(SPAN[0], 1.0)]), "no hourly rate"),
        (EvmTask("A", "P", 5, *SPAN, calendar="night"), "unknown calendar 'night'"),
    ],
)
def test_invalid_inputs_are_refused_naming_the_task(task: EvmTask, complaint: str) -> None:
    with pytest.raises(InvalidEvmInput) as refused:
        EvmInput.from_tasks([task])
    assert any(complaint in problem for problem in refused.value.problems)


def test_a_service_can_fill_the_columns_directly() -> None:
    data = EvmInput(
        ("A", "B"),
        ("P", "P"),
        np.array([900.0, 100.0]),
        np.array(["2027-05-24", "2027-05-24"], dtype="datetime64[D]"),
        np.array(["2027-06-04", "2027-05-24"], dtype="datetime64[D]"),
        calendars=(WITH_HOLIDAY,),
        progress_task=np.array([0, 1]),
        progress_percent=np.array([50.0, 100.0]),
        progress_day=np.array(["2027-05-28", "2027-05-24"], dtype="datetime64[D]"),
    )
    result = earned_value(data, day("2027-05-28"))
    # PV as of Fri 28 May: A's 100 a day on Mon-Thu, 400, and all of B (Mon 24 May), 100
    assert (result.program.pv, result.program.ev, result.program.ac) == (500, 550, 0)


def test_columns_of_different_lengths_are_refused() -> None:
    good = EvmInput.from_tasks([EvmTask("A", "P", 5, *SPAN)])
    with pytest.raises(InvalidEvmInput, match="1 entries"):
        EvmInput(
            good.ids,
            good.projects,
            np.zeros(2),
            good.baseline_start,
            good.baseline_finish,
            calendar=good.calendar,
            profile=good.profile,
        )
