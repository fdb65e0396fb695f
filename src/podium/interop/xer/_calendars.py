"""P6 calendar data (``CALENDAR.clndr_data``): a nested text of work weeks and exceptions.

``(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()((0||0(s|08:00|f|17:00)()))) …))
(0||Exceptions()((0||0(d|43650)()) …))))``: each node is ``(index||name(attributes)(children))``.
Days of the week are numbered 1 (Sunday) to 7 (Saturday) and work on a day is a list
of ``s|start|f|finish`` periods; an exception is a day (``d|``: days since 1899-12-30)
with its own periods, none for a day off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

EPOCH = date(1899, 12, 30)
WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # P6 day 1 … 7


class CalendarDataError(ValueError):
    """clndr_data that cannot be read."""


@dataclass
class Node:
    name: str
    attributes: list[str]
    children: list[Node] = field(default_factory=list)

    def attribute(self, key: str) -> str | None:
        values = self.attributes
        for i in range(0, len(values) - 1, 2):
            if values[i].strip() == key:
                return values[i + 1].strip()
        return None

    def find(self, *names: str) -> Node | None:
        for child in self.children:
            if child.name in names:
                return child
            found = child.find(*names)
            if found is not None:
                return found
        return None


@dataclass
class CalendarData:
    """A work week (hours per weekday, ``Mon``…``Sun``) and its exceptions."""

    week: dict[str, float] | None  # None: the data has no work week (a derived calendar)
    days_off: list[date] = field(default_factory=list)
    working_days: list[date] = field(default_factory=list)  # exceptions with work in them

    def workdays(self) -> list[str]:
        week = self.week or {}
        return [d for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun") if week.get(d, 0) > 0]


MAX_DEPTH = 20  # nodes within nodes: P6 writes five levels; more is no calendar


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = "".join(c for c in text if c >= " " and c != "\x7f")
        self.pos = 0
        self.depth = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _expect(self, char: str) -> None:
        self._skip()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            raise CalendarDataError(f"expected {char!r} at character {self.pos + 1}")
        self.pos += 1

    def _until(self, stop: str) -> str:
        end = self.text.find(stop, self.pos)
        if end < 0:
            raise CalendarDataError(f"expected {stop!r} after character {self.pos + 1}")
        value, self.pos = self.text[self.pos : end], end
        return value

    def node(self) -> Node:
        if self.depth >= MAX_DEPTH:  # a hostile nesting would exhaust the stack
            raise CalendarDataError(
                f"nested more than {MAX_DEPTH} levels deep at character {self.pos + 1}"
            )
        self.depth += 1
        self._expect("(")
        self._until("||")
        self.pos += 2
        name = self._until("(").strip()
        self.pos += 1
        attributes = self._until(")")
        self.pos += 1
        self._expect("(")
        children: list[Node] = []
        self._skip()
        while self.pos < len(self.text) and self.text[self.pos] == "(":
            children.append(self.node())
            self._skip()
        self._expect(")")
        self._expect(")")
        self.depth -= 1
        return Node(name, attributes.split("|") if attributes else [], children)


def _hours(period: Node) -> float:
    start, finish = period.attribute("s"), period.attribute("f")
    if start is None or finish is None:
        raise CalendarDataError("a work period without s| and f| times")
    try:
        h0, m0 = (int(x) for x in start.split(":")[:2])
        h1, m1 = (int(x) for x in finish.split(":")[:2])
    except ValueError:
        raise CalendarDataError(f"bad times {start[:40]!r}–{finish[:40]!r}") from None
    minutes = (h1 * 60 + m1) - (h0 * 60 + m0)
    return (minutes if minutes > 0 else minutes + 24 * 60) / 60


def parse_calendar_data(text: str) -> CalendarData:
    """The work week and exceptions of ``clndr_data``; raises :class:`CalendarDataError`."""
    if not text.strip():
        return CalendarData(None)
    root = _Parser(text).node()
    week_node = root.find("DaysOfWeek")
    week: dict[str, float] | None = None
    if week_node is not None:
        week = {}
        for day in week_node.children:
            if day.name.lstrip("0") not in ("1", "2", "3", "4", "5", "6", "7"):
                raise CalendarDataError(f"unknown day of the week {day.name[:40]!r}")
            week[WEEKDAYS[int(day.name) - 1]] = sum(_hours(p) for p in day.children)
    data = CalendarData(week)
    exceptions = root.find("Exceptions", "HolidayOrExceptions")
    for exception in exceptions.children if exceptions is not None else []:
        serial = exception.attribute("d")
        if serial is None or not serial.split(".")[0].isdecimal():
            raise CalendarDataError(f"an exception without a day number ({serial!r})")
        try:  # (a day number of thousands of digits is no int, of ten no date)
            when = EPOCH + timedelta(days=int(serial.split(".")[0]))
        except (ValueError, OverflowError):
            raise CalendarDataError(f"an exception on day {serial[:40]!r}, past any date") from None
        worked = sum(_hours(p) for p in exception.children)
        (data.working_days if worked > 0 else data.days_off).append(when)
    return data
