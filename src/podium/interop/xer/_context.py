"""What the XER reader carries from one table to the next: problems, notes, typed fields."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from podium.interop.imported import Problem
from podium.interop.xer._tables import Row, Tables

PROGRAM_KEY = re.compile(r"[^A-Za-z0-9_-]+")
RESOURCE_KEY = re.compile(r"[^A-Za-z0-9_.@-]+")
_DIGITS = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?")  # a number written out in digits


@dataclass
class Calendar:
    """A calendar of the file as the plan will hold it."""

    name: str
    hours_per_day: float
    workdays: list[str]
    holidays: list[date]
    extra_workdays: list[date] = field(default_factory=list)  # worked on a day off of the week


@dataclass
class Context:
    """The file's tables and what reading them found."""

    tables: Tables
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rounded: list[str] = field(default_factory=list)  # "A1000 2.5 d → 3 d"
    origins: dict[str, str] = field(default_factory=dict)  # "tasks[3]" → its row's where()
    # the fields already found unreadable (table, row, field): a field read twice (an
    # activity's planned hours give its duration and its progress) is listed once
    unreadable: set[tuple[str, int, str]] = field(default_factory=set)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def _unreadable(self, row: Row, name: str, message: str) -> None:
        """A field that cannot be read, listed the first time only."""
        spot = (row.table, row.number, name)
        if spot not in self.unreadable:
            self.unreadable.add(spot)
            self.problem(row.where(_label(row)), message)

    def number(self, row: Row, name: str, default: float | None = 0.0) -> float | None:
        """A numeric field; empty gives ``default``; anything else not a number is a problem."""
        text = row.get(name)
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        shown = repr(text[:40]) + ("…" if len(text) > 40 else "")
        if math.isinf(value) and _DIGITS.fullmatch(text):  # digits past the largest float
            self._unreadable(row, name, f"{name} {shown} has too many digits to be read")
            return default
        if not math.isfinite(value):  # (float() reads "inf" and "nan" too)
            self._unreadable(row, name, f"{name} {shown} is not a number")
            return default
        return value

    def day(self, row: Row, name: str) -> date | None:
        """A date field (``2019-06-10 08:00``: the day is kept)."""
        text = row.get(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            shown = repr(text[:40]) + ("…" if len(text) > 40 else "")
            self._unreadable(row, name, f"{name} {shown} is not a date (YYYY-MM-DD)")
            return None


def _label(row: Row) -> str:
    return {
        "TASK": "task_code",
        "PROJECT": "proj_short_name",
        "CALENDAR": "clndr_name",
        "PROJWBS": "wbs_short_name",
        "RSRC": "rsrc_short_name",
    }.get(row.table, "")


def where(row: Row) -> str:
    """The row's location, named by its most readable field."""
    return row.where(_label(row))


def unique(text: str, used: set[str], *, size: int) -> str:
    """``text`` cut to ``size``, made unique among ``used`` (``-2``, ``-3``…) and recorded."""
    base = text[:size]
    key, n = base, 1
    while key.lower() in used:
        n += 1
        suffix = f"-{n}"
        key = base[: size - len(suffix)] + suffix
    used.add(key.lower())
    return key


def program_key(text: str, used: set[str]) -> str:
    """A program or project key (a letter, then letters, digits, ``_`` or ``-``)."""
    key = PROGRAM_KEY.sub("-", text).strip("-")
    if not key or not key[0].isalpha():
        key = "P" + key
    return unique(key, used, size=20)


def resource_key(text: str, used: set[str]) -> str:
    """A resource key (letters, digits, ``_ . @ -``)."""
    key = RESOURCE_KEY.sub("-", text).strip("-.") or "R"
    return unique(key, used, size=40)
