"""iCalendar (RFC 5545) feeds: plain events in, a ``VCALENDAR`` document out.

Every event carries a UID that stays the same for the same record
(``milestone-12@podium``: the record's kind and id, nothing that can be renamed),
so a subscribed calendar updates an event instead of adding a second one;
SEQUENCE grows with the record's version and with each move of its scheduled
dates, LAST-MODIFIED is when the latest of those happened (when the event's
information was last revised), and DTSTAMP is when the feed was generated (a
published feed's objects are made then).
All-day events end on the day *after* their last day, as RFC 5545 has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Podium//Program feeds//EN"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One event: all-day from ``start`` to ``last_day``, or timed from ``start_at``."""

    uid: str
    summary: str
    start: date
    last_day: date | None = None
    start_at: datetime | None = None
    minutes: int = 60
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()
    sequence: int = 0
    modified: datetime | None = None  # LAST-MODIFIED: moves whenever ``sequence`` grows


UID_DOMAIN = "podium"


def uid(kind: str, record_id: int | str) -> str:
    """The stable UID of one record's event: ``<kind>-<id>@podium``. Ids are never given
    twice, and nothing in the UID can be renamed (a program's key can), so the event of
    a record keeps its UID for good."""
    return f"{kind}-{record_id}@{UID_DOMAIN}"


def build_calendar(name: str, events: list[FeedEvent], *, generated_at: datetime) -> bytes:
    """The feed as iCalendar bytes (CRLF line ends, folded lines)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", " ".join(name.split()))  # one line, whatever the name holds
    for item in sorted(events, key=lambda e: (e.start, e.uid)):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", generated_at)
        event.add("summary", item.summary)
        if item.start_at is not None:
            event.add("dtstart", item.start_at)
            event.add("dtend", item.start_at + timedelta(minutes=item.minutes))
        else:
            event.add("dtstart", item.start)
            event.add("dtend", (item.last_day or item.start) + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("sequence", max(item.sequence, 0))
        if item.modified is not None:
            event.add("last-modified", item.modified)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.categories:
            event.add("categories", list(item.categories))
        calendar.add_component(event)
    document: bytes = calendar.to_ical()
    return document
