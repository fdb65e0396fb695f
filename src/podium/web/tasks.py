"""The task page: every field (managers), progress (members), its dependencies.

Also the form helpers the other pages share: reading a form's fields, and a task's
fields checked as the API checks them (their errors worded by ``form_errors``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from contextlib import suppress
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.dependencies import DependencyUpdate
from podium.api.deps import Db, commit
from podium.api.schemas import MAX_ID, PathId
from podium.api.tasks import TaskUpdate
from podium.errors import (
    Conflict,
    NotFound,
    PodiumError,
    StaleVersion,
    ValidationFailed,
)
from podium.models import DependencyType, Role, Task
from podium.services import dependencies, tasks
from podium.services.actor import require_role, role_too_low
from podium.services.dependencies import EndRef
from podium.services.pages_tasks import EDITABLE_ON_PAGE, TaskPage, find_activity, task_page
from podium.services.resources import assignments, catalog
from podium.services.resources.assignments import MAX_UNITS, MIN_UNITS, AssignmentView
from podium.web.form_errors import GENERAL, Errors, errors_of, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.templating import format_number, input_number, is_htmx, render

router = APIRouter(include_in_schema=False)

# --- forms, shared with the project page ------------------------------------------

REQUIRED = frozenset({"name", "key", "duration", "percent_complete"})
NOT_NULL = REQUIRED | {"description", "constraint_type"}  # blank is a value, not "unset"
AMOUNTS = frozenset({"budget", "actual_cost"})  # blank is none: 0
CHECKBOXES = frozenset({"is_milestone", "effort_driven"})
ESTIMATE_PARTS = ("optimistic", "most_likely", "pessimistic")


def field_value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def blank_errors(form: FormData, names: Iterable[str]) -> Errors:
    return {n: "Required." for n in names if n in REQUIRED and not field_value(form, n)}


def whole_number(raw: str) -> int | None:
    """``raw`` as a whole number when it is one in ASCII digits (``²`` is a digit to Python,
    not to ``int``), else ``None``."""
    return int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None


def version_of(form: FormData) -> int | None:
    return whole_number(field_value(form, "version"))


def checkbox(form: FormData, name: str) -> bool:
    """A checkbox sent after a hidden ``0`` of the same name: present means ticked."""
    return "1" in form.getlist(name)


def task_values(task: Task, shown: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A task's editable fields as form inputs show them (``shown``: the values shown in
    place of its own, a summary's rolled-up ones)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float):
            return input_number(value)
        return str(getattr(value, "value", value))

    values: dict[str, Any] = {
        name: text(shown[name] if shown is not None and name in shown else getattr(task, name))
        for name in (
            "key",
            "name",
            "description",
            "duration",
            "constraint_type",
            "constraint_date",
            "deadline",
            "calendar_id",
            "actual_start",
            "actual_finish",
            "percent_complete",
            "estimate_optimistic",
            "estimate_most_likely",
            "estimate_pessimistic",
            "budget",
            "actual_cost",
        )
    }
    values["is_milestone"] = task.is_milestone
    values["effort_driven"] = task.effort_driven
    return values


def task_updates(form: FormData, fields: Collection[str]) -> tuple[dict[str, Any], Errors]:
    """The task fields the form sent, checked as the API checks a PATCH body."""
    data: dict[str, Any] = {}
    sent = [f for f in fields if f in form]
    for name in sent:
        if name.startswith("estimate_"):
            continue
        if name in CHECKBOXES:
            data[name] = checkbox(form, name)
        elif name in AMOUNTS:
            data[name] = field_value(form, name) or "0"
        else:
            value = field_value(form, name)
            data[name] = value if value or name in NOT_NULL else None
    parts = {p: field_value(form, f"estimate_{p}") for p in ESTIMATE_PARTS}
    if any(f"estimate_{p}" in sent for p in ESTIMATE_PARTS):
        data["estimate"] = {p: v or None for p, v in parts.items()} if any(parts.values()) else None
    errors = blank_errors(form, sent)
    body, invalid = validate(TaskUpdate, {k: v for k, v in data.items() if k not in errors})
    errors = {**invalid, **errors}
    if body is None or errors:
        return {}, errors
    updates = body.model_dump(exclude_unset=True, exclude={"estimate"})
    if "estimate" in body.model_fields_set:
        for part in ESTIMATE_PARTS:
            updates[f"estimate_{part}"] = getattr(body.estimate, part) if body.estimate else None
    return updates, {}


def finish_means_done(form: FormData, shown_percent: float) -> bool:
    """Whether the form gives an actual finish with the % complete left as the page showed
    it (or blank): the finish then means done, as its hint says, and the percentage is
    left out for the service to make it 100. A percentage typed below 100 is still sent,
    and refused beside its field."""
    if "percent_complete" not in form or not field_value(form, "actual_finish"):
        return False
    raw = field_value(form, "percent_complete")
    if not raw:
        return True
    try:
        return float(raw) == float(shown_percent)
    except ValueError:
        return False


REOPEN = "Lower % complete to reopen the task: at 100 % it is finished."


def clears_finish_at_100(form: FormData, shown_finish: date | None) -> bool:
    """Whether the form clears the actual finish the task had while % complete stays 100.
    The service keeps 100 % and refuses a finished task without its finish; which
    percentage the reopened work is at only the person knows, so the refusal asks for it
    beside % complete, the field to change."""
    if shown_finish is None or "actual_finish" not in form or field_value(form, "actual_finish"):
        return False
    try:
        return float(field_value(form, "percent_complete")) == 100
    except ValueError:
        return False


def done(db: Session) -> None:
    """End the unit of work (reschedule, commit) and forget what was loaded before it."""
    commit(db)
    db.expire_all()


# --- the task page ------------------------------------------------------------------


def _page(
    request: Request,
    db: Session,
    viewer: Viewer,
    view: TaskPage,
    *,
    errors: Errors | None = None,
    values: Mapping[str, Any] | None = None,
    link_errors: Errors | None = None,
    link_values: Mapping[str, Any] | None = None,
    cycle: list[str] | None = None,
    link_edit: Mapping[str, Any] | None = None,
    assignment_errors: Errors | None = None,
    assignment_values: Mapping[str, Any] | None = None,
    removing: int | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    listed = assignments.list_assignments(db, viewer.actor, task_id=view.task.id)
    offered: list[Any] = []
    takes_work = not (view.task.is_milestone or view.is_summary)
    if view.can_edit and takes_work:
        taken = {a.resource.id for a in listed}
        active, _total = catalog.list_resources(db, viewer.actor, active=True, limit=500)
        offered = [r for r in active if r.id not in taken]
    # names two resources carry: their key goes beside, in the rows and in the picker
    shared = catalog.shared_names(db, [a.resource.name for a in listed] + [r.name for r in offered])
    return render(
        request,
        "tasks/page.html",
        {
            "assignments": listed,
            "work": assignments.task_work(listed, view.task),
            "takes_work": takes_work,
            "removing": removing if view.can_edit else None,
            "resource_choices": offered,
            "shared_names": shared,
            "assignment_errors": assignment_errors or {},
            "assignment_values": {"units": "100"} | dict(assignment_values or {}),
            "page": view,
            "task": view.task,
            "program": view.program,
            "errors": errors or {},
            "shown": view.shown,
            "values": {**task_values(view.task, view.shown), **(values or {})},
            "link_errors": link_errors or {},
            "link_values": {"relation": "predecessor", "type": "FS", "lag": "0"}
            | dict(link_values or {}),
            "cycle": cycle or [],
            "link_edit": link_edit or {},
            "flash": flash,
        },
        status_code=status_code,
    )


def _after_write(
    request: Request, db: Db, viewer: CurrentViewer, task_id: int, flash: str
) -> Response:
    if not is_htmx(request):
        return RedirectResponse(f"/tasks/{task_id}", status_code=303)
    return _page(request, db, viewer, task_page(db, viewer.actor, task_id), flash=flash)


@router.get("/tasks/{task_id}", name="task")
def show_task(
    request: Request,
    task_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    remove: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """A task: its fields, computed dates and floats, predecessors and successors;
    ``remove`` asks to confirm taking that assignment off it."""
    return _page(request, db, viewer, task_page(db, viewer.actor, task_id), removing=remove)


@router.post("/tasks/{task_id}")
def save_task(
    request: Request, task_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the task's form: every field for managers, progress for members, nothing for viewers."""
    view = task_page(db, viewer.actor, task_id)
    if view.role.rank < Role.MEMBER.rank:
        raise role_too_low(db, view.program.id, view.role, "it may read this task, not change it")
    # a member's form on a task not assigned to them is refused by the service, in words
    shown = view.editable_fields or tasks.PROGRESS_FIELDS
    had_finish = view.shown["actual_finish"]  # as the page showed it, before the save
    sent = [f for f in TASK_FORM_FIELDS if f in form]
    if finish_means_done(form, view.shown["percent_complete"]):
        sent.remove("percent_complete")  # the service makes it 100 %
    updates, errors = task_updates(form, sent)
    stale = False  # refused as read before someone else's save
    if not errors:
        try:
            tasks.update_task(db, viewer.actor, task_id, updates, expected_version=version_of(form))
            done(db)
            return _after_write(
                request, db, viewer, task_id, "Saved. Dates and floats are recalculated."
            )
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            stale = isinstance(exc, StaleVersion)
            # a rule about the three-point estimate as a whole is said in its fieldset
            errors = errors_of(exc, {*shown, "estimate"} if view.can_edit else shown)
    if "actual_finish" in errors and clears_finish_at_100(form, had_finish):
        del errors["actual_finish"]
        errors["percent_complete"] = REOPEN
    submitted: dict[str, Any] = {name: field_value(form, name) for name in shown if name in form}
    for name in CHECKBOXES & set(form.keys()):
        submitted[name] = checkbox(form, name)
    # drawn again as sent, at the version it was read at: saving it again after someone
    # else's save is refused, not written over theirs
    now = task_page(db, viewer.actor, task_id)
    read_at = version_of(form)
    if read_at is not None:
        submitted["version"] = read_at
    errors = changed_meanwhile(errors, now.task, read_at, stale=stale)
    return _page(
        request, db, viewer, now, errors=errors, values=submitted, status_code=412 if stale else 422
    )


def changed_meanwhile(
    errors: Errors, task: Task, read_at: int | None, *, stale: bool, undo: str = "Discard"
) -> Errors:
    """The errors of a refused task form drawn again, saying first that someone else has
    changed the task since the form was read (at version ``read_at``), when they have: the
    page around the form shows the task as it is now, its fields what was sent. ``stale``:
    refused for that, its own message said by this one; ``undo``: the form's way out."""
    if read_at is None or read_at == task.version:
        return errors
    said = (
        f"{task.key} was changed by someone else since you opened it (your version "
        f"{read_at}, current {task.version}). The fields keep what you sent, but they "
        f"cannot be saved over that change: {undo} to see it, then make yours again."
    )
    rest = "" if stale else errors.get(GENERAL, "")
    return {**errors, GENERAL: f"{said} {rest}".rstrip()}


TASK_FORM_FIELDS = frozenset(EDITABLE_ON_PAGE) | {"effort_driven"}
LINK_FIELDS = ("relation", "other", "type", "lag")


@router.post("/tasks/{task_id}/dependencies")
def add_dependency(
    request: Request, task_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Link the task to another task or milestone, as predecessor or successor (managers)."""
    view = task_page(db, viewer.actor, task_id)
    require_role(db, viewer.actor, view.task.program_id, Role.MANAGER)  # before the form
    values = {name: field_value(form, name) for name in LINK_FIELDS}
    relation = values["relation"] if values["relation"] in ("predecessor", "successor") else ""
    body, errors = validate(
        DependencyUpdate, {"type": values["type"] or "FS", "lag": values["lag"] or "0"}
    )
    if not relation:
        errors["relation"] = "Choose predecessor or successor."
    cycle: list[str] = []
    if body is not None and not errors:
        try:
            other = find_activity(db, view.task.program_id, values["other"], field="other")
            this = EndRef("task", task_id)
            before, after = (other, this) if relation == "predecessor" else (this, other)
            dependencies.create_dependency(
                db,
                viewer.actor,
                predecessor=before,
                successor=after,
                dependency_type=body.type or DependencyType.FS,
                lag=body.lag or 0,
            )
            done(db)
            return _after_write(request, db, viewer, task_id, f"Linked {values['other']}.")
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, LINK_FIELDS)
            if isinstance(exc.details, dict) and isinstance(exc.details.get("cycle"), list):
                cycle = [str(key) for key in exc.details["cycle"]]
    return _page(
        request,
        db,
        viewer,
        task_page(db, viewer.actor, task_id),
        link_errors=errors,
        link_values=values,
        cycle=cycle,
        status_code=409 if cycle else 422,
    )


@router.post("/tasks/{task_id}/dependencies/{dependency_id}")
def change_dependency(
    request: Request,
    task_id: PathId,
    dependency_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change one of the task's links: its type or lag (managers; stale forms refused)."""
    view = task_page(db, viewer.actor, task_id)
    links = {link.view.dependency.id: link for link in (*view.predecessors, *view.successors)}
    if dependency_id not in links:
        raise NotFound(f"dependency {dependency_id} is not one of this task's")
    other = links[dependency_id].other.key
    values = {name: field_value(form, name) for name in ("type", "lag")}
    body, errors = validate(
        DependencyUpdate, {"type": values["type"] or "FS", "lag": values["lag"] or "0"}
    )
    if body is not None and not errors:
        try:
            dependencies.update_dependency(
                db,
                viewer.actor,
                dependency_id,
                body.model_dump(exclude_unset=True),
                expected_version=version_of(form),
            )
            done(db)
            return _after_write(request, db, viewer, task_id, f"Changed the link with {other}.")
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, ())
    problem = " ".join(errors.values())
    return _page(
        request,
        db,
        viewer,
        task_page(db, viewer.actor, task_id),
        link_errors={GENERAL: f"The link with {other} was not changed: {problem}"},
        # the refused edit stays open with what was typed, at the version it was read at
        link_edit={"id": dependency_id, **values, "version": field_value(form, "version")},
        status_code=422,
    )


@router.post("/tasks/{task_id}/dependencies/{dependency_id}/delete")
def remove_dependency(
    request: Request,
    task_id: PathId,
    dependency_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    _form: CheckedForm,
) -> Response:
    """Remove one of the task's dependencies (managers)."""
    view = task_page(db, viewer.actor, task_id)
    links = {link.view.dependency.id: link for link in (*view.predecessors, *view.successors)}
    if dependency_id not in links:
        raise NotFound(f"dependency {dependency_id} is not one of this task's")
    dependencies.delete_dependency(db, viewer.actor, dependency_id)
    done(db)
    return _after_write(
        request, db, viewer, task_id, f"Removed the link with {links[dependency_id].other.key}."
    )


# --- assignments (managers) -----------------------------------------------------------


CARD = "_card"  # an error about the assignments as a whole, at the top of their card


def _units_of(form: FormData) -> tuple[float | None, Errors]:
    """Units from the form's percent (``50`` → 0.5)."""
    raw = field_value(form, "units").removesuffix("%").strip()
    if not raw:
        return None, {"units": "Required."}
    try:
        percent = float(raw)
    except ValueError:
        percent = math.nan
    if not math.isfinite(percent):
        return None, {"units": "Enter a percentage, like 50."}
    least, most = MIN_UNITS * 100, MAX_UNITS * 100
    # more than the resource's capacity is said once the resource is known; these are
    # shares no resource could take (0 % books no one)
    if percent < least:
        return None, {"units": f"At least {format_number(least)} %, not {raw} %."}
    if percent > most:
        return None, {"units": f"At most {format_number(most)} %, not {raw} %."}
    return percent / 100, {}


def _work_of(form: FormData) -> tuple[float | None, Errors]:
    """The work given, in hours (blank: none)."""
    raw = field_value(form, "work_hours")
    if not raw:
        return None, {}
    try:
        work = float(raw)
    except ValueError:
        return None, {"work_hours": "Enter a number of hours."}
    if not 0 < work <= 10_000_000:
        return None, {"work_hours": "More than 0 and at most 10,000,000 hours (blank: none)."}
    return work, {}


def _assignment_errors(
    exc: PodiumError, units: float, resource_name: str, capacity: float
) -> Errors:
    errors = errors_of(exc, ("units", "work_hours", "resource_id"))
    if "units" in errors and units > capacity + 1e-9:
        errors["units"] = (
            f"{format_number(round(units * 100, 2))} % is more than {resource_name}'s "
            f"capacity of {format_number(round(capacity * 100, 2))} %."
        )
    return errors


def _task_assignment(
    db: Session, viewer: Viewer, task_id: int, assignment_id: int
) -> AssignmentView | None:
    """The task's assignment, or ``None`` when it is no longer on the task."""
    for item in assignments.list_assignments(db, viewer.actor, task_id=task_id):
        if item.assignment.id == assignment_id:
            return item
    return None


def _gone(
    request: Request, db: Session, viewer: Viewer, task_id: int, form: FormData, *, why: str
) -> Response:
    """The task page with its assignments as they are now, saying that the one the form
    was about was taken off the task by someone else."""
    view = task_page(db, viewer.actor, task_id)
    require_role(db, viewer.actor, view.task.program_id, Role.MANAGER)
    resource_id = whole_number(field_value(form, "resource_id"))
    name = "That resource"
    if resource_id is not None:
        with suppress(NotFound):
            name = catalog.get_resource(db, viewer.actor, resource_id).name
    message = (
        f"{name} is no longer on {view.task.key}: someone else took that assignment off "
        f"the task, so {why}. These are its assignments now."
    )
    return _page(request, db, viewer, view, assignment_errors={CARD: message}, status_code=409)


@router.post("/tasks/{task_id}/assignments")
def add_assignment(
    request: Request, task_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Put a resource on the task, with units in percent and optional work (managers)."""
    view = task_page(db, viewer.actor, task_id)
    values = {name: field_value(form, name) for name in ("resource_id", "units", "work_hours")}
    units, errors = _units_of(form)
    resource_id = whole_number(values["resource_id"])
    resource = None
    if resource_id is not None:
        try:
            resource = catalog.get_resource(db, viewer.actor, resource_id)
        except NotFound:
            resource = None
    if resource is None:
        errors["resource_id"] = "Choose a resource."
    work, work_errors = _work_of(form)
    errors |= work_errors
    status_code = 422
    if not errors and resource is not None and units is not None:
        try:
            assignments.create_assignment(
                db,
                viewer.actor,
                task_id=task_id,
                resource_id=resource.id,
                units=units,
                work_hours=work,
            )
            done(db)
            return _after_write(request, db, viewer, task_id, f"Assigned {resource.name}.")
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            status_code = exc.status
            errors = _assignment_errors(exc, units, resource.name, resource.capacity)
    return _page(
        request,
        db,
        viewer,
        task_page(db, viewer.actor, view.task.id),
        assignment_errors=errors,
        assignment_values=values,
        status_code=status_code,
    )


@router.post("/tasks/{task_id}/assignments/{assignment_id}")
def change_assignment(
    request: Request,
    task_id: PathId,
    assignment_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change an assignment's units and work given (managers), checked against the version
    shown."""
    item = _task_assignment(db, viewer, task_id, assignment_id)
    if item is None:
        return _gone(request, db, viewer, task_id, form, why="nothing was changed")
    name, capacity = item.resource.name, item.resource.capacity
    units, errors = _units_of(form)
    work, work_errors = _work_of(form)
    errors |= work_errors
    status_code = 422
    if not errors and units is not None:
        try:
            assignments.update_assignment(
                db,
                viewer.actor,
                assignment_id,
                # a form without the work field (sent before it was shown) leaves it be
                {"units": units} | ({"work_hours": work} if "work_hours" in form else {}),
                expected_version=version_of(form),
            )
            done(db)
            return _after_write(request, db, viewer, task_id, f"Changed {name}'s assignment.")
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            status_code = exc.status
            errors = _assignment_errors(exc, units, name, capacity)
    units_error = errors.pop("units", "")
    work_error = errors.pop("work_hours", "")
    rest = " ".join(errors.values())
    return _page(
        request,
        db,
        viewer,
        task_page(db, viewer.actor, task_id),
        assignment_errors={
            f"units_{assignment_id}": " ".join(e for e in (units_error, rest) if e),
            f"work_{assignment_id}": work_error,
        },
        # drawn again as typed, at the version it was read at: a stale form stays stale
        assignment_values={
            f"units_{assignment_id}": field_value(form, "units"),
            f"work_{assignment_id}": field_value(form, "work_hours"),
            f"version_{assignment_id}": field_value(form, "version"),
        },
        status_code=status_code,
    )


@router.post("/tasks/{task_id}/assignments/{assignment_id}/delete")
def remove_assignment(
    request: Request,
    task_id: PathId,
    assignment_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Take a resource off the task (managers), once confirmed; work given on it stays
    with the task."""
    item = _task_assignment(db, viewer, task_id, assignment_id)
    if item is None:
        return _gone(request, db, viewer, task_id, form, why="there was nothing to remove")
    handover = assignments.delete_assignment(
        db, viewer.actor, assignment_id, expected_version=version_of(form)
    )
    said = f" {handover.sentence(item.task.key)}" if handover is not None else ""
    done(db)
    return _after_write(request, db, viewer, task_id, f"Removed {item.resource.name}.{said}")
