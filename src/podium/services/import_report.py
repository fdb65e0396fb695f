"""What an import reports: how Podium's schedule compares with the dates the file stored.

Per task, the dates the file stored beside the dates Podium scheduled, the working days
between them (on the program's calendar) and, where they differ, why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.interop.imported import ImportedPlan
from podium.models import Program, Task
from podium.services.overview import program_calendar


@dataclass(frozen=True)
class DateDifference:
    """One task's dates in the file beside Podium's, in working days of difference."""

    task: str
    name: str
    file_start: date | None
    file_finish: date | None
    start: date | None
    finish: date | None
    start_days: int | None
    finish_days: int | None
    reason: str

    @property
    def matches(self) -> bool:
        return not self.start_days and not self.finish_days

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "name": self.name,
            "file_start": _iso(self.file_start),
            "file_finish": _iso(self.file_finish),
            "start": _iso(self.start),
            "finish": _iso(self.finish),
            "start_days": self.start_days,
            "finish_days": self.finish_days,
            "matches": self.matches,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    """What an import wrote and how Podium's schedule compares with the file's dates."""

    program_id: int
    program_key: str
    program_name: str
    format: str
    counts: dict[str, int]
    dates: list[DateDifference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    baseline_id: int | None = None

    @property
    def compared(self) -> int:
        return sum(1 for d in self.dates if d.file_start or d.file_finish)

    @property
    def matching(self) -> int:
        return sum(1 for d in self.dates if (d.file_start or d.file_finish) and d.matches)

    @property
    def matching_percent(self) -> float:
        return round(100.0 * self.matching / self.compared, 1) if self.compared else 100.0

    @property
    def differences(self) -> list[DateDifference]:
        return [d for d in self.dates if not d.matches]

    def as_dict(self) -> dict[str, Any]:
        return {
            "program_id": self.program_id,
            "program_key": self.program_key,
            "program_name": self.program_name,
            "format": self.format,
            "counts": self.counts,
            "baseline_id": self.baseline_id,
            "compared": self.compared,
            "matching": self.matching,
            "matching_percent": self.matching_percent,
            "notes": self.notes,
            "dates": [d.as_dict() for d in self.dates],
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _reason(note: str, task: Any, calendar_id: int | None, summaries: set[int]) -> str:
    if note:
        return note
    if task.id in summaries:
        return "summary task: its dates roll up from its subtasks"
    if task.constraint_type and str(task.constraint_type.value) != "asap":
        return f"constraint ({task.constraint_type.value})"
    if task.calendar_id is not None and task.calendar_id != calendar_id:
        return "calendar differs (the task has its own calendar)"
    return "scheduling rules differ (working time within days, leveling or rounding)"


def compare_dates(
    session: Session, program: Program, imported: ImportedPlan
) -> list[DateDifference]:
    """Per task of the file Podium has, its dates in the file beside Podium's, and why
    they differ."""
    calendar: WorkCalendar = program_calendar(session, program)
    rows = session.execute(
        select(
            Task.id,
            Task.key,
            Task.name,
            Task.early_start,
            Task.early_finish,
            Task.constraint_type,
            Task.calendar_id,
            Task.parent_id,
        ).where(Task.program_id == program.id)
    ).all()
    summaries = {r.parent_id for r in rows if r.parent_id is not None}
    by_key = {r.key: r for r in rows}
    found = [
        (key, stated, by_key[key]) for key, stated in imported.file_dates.items() if key in by_key
    ]
    starts = _slips(calendar, [(s.start, t.early_start) for _, s, t in found])
    finishes = _slips(calendar, [(s.finish, t.early_finish) for _, s, t in found])
    differences: list[DateDifference] = []
    for (key, stated, task), start_days, finish_days in zip(found, starts, finishes, strict=True):
        matches = not start_days and not finish_days
        differences.append(
            DateDifference(
                task=key,
                name=task.name,
                file_start=stated.start,
                file_finish=stated.finish,
                start=task.early_start,
                finish=task.early_finish,
                start_days=start_days,
                finish_days=finish_days,
                reason=""
                if matches
                else _reason(stated.note, task, program.calendar_id, summaries),
            )
        )
    return differences


def _slips(
    calendar: WorkCalendar, pairs: list[tuple[date | None, date | None]]
) -> list[int | None]:
    """Working days each scheduled day falls after the file's (``None`` when either is
    missing), in one vectorized count."""
    known = [(i, a, b) for i, (a, b) in enumerate(pairs) if a is not None and b is not None]
    out: list[int | None] = [None] * len(pairs)
    if known:
        counted = calendar.slip_array([a for _, a, _ in known], [b for _, _, b in known])
        for (i, _, _), n in zip(known, counted.tolist(), strict=True):
            out[i] = n
    return out
