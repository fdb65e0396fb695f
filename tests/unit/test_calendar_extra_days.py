"""Extra working days (a Saturday worked for a cutover), checked against a plain
day-by-day reading of the calendar and on hand-counted cases."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from podium.engine import WorkCalendar
from podium.engine.calendar import less_time_off

SATURDAY = date(2027, 1, 9)  # worked for the cutover
FRIDAY, MONDAY = date(2027, 1, 8), date(2027, 1, 11)
CUTOVER = WorkCalendar("1111100", [date(2027, 1, 6)], [SATURDAY])

SPAN = (date(2026, 12, 1), date(2027, 3, 31))
days_in_span = st.dates(*SPAN)


def worked(weekmask: str, holidays: set[date], extra: set[date], d: date) -> bool:
    """The calendar read one day at a time: a holiday is off, an extra day is on."""
    if d in holidays:
        return False
    return weekmask[d.weekday()] == "1" or d in extra


def every_day(low: date, high: date) -> list[date]:
    return [low + timedelta(days=k) for k in range((high - low).days)]


calendars = st.tuples(
    st.sampled_from(["1111100", "1111110", "0000011", "1000000", "0111110"]),
    st.sets(days_in_span, max_size=15),
    st.sets(days_in_span, max_size=15),
)


def test_an_extra_saturday_is_worked_and_the_weekend_around_it_is_not() -> None:
    assert CUTOVER.is_workday(SATURDAY)
    assert not CUTOVER.is_workday(SATURDAY + timedelta(days=1))
    assert CUTOVER.next_workday(FRIDAY) == SATURDAY
    assert CUTOVER.next_workday(SATURDAY) == MONDAY
    assert CUTOVER.roll_backward(date(2027, 1, 10)) == SATURDAY
    assert CUTOVER.roll_forward(date(2027, 1, 10)) == MONDAY


def test_three_days_from_thursday_end_on_monday_when_saturday_is_worked() -> None:
    thursday = date(2027, 1, 7)
    # Thu 7, Fri 8, Sat 9 worked, so three days on from Thursday is Monday 11
    assert CUTOVER.add_workdays(thursday, 3) == MONDAY
    assert WorkCalendar("1111100", [date(2027, 1, 6)]).add_workdays(thursday, 3) == date(
        2027, 1, 12
    )
    assert CUTOVER.add_workdays(MONDAY, -2) == FRIDAY
    # Mon 4 .. Sun 10: five weekdays less the Wednesday holiday, plus the Saturday
    assert CUTOVER.count_workdays(date(2027, 1, 4), date(2027, 1, 11)) == 5


def test_a_holiday_wins_over_an_extra_day_and_a_weekly_day_is_not_extra() -> None:
    cal = WorkCalendar("1111100", [SATURDAY], [SATURDAY, FRIDAY])
    assert not cal.is_workday(SATURDAY)
    assert cal.extra_workdays == ()
    assert cal == WorkCalendar("1111100", [SATURDAY])
    assert WorkCalendar("1111100", [date(2027, 1, 6)]) != CUTOVER
    assert hash(CUTOVER) == hash(WorkCalendar("1111100", [date(2027, 1, 6)], [SATURDAY]))


def test_time_off_on_an_extra_day_takes_it_away() -> None:
    cal = less_time_off(CUTOVER, [(SATURDAY, SATURDAY)])
    assert cal is not None
    assert not cal.is_workday(SATURDAY)
    kept = less_time_off(CUTOVER, [(MONDAY, MONDAY)])
    assert kept is not None and kept.is_workday(SATURDAY) and not kept.is_workday(MONDAY)


def test_the_days_two_calendars_both_work_keep_an_extra_day_only_both_work() -> None:
    six_days = WorkCalendar("1111110")
    both = CUTOVER.intersection(six_days)
    assert both is not None
    assert both.weekmask == "1111100"
    assert both.is_workday(SATURDAY)  # extra in one, a weekly day of the other
    assert not both.is_workday(date(2027, 1, 16))  # the other's Saturday only
    assert not both.is_workday(date(2027, 1, 6))  # a holiday of one
    assert CUTOVER.intersection(WorkCalendar("1111100")).is_workday(SATURDAY) is False  # type: ignore[union-attr]
    assert WorkCalendar("1000000").intersection(WorkCalendar("0100000")) is None


@settings(max_examples=200, deadline=None)
@given(calendars, st.lists(days_in_span, min_size=1, max_size=12))
def test_each_operation_agrees_with_the_calendar_read_day_by_day(
    shape: tuple[str, set[date], set[date]], days: list[date]
) -> None:
    weekmask, holidays, extra = shape
    cal = WorkCalendar(weekmask, holidays, extra)
    low = SPAN[0] - timedelta(days=60)
    ordered = [
        d
        for d in every_day(low, SPAN[1] + timedelta(days=60))
        if worked(weekmask, holidays, extra, d)
    ]
    position = {d: k for k, d in enumerate(ordered)}
    for d in days:
        assert cal.is_workday(d) == worked(weekmask, holidays, extra, d)
        forward = next(w for w in ordered if w >= d)
        backward = next(w for w in reversed(ordered) if w <= d)
        assert cal.roll_forward(d) == forward
        assert cal.roll_backward(d) == backward
        for count in (-3, 0, 1, 5):
            assert cal.add_workdays(d, count) == ordered[position[forward] + count]
        for other in days:
            naive = sum(worked(weekmask, holidays, extra, x) for x in every_day(d, other))
            if other < d:  # NumPy's reversed count: (other, d], negated
                naive = -sum(
                    worked(weekmask, holidays, extra, x)
                    for x in every_day(other + timedelta(days=1), d + timedelta(days=1))
                )
            assert cal.count_workdays(d, other) == naive


@settings(max_examples=200, deadline=None)
@given(calendars, days_in_span, st.lists(days_in_span, min_size=1, max_size=12))
def test_the_index_counts_working_days_from_the_epoch_and_day_inverts_it(
    shape: tuple[str, set[date], set[date]], epoch: date, days: list[date]
) -> None:
    weekmask, holidays, extra = shape
    cal = WorkCalendar(weekmask, holidays, extra)
    indices = cal.index(days, epoch=epoch)
    for d, k in zip(days, indices.tolist(), strict=True):
        assert (
            k == cal.count_workdays(epoch, d) if d >= epoch else k == -cal.count_workdays(d, epoch)
        )
    back = cal.day(indices, epoch=epoch)
    assert back.tolist() == cal.roll_forward_array(days).tolist()
    assert (cal.is_workday_array(back)).all()
    plain = WorkCalendar(weekmask, holidays)
    if not cal.extra_workdays:
        assert cal == plain
        assert (plain.day(indices, epoch=epoch) == back).all()


def test_extra_days_given_as_numpy_days_make_the_same_calendar() -> None:
    array = np.array([SATURDAY, SATURDAY], dtype="datetime64[D]")
    assert WorkCalendar("1111100", [date(2027, 1, 6)], array) == CUTOVER
    assert (
        WorkCalendar.from_weekdays(
            ["Mon", "Tue", "Wed", "Thu", "Fri"], [date(2027, 1, 6)], [SATURDAY]
        )
        == CUTOVER
    )
