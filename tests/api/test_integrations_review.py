"""An iCalendar holiday import, as reviewed: the file of recurring events that never
occur is answered at once, and read off the server's event loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from podium.services import calendars
from tests.api.conftest import Cast

pytestmark = pytest.mark.db

URL = "/api/v1/calendars"

# 30 February, every day: the 519-byte file that held the server for ten seconds
NEVER = b"".join(
    b"BEGIN:VEVENT\r\nUID:%d@test\r\nDTSTART;VALUE=DATE:2027010%d\r\nSUMMARY:Never %d\r\n"
    b"RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n" % (n, n, n)
    for n in range(1, 5)
)
FILE = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + NEVER + b"END:VCALENDAR\r\n"


def test_a_file_of_rules_that_never_occur_is_read_off_the_event_loop(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    where: list[str] = []
    read = calendars.import_holiday_file

    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append("worker thread")
        return read(*args, **kwargs)

    monkeypatch.setattr(calendars, "import_holiday_file", watched)
    created = cast.admin.post(URL, json={"name": "Office"})
    assert created.status_code == 201, created.text
    files = {"file": ("never.ics", FILE, "text/calendar")}
    response = cast.manager.post(f"{URL}/{created.json()['id']}/holidays/import", files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["added"], body["already"]) == (0, 0)
    assert body["notes"] == [
        f"Never {n} from 2027-01-0{n} recurs on no day up to 2047-01-0{n}" for n in range(1, 5)
    ]
    assert where == ["worker thread"]
