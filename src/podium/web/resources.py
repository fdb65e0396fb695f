"""A program's Resources tab: the load heatmap, its drill-down, and leveling.

The heatmap is a server-rendered table (one row per resource, one column per
week or month): each cell is a link to the drill-down of that resource and
period, which ``static/resources.js`` loads in place with HTMX. Managers and
owners preview a leveling (nothing is saved, as with an impact analysis), then
apply it with the preview's schedule token, or clear the holds.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.engine.calendar import shifted
from podium.errors import Conflict, NotFound, ValidationFailed
from podium.models import Program, Role
from podium.services.actor import require_role
from podium.services.programs import get_program
from podium.services.resources import holds, leveling, load
from podium.services.resources.catalog import MAX_ID
from podium.services.resources.leveling import MAX_TIME_LIMIT
from podium.services.resources.previews import LevelingOutcome, Method
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import GENERAL, Errors, done, field_value
from podium.web.templating import format_number, is_htmx, render

router = APIRouter(include_in_schema=False)

PeriodName = Literal["week", "month"]
PeriodParam = Annotated[PeriodName, Query()]
BUSY, FULL = 0.8, 1.0
DONE_MESSAGES = {
    "applied": "Leveling applied: the delayed tasks hold their leveled start until the "
    "program is leveled again or the holds are cleared.",
    "cleared": "Leveling cleared: every task is back to its earliest start.",
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


def _level_values(form: Any = None) -> dict[str, str]:
    values = {"method": "heuristic", "time_limit": ""}
    if form is not None:
        values.update({name: field_value(form, name) for name in values})
    return values


def _page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program: Program,
    period: PeriodName,
    *,
    flash: str = "",
) -> Response:
    role = require_role(db, viewer.actor, program.id, Role.VIEWER)
    view = load.program_resource_load(db, viewer.actor, program.id, period=period)
    for item in view["resources"]:
        item["peak"] = item.pop("peak_utilization")
    columns, rows = heatmap(view, period)
    overloads = [
        {"resource": item["resource"], **o} for item in view["resources"] for o in item["overloads"]
    ]
    overloads.sort(key=lambda o: (o["start"], o["resource"]["name"]))
    context = {
        "program": program,
        "period": period,
        "view": view,
        "columns": columns,
        "rows": rows,
        "overloads": overloads,
        "can_level": role.rank >= Role.MANAGER.rank,
        "level_values": _level_values(),
        "level_errors": {},
        "max_time_limit": MAX_TIME_LIMIT,
        "flash": flash,
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
) -> Response:
    """Load per resource per week (or month), the over-allocations, and leveling."""
    program = get_program(db, viewer.actor, program_id)
    return _page(request, db, viewer, program, period, flash=DONE_MESSAGES.get(done_ or "", ""))


@router.get("/programs/{program_id}/resources/cell", name="program-resources-cell")
def resource_cell(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    resource: Annotated[int, Query(ge=1, le=MAX_ID)],
    start: Annotated[date, Query()],
    period: PeriodParam = "week",
) -> Response:
    """One resource in one period: its tasks in every program the viewer sees, and the
    over-allocated days."""
    program = get_program(db, viewer.actor, program_id)
    finish = period_end(start, period)
    view = load.one_resource_load(
        db, viewer.actor, resource, period=period, start=start, finish=finish
    )
    tasks = [t for t in view["tasks"] if t["start"] <= finish and t["finish"] >= start]
    tasks.sort(key=lambda t: (t["program_id"] != program.id, t["start"], t["key"]))
    bucket = view["buckets"][0] if view["buckets"] else None
    overloads = [o for o in view["overloads"] if o["start"] <= finish and o["finish"] >= start]
    context = {
        "program": program,
        "resource": view["resource"],
        "start": start,
        "finish": finish,
        "label": period_label(start, period),
        "bucket": bucket,
        "tasks": tasks,
        "overloads": overloads,
        "hidden": sum(o["hidden_tasks"] for o in overloads),
        "period": period,
    }
    template = "resources/_cell.html" if is_htmx(request) else "resources/cell.html"
    return render(request, template, context)


# --- leveling ------------------------------------------------------------------------


def _level_form(form: Any) -> tuple[Method, float | None, Errors]:
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
                errors["time_limit"] = f"Between 0 and {format_number(MAX_TIME_LIMIT)} seconds."
    return method, limit, errors


def _level_result(
    request: Request,
    program: Program,
    *,
    outcome: LevelingOutcome | None = None,
    values: dict[str, str],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "program": program,
        "outcome": outcome,
        "level_values": values,
        "level_errors": errors or {},
        "max_time_limit": MAX_TIME_LIMIT,
    }
    return render(request, "resources/_level.html", context, status_code=status_code)


@router.post("/programs/{program_id}/resources/level", name="program-resources-level")
def preview_leveling(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """What leveling would move (managers); nothing is saved."""
    program = get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    values = _level_values(form)
    method, limit, errors = _level_form(form)
    if errors:
        return _level_result(request, program, values=values, errors=errors, status_code=422)
    try:
        outcome = leveling.level_program(
            db, viewer.actor, program_id, method=method, time_limit=limit
        )
    except (Conflict, ValidationFailed) as exc:
        db.rollback()
        return _level_result(
            request, program, values=values, errors={GENERAL: exc.message}, status_code=exc.status
        )
    done(db)  # a preview changes no plan; it is kept so that applying it stores exactly it
    return _level_result(request, program, outcome=outcome, values=values)


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
    values = _level_values(form)
    method, limit, errors = _level_form(form)
    token = field_value(form, "schedule_token") or None
    preview = field_value(form, "preview_id")
    preview_id = int(preview) if preview.isdigit() else None
    if errors or token is None:
        errors[GENERAL] = errors.get(GENERAL, "Preview the leveling before applying it.")
        return _level_result(request, program, values=values, errors=errors, status_code=422)
    try:
        leveling.level_program(
            db,
            viewer.actor,
            program_id,
            method=method,
            time_limit=limit,
            apply=True,
            schedule_token=token,
            preview_id=preview_id,
        )
        done(db)
    except NotFound:
        db.rollback()
        message = "This preview is no longer kept (a newer one replaced it): preview again."
        return _level_result(
            request, program, values=values, errors={GENERAL: message}, status_code=409
        )
    except Conflict as exc:
        db.rollback()
        message = exc.message
        if exc.code == "schedule_changed":
            message = (
                "The plan changed since this preview (someone edited a task, a dependency "
                "or an assignment). Nothing was applied: preview the leveling again."
            )
        return _level_result(
            request, program, values=values, errors={GENERAL: message}, status_code=409
        )
    return _back(request, program_id, "applied")


@router.post("/programs/{program_id}/resources/level/clear", name="program-resources-clear")
def clear_leveling(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm
) -> Response:
    """Remove every leveling hold of the program (managers)."""
    get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    holds.clear_leveling(db, viewer.actor, program_id)
    done(db)
    return _back(request, program_id, "cleared")
