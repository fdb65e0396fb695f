"""The organisation's resources: the list, one resource with its load and assignments,
and the add and edit forms (admins and program managers or owners).

Forms are checked with the API's own input schemas (``ResourceCreate``,
``ResourceUpdate``), so the page refuses what the API refuses, with the message
beside its field. Time off is a few rows of start, finish and note: blank rows
are ignored, a row without a finish is one day off, and saving offers fresh blank
rows for more.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.resources import ResourceCreate, ResourceUpdate
from podium.api.schemas import IsoDate, PathId
from podium.engine.leveling.model import MAX_CAPACITY
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.models import Resource, ResourceKind
from podium.services import calendars, programs
from podium.services.resources import assignments, catalog, load
from podium.services.resources.catalog import TimeOff
from podium.web.form_errors import Errors, errors_of, ungrouped, validate
from podium.web.programs import Pager
from podium.web.resources import PeriodParam, drill_down
from podium.web.resources_heatmap import Cell, PeriodName, period_label
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import checkbox, done, field_value, version_of
from podium.web.templating import format_number, input_number, is_htmx, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
BLANK_TIME_OFF_ROWS = 2
MAX_TIME_OFF_ROWS = 200
FORM_FIELDS = (
    "key",
    "name",
    "kind",
    "description",
    "capacity",
    "hours_per_day",
    "cost_rate",
    "calendar_id",
)
KINDS = [(k.value, k.value.capitalize()) for k in ResourceKind]
# a blank one is a mistake, not "leave it as it was": the form shows every value
REQUIRED = ("key", "name", "kind", "capacity", "hours_per_day", "cost_rate")
# the ranges said with what the numbers mean (the schema's bounds, worded for this form)
RANGES = {
    "capacity": (
        "More than 0: 1 is one full-time person, 0.5 half-time, 3 a team of three "
        f"(at most {format_number(MAX_CAPACITY)})."
    ),
    "hours_per_day": "More than 0 hours, and at most 24.",
}


def _values_of(db: Db, resource: Resource | None) -> dict[str, Any]:
    if resource is None:
        return {
            "kind": "person",
            "capacity": "1",
            "hours_per_day": "8",
            "cost_rate": "0",
            "calendar_id": "",
            "account_email": "",
            "active": True,
            "time_off": [],
        }
    return {
        "key": resource.key,
        "name": resource.name,
        "kind": resource.kind.value,
        "description": resource.description,
        "capacity": input_number(resource.capacity),
        "hours_per_day": input_number(resource.hours_per_day),
        "cost_rate": input_number(resource.cost_rate),
        "calendar_id": str(resource.calendar_id or ""),
        "account_email": catalog.account_email(db, resource),
        "active": resource.active,
        "time_off": [
            {"start": p.start.isoformat(), "finish": p.finish.isoformat(), "note": p.note}
            for p in catalog.time_off_of(resource)
        ],
    }


def _time_off_rows(form: FormData) -> list[dict[str, str]]:
    """The filled time off rows, in the order sent (blank rows dropped). A start without a
    finish is one day off, as on the command line: the finish is the start."""
    rows = []
    for k in range(MAX_TIME_OFF_ROWS):
        if f"time_off_{k}_start" not in form:
            break
        row = {part: field_value(form, f"time_off_{k}_{part}") for part in ("start", "finish")}
        row["note"] = field_value(form, f"time_off_{k}_note")
        if row["start"] and not row["finish"] and _is_date(row["start"]):
            row["finish"] = row["start"]
        if any(row.values()):
            rows.append(row)
    return rows


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10  # YYYY-MM-DD, as the schema reads it


def _form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: field_value(form, name) for name in FORM_FIELDS}
    values["active"] = checkbox(form, "active")
    values["account_email"] = field_value(form, "account_email")
    values["time_off"] = _time_off_rows(form)
    return values


def _blanks(values: dict[str, Any]) -> Errors:
    return {name: "Required." for name in REQUIRED if values[name] == ""}


def _errors(values: dict[str, Any], found: Errors) -> Errors:
    """What the form says beside each field: blanks first, then what the checks found."""
    return found | _blanks(values)


def _said(message: str) -> str:
    """A service's refusal as a sentence beside its field, its names kept as written."""
    return message[:1].upper() + message[1:] + "."


def _checked(
    db: Db, values: dict[str, Any], errors: Errors, *, resource: Resource | None = None
) -> tuple[Errors, int | None]:
    """``errors`` with what saving would refuse next beside its field (the key taken, the
    account unknown or another resource's, a time off ending before it starts, a capacity
    an assignment needs more of), so one submit tells every problem; and the account's id."""
    found = dict(errors)
    shown = _shown_fields(values)
    except_id = resource.id if resource is not None else None
    if "key" not in found:
        try:
            catalog.check_key_free(db, values["key"], except_id=except_id)
        except Conflict as exc:
            found["key"] = _said(exc.message)
    user_id = None
    try:
        user_id = catalog.account_id(db, values["account_email"])
        if user_id is not None:
            catalog.check_account_free(db, user_id, except_id=except_id)
    except ValidationFailed as exc:
        found = errors_of(exc, shown) | found
    except Conflict as exc:
        found.setdefault("account_email", _said(exc.message))
    periods = {}
    for k, row in enumerate(values["time_off"]):
        if f"time_off_{k}_start" in found or f"time_off_{k}_finish" in found:
            continue
        try:
            start, finish = date.fromisoformat(row["start"]), date.fromisoformat(row["finish"])
        except ValueError:
            continue
        periods[k] = TimeOff(start, finish, row["note"])
    if problems := catalog.time_off_errors(periods):
        refusal = ValidationFailed("the time off is not valid", details=problems)
        found = errors_of(refusal, shown) | found
    if resource is not None and "capacity" not in found:
        try:
            catalog.check_capacity_fits(db, resource, float(ungrouped(values["capacity"])))
        except ValidationFailed as exc:
            found["capacity"] = _said(exc.message)
        except ValueError:
            pass  # not a number: the schema's check said so
    return found, user_id


def _refused(exc: ValidationFailed | Conflict | StaleVersion, values: dict[str, Any]) -> Errors:
    """A service's refusal by field; a capacity an assignment needs more of says which."""
    errors = errors_of(exc, _shown_fields(values))
    if "capacity" in errors and isinstance(exc, ValidationFailed):
        errors["capacity"] = _said(exc.message)
    return errors


def _body(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: values[name]
        for name in FORM_FIELDS
        if values[name] != "" or name in ("description", "calendar_id")
    }
    data["calendar_id"] = values["calendar_id"] or None
    data["active"] = values["active"]
    data["time_off"] = [
        {"start": r["start"] or None, "finish": r["finish"] or None, "note": r["note"]}
        for r in values["time_off"]
    ]
    return data


def _shown_fields(values: dict[str, Any]) -> set[str]:
    shown = set(FORM_FIELDS) | {"active", "account_email"}
    for k in range(len(values["time_off"]) + BLANK_TIME_OFF_ROWS):
        shown |= {f"time_off_{k}_{part}" for part in ("start", "finish", "note")}
    return shown


def _form_page(
    request: Request,
    db: Db,
    viewer: Viewer,
    *,
    resource: Resource | None,
    values: dict[str, Any],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    if resource is None:
        catalog.require_resource_editor(db, viewer.actor)
    else:
        catalog.require_resource_change(db, viewer.actor, resource)
    found, _total = calendars.list_calendars(db, viewer.actor, limit=500)
    rows = list(values["time_off"]) + [
        {"start": "", "finish": "", "note": ""} for _ in range(BLANK_TIME_OFF_ROWS)
    ]
    flat = {k: v for k, v in values.items() if k != "time_off"}
    for k, row in enumerate(rows):
        flat.update({f"time_off_{k}_{part}": value for part, value in row.items()})
    context = {
        "resource": resource,
        "values": flat,
        "time_off_rows": len(rows),
        "max_time_off_rows": MAX_TIME_OFF_ROWS,
        "errors": errors or {},
        "kinds": KINDS,
        "calendars": [("", "None (its tasks' days)")] + [(str(c.id), c.name) for c in found],
    }
    return render(request, "resources/form.html", context, status_code=status_code)


@router.get("/resources", name="resources")
def resource_list(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    deleted: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every resource: kind, capacity, hours per day, cost rate, calendar, active."""
    text = (q or "").strip() or None
    total_pager = Pager(number=page, size=PAGE_SIZE, total=0)
    items, total = catalog.list_resources(
        db, viewer.actor, q=text, limit=PAGE_SIZE, offset=total_pager.offset
    )
    found, _n = calendars.list_calendars(db, viewer.actor, limit=500)
    context = {
        "resources": items,
        "pager": Pager(number=page, size=PAGE_SIZE, total=total),
        "q": text or "",
        "calendar_names": {c.id: c.name for c in found},
        "shared_names": catalog.shared_names(db, [r.name for r in items]),
        "can_edit": catalog.can_edit_resources(db, viewer.actor),
        "flash": f"{deleted} deleted." if deleted else "",
    }
    return render(request, "resources/list.html", context)


@router.get("/resources/new", name="resource-new")
def new_resource(request: Request, db: Db, viewer: CurrentViewer) -> Response:
    """The form for a new resource (editors)."""
    return _form_page(request, db, viewer, resource=None, values=_values_of(db, None))


@router.post("/resources", name="resource-create")
def create_resource(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Add a resource; back to the form with the errors beside their fields."""
    catalog.require_resource_editor(db, viewer.actor)
    values = _form_values(form)
    body, errors = validate(ResourceCreate, _body(values), ranges=RANGES)
    errors, user_id = _checked(db, values, _errors(values, errors))
    if body is not None and not errors:
        fields = body.model_dump(exclude={"time_off"})
        periods = [TimeOff(p.start, p.finish, p.note) for p in body.time_off]
        try:
            fields["user_id"] = user_id
            resource = catalog.create_resource(db, viewer.actor, **fields, time_off=periods)
            done(db)
            return RedirectResponse(f"/resources/{resource.id}?saved=1", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = _refused(exc, values)
    return _form_page(
        request, db, viewer, resource=None, values=values, errors=errors, status_code=422
    )


@router.get("/resources/{resource_id}", name="resource")
def show_resource(
    request: Request,
    resource_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[int | None, Query(ge=0, le=1)] = None,
    period: PeriodParam = "week",
    confirm: Annotated[str | None, Query(max_length=20)] = None,
    start: Annotated[IsoDate | None, Query(description="show the load from this day on")] = None,
) -> Response:
    """A resource: its facts, its load across programs per week (or month) with each
    period's tasks a click away, its over-allocations, and its assignments; with
    ``confirm=delete``, the step that asks before deleting it. The load shows at most ten
    years at a time, from its first booking or from ``start``, with a link to the rest."""
    flash = "Saved." if saved else ""
    return _detail(
        request,
        db,
        viewer,
        resource_id,
        period=period,
        start=start,
        flash=flash,
        confirm_delete=confirm == "delete",
    )


@router.get("/resources/{resource_id}/cell", name="resource-cell")
def resource_cell(
    request: Request,
    resource_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    start: Annotated[IsoDate, Query()],
    period: PeriodParam = "week",
) -> Response:
    """One week (or month) of a resource: its tasks in every program the viewer sees, its
    over-allocated days, and how much is asked by programs the viewer cannot see."""
    context = drill_down(db, viewer, resource_id, start, period)
    context["program"] = None
    template = "resources/_cell.html" if is_htmx(request) else "resources/cell.html"
    return render(request, template, context)


def _strip_label(start: date, period: PeriodName) -> str:
    return f"{start:%b %y}" if period == "month" else f"{start.day} {start:%b}"


def _detail(
    request: Request,
    db: Db,
    viewer: Viewer,
    resource_id: int,
    *,
    period: PeriodName = "week",
    start: date | None = None,
    flash: str = "",
    delete_error: str = "",
    confirm_delete: bool = False,
    status_code: int = 200,
) -> Response:
    resource = catalog.get_resource(db, viewer.actor, resource_id)
    view = load.one_resource_load(db, viewer.actor, resource_id, period=period, start=start)
    cells = [
        Cell(
            b["start"], b["demand"], 0.0, b["capacity"], b["utilization"], b["over_allocated_days"]
        )
        for b in view["buckets"]
    ]
    found, _n = calendars.list_calendars(db, viewer.actor, limit=500)
    can_edit = catalog.may_change_resource(db, viewer.actor, resource)
    booked = assignments.list_assignments(db, viewer.actor, resource_id=resource_id)
    # each cost is in its program's currency (the programs the viewer sees, as booked)
    currencies = {
        i: programs.get_program(db, viewer.actor, i).currency
        for i in {a.assignment.program_id for a in booked}
    }
    context = {
        "resource": resource,
        "time_off": catalog.time_off_of(resource),
        "calendar_name": {c.id: c.name for c in found}.get(resource.calendar_id or 0),
        "account": catalog.account_email(db, resource),
        "namesakes": catalog.namesakes(db, resource),
        "view": view,
        "period": period,
        "from_day": start,
        "cells": cells,
        "overloads": view["overloads"],
        "program": None,
        "shared_names": set(),
        "period_label": period_label,
        "strip_label": _strip_label,
        "program_keys": {t["task_id"]: t["program_key"] for t in view["tasks"]},
        "assignments": booked,
        "currencies": currencies,
        "can_edit": can_edit,
        "confirm_delete": confirm_delete and can_edit,
        "flash": flash,
        "delete_error": delete_error,
    }
    return render(request, "resources/detail.html", context, status_code=status_code)


@router.post("/resources/{resource_id}/delete", name="resource-delete")
def delete_resource(
    request: Request, resource_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete a resource no task is assigned to (editors); otherwise say why not."""
    catalog.require_resource_editor(db, viewer.actor)
    resource = catalog.get_resource(db, viewer.actor, resource_id)
    name = f"{resource.name} ({resource.key})"  # the key tells namesakes apart
    try:
        catalog.delete_resource(db, viewer.actor, resource_id, expected_version=version_of(form))
        done(db)
    except (Conflict, StaleVersion) as exc:
        db.rollback()
        problem = exc.message[:1].upper() + exc.message[1:] + "."
        return _detail(request, db, viewer, resource_id, delete_error=problem, status_code=409)
    return RedirectResponse(f"/resources?deleted={quote(name)}", status_code=303)


@router.get("/resources/{resource_id}/edit", name="resource-edit")
def edit_resource(request: Request, resource_id: PathId, db: Db, viewer: CurrentViewer) -> Response:
    """The form for changing a resource (editors)."""
    resource = catalog.get_resource(db, viewer.actor, resource_id)
    return _form_page(request, db, viewer, resource=resource, values=_values_of(db, resource))


@router.post("/resources/{resource_id}", name="resource-update")
def update_resource(
    request: Request, resource_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save a resource's form (checked against the version the form was read at)."""
    catalog.require_resource_editor(db, viewer.actor)
    resource = catalog.get_resource(db, viewer.actor, resource_id)
    values = _form_values(form)
    body, errors = validate(ResourceUpdate, _body(values), ranges=RANGES)
    errors, user_id = _checked(db, values, _errors(values, errors), resource=resource)
    status_code = 422
    if body is not None and not errors:
        fields = body.model_dump(exclude_unset=True, exclude={"time_off"})
        fields["time_off"] = [TimeOff(p.start, p.finish, p.note) for p in body.time_off or []]
        try:
            fields["user_id"] = user_id
            catalog.update_resource(
                db, viewer.actor, resource_id, fields, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/resources/{resource_id}?saved=1", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = _refused(exc, values)
            if isinstance(exc, StaleVersion):  # read before someone else saved: keep the input
                status_code = exc.status
    db.refresh(resource)
    return _form_page(
        request,
        db,
        viewer,
        resource=resource,
        values=values,
        errors=errors,
        status_code=status_code,
    )
