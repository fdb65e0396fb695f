"""The finish-date histogram: every bar holds the same number of working days."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np

from podium.engine import WorkCalendar
from podium.engine.forecast import Bin, Outcome

START = date(2027, 1, 4)  # a Monday
WEEKDAYS = WorkCalendar("1111100")


def _finishes(*days_and_counts: tuple[date, int]) -> Outcome:
    samples = [(day - START).days for day, count in days_and_counts for _ in range(count)]
    return Outcome(START, np.array(samples))


def _bars(bins: list[Bin]) -> list[tuple[date, date, int]]:
    return [(b.first, b.last, b.count) for b in bins]


def test_two_weeks_of_finishes_make_even_bars_of_two_working_days() -> None:
    # one finish on Monday 4 January, two on Tuesday … ten on Friday 15 January
    days = [START + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]
    outcome = _finishes(*((day, n) for n, day in enumerate(days, start=1)))
    bins = outcome.histogram(calendar=WEEKDAYS, bins=5)
    # ten working days in five bars: two working days each, the weekend inside the third
    assert _bars(bins) == [
        (date(2027, 1, 4), date(2027, 1, 5), 1 + 2),
        (date(2027, 1, 6), date(2027, 1, 7), 3 + 4),
        (date(2027, 1, 8), date(2027, 1, 11), 5 + 6),
        (date(2027, 1, 12), date(2027, 1, 13), 7 + 8),
        (date(2027, 1, 14), date(2027, 1, 15), 9 + 10),
    ]
    assert [b.cumulative for b in bins] == [3 / 55, 10 / 55, 21 / 55, 36 / 55, 1.0]
    # bars of three calendar days held 3, 2 (a weekend) or 3 working days: 6, 9, 13, 27
    by_calendar_days = outcome.histogram(bins=5)
    assert [b.count for b in by_calendar_days] == [6, 9, 13, 27]


def test_finishes_spread_evenly_over_working_days_give_bars_alike() -> None:
    rng = np.random.default_rng(7)
    day = WEEKDAYS.day(rng.integers(0, 120, 40_000), epoch=START)
    outcome = Outcome(START, (day - np.datetime64(START)).astype(np.int64))
    counts = np.array([b.count for b in outcome.histogram(calendar=WEEKDAYS)])
    assert len(counts) == 40  # three working days each
    assert counts.min() > 0.85 * counts.mean() and counts.max() < 1.15 * counts.mean()
    # by calendar days, the bars holding a weekend (one working day of three) sag
    sawtooth = np.array([b.count for b in outcome.histogram()])
    assert sawtooth.min() < 0.5 * sawtooth.mean()


def test_a_holiday_is_not_a_bar_and_takes_no_working_day_from_one() -> None:
    calendar = WorkCalendar("1111100", holidays=[date(2027, 1, 6)])
    outcome = _finishes((date(2027, 1, 4), 1), (date(2027, 1, 7), 2), (date(2027, 1, 11), 3))
    assert _bars(outcome.histogram(calendar=calendar, bins=3)) == [
        (date(2027, 1, 4), date(2027, 1, 5), 1),
        (date(2027, 1, 7), date(2027, 1, 8), 2),
        (date(2027, 1, 11), date(2027, 1, 12), 3),
    ]


def test_a_finish_on_a_day_off_counts_on_the_next_working_day() -> None:
    # work on a calendar of its own finishes on Saturday 9 January: its bar starts there,
    # and the share finished by Friday does not count it
    outcome = _finishes((date(2027, 1, 8), 1), (date(2027, 1, 9), 1), (date(2027, 1, 11), 2))
    bins = outcome.histogram(calendar=WEEKDAYS)
    assert _bars(bins) == [
        (date(2027, 1, 8), date(2027, 1, 8), 1),
        (date(2027, 1, 9), date(2027, 1, 11), 3),
    ]
    assert [b.cumulative for b in bins] == [0.25, 1.0]


def test_a_long_spread_is_binned_by_whole_weeks_from_a_monday() -> None:
    # from Wednesday 6 January 2027 to Friday 31 December 2027: 52 weeks, in 40 bars at most
    outcome = _finishes((date(2027, 1, 6), 1), (date(2027, 6, 30), 2), (date(2027, 12, 31), 1))
    bins = outcome.histogram(calendar=WEEKDAYS)
    assert len(bins) == 26  # two weeks each
    assert (bins[0].first, bins[0].last) == (date(2027, 1, 4), date(2027, 1, 15))
    assert (bins[-1].first, bins[-1].last) == (date(2027, 12, 20), date(2027, 12, 31))
    for b in bins:
        assert b.first.weekday() == 0 and b.last.weekday() == 4
        assert WEEKDAYS.count_workdays(b.first, b.last + timedelta(days=1)) == 10
    assert sum(b.count for b in bins) == 4
    (june,) = [b for b in bins if b.first <= date(2027, 6, 30) <= b.last]
    assert june.count == 2 and june.cumulative == 0.75


def test_every_bar_holds_the_same_number_of_working_days_whatever_the_calendar() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        weekmask = "".join(rng.choice(["0", "1"], 7))
        if "1" not in weekmask:
            continue
        holidays = [START + timedelta(days=int(d)) for d in rng.integers(0, 400, 12)]
        calendar = WorkCalendar(weekmask, holidays)
        span = int(rng.integers(1, 300))
        day = calendar.day(rng.integers(0, span, 500), epoch=START)
        outcome = Outcome(START, (day - np.datetime64(START)).astype(np.int64))
        bins = outcome.histogram(calendar=calendar, bins=int(rng.integers(5, 41)))
        held = {calendar.count_workdays(b.first, b.last + timedelta(days=1)) for b in bins}
        assert len(held) == 1, (weekmask, held)
        assert sum(b.count for b in bins) == 500
        for earlier, later in itertools.pairwise(bins):
            assert earlier.last < later.first
