"""A program's Resources tab: the load heatmap, its drill-down, and leveling.

The heatmap is a server-rendered table (one row per resource, one column per
week or month, its cells from :mod:`.resources_heatmap`): each cell is a link to
the drill-down of that resource and period, which ``static/resources.js`` loads
in place with HTMX. Managers and owners preview a leveling (nothing is saved, as
with an impact analysis), then apply it with the preview's schedule token, or
clear the holds. A refused apply draws the load again, as it is now: the plan
changed since the page was drawn.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import IsoDate, PathId
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
from podium.web.resources_heatmap import (
    PeriodName,
    heatmap,
    period_end,
    period_label,
)
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, whole_number
from podium.web.templating import format_number, is_htmx, render

router = APIRouter(include_in_schema=False)

PeriodParam = Annotated[PeriodName, Query()]
WEIGHT = "weights_"  # a leveling weight's field: this, then a project's or milestone's key
REFRESHED = "The over-allocations and the load above are shown as they are now."
DONE_MESSAGES = {
    "cleared": "Leveling cleared: every task is back to its earliest start.",
    "nothing-cleared": "There were no leveling delays: nothing to clear.",
}


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


def load_context(
    db: Db, viewer: Viewer, program: Program, period: PeriodName, start: date | None
) -> dict[str, Any]:
    """What ``resources/_load.html`` shows: the program's load per ``period`` (from
    ``start``, else from its first booking) and its over-allocations."""
    view = load.program_resource_load(db, viewer.actor, program.id, period=period, start=start)
    for item in view["resources"]:
        item["peak"] = item.pop("peak_utilization")
    columns, rows = heatmap(view, period)
    overloads = [
        {"resource": item["resource"], **o} for item in view["resources"] for o in item["overloads"]
    ]
    overloads.sort(key=lambda o: (o["start"], o["resource"]["name"]))
    names = [item["resource"]["name"] for item in view["resources"]]
    return {
        "period": period,
        "from_day": start,
        "view": view,
        "columns": columns,
        "rows": rows,
        "overloads": overloads,
        "shared_names": catalog.shared_names(db, names),
        "period_label": period_label,
    }


def _clear_context(db: Db, program: Program, *, confirm_clear: bool = False) -> dict[str, Any]:
    """What ``resources/_clear.html`` shows (to managers): the leveling holds to clear."""
    # a closed program's plan stays as it was closed: nothing to clear there
    open_plan = program.status != ProgramStatus.CLOSED
    held = leveling_holds(db, program.id) if open_plan else 0
    return {"held_tasks": held, "confirm_clear": confirm_clear and held > 0}


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    program: Program,
    period: PeriodName,
    *,
    start: date | None = None,
    done_: str | None = None,
    confirm_clear: bool = False,
    level: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The Resources tab; ``level``: what its leveling part shows instead of the blank
    form (a preview, or why one was refused)."""
    role = require_role(db, viewer.actor, program.id, Role.VIEWER)
    can_level = role.rank >= Role.MANAGER.rank
    held = {"held_tasks": 0, "confirm_clear": False}
    if can_level:
        held = _clear_context(db, program, confirm_clear=confirm_clear)
    choices = (
        weight_choices(db, program.id)
        if can_level and program.status != ProgramStatus.CLOSED
        else []
    )
    context = {
        "program": program,
        **load_context(db, viewer, program, period, start),
        "can_level": can_level,
        **held,
        "outcome": None,
        "weights": {},
        "level_values": _level_values(choices=choices),
        "level_errors": {},
        "max_time_limit": MAX_TIME_LIMIT,
        "max_weight": MAX_WEIGHT,
        "weight_choices": choices,
        "flash": done_message(done_, held["held_tasks"]),
        **(level or {}),
    }
    return render(request, "resources/program.html", context, status_code=status_code)


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
    over-allocated days, and the work of the period in programs the viewer cannot see.
    A ``start`` inside a week or month shows that whole week or month."""
    start = load.period_start(start, period)
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


def _load_window(form: Any) -> tuple[PeriodName, date | None]:
    """The load the page showed when its leveling form was sent (its period and first
    day): a refused apply shows it again, as it is now."""
    period: PeriodName = "month" if field_value(form, "load_period") == "month" else "week"
    raw = field_value(form, "load_start")
    try:
        start = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        start = None
    return period, start


def _level_result(
    request: Request,
    db: Db,
    viewer: Viewer,
    program: Program,
    *,
    form: Any,
    choices: list[dict[str, str]],
    outcome: LevelingOutcome | None = None,
    weights: dict[str, int] | None = None,
    values: dict[str, str],
    errors: Errors | None = None,
    status_code: int = 200,
    fresh_load: bool = False,
) -> Response:
    """The leveling part of the page after a preview or a refusal: alone for HTMX (with
    the load and the clear step again, out of band, when ``fresh_load``: the plan may have
    changed since the page showed them), else in the whole page."""
    period, start = _load_window(form)
    context = {
        "program": program,
        "outcome": outcome,
        "weights": weights or {},
        "level_values": values,
        "level_errors": errors or {},
        "max_time_limit": MAX_TIME_LIMIT,
        "max_weight": MAX_WEIGHT,
        "weight_choices": choices,
        "period": period,
        "from_day": start,
    }
    if not is_htmx(request):
        return _page(
            request,
            db,
            viewer,
            program,
            period,
            start=start,
            level=context,
            status_code=status_code,
        )
    if fresh_load:
        context.update(load_context(db, viewer, program, period, start))
        context.update(_clear_context(db, program), fresh_load=True)
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
    # a refusal redraws the form as it was sent
    refuse = partial(
        _level_result, request, db, viewer, program, form=form, choices=choices, values=values
    )
    if errors:
        return refuse(errors=errors, status_code=422)
    try:
        outcome = leveling.level_program(
            db, viewer.actor, program_id, method=method, time_limit=limit, weights=weights or None
        )
    except Conflict as exc:
        db.rollback()
        return refuse(errors={GENERAL: exc.message}, status_code=exc.status)
    except ValidationFailed as exc:  # a weight's key the program no longer has, on its field
        db.rollback()
        return refuse(errors=errors_of(exc, values), status_code=exc.status)
    done(db)  # a preview changes no plan; it is kept so that applying it stores exactly it
    return _level_result(
        request,
        db,
        viewer,
        program,
        form=form,
        choices=choices,
        outcome=outcome,
        weights=weights,
        values=values,
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
    # a refusal redraws the form as it was sent
    refuse = partial(
        _level_result, request, db, viewer, program, form=form, choices=choices, values=values
    )
    if errors or (token is None and preview_id is None):
        errors[GENERAL] = errors.get(GENERAL, "Preview the leveling before applying it.")
        return refuse(errors=errors, status_code=422)
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
    except (NotFound, Conflict) as exc:
        db.rollback()
        if isinstance(exc, NotFound):
            message = "This preview is no longer kept (a newer one replaced it): preview again."
        elif exc.code == "schedule_changed":
            message = f"Nothing was applied: {exc.message[:1].lower()}{exc.message[1:]}."
        else:
            message = f"{exc.message[:1].upper()}{exc.message[1:]}."
        # the plan may have changed since the page was drawn: its load is drawn again
        return refuse(errors={GENERAL: f"{message} {REFRESHED}"}, status_code=409, fresh_load=True)
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
