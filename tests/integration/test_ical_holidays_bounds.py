"""A holiday file's recurring events are expanded within bounds: a rule that never
occurs stops at the twenty-year horizon instead of searching to year 9999, rules
that recur more often than daily are refused, and a rule that cannot be read is
refused naming the part that is wrong."""

from __future__ import annotations

from datetime import date, datetime

import dateutil.rrule
import pytest
from dateutil.rrule import rrulestr

from podium.errors import ValidationFailed
from podium.interop.ical_holidays import (
    MAX_RECURRING_EVENTS,
    RECURRENCE_YEARS,
    occurrences_until,
    read_holidays,
)
from tests.unit.test_ical_holidays import event, ics

NEVER = "BYMONTH=2;BYMONTHDAY=30"  # 30 February: no year has one
START = datetime(2027, 1, 1)  # noqa: DTZ001 (a floating day, as in the files)


@pytest.fixture
def years_searched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each year (and month) dateutil lays out while it searches for occurrences."""
    seen: list[int] = []
    info = dateutil.rrule._iterinfo  # type: ignore[attr-defined]
    rebuild = info.rebuild

    def counting(self: object, year: int, month: int) -> None:
        seen.append(year)
        rebuild(self, year, month)

    monkeypatch.setattr(info, "rebuild", counting)
    return seen


@pytest.mark.parametrize("frequency", ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
def test_a_rule_that_never_occurs_is_searched_no_further_than_the_horizon(
    frequency: str, years_searched: list[int]
) -> None:
    rule = rrulestr(f"FREQ={frequency};{NEVER}", dtstart=START)
    assert list(occurrences_until(rule, 2047)) == []
    assert years_searched and max(years_searched) <= 2048  # not on to 9999


def test_a_bounded_rule_gives_the_same_occurrences_up_to_its_last_year() -> None:
    for text in (
        "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
        "FREQ=MONTHLY;BYDAY=1FR",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",  # leap days only
        "FREQ=MONTHLY;BYMONTHDAY=31;BYSETPOS=1",
    ):
        rule = rrulestr(text, dtstart=START)
        expected = list(rule.between(START, datetime(2031, 12, 31, 23, 59), inc=True))  # noqa: DTZ001
        assert list(occurrences_until(rule, 2031)) == expected, text


def test_a_file_of_rules_that_never_occur_gives_no_holidays_and_says_so(
    years_searched: list[int],
) -> None:
    # four such events in a 519-byte file held the server for ten seconds
    data = ics(
        *(event(f"2027010{n}", f"Never {n}", f"RRULE:FREQ=DAILY;{NEVER}") for n in range(1, 5))
    )
    found = read_holidays(data)
    assert found.holidays == {}
    assert found.notes == [
        f"Never {n} from 2027-01-0{n} recurs on no day up to 2047-01-0{n}" for n in range(1, 5)
    ]
    assert max(years_searched) <= 2027 + RECURRENCE_YEARS + 1


def test_a_file_of_too_many_recurring_events_is_refused() -> None:
    rules = [event("20270101", f"Rule {n}", "RRULE:FREQ=YEARLY") for n in range(101)]
    assert MAX_RECURRING_EVENTS == 100
    with pytest.raises(ValidationFailed, match="more than 100 recurring all-day events"):
        read_holidays(ics(*rules))
    assert len(read_holidays(ics(*rules[:100])).holidays) == RECURRENCE_YEARS + 1


@pytest.mark.parametrize("frequency", ["HOURLY", "MINUTELY", "SECONDLY"])
def test_a_holiday_that_recurs_more_often_than_daily_is_refused(frequency: str) -> None:
    data = ics(event("20270101", "Often", f"RRULE:FREQ={frequency};{NEVER}"))
    with pytest.raises(ValidationFailed, match=f"recurs {frequency}: a holiday recurs at most"):
        read_holidays(data)


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ("FREQ=DAILY;COUNT=abc", "invalid 'COUNT': ABC"),
        ("FREQ=WEEKLY;INTERVAL=x", "invalid 'INTERVAL': X"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY': XX"),
        ("FREQ=DAILY;UNTIL=soon", "invalid 'UNTIL': SOON"),
        ("FREQ=DAILY;UNTIL=20270110;COUNT=3", "has both COUNT and UNTIL"),
    ],
)
def test_a_rule_that_cannot_be_read_is_refused_naming_its_bad_part(rule: str, named: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_holidays(ics(event("20270101", "Bad", f"RRULE:{rule}")))
    assert refused.value.message.startswith(f"event 1 (Bad): its RRULE '{rule}'")
    assert named in refused.value.message and "'FREQ'" not in refused.value.message


def test_an_event_of_two_rules_takes_the_days_of_both() -> None:
    data = ics(event("20270101", "Both", "RRULE:FREQ=YEARLY;COUNT=2", "RRULE:FREQ=MONTHLY;COUNT=2"))
    assert list(read_holidays(data).holidays) == [
        date(2027, 1, 1),
        date(2027, 2, 1),
        date(2028, 1, 1),
    ]


def test_a_leap_day_recurs_every_four_years_up_to_the_horizon() -> None:
    found = read_holidays(ics(event("20240229", "Leap day", "RRULE:FREQ=YEARLY")))
    assert list(found.holidays) == [date(y, 2, 29) for y in range(2024, 2045, 4)]
