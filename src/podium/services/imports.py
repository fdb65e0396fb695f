"""The one import path for plan files of every format (API, CLI and web use it alike).

``import_file`` detects the format (Microsoft Project XML, Primavera P6 XER,
CSV, the ``podium-plan`` JSON), refuses a file above ``MAX_IMPORT_BYTES``, reads
it with the format's reader, checks the resulting plan (every problem with its
location: a bad file writes nothing), imports it as a new program, takes the
baseline the file stored as a Podium baseline, reschedules, and reports per task
where Podium's dates differ from the dates the file stored, and why.

Readers are found in :data:`READERS` (format → ``module:function``), imported
only when used: a format whose reader is not installed is reported as such.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from podium.engine import WorkCalendar
from podium.errors import BadRequest, PayloadTooLarge, ValidationFailed, field_error
from podium.interop.csv_plan import read_csv_plan
from podium.interop.imported import MAX_IMPORT_BYTES, ImportedPlan, Problem
from podium.interop.plan_format import KEY_PATTERN, Plan, PlanError, nul_problems, read_plan
from podium.models import BaselineItem, Calendar, Program, Resource, Task
from podium.services.actor import Actor
from podium.services.baselines import take_baseline
from podium.services.date_window import in_window, window_message
from podium.services.overview import program_calendar
from podium.services.plans import import_plan
from podium.services.scheduling.pending import reschedule_pending


class Reader(Protocol):
    def __call__(self, data: bytes, *, limit: int = ...) -> ImportedPlan: ...


READERS: dict[str, str] = {
    "mspdi": "podium.interop.mspdi:read_mspdi",
    "xer": "podium.interop.xer:read_xer",
    "csv": "podium.interop.csv_plan:read_csv_plan",
}
FORMAT_NAMES = {
    "mspdi": "Microsoft Project XML",
    "xer": "Primavera P6 XER",
    "csv": "CSV",
    "podium-plan": "Podium plan (JSON)",
}
BASELINE_NAME = "Baseline from the imported file"
MAX_PROGRAM_NAME = 200  # characters, as the plan format and the database hold them


class ImportRefused(ValidationFailed):
    """A file that cannot be imported; ``details`` lists ``{"location", "message"}``."""

    code = "invalid_file"

    def __init__(self, problems: list[dict[str, str]], *, format: str = "") -> None:
        self.problems = problems
        first = problems[0] if problems else {"location": "", "message": "invalid file"}
        where = f"{first['location']}: " if first["location"] else ""
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        label = FORMAT_NAMES.get(format, "file")
        super().__init__(f"cannot import this {label}: {where}{first['message']}{more}")
        self.details = problems


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


def available_formats() -> list[str]:
    """The formats whose reader is installed (the plan format always is)."""
    return [name for name in READERS if _reader(name) is not None] + ["podium-plan"]


def _reader(name: str) -> Reader | None:
    module_name, _, function = READERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    reader = getattr(module, function, None)
    return reader if callable(reader) else None


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of a file, from its first bytes (and its name, for CSV)."""
    head = data[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "podium-plan"
    if head.startswith(b"ERMHDR"):
        return "xer"
    if head.startswith(b"<"):
        return "mspdi"
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("xml", "mspdi"):
        return "mspdi"
    if suffix == "xer":
        return "xer"
    if suffix == "json":
        return "podium-plan"
    return "csv"


def read_file(
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    limit: int = MAX_IMPORT_BYTES,
) -> ImportedPlan:
    """The file read by its format's reader (nothing written); refused when larger than
    ``limit`` bytes (an upload's limit unless said). ``mapping`` (field → column) is the
    columns chosen for a CSV file."""
    if len(data) > limit:
        raise PayloadTooLarge(
            f"the file is {len(data)} bytes; an import reads at most {limit} bytes"
        )
    chosen = format or detect_format(data, filename)
    if mapping is not None and chosen != "csv":
        raise field_error("mapping", f"a {FORMAT_NAMES.get(chosen, 'file')} has no columns to map")
    if chosen == "podium-plan":
        try:
            plan = read_plan(data)
        except PlanError as exc:
            return ImportedPlan(
                format=chosen, problems=[Problem(p["location"], p["message"]) for p in exc.problems]
            )
        return ImportedPlan(format=chosen, document=plan.model_dump(mode="json", by_alias=True))
    if chosen not in READERS:
        known = ", ".join([*READERS, "podium-plan"])
        raise BadRequest(f"unknown format {chosen!r}: use one of {known}")
    reader = _reader(chosen)
    if reader is None:
        raise BadRequest(f"this Podium cannot read {FORMAT_NAMES[chosen]} files yet")
    try:
        if chosen == "csv":
            return read_csv_plan(data, mapping, limit=limit)
        return reader(data, limit=limit)
    except (ValueError, OverflowError) as exc:
        # the readers locate what they check; a value none of them expected ends here
        problem = Problem("", f"the file holds a value that cannot be read: {exc}")
        return ImportedPlan(format=chosen, problems=[problem])


def _free_names(session: Session, document: dict[str, Any], key: str) -> list[str]:
    """Rename the file's calendars that clash with different stored ones, and give its
    resources ids: a stored resource's key when exactly one stored resource has the same
    name (the person the organisation already has: their load across programs stays one
    picture), else a new id of this program (a file's resource ids mean nothing across
    files). Returns notes naming the resources reused."""
    calendars = document.get("calendars", [])
    names = [c["name"] for c in calendars]
    stored = {c.name: c for c in session.scalars(select(Calendar).where(Calendar.name.in_(names)))}
    renamed: dict[str, str] = {}
    for calendar in calendars:
        existing = stored.get(calendar["name"])
        if existing is None:
            continue
        same = (
            existing.weekmask
            == "".join(
                "1" if d in calendar["workdays"] else "0"
                for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            )
            and _stored_dates(existing.holidays) == _file_dates(calendar.get("holidays"))
            and _stored_dates(existing.extra_workdays)
            == _file_dates(calendar.get("extra_workdays"))
        )
        if not same:
            new = f"{calendar['name']} ({key})"[:100]
            taken = session.scalar(select(Calendar.id).where(Calendar.name == new))
            number = 2
            while taken is not None or new in names:
                new = f"{calendar['name']} ({key} {number})"[:100]
                taken = session.scalar(select(Calendar.id).where(Calendar.name == new))
                number += 1
            renamed[calendar["name"]] = new
            calendar["name"] = new
    program = document["program"]
    if program.get("calendar") in renamed:
        program["calendar"] = renamed[program["calendar"]]
    for item in [*document.get("tasks", []), *document.get("resources", [])]:
        if item.get("calendar") in renamed:
            item["calendar"] = renamed[item["calendar"]]
    resources = document.get("resources", [])
    same_name = _stored_by_name(session, [r.get("name") or "" for r in resources])
    ids: dict[str, str] = {}
    reused: set[str] = set()
    notes: list[str] = []
    for r in resources:
        match = same_name.get((r.get("name") or "").strip().lower())
        if match is not None and match.key not in reused:
            ids[r["id"]] = match.key
            reused.add(match.key)
            notes.append(f"resource {r.get('name')!r} is the stored resource {match.key!r}: reused")
        else:
            ids[r["id"]] = f"{key}-{r['id']}"[:40]
    new_ids = [i for i in ids.values() if i not in reused]
    stored_keys = set(session.scalars(select(Resource.key).where(Resource.key.in_(new_ids))))
    for resource in resources:
        resource["id"] = ids[resource["id"]]
        if resource["id"] in stored_keys:
            raise ImportRefused(
                [{"location": "", "message": f"a resource {resource['id']!r} already exists"}]
            )
    for assignment in document.get("assignments", []):
        assignment["resource"] = ids.get(assignment["resource"], assignment["resource"])
    return notes


def _stored_dates(entries: list[dict[str, Any]] | None) -> set[str]:
    """The dates of a stored calendar's holidays or extra working days."""
    return {str(e["date"]) for e in entries or []}


def _file_dates(entries: list[Any] | None) -> set[str]:
    """The dates of a plan document's holidays or extra working days (each a date, or
    ``{"date", "name"}``)."""
    return {str(e["date"]) if isinstance(e, dict) else str(e) for e in entries or []}


def _stored_by_name(session: Session, names: list[str]) -> dict[str, Resource]:
    """Stored resources by lower-case name, for names exactly one stored resource has."""
    wanted = {n.strip().lower() for n in names if n.strip()}
    if not wanted:
        return {}
    found: dict[str, list[Resource]] = {}
    for resource in session.scalars(select(Resource).where(func.lower(Resource.name).in_(wanted))):
        found.setdefault(resource.name.strip().lower(), []).append(resource)
    return {name: hits[0] for name, hits in found.items() if len(hits) == 1}


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


def _compare(session: Session, program: Program, imported: ImportedPlan) -> list[DateDifference]:
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


def _given_dates(plan: Plan) -> list[tuple[str, date | None]]:
    """Every date the plan gives (not the ones a scheduler computes), with its path."""
    program = plan.program
    found: list[tuple[str, date | None]] = [
        ("program.start", program.start),
        ("program.status_date", program.status_date),
        ("program.goal.target_date", program.goal.target_date if program.goal else None),
    ]
    for i, calendar in enumerate(plan.calendars):
        found += [
            (f"calendars[{i}].holidays[{j}]", h.date) for j, h in enumerate(calendar.holidays)
        ]
        found += [
            (f"calendars[{i}].extra_workdays[{j}]", e.date)
            for j, e in enumerate(calendar.extra_workdays)
        ]
    for i, task in enumerate(plan.tasks):
        found += [
            (f"tasks[{i}].constraint.date", task.constraint.date if task.constraint else None),
            (f"tasks[{i}].deadline", task.deadline),
            (f"tasks[{i}].actual_start", task.actual_start),
            (f"tasks[{i}].actual_finish", task.actual_finish),
            (f"tasks[{i}].leveled_start", task.leveled_start),
        ]
    found += [(f"milestones[{i}].target", m.target) for i, m in enumerate(plan.milestones)]
    for i, resource in enumerate(plan.resources):
        for j, period in enumerate(resource.time_off):
            found += [
                (f"resources[{i}].time_off[{j}].start", period.start),
                (f"resources[{i}].time_off[{j}].finish", period.finish),
            ]
    return found


def window_problems(plan: Plan) -> list[dict[str, str]]:
    """The plan's dates outside the window of plan dates (a year typed wrong), each at
    its place, all at once. A program start a reader took from a task's date is not
    listed again beside that task."""
    outside = [(path, day) for path, day in _given_dates(plan) if day and not in_window(day)]
    elsewhere = {day for path, day in outside if path != "program.start"}
    return [
        {"location": path, "message": window_message(day)}
        for path, day in outside
        if path != "program.start" or day not in elsewhere
    ]


def _take_file_baseline(
    session: Session, actor: Actor, program: Program, imported: ImportedPlan
) -> int | None:
    if not imported.baseline:
        return None
    baseline = take_baseline(
        session,
        actor,
        program.id,
        name=BASELINE_NAME,
        description=f"The baseline stored in the {FORMAT_NAMES.get(imported.format, 'file')}.",
    )
    rows = [
        {
            "_baseline": baseline.id,
            "_key": key,
            "start": kept.start,
            "finish": kept.finish,
            "cost": kept.cost,
        }
        for key, kept in imported.baseline.items()
    ]
    table = BaselineItem.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.baseline_id == bindparam("_baseline"), table.c.key == bindparam("_key"))
        .values(start=bindparam("start"), finish=bindparam("finish"), cost=bindparam("cost")),
        rows,
    )
    starts = [k.start for k in imported.baseline.values() if k.start]
    finishes = [k.finish for k in imported.baseline.values() if k.finish]
    if starts and finishes:
        baseline.start, baseline.finish = min(starts), max(finishes)
    return baseline.id


def import_file(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    key: str | None = None,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    limit: int = MAX_IMPORT_BYTES,
) -> ImportReport:
    """Import a plan file as a new program (checked first: a bad file writes nothing),
    then report how Podium's schedule compares with the dates the file stored."""
    imported = read_file(data, filename=filename, format=format, mapping=mapping, limit=limit)
    if imported.problems:
        raise ImportRefused([p.as_dict() for p in imported.problems], format=imported.format)
    document = imported.document
    if nul := nul_problems(document):  # before any text is looked up in the database
        raise ImportRefused(imported.locate(nul), format=imported.format)
    if key:
        if not re.fullmatch(KEY_PATTERN, key):
            message = "a letter, then up to 19 letters, digits, - or _"
            raise ImportRefused([{"location": "key", "message": message}])
        document["program"]["key"] = key
    if name:
        if len(name) > MAX_PROGRAM_NAME:
            message = f"at most {MAX_PROGRAM_NAME} characters, not {len(name)}"
            raise ImportRefused([{"location": "name", "message": message}])
        document["program"]["name"] = name
    program_key = document["program"]["key"]
    notes = list(imported.notes)
    if imported.format != "podium-plan":
        notes += _free_names(session, document, program_key)
    try:
        plan = read_plan(document)  # what the readers hand over, checked as any plan file
    except PlanError as exc:
        raise ImportRefused(imported.locate(exc.problems), format=imported.format) from None
    if outside := window_problems(plan):
        raise ImportRefused(imported.locate(outside), format=imported.format)
    program = import_plan(session, actor, plan)
    reschedule_pending(session)
    session.refresh(program)
    baseline_id = _take_file_baseline(session, actor, program, imported)
    counts = {
        "projects": len(plan.projects),
        "tasks": len(plan.tasks),
        "milestones": len(plan.milestones),
        "dependencies": len(plan.dependencies),
        "calendars": len(plan.calendars),
        "resources": len(plan.resources),
        "assignments": len(plan.assignments),
    }
    return ImportReport(
        program_id=program.id,
        program_key=program.key,
        program_name=program.name,
        format=imported.format,
        counts=counts,
        dates=_compare(session, program, imported),
        notes=notes,
        baseline_id=baseline_id,
    )
