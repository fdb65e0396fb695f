"""Extra working days checked independently: MPXJ (the Java library most tools use to read
Microsoft Project files) reads the working exceptions Podium writes, and Podium reads
as extra working days the working days MPXJ expands from the real files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from podium.interop.mspdi import read_mspdi, write_mspdi
from tests.integration.test_mpxj_check import (  # the same reader, files and Java check
    DATA,
    MSPDI_FILES,
    Reader,
    mpxj,
    pytestmark,
)

__all__ = ["mpxj", "pytestmark"]  # a fixture and the module's mark, used by name

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _mpxj_named_working(calendar: Any, workdays: list[str]) -> dict[str, set[str]]:
    """The days MPXJ's expanded exceptions of ``calendar`` make working, off ``workdays``,
    each with the names of the exceptions covering it."""
    worked: dict[str, set[str]] = {}
    for exception in calendar.getCalendarExceptions():
        name = str(exception.getName() or "")
        for occurrence in exception.getExpandedExceptions():
            day = occurrence.getFromDate()
            while occurrence.getWorking() and not day.isAfter(occurrence.getToDate()):
                worked.setdefault(str(day), set()).update({name} if name else set())
                day = day.plusDays(1)
    return {
        d: n for d, n in worked.items() if WEEKDAYS[date.fromisoformat(d).weekday()] not in workdays
    }


def _named(entries: list[Any]) -> dict[str, str]:
    """Plan-format days (dates, or ``{"date", "name"}``) as day → name."""
    return {
        e["date"] if isinstance(e, dict) else e: e["name"] if isinstance(e, dict) else ""
        for e in entries
    }


@pytest.mark.parametrize("name", MSPDI_FILES)
def test_podium_imports_as_extra_days_the_working_days_off_the_week_mpxj_expands(
    mpxj: Reader, name: str
) -> None:
    imported = read_mspdi((DATA / name).read_bytes())
    ours = {c["name"]: c for c in imported.document["calendars"]}
    for calendar in mpxj(DATA / name).getCalendars():
        if calendar.getParent() is not None:
            continue  # MPXJ's expansion leaves a derived calendar's base out
        podium = ours[str(calendar.getName())]
        theirs = _mpxj_named_working(calendar, podium["workdays"])
        named = _named(podium["extra_workdays"])
        assert set(named) == set(theirs)
        assert all(named[d] in theirs[d] if theirs[d] else not named[d] for d in named)


def test_mpxj_reads_podiums_extra_working_days_as_working_days(
    mpxj: Reader, tmp_path: Path
) -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "CUT", "name": "Cutover", "start": "2027-06-01", "calendar": "shifts"},
        "calendars": [
            {
                "name": "shifts",
                "holidays": [{"date": "2027-06-03", "name": "Closed"}],
                "extra_workdays": [
                    {"date": "2027-06-05", "name": "Cutover"},
                    {"date": "2027-06-06", "name": "Cutover"},
                    "2027-06-12",
                ],
            }
        ],
        "projects": [{"key": "CUT", "name": "Cutover"}],
        "tasks": [{"id": "CUT-1", "project": "CUT", "name": "Migrate", "duration": 5}],
    }
    written = tmp_path / "cutover.xml"
    written.write_bytes(write_mspdi(document))
    (calendar,) = mpxj(written).getCalendars()
    assert _mpxj_named_working(calendar, ["Mon", "Tue", "Wed", "Thu", "Fri"]) == {
        "2027-06-05": {"Cutover"},
        "2027-06-06": {"Cutover"},
        "2027-06-12": set(),
    }
    from java.time import LocalDate  # type: ignore[import-not-found]

    three_weeks = [date(2027, 5, 31) + timedelta(days=n) for n in range(21)]  # from a Monday
    worked = {str(d) for d in three_weeks if calendar.isWorkingDate(LocalDate.parse(str(d)))}
    # Mon-Fri less Thursday 3 June, plus the three weekend days
    weekdays = {str(d) for d in three_weeks if d.weekday() < 5} - {"2027-06-03"}
    assert worked == weekdays | {"2027-06-05", "2027-06-06", "2027-06-12"}
    # eight hours on each: the usual working times
    hours = calendar.getWork(LocalDate.parse("2027-06-05"), _hours())
    assert float(hours.getDuration()) == 8.0


def _hours() -> Any:
    from org.mpxj import TimeUnit  # type: ignore[import-not-found]

    return TimeUnit.HOURS
