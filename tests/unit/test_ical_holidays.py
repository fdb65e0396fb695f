"""Holidays read from iCalendar files: all-day events, ranges, recurrences, and refusals."""

from __future__ import annotations

from datetime import date

import pytest

from podium.errors import ValidationFailed
from podium.interop.ical_holidays import (
    MAX_EVENT_DAYS,
    MAX_FILE_BYTES,
    MAX_HOLIDAYS,
    MAX_OCCURRENCES,
    read_holidays,
)


def ics(*events: str) -> bytes:
    """A VCALENDAR of ``events`` (each the lines inside one VEVENT)."""
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def event(start: str, summary: str, *extra: str, end: str | None = None) -> str:
    lines = [f"UID:{start}-{summary}@test", f"DTSTART;VALUE=DATE:{start}", f"SUMMARY:{summary}"]
    if end:
        lines.append(f"DTEND;VALUE=DATE:{end}")
    return "\r\n".join([*lines, *extra])


# the shape of a government bank holiday feed: one all-day event per holiday
BANK_HOLIDAYS = ics(
    event("20270101", "New Year's Day", end="20270102"),
    event("20270326", "Good Friday", end="20270327"),
    event("20270329", "Easter Monday", end="20270330"),
    event("20271227", "Christmas Day", "DESCRIPTION:Substitute day", end="20271228"),
)


def test_each_all_day_event_is_a_holiday_named_by_its_summary() -> None:
    found = read_holidays(BANK_HOLIDAYS)
    assert found.holidays == {
        date(2027, 1, 1): "New Year's Day",
        date(2027, 3, 26): "Good Friday",
        date(2027, 3, 29): "Easter Monday",
        date(2027, 12, 27): "Christmas Day",
    }
    assert found.notes == []


def test_an_event_of_several_days_covers_each_of_them_up_to_its_exclusive_end() -> None:
    found = read_holidays(ics(event("20271224", "Christmas closure", end="20271228")))
    assert list(found.holidays) == [date(2027, 12, d) for d in (24, 25, 26, 27)]
    duration = read_holidays(ics(event("20270802", "Summer shutdown", "DURATION:P5D")))
    assert list(duration.holidays) == [date(2027, 8, d) for d in range(2, 7)]


def test_a_recurring_event_is_expanded_less_its_excluded_days() -> None:
    labour_day = event(
        "20270501", "Labour Day", "RRULE:FREQ=YEARLY;COUNT=4", "EXDATE;VALUE=DATE:20280501"
    )
    found = read_holidays(ics(labour_day))
    assert found.holidays == {date(y, 5, 1): "Labour Day" for y in (2027, 2029, 2030)}


def test_a_recurrence_without_end_stops_twenty_years_on() -> None:
    found = read_holidays(ics(event("20270704", "Independence Day", "RRULE:FREQ=YEARLY")))
    assert min(found.holidays) == date(2027, 7, 4) and max(found.holidays) == date(2047, 7, 4)
    assert len(found.holidays) == 21


def test_timed_and_cancelled_events_are_skipped_and_noted() -> None:
    meeting = "UID:m@test\r\nDTSTART:20270310T100000Z\r\nDTEND:20270310T110000Z\r\nSUMMARY:Review"
    cancelled = event("20270601", "Company day", "STATUS:CANCELLED")
    found = read_holidays(ics(event("20270101", "New Year's Day"), meeting, cancelled))
    assert found.holidays == {date(2027, 1, 1): "New Year's Day"}
    assert found.notes == [
        "1 timed event(s) skipped: only all-day events are holidays",
        "1 cancelled event(s) skipped",
    ]


def test_a_day_two_events_cover_keeps_the_first_name() -> None:
    found = read_holidays(
        ics(event("20271225", "Christmas Day"), event("20271225", "Office closed"))
    )
    assert found.holidays == {date(2027, 12, 25): "Christmas Day"}


def test_an_event_longer_than_a_year_is_cut_and_noted() -> None:
    found = read_holidays(ics(event("20270101", "Sabbatical", end="20370101")))
    assert len(found.holidays) == MAX_EVENT_DAYS
    assert found.notes == [
        f"Sabbatical from 2027-01-01 covers 3653 days: only its first {MAX_EVENT_DAYS} are taken"
    ]


def test_a_rule_of_too_many_occurrences_is_cut_and_noted() -> None:
    found = read_holidays(ics(event("20270101", "Every day", "RRULE:FREQ=DAILY")))
    assert len(found.holidays) == MAX_OCCURRENCES
    assert "recurs more than" in found.notes[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an iCalendar file"),
        (b"hello", "not an iCalendar file"),
        (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "it does not begin with BEGIN:VCALENDAR"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "not an iCalendar file: it does not begin with BEGIN:VCALENDAR",
        ),
        (ics("UID:x\r\nDTSTART;VALUE=DATE:2027\r\nSUMMARY:Odd"), "event 1 (Odd)"),
        (ics(event("20270101", "Bad rule", "RRULE:FREQ=SOMETIMES")), "event 1 (Bad rule)"),
        (b"x" * (MAX_FILE_BYTES + 1), "larger than 2 MB"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_holidays(data)
    assert message in refused.value.message
    assert refused.value.details == [{"field": "file", "message": refused.value.message}]


def test_a_file_of_more_holidays_than_a_calendar_keeps_is_refused() -> None:
    # each year but its last day: fourteen years from 2000 give 5,100 days
    years = [event(f"{2000 + k}0101", f"Year {k}", end=f"{2000 + k}1231") for k in range(14)]
    with pytest.raises(ValidationFailed, match=f"more than {MAX_HOLIDAYS} holidays"):
        read_holidays(ics(*years))
    assert len(read_holidays(ics(*years[:13])).holidays) == 13 * 364 + 4  # 4 leap years
