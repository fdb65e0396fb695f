"""The Plan exchange format (JSON): read, check, schedule and write a whole program.

``{"format": "podium-plan", "version": 1, ...}`` — documented for users in
``docs/plan-format.md`` with its JSON Schema in ``docs/plan-format.schema.json``
(regenerate with ``python -m podium.interop.plan_format > docs/plan-format.schema.json``).

:func:`read_plan` reports *every* problem at once, each with its location
(``tasks[3].duration``): unknown fields and wrong types, and a calendar's days that
clash (an extra working day listed twice or also a holiday), here; cross-references
(unknown project, calendar, parent, task, milestone or resource, duplicate ids,
bad assignments) in :mod:`.plan_checks` and :mod:`.plan_resources`.
:func:`plan_to_schedule_input` turns a plan into the engine's
:class:`~podium.engine.Network` and :func:`plan_to_leveling_input` into the
leveling engine's input; :func:`schedule_result_to_json` writes the schedule
back as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from podium.currency import checked_currency
from podium.engine import Activity, Link, Network, ScheduleResult, WorkCalendar
from podium.engine.leveling import LevelingInput, effective_network
from podium.engine.network import MAX_DURATION, MAX_LAG
from podium.errors import ValidationFailed
from podium.interop.plan_checks import cross_reference_problems
from podium.interop.plan_resources import Assignment, Resource, leveling_resources
from podium.interop.plan_text import (
    escaped_half,
    json_words,
    surrogate_problems,
    without_surrogates,
)
from podium.text import control_problem

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
NonNegative = Annotated[int, Field(ge=0)]
MAX_HOLIDAY_NAME = 200  # characters of a holiday's name


class PlanError(ValidationFailed):
    """A plan that cannot be read; ``problems`` lists ``{"location", "message"}``."""

    code = "invalid_plan"

    def __init__(
        self, problems: list[dict[str, str]], *, raw: dict[str, Any] | None = None
    ) -> None:
        self.problems = problems
        # the plan as read (JSON), when it was read far enough for every check to run:
        # an import lists its own checks of it with these problems
        self.raw = raw
        first = problems[0] if problems else {"location": "", "message": "invalid plan"}
        where = f"{first['location']}: " if first["location"] else ""
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"invalid plan: {where}{first['message']}{more}", details=problems)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Goal(_Model):
    """The program goal: move a measure from its baseline value to a target value by a date."""

    outcome: str
    measure: str = Field(max_length=200)
    unit: str = Field(default="", max_length=50)
    baseline_value: float | None = None
    target_value: float | None = None
    target_date: dt.date | None = None


KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,19}$"  # a program's or project's key, as in the API
MAX_TASKS = 100_000  # ten times the largest program measured in benchmarks/


class Program(_Model):
    """The program: its start date, default calendar and (optional) status date."""

    key: str = Field(
        pattern=KEY_PATTERN, description="A letter, then up to 19 letters, digits, _ or -."
    )
    name: str = Field(max_length=200)
    description: str = ""
    start: dt.date = Field(description="Earliest day any work may start.")
    calendar: str | None = Field(default=None, description="Default calendar (a calendars name).")
    status_date: dt.date | None = Field(
        default=None, description="Remaining work is scheduled on or after this day."
    )
    currency: str | None = Field(
        default=None,
        description="ISO 4217 code the amounts are in (EUR, USD…; any case); "
        "none: amounts without one.",
    )
    goal: Goal | None = None

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_currency(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # none, or a type strict checking names
        try:
            return checked_currency(value)
        except ValueError as exc:
            raise PydanticCustomError("currency", str(exc).replace("{", "(")) from None


def _day(text: str) -> dt.date:
    try:
        if len(text) != len("2027-05-31"):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("date_from_text", "Input should be a date (YYYY-MM-DD)") from None


class Holiday(_Model):
    """A day not worked: in the file a date (``"2027-05-31"``), or a date with a name
    (``{"date": "2027-05-31", "name": "Spring bank holiday"}``)."""

    date: dt.date
    name: str = Field(default="", max_length=MAX_HOLIDAY_NAME)

    @model_validator(mode="before")
    @classmethod
    def _from_date(cls, value: Any) -> Any:
        # a validator's output is checked as Python data, where a strict date is no text
        if isinstance(value, str):
            return {"date": _day(value)}
        if isinstance(value, dict) and isinstance(value.get("date"), str):
            return {**value, "date": _day(value["date"])}
        if isinstance(value, dict | Holiday):
            return value
        raise PydanticCustomError(
            "holiday_type", 'Input should be a date or {"date": ..., "name": ...}'
        )

    @model_serializer(mode="wrap")
    def _as_date(self, handler: SerializerFunctionWrapHandler) -> Any:
        return handler(self) if self.name else handler(self)["date"]


class ExtraWorkday(Holiday):
    """A day worked although the week leaves its weekday off (a Saturday worked for a
    cutover): in the file a date (``"2027-06-05"``), or a date with a name
    (``{"date": "2027-06-05", "name": "Cutover"}``)."""


def _date_or_holiday(schema: dict[str, Any]) -> None:
    """In the JSON Schema, a holiday (or an extra working day) is a date or a dated name
    (see :class:`Holiday`)."""
    schema["items"] = {"anyOf": [{"type": "string", "format": "date"}, schema["items"]]}


class Calendar(_Model):
    """A named working calendar: worked weekdays, holidays and extra working days."""

    name: str = Field(min_length=1, max_length=100)
    workdays: list[Weekday] = Field(default=["Mon", "Tue", "Wed", "Thu", "Fri"], min_length=1)
    holidays: list[Holiday] = Field(default=[], json_schema_extra=_date_or_holiday)
    extra_workdays: list[ExtraWorkday] = Field(
        default=[],
        json_schema_extra=_date_or_holiday,
        description="Days worked although the week leaves their weekday off; "
        "neither a holiday nor listed twice.",
    )


class Project(_Model):
    """A project of the program."""

    key: str = Field(
        pattern=KEY_PATTERN, description="A letter, then up to 19 letters, digits, _ or -."
    )
    name: str = Field(max_length=200)
    description: str = ""


class Constraint(_Model):
    """A date constraint (Microsoft Project's types); date is required unless the type is asap."""

    type: Literal["asap", "snet", "mso", "fnlt", "snlt", "fnet", "mfo"]
    date: dt.date | None = None


class Estimate(_Model):
    """A three-point estimate of the duration, in working days."""

    optimistic: float = Field(ge=0)
    most_likely: float = Field(ge=0)
    pessimistic: float = Field(ge=0)


class Task(_Model):
    """A task of a project; a task named as another task's parent is a summary task."""

    id: str = Field(min_length=1, max_length=40)
    project: str
    name: str = Field(max_length=300)
    description: str = ""
    duration: NonNegative = Field(le=MAX_DURATION, description="Working days; 0 makes a milestone.")
    parent: str | None = None
    calendar: str | None = None
    constraint: Constraint | None = None
    deadline: dt.date | None = None
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    percent_complete: float = Field(default=0, ge=0, le=100, description="Work done, 0 to 100.")
    estimate: Estimate | None = None
    budget: float = Field(default=0, ge=0, description="Planned cost (money).")
    actual_cost: float = Field(default=0, ge=0, description="Cost incurred so far (money).")
    effort_driven: bool = Field(
        default=False, description="The duration follows from the assignments' work and units."
    )
    leveled_start: dt.date | None = Field(
        default=None, description="A leveling hold: the task starts no earlier than this day."
    )


class Milestone(_Model):
    """A program milestone: reached when its predecessors (in any project) are done."""

    id: str = Field(min_length=1, max_length=40)
    name: str = Field(max_length=300)
    description: str = ""
    target: dt.date | None = Field(default=None, description="Target date (reported when missed).")


class Dependency(_Model):
    """A dependency from one task or milestone to another, with a lag in working days."""

    pred: str = Field(alias="from")
    to: str
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: int = Field(
        default=0,
        ge=-MAX_LAG,
        le=MAX_LAG,
        description="Working days (successor's calendar); < 0: a lead.",
    )


class Plan(_Model):
    """A whole program in one document."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
        title="Podium plan",
    )

    format: Literal["podium-plan"]
    version: Literal[1]
    program: Program
    calendars: list[Calendar] = []
    projects: list[Project] = []
    tasks: list[Task] = Field(default=[], max_length=MAX_TASKS)
    milestones: list[Milestone] = []
    dependencies: list[Dependency] = []
    resources: list[Resource] = []
    assignments: list[Assignment] = []


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] == KEY_PATTERN:
        return "a key is a letter, then up to 19 letters, digits, _ or -"
    return str(error["msg"])


class _Object(dict[str, Any]):
    """A JSON object as read, remembering the keys written in it more than once (JSON
    keeps the last value of such a key: the others would be lost without a word)."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.repeated: list[str] = []
        if len(self) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.repeated.append(key)
                seen.add(key)


def repeated_key_problems(node: Any, where: str = "") -> list[dict[str, str]]:
    """A problem at each object of a read plan that names one key twice."""
    problems: list[dict[str, str]] = []
    if isinstance(node, dict):
        for key in dict.fromkeys(getattr(node, "repeated", [])):
            problems.append({"location": where, "message": f"the field {key!r} is written twice"})
        for key, value in node.items():
            problems += repeated_key_problems(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            problems += repeated_key_problems(value, f"{where}[{index}]")
    return problems


MAX_DIGITS = 4_300  # Python's bound on reading a whole number from text (CVE-2020-10735)


class _TooManyDigits(ValueError):
    """A whole number of the JSON with more digits than Python reads (a plan holds none)."""

    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits.lstrip("-")

    def message(self, text: str) -> str:
        """The problem in words, with the number's line and column when it is found."""
        count = len(self.digits)
        found = re.search(rf"(?<![0-9]){re.escape(self.digits)}(?![0-9])", text)
        where = ""
        if found is not None:
            line = text.count("\n", 0, found.start()) + 1
            column = found.start() - text.rfind("\n", 0, found.start())
            where = f" at line {line} column {column}"
        return f"not a plan: a number{where} has {count:,} digits (at most {MAX_DIGITS:,} are read)"


def _whole_number(digits: str) -> int | float:
    """A whole number of the JSON; one of more than :data:`MAX_DIGITS` digits is refused
    in words (``int`` would raise a ValueError that reads as a crash). One beyond any
    float reads as infinity, which the checks of the raw plan pass over (a float of it
    would raise) and the schema refuses, as a number that is not finite, where it is."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _TooManyDigits(digits)
    number = int(digits)
    try:
        float(number)
    except OverflowError:
        return -math.inf if number < 0 else math.inf
    return number


TOO_DEEP = {"location": "", "message": "not a plan: its JSON is nested too deeply"}
# JSON that Python's reader reads and the schema's does not (none is known but depth)
UNREAD = {"location": "", "message": "not a plan: its JSON cannot be read"}


def read_plan(data: bytes | str | dict[str, Any]) -> Plan:
    """Parse and check a plan; raises :class:`PlanError` listing every problem."""
    if isinstance(data, dict):
        raw: Any = data
        text = json.dumps(data, default=str)
    else:
        if isinstance(data, bytes) and not data.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
            raise PlanError([{"location": "", "message": "the file is empty"}])  # marks at most
        try:
            text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        except UnicodeDecodeError as exc:
            message = (
                f"not UTF-8 text: byte {exc.start + 1} cannot be read (save the file as UTF-8)"
            )
            raise PlanError([{"location": "", "message": message}]) from None
        try:
            raw = json.loads(text, object_pairs_hook=_Object, parse_int=_whole_number)
        except json.JSONDecodeError as exc:
            if not text.strip():
                raise PlanError([{"location": "", "message": "the file is empty"}]) from None
            where = f"line {exc.lineno} column {exc.colno}"
            problem = {"location": "", "message": f"not JSON: {json_words(exc.msg)} ({where})"}
            raise PlanError([problem]) from None
        except _TooManyDigits as exc:
            problem = {"location": "", "message": exc.message(text)}
            raise PlanError([problem]) from None
        except RecursionError:
            raise PlanError([dict(TOO_DEEP)]) from None
    if not isinstance(raw, dict):
        raise PlanError([{"location": "", "message": "a plan is a JSON object"}])
    if raw.get("format") != "podium-plan":
        raise PlanError([{"location": "format", "message": 'must be "podium-plan"'}])
    if type(raw.get("version")) is not int or raw.get("version") != 1:
        message = f"unsupported version {raw.get('version')!r} (this Podium reads version 1)"
        raise PlanError([{"location": "version", "message": message}])
    tasks = raw.get("tasks")
    if isinstance(tasks, list) and len(tasks) > MAX_TASKS:  # refused before reading them all
        message = f"a plan holds at most {MAX_TASKS:,} tasks; this one has {len(tasks):,}"
        raise PlanError([{"location": "tasks", "message": message}])
    try:
        return _checked(raw, text)
    except RecursionError:  # nested deeper than any plan, in a part the reader passed
        raise PlanError([dict(TOO_DEEP)]) from None


def _checked(raw: dict[str, Any], text: str) -> Plan:
    """The plan of the JSON ``text`` (read as ``raw``), checked by the schema and the
    checks between its parts; raises :class:`PlanError` listing every problem."""
    problems = surrogate_problems(raw) if escaped_half(text) else []
    if problems:  # which the schema's JSON reader refuses for the whole file, unlocated
        text = json.dumps(without_surrogates(raw))
    plan = None
    try:
        plan = Plan.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        if any(e["type"] == "json_invalid" for e in errors):  # its reader's words, unlocated
            deep = any("recursion" in str(e.get("msg", "")) for e in errors)
            raise PlanError([dict(TOO_DEEP if deep else UNREAD)]) from None
        for error in errors:
            problems.append({"location": _location(error["loc"]), "message": _message(error)})
    problems += repeated_key_problems(raw)
    problems += calendar_day_problems(raw)
    problems += cross_reference_problems(raw)
    problems += control_problems(raw, nul_only=True)
    if problems or plan is None:
        raise PlanError(problems, raw=raw)
    return plan


def _entry_day(entry: Any) -> dt.date | None:
    """The date of a raw holiday or extra working day (a date, or ``{"date", ...}``);
    ``None`` for anything else (the schema reports it)."""
    day = entry.get("date") if isinstance(entry, dict) else entry
    if not isinstance(day, str) or len(day) != len("2027-05-31"):
        return None
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        return None


def calendar_day_problems(raw: dict[str, Any]) -> list[dict[str, str]]:
    """Every calendar's extra working day listed twice, or also a holiday, where it is
    (read tolerantly from the raw plan, so that these are listed with the schema's)."""
    problems: list[dict[str, str]] = []
    calendars = raw.get("calendars")
    for index, calendar in enumerate(calendars if isinstance(calendars, list) else []):
        if not isinstance(calendar, dict):
            continue
        where = f"calendars[{index}]"
        holidays, extra = calendar.get("holidays"), calendar.get("extra_workdays")
        off: dict[dt.date, int] = {}
        for at, entry in enumerate(holidays if isinstance(holidays, list) else []):
            day = _entry_day(entry)
            if day is not None:
                off.setdefault(day, at)
        seen: dict[dt.date, int] = {}
        for at, entry in enumerate(extra if isinstance(extra, list) else []):
            day = _entry_day(entry)
            if day is None:
                continue
            spot = f"{where}.extra_workdays[{at}]"
            if day in seen:
                message = f"{day} is already listed at {where}.extra_workdays[{seen[day]}]"
                problems.append({"location": spot, "message": message})
            elif day in off:
                message = (
                    f"{day} is also a holiday ({where}.holidays[{off[day]}]); a day cannot be both"
                )
                problems.append({"location": spot, "message": message})
            seen.setdefault(day, at)
    return problems


def control_problems(node: Any, where: str = "", *, nul_only: bool = False) -> list[dict[str, str]]:
    """Every text of a raw plan holding a NUL character (which PostgreSQL cannot store,
    nor even look up) or, unless ``nul_only``, another control character (an escape or a
    bell would reach terminals and files as a command, not text), where it is. Imports
    refuse both, as the API does; a plan only read (scheduled, or written out as another
    format, which drops what that format cannot hold) only NUL."""
    if isinstance(node, str):
        problem = control_problem(node)
        if problem is None or (nul_only and "\x00" not in node):
            return []
        return [{"location": where, "message": problem}]
    if isinstance(node, dict):
        items = [(f"{where}.{k}" if where else str(k), v) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(f"{where}[{i}]", v) for i, v in enumerate(node)]
    else:
        return []
    return [p for spot, value in items for p in control_problems(value, spot, nul_only=nul_only)]


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready dict (the inverse of :func:`read_plan`)."""
    return plan.model_dump(mode="json", by_alias=True)


def _calendars(plan: Plan) -> dict[str, WorkCalendar]:
    return {
        c.name: WorkCalendar.from_weekdays(
            c.workdays, [h.date for h in c.holidays], [e.date for e in c.extra_workdays]
        )
        for c in plan.calendars
    }


def _network(plan: Plan, calendars: dict[str, WorkCalendar], *, holds: bool) -> Network:
    default = calendars[plan.program.calendar] if plan.program.calendar else WorkCalendar()
    activities = [
        Activity(
            t.id,
            t.duration,
            calendar=t.calendar,
            parent=t.parent,
            group=t.project,
            constraint_type=t.constraint.type if t.constraint else "asap",
            constraint_date=t.constraint.date if t.constraint else None,
            deadline=t.deadline,
            actual_start=t.actual_start,
            actual_finish=t.actual_finish,
            percent_complete=t.percent_complete,
            not_before=t.leveled_start if holds else None,
        )
        for t in plan.tasks
    ]
    # a milestone no work leads to has no forecast (it only stands on the start or status
    # date): its target is not held against it, as the database's alerts do not
    fed = _fed_milestones(plan)
    activities += [
        Activity(
            m.id, 0, deadline=m.target if m.id in fed else None, reached_with_predecessors=True
        )
        for m in plan.milestones
    ]
    links = [Link(d.pred, d.to, d.type, d.lag) for d in plan.dependencies]
    return Network(
        plan.program.start,
        activities,
        links,
        calendars=calendars,
        default_calendar=default,
        status_date=plan.program.status_date,
    )


def _fed_milestones(plan: Plan) -> set[str]:
    """The ids of the milestones some dependency leads to (the others are *unfed*)."""
    milestones = {m.id for m in plan.milestones}
    return {d.to for d in plan.dependencies if d.to in milestones}


def plan_to_leveling_input(plan: Plan, *, holds: bool = True) -> LevelingInput:
    """The leveling engine's input for ``plan``: its network (milestone targets as
    deadlines, for the milestones some dependency leads to; each task's
    ``leveled_start`` as a hold unless ``holds`` is false, to level afresh; every task
    with resources on the working days its calendar and its resources' calendars
    share), its resources on their calendars (the named calendar less time off) and its
    assignments. Raises the engine's
    :class:`~podium.engine.leveling.InvalidResources` for a task whose calendars share
    no working day."""
    calendars = _calendars(plan)
    resources, assignments = leveling_resources(plan.resources, plan.assignments, calendars)
    network = effective_network(_network(plan, calendars, holds=holds), resources, assignments)
    return LevelingInput(network, resources, assignments)


def plan_to_schedule_input(plan: Plan, *, holds: bool = True) -> Network:
    """The engine's network for ``plan``, ready to schedule: tasks and milestones (whose
    targets are deadlines, unless no dependency leads to them), leveling holds, and
    resources' calendars (see :func:`plan_to_leveling_input`)."""
    return plan_to_leveling_input(plan, holds=holds).network


def schedule_result_to_json(plan: Plan, result: ScheduleResult) -> dict[str, Any]:
    """The schedule of ``plan`` as JSON: dates per task and milestone, the program's
    start, finish and critical path."""

    def row(activity_id: str) -> dict[str, Any]:
        r = result[activity_id]
        return {
            "id": r.id,
            "early_start": r.early_start.isoformat(),
            "early_finish": r.early_finish.isoformat(),
            "late_start": r.late_start.isoformat(),
            "late_finish": r.late_finish.isoformat(),
            "total_float": r.total_float,
            "free_float": r.free_float,
            "is_critical": r.is_critical,
        }

    tasks = [
        {**row(t.id), "project": t.project, "deadline_missed": result[t.id].deadline_missed}
        for t in plan.tasks
    ]
    fed = _fed_milestones(plan)
    milestones = [
        {
            **row(m.id),
            "target": _iso(m.target),
            "target_missed": result[m.id].deadline_missed,
            "fed": m.id in fed,
        }
        for m in plan.milestones
    ]
    return {
        "format": "podium-schedule",
        "version": 1,
        "program": {
            "key": plan.program.key,
            "start": result.start.isoformat(),
            "finish": result.finish.isoformat(),
            "status_date": _iso(plan.program.status_date),
            "critical_path": list(result.critical_path),
            "critical_paths": [list(p) for p in result.critical_paths],
            "near_critical": list(result.near_critical),
        },
        "tasks": tasks,
        "milestones": milestones,
        "conflicts": [
            {"activity": c.activity, "kind": c.kind, "days": c.days, "message": c.message}
            for c in result.conflicts
        ],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema of the plan format (as published in docs/plan-format.schema.json)."""
    return Plan.model_json_schema(by_alias=True)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n")
