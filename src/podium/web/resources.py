"""A program's Resources tab: the load heatmap, its drill-down, and leveling.

The heatmap is a server-rendered table (one row per resource, one column per
week or month): each cell is a link to the drill-down of that resource and
period, which ``static/resources.js`` loads in place with HTMX. Managers and
owners preview a leveling (nothing is saved, as with an impact analysis), then
apply it with the preview's schedule token, or clear the holds.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import IsoDate, PathId
from podium.engine.calendar import shifted
from podium.errors import Conflict, NotFound, ValidationFailed
from podium.models import Program, ProgramStatus, Role
from podium.services.actor import require_role, visible_program_ids
from podium.services.programs import get_program
from podium.services.resources import catalog, holds, leveling, load
from podium.services.resources import demand as resource_demand
from podium.services.resources.catalog import MAX_ID
from podium.services.resources.leveling import MAX_TIME_LIMIT, MAX_WEIGHT, weight_choices
from podium.services.resources.leveling_outcome import LevelingOutcome, Method
from podium.services.scheduling.cache import current_network
from podium.web.form_errors import GENERAL, Errors, errors_of
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, whole_number
from podium.web.templating import format_number, is_htmx, render

router = APIRouter(include_in_schema=False)

PeriodName = Literal["week", "month"]
PeriodParam = Annotated[PeriodName, Query()]
BUSY, FULL = 0.8, 1.0
WEIGHT = "weights_"  # a leveling weight's field: this, then a project's or milestone's key
DONE_MESSAGES = {
    "cleared": "Leveling cleared: every task is back to its earliest start.",
    "nothing-cleared": "There were no leveling delays: nothing to clear.",
}


# --- the heatmap, as cells the template only prints ------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One resource in one period: demand against capacity, and how it reads."""

    start: date
    demand: float
    elsewhere: float
    capacity: float
    utilization: float | None
    over_days: int

    @property
    def level(self) -> str:
        """``empty``, ``off`` (no capacity), ``calm``, ``busy`` or ``over``."""
        if self.demand <= 0:
            return "off" if self.capacity <= 0 else "empty"
        if self.over_days > 0 or self.utilization is None or self.utilization > FULL + 1e-9:
            return "over"
        return "busy" if self.utilization >= BUSY - 1e-9 else "calm"

    @property
    def percent(self) -> str:
        if self.utilization is None:
            return "—" if self.demand <= 0 else "∞"
        return f"{round(self.utilization * 100)}"

    @property
    def elsewhere_share(self) -> int:
        """Width (percent of the cell) of the other programs' part."""
        return round(100 * self.elsewhere / self.demand) if self.demand > 0 else 0

    def describe(self, resource: str, period_label: str) -> str:
        """What the cell says, for its tooltip and screen readers."""
        parts = [
            f"{resource}, {period_label}: {_days(self.demand)} of {_days(self.capacity)} days"
            + (f" ({self.percent} %)" if self.utilization is not None else "")
        ]
        if self.elsewhere > 0:
            parts.append(f"{_days(self.elsewhere)} of {_days(self.demand)} days elsewhere")
        if self.over_days:
            parts.append(f"{self.over_days} over-allocated day{'s' * (self.over_days != 1)}")
        return "; ".join(parts)


def _days(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class Column:
    start: date
    label: str
    title: str
    first_of_month: bool


@dataclass(frozen=True, slots=True)
class Row:
    resource: dict[str, Any]
    cells: list[Cell]
    over_days: int
    peak: float | None


def _columns(starts: list[date], period: PeriodName) -> list[Column]:
    columns = []
    previous_month = None
    for start in starts:
        if period == "month":
            columns.append(Column(start, f"{start:%b %y}", f"{start:%B %Y}", True))
            continue
        first = (start.year, start.month) != previous_month
        previous_month = (start.year, start.month)
        columns.append(
            Column(start, f"{start.day} {start:%b}", f"week of {start.day} {start:%b %Y}", first)
        )
    return columns


def heatmap(view: dict[str, Any], period: PeriodName) -> tuple[list[Column], list[Row]]:
    """The columns and rows of the load of :func:`load.program_resource_load`."""
    rows = []
    starts: list[date] = []
    for item in view["resources"]:
        cells = [
            Cell(
                start=b["start"],
                demand=b["demand"],
                elsewhere=max(0.0, b.get("demand_elsewhere", 0.0)),
                capacity=b["capacity"],
                utilization=b["utilization"],
                over_days=b["over_allocated_days"],
            )
            for b in item["buckets"]
        ]
        if len(cells) > len(starts):
            starts = [c.start for c in cells]
        rows.append(Row(item["resource"], cells, item["over_allocated_days"], item["peak"]))
    return _columns(starts, period), rows


def period_end(start: date, period: PeriodName) -> date:
    if period == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return shifted(start, 6)


def period_label(start: date, period: PeriodName) -> str:
    if period == "month":
        return f"{start:%B %Y}"
    return f"week of {start.day} {start:%b %Y}"


# --- the page ------------------------------------------------------------------------


def _level_values(form: Any = None, choices: list[dict[str, str]] | None = None) -> dict[str, str]:
    values = {"method": "heuristic", "time_limit": ""}
    values.update({WEIGHT + c["key"]: "" for c in choices or []})
    if form is not None:
        values.update({name: field_value(form, name) for name in values})
    return values


def leveling_holds(db: Db, program_id: int) -> int:
    """How many of the program's tasks keep a leveled start (read from its network, which
    the load has just read too)."""
    network = current_network(db, program_id).network
    return sum(1 for a in network.activities if a.not_before is not None)


def done_message(done_: str | None, held: int) -> str:
    """What the page says after a leveling step; an apply counts the tasks it delayed
    (the holds the plan keeps now)."""
    if done_ != "applied":
        return DONE_MESSAGES.get(done_ or "", "")
    if not held:
        return "Leveling applied: no task needed to move."
    tasks = "1 task holds its" if held == 1 else f"{held} tasks hold their"
    return (
        f"Leveling applied: {tasks} leveled start until the program is leveled again or "
        "the holds are cleared."
    )


def _page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program: Program,
    period: PeriodName,
    *,
    start: date | None = None,
    done_: str | None = None,
    confirm_clear: bool = False,
) -> Response:
    role = require_role(db, viewer.actor, program.id, Role.VIEWER)
    view = load.program_resource_load(db, viewer.actor, program.id, period=period, start=start)
    for item in view["resources"]:
        item["peak"] = item.pop("peak_utilization")
    columns, rows = heatmap(view, period)
    overloads = [
        {"resource": item["resource"], **o} for item in view["resources"] for o in item["overloads"]
    ]
    overloads.sort(key=lambda o: (o["start"], o["resource"]["name"]))
    can_level = role.rank >= Role.MANAGER.rank
    # a closed program's plan stays as it was closed: nothing to clear there
    open_plan = program.status != ProgramStatus.CLOSED
    held = leveling_holds(db, program.id) if can_level and open_plan else 0
    names = [item["resource"]["name"] for item in view["resources"]]
    choices = weight_choices(db, program.id) if can_level and open_plan else []
    context = {
        "program": program,
        "period": period,
        "from_day": start,
        "view": view,
        "columns": columns,
        "rows": rows,
        "overloads": overloads,
        "can_level": can_level,
        "held_tasks": held,
        "confirm_clear": confirm_clear and held > 0,
        "shared_names": catalog.shared_names(db, names),
        "level_values": _level_values(choices=choices),
        "level_errors": {},
        "max_time_limit": MAX_TIME_LIMIT,
        "max_weight": MAX_WEIGHT,
        "weight_choices": choices,
        "flash": done_message(done_, held),
        "period_label": period_label,
    }
    return render(request, "resources/program.html", context)


@router.get("/programs/{program_id}/resources", name="program-resources")
def program_resources(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    period: PeriodParam = "week",
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
    confirm: Annotated[str | None, Query(max_length=20)] = None,
    start: Annotated[IsoDate | None, Query(description="show the load from this day on")] = None,
) -> Response:
    """Load per resource per week (or month), the over-allocations, and leveling; with
    ``confirm=clear``, the step that asks before the leveling holds are cleared. The load
    shows at most ten years at a time, from the first booking or from ``start``, with a
    link to the rest."""
    program = get_program(db, viewer.actor, program_id)
    return _page(
        request,
        db,
        viewer,
        program,
        period,
        start=start,
        done_=done_,
        confirm_clear=confirm == "clear",
    )


@router.get("/programs/{program_id}/resources/cell", name="program-resources-cell")
def resource_cell(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    resource: Annotated[int, Query(ge=1, le=MAX_ID)],
    start: Annotated[IsoDate, Query()],
    period: PeriodParam = "week",
) -> Response:
    """One resource in one period: its tasks in every program the viewer sees, and the
    over-allocated days."""
    program = get_program(db, viewer.actor, program_id)
    context = drill_down(db, viewer, resource, start, period, program_id=program.id)
    context["program"] = program
    template = "resources/_cell.html" if is_htmx(request) else "resources/cell.html"
    return render(request, template, context)


def drill_down(
    db: Db,
    viewer: Viewer,
    resource_id: int,
    start: date,
    period: PeriodName,
    *,
    program_id: int | None = None,
) -> dict[str, Any]:
    """What the drill-down of one resource in one period shows (on a program's page, with
    that program's tasks first): its tasks in every program the viewer sees, its
    over-allocated days, and the work of the period in programs the viewer cannot see."""
    finish = period_end(start, period)
    view = load.one_resource_load(
        db, viewer.actor, resource_id, period=period, start=start, finish=finish
    )
    tasks = [t for t in view["tasks"] if t["start"] <= finish and t["finish"] >= start]
    tasks.sort(key=lambda t: (t["program_id"] != program_id, t["start"], t["key"]))
    overloads = [o for o in view["overloads"] if o["start"] <= finish and o["finish"] >= start]
    hidden, hidden_days = (0, 0.0)
    if view["hidden_tasks"]:
        hidden, hidden_days = _hidden_work(db, viewer, resource_id, start, finish)
    name = view["resource"]["name"]
    return {
        "resource": view["resource"],
        "show_key": bool(catalog.shared_names(db, [name])),
        "start": start,
        "finish": finish,
        "label": period_label(start, period),
        "bucket": view["buckets"][0] if view["buckets"] else None,
        "tasks": tasks,
        "overloads": overloads,
        "hidden": hidden,
        "hidden_days": hidden_days,
        "period": period,
    }


def _hidden_work(
    db: Db, viewer: Viewer, resource_id: int, start: date, finish: date
) -> tuple[int, float]:
    """The tasks of programs the viewer cannot see that book the resource between
    ``start`` and ``finish``, and the unit-days they ask of it there: they count in the
    load, and the drill-down says how much without naming them."""
    seen = visible_program_ids(db, viewer.actor)
    if seen is None:
        return 0, 0.0
    visible = set(seen)
    demand = resource_demand.gather_demand(db, [resource_id])
    bookings = [
        b
        for b in demand.bookings
        if b.start <= finish
        and b.finish >= start
        and demand.tasks[b.task].program_id not in visible
    ]
    if not bookings:
        return 0, 0.0
    part = resource_demand.compute(replace(demand, bookings=bookings), start=start, finish=finish)
    return len(bookings), round(float(part.demand.sum()), 3)


# --- leveling ------------------------------------------------------------------------


def _level_form(
    form: Any, shown: Collection[str]
) -> tuple[Method, float | None, dict[str, int], Errors]:
    """The method, time limit and weights (key → weight; blank and 0 left out) of a
    leveling form, and what is wrong with them by field (of the ``shown`` fields; on top
    for the others)."""
    errors: Errors = {}
    raw_method = field_value(form, "method") or "heuristic"
    method: Method = "optimal" if raw_method == "optimal" else "heuristic"
    if raw_method not in ("heuristic", "optimal"):
        errors["method"] = "Choose heuristic or optimal."
    raw_limit = field_value(form, "time_limit")
    limit: float | None = None
    if raw_limit:
        try:
            limit = float(raw_limit)
        except ValueError:
            errors["time_limit"] = "Enter a number of seconds."
        else:
            if not 0 < limit <= MAX_TIME_LIMIT:
                errors["time_limit"] = (
                    f"More than 0 and at most {format_number(MAX_TIME_LIMIT)} seconds."
                )
    weights: dict[str, int] = {}
    for name in form:
        raw = field_value(form, name) if name.startswith(WEIGHT) else ""
        if not raw:
            continue
        weight = whole_number(raw)
        if weight is None:
            negative = raw.startswith("-") and whole_number(raw[1:]) is not None
            errors[name] = "Must be 0 or more." if negative else "Enter a whole number."
        elif weight > MAX_WEIGHT:
            errors[name] = f"Must be at most {format_number(MAX_WEIGHT)}."
        elif weight:
            weights[name.removeprefix(WEIGHT)] = weight
    for name in [n for n in errors if n.startswith(WEIGHT) and n not in shown]:
        # a project or milestone gone since the form was drawn: its field is gone too
        errors.setdefault(GENERAL, f"Weight of {name.removeprefix(WEIGHT)}: {errors.pop(name)}")
    if weights and method != "optimal" and "method" not in errors:
        errors["method"] = (
            "Weights count with the optimal method only: choose it, or leave the weights blank."
        )
    return method, limit, weights, errors


def _level_result(
    request: Request,
    program: Program,
    *,
    choices: list[dict[str, str]],
    outcome: LevelingOutcome | None = None,
    weights: dict[str, int] | None = None,
    values: dict[str, str],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "program": program,
        "outcome": outcome,
        "weights": weights or {},
        "level_values": values,
        "level_errors": errors or {},
        "max_time_limit": MAX_TIME_LIMIT,
        "max_weight": MAX_WEIGHT,
        "weight_choices": choices,
    }
    return render(request, "resources/_level.html", context, status_code=status_code)


@router.post("/programs/{program_id}/resources/level", name="program-resources-level")
def preview_leveling(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """What leveling would move (managers); nothing is saved."""
    program = get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    choices = weight_choices(db, program.id)
    values = _level_values(form, choices)
    method, limit, weights, errors = _level_form(form, values)
    if errors:
        return _level_result(
            request, program, choices=choices, values=values, errors=errors, status_code=422
        )
    try:
        outcome = leveling.level_program(
            db, viewer.actor, program_id, method=method, time_limit=limit, weights=weights or None
        )
    except Conflict as exc:
        db.rollback()
        return _level_result(
            request,
            program,
            choices=choices,
            values=values,
            errors={GENERAL: exc.message},
            status_code=exc.status,
        )
    except ValidationFailed as exc:  # a weight's key the program no longer has, on its field
        db.rollback()
        return _level_result(
            request,
            program,
            choices=choices,
            values=values,
            errors=errors_of(exc, values),
            status_code=exc.status,
        )
    done(db)  # a preview changes no plan; it is kept so that applying it stores exactly it
    return _level_result(
        request, program, choices=choices, outcome=outcome, weights=weights, values=values
    )


def _back(request: Request, program_id: int, what: str) -> Response:
    url = f"/programs/{program_id}/resources?done={what}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/programs/{program_id}/resources/level/apply", name="program-resources-apply")
def apply_leveling(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Apply the previewed leveling, unless the plan changed since the preview (409)."""
    program = get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    choices = weight_choices(db, program.id)
    values = _level_values(form, choices)
    method, limit, weights, errors = _level_form(form, values)
    token = field_value(form, "schedule_token") or None
    preview = field_value(form, "preview_id")
    preview_id = int(preview) if preview.isdecimal() and len(preview) <= 12 else None
    if errors or (token is None and preview_id is None):
        errors[GENERAL] = errors.get(GENERAL, "Preview the leveling before applying it.")
        return _level_result(
            request, program, choices=choices, values=values, errors=errors, status_code=422
        )
    try:
        if preview_id is not None:  # the kept preview, as it was computed
            leveling.level_program(db, viewer.actor, program_id, apply=True, preview_id=preview_id)
        else:
            leveling.level_program(
                db,
                viewer.actor,
                program_id,
                method=method,
                time_limit=limit,
                weights=weights or None,
                apply=True,
                schedule_token=token,
            )
        done(db)
    except NotFound:
        db.rollback()
        message = "This preview is no longer kept (a newer one replaced it): preview again."
        return _level_result(
            request,
            program,
            choices=choices,
            values=values,
            errors={GENERAL: message},
            status_code=409,
        )
    except Conflict as exc:
        db.rollback()
        message = exc.message
        if exc.code == "schedule_changed":
            message = f"Nothing was applied: {exc.message[:1].lower()}{exc.message[1:]}."
        return _level_result(
            request,
            program,
            choices=choices,
            values=values,
            errors={GENERAL: message},
            status_code=409,
        )
    return _back(request, program_id, "applied")


@router.post("/programs/{program_id}/resources/level/clear", name="program-resources-clear")
def clear_leveling(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Remove every leveling hold of the program (managers)."""
    get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    cleared = holds.clear_leveling(db, viewer.actor, program_id)
    done(db)
    return _back(request, program_id, "cleared" if cleared else "nothing-cleared")
