"""Working calendars: NumPy business days behind a date-friendly interface."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.engine import WorkCalendar
from podium.engine.calendar import as_days, days_covered, less_time_off, period_days, shifted

from .engine_factories import day

HOLIDAY = day("2027-01-06")  # a Wednesday


def test_weekdays_are_worked_and_weekends_are_not() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(day("2027-01-08"))  # Friday
    assert not calendar.is_workday(day("2027-01-09"))  # Saturday


def test_holidays_are_not_worked() -> None:
    assert not WorkCalendar(holidays=[HOLIDAY]).is_workday(HOLIDAY)


def test_roll_forward_moves_a_saturday_to_monday_and_keeps_a_working_day() -> None:
    calendar = WorkCalendar()
    assert calendar.roll_forward(day("2027-01-09")) == day("2027-01-11")
    assert calendar.roll_forward(day("2027-01-08")) == day("2027-01-08")


def test_roll_backward_moves_a_sunday_to_friday() -> None:
    assert WorkCalendar().roll_backward(day("2027-01-10")) == day("2027-01-08")


def test_next_and_previous_workday_skip_the_weekend_and_holidays() -> None:
    calendar = WorkCalendar(holidays=[HOLIDAY])
    assert calendar.next_workday(day("2027-01-05")) == day("2027-01-07")
    assert calendar.next_workday(day("2027-01-08")) == day("2027-01-11")
    assert calendar.previous_workday(day("2027-01-11")) == day("2027-01-08")


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    calendar = WorkCalendar(holidays=[HOLIDAY])
    assert calendar.add_workdays(day("2027-01-04"), 3) == day("2027-01-08")
    assert calendar.add_workdays(day("2027-01-08"), -3) == day("2027-01-04")


def test_counting_working_days_excludes_the_end_day() -> None:
    calendar = WorkCalendar(holidays=[HOLIDAY])
    assert calendar.count_workdays(day("2027-01-04"), day("2027-01-11")) == 4


def test_vectorized_operations_take_and_return_arrays() -> None:
    calendar = WorkCalendar()
    days = np.array(["2027-01-08", "2027-01-09"], dtype="datetime64[D]")
    assert calendar.is_workday_array(days).tolist() == [True, False]
    assert calendar.roll_forward_array(days).astype(str).tolist() == ["2027-01-08", "2027-01-11"]
    assert calendar.add_workdays_array(days, [1, 1]).astype(str).tolist() == [
        "2027-01-11",
        "2027-01-12",
    ]
    assert calendar.count_workdays_array(days, days + 7).tolist() == [5, 5]


def test_index_counts_working_days_from_the_epoch_and_rolls_non_working_days_forward() -> None:
    calendar = WorkCalendar()
    epoch = day("2027-01-04")
    days = ["2026-12-31", "2027-01-02", "2027-01-04", "2027-01-09", "2027-01-11"]
    assert calendar.index(days, epoch=epoch).tolist() == [-2, 0, 0, 5, 5]


def test_day_is_the_inverse_of_index_on_working_days() -> None:
    calendar = WorkCalendar(holidays=[HOLIDAY])
    epoch = day("2027-01-04")
    indices = np.arange(-10, 30)
    assert calendar.index(calendar.day(indices, epoch=epoch), epoch=epoch).tolist() == list(indices)


def test_calendars_from_day_names_match_weekmasks() -> None:
    assert WorkCalendar.from_weekdays(["Tue", "Wed", "Thu", "Fri"]).weekmask == "0111100"


def test_equal_calendars_compare_and_hash_alike() -> None:
    a = WorkCalendar("1111100", [date(2027, 5, 31)])
    b = WorkCalendar("1111100", [date(2027, 5, 31), date(2027, 5, 31)])
    assert a == b and hash(a) == hash(b)


def test_a_weekmask_without_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="no working day"):
        WorkCalendar("0000000")


@pytest.mark.parametrize("weekmask", ["11111", "1111102", "Mon Tue"])
def test_a_malformed_weekmask_is_refused(weekmask: str) -> None:
    with pytest.raises(ValueError, match="seven characters"):
        WorkCalendar(weekmask)


def test_unknown_day_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown weekday"):
        WorkCalendar.from_weekdays(["Mon", "Funday"])


def test_slip_counts_working_days_after_the_limit_through_the_day() -> None:
    from datetime import date

    from podium.engine import WorkCalendar

    cal = WorkCalendar(holidays=[date(2027, 1, 1)])  # a Friday
    assert cal.slip(date(2027, 1, 1), date(2027, 1, 4)) == 1  # limit on a holiday: Mon is 1 late
    assert cal.slip(date(2026, 12, 31), date(2027, 1, 4)) == 1
    assert cal.slip(date(2027, 1, 4), date(2027, 1, 4)) == 0
    assert cal.slip(date(2027, 1, 8), date(2027, 1, 4)) == -4
    # on the last date there is (the day after it does not exist): Tue 28 to Fri 31
    assert cal.slip(date(9999, 12, 27), date.max) == 4
    assert cal.slip(date.max, date(9999, 12, 27)) == -4


@given(
    st.lists(
        st.tuples(
            st.dates(date(2026, 12, 1), date(2027, 3, 1)),
            st.dates(date(2026, 12, 1), date(2027, 3, 1)),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_slip_array_agrees_with_slip_either_way_round(pairs: list[tuple[date, date]]) -> None:
    cal = WorkCalendar(holidays=[date(2027, 1, 1), date(2026, 12, 25)])
    limits, days = zip(*pairs, strict=True)
    assert cal.slip_array(list(limits), list(days)).tolist() == [cal.slip(a, b) for a, b in pairs]


@given(st.lists(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), max_size=40))
def test_dates_convert_to_numpy_days_as_numpy_converts_them(days: list[date]) -> None:
    assert as_days(days).tolist() == np.asarray(days, dtype="datetime64[D]").tolist()


@given(
    st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), max_size=40),
    st.sampled_from(["1111100", "1111110", "0111111"]),
)
def test_a_calendar_from_numpy_days_is_the_calendar_from_the_same_dates(
    days: list[date], weekmask: str
) -> None:
    from_dates = WorkCalendar(weekmask, days)
    from_array = WorkCalendar(weekmask, np.array(days + days[:3], dtype="datetime64[D]"))
    assert from_array == from_dates
    assert hash(from_array) == hash(from_dates)
    assert from_array.holidays == from_dates.holidays == tuple(sorted(set(days)))
    probe = np.datetime64("2000-01-01") + np.arange(0, 41 * 366, 7)
    assert (from_array.is_workday_array(probe) == from_dates.is_workday_array(probe)).all()


def test_calendars_with_other_holidays_or_weekmasks_differ() -> None:
    assert WorkCalendar(holidays=[HOLIDAY]) != WorkCalendar()
    assert WorkCalendar("1111110", [HOLIDAY]) != WorkCalendar("1111100", [HOLIDAY])


def test_shifted_days_stay_within_the_dates_there_are() -> None:
    assert shifted(date(2027, 1, 4), 6) == date(2027, 1, 10)
    assert shifted(date(2027, 1, 4), -4) == date(2026, 12, 31)
    assert shifted(date(9999, 12, 27), 6) == date.max
    assert shifted(date(1, 1, 3), -5) == date.min


# --- time off ------------------------------------------------------------------

JAN = [(day("2027-01-04"), day("2027-01-08")), (day("2027-01-06"), day("2027-01-12"))]


def test_days_of_overlapping_time_off_count_once() -> None:
    assert days_covered(JAN) == 9  # 4 to 12 January
    assert days_covered([*JAN, (day("2027-01-05"), day("2027-01-05"))]) == 9
    assert days_covered([(day("2027-01-08"), day("2027-01-04"))]) == 0  # ends before it starts
    assert days_covered([(date(9999, 12, 1), date.max), (date(9999, 12, 30), date.max)]) == 31
    assert [str(d) for d in period_days(JAN)[[0, -1]]] == ["2027-01-04", "2027-01-12"]
    assert len(period_days(JAN)) == 9
    assert period_days([]).size == 0


@settings(deadline=None)  # timing is not the question; a loaded machine missed the default
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 3, 31)),
            st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 3, 31)),
        ),
        max_size=8,
    )
)
def test_days_covered_counts_the_days_period_days_lists(periods: list[tuple[date, date]]) -> None:
    days = {d for a, b in periods for d in (a + timedelta(k) for k in range((b - a).days + 1))}
    assert days_covered(periods) == len(days) == len(period_days(periods))


def test_time_off_comes_off_the_calendar_or_makes_one() -> None:
    base = WorkCalendar(holidays=[HOLIDAY])
    less = less_time_off(base, JAN)
    assert less is not None and less.weekmask == "1111100"
    assert less.holidays[0] == day("2027-01-04") and len(less.holidays) == 9
    alone = less_time_off(None, JAN)
    assert alone is not None and alone.weekmask == "1111111" and len(alone.holidays) == 9
    assert less_time_off(base, []) is base
    assert less_time_off(None, []) is None
