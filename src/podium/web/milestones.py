"""Program milestones on the web: the program's list, one milestone's page, their forms.

Everyone in the program reads them; managers and owners add a milestone, change
its name, key, target and description, link the work that feeds it (any task or
milestone of the program, by key), remove links, and delete it. The forms are
checked with the API's own schemas (``MilestoneCreate``, ``MilestoneUpdate``,
``DependencyUpdate``) and saved through the services, which reschedule the
program; a form read before someone else saved is refused, nothing overwritten.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.dependencies import DependencyUpdate
from podium.api.deps import Db
from podium.api.milestones import MilestoneCreate, MilestoneUpdate
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.models import DependencyType, Role
from podium.services import dependencies, milestones
from podium.services.dependencies import EndRef
from podium.services.pages_milestones import milestone_page, program_milestones
from podium.services.pages_tasks import find_activity
from podium.web.form_errors import Errors, errors_of, humanize, refusal_status, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

FIELDS = ("name", "key", "target_date", "description")
LINK_FIELDS = ("other", "type", "lag")
DONE = {
    "added": "Milestone added: link the work that feeds it below.",
    "saved": "Saved. The program is rescheduled.",
    "linked": "Linked: the milestone now waits on that work.",
    "unlinked": "Link removed.",
}


def _values(form: Any) -> dict[str, str]:
    return {name: field_value(form, name) for name in FIELDS}


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": values["name"], "description": values["description"]}
    body["target_date"] = values["target_date"] or None
    if values["key"]:
        body["key"] = values["key"]
    return body


def _list(
    request: Request,
    db: Db,
    viewer: Viewer,
    program_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    context = {
        "view": program_milestones(db, viewer.actor, program_id),
        "values": values or {name: "" for name in FIELDS},
        "errors": errors or {},
        "flash": flash,
    }
    return render(request, "milestones/list.html", context, status_code=status_code)


@router.get("/programs/{program_id}/milestones", name="milestones")
def milestones_list(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    deleted: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The program's milestones: target, forecast, slip, state, and the projects feeding each."""
    flash = f"Milestone {deleted} deleted." if deleted else ""
    return _list(request, db, viewer, program_id, flash=flash)


@router.post("/programs/{program_id}/milestones", name="milestone-create")
def milestone_create(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Add a milestone (managers); back to the list with the errors beside their fields."""
    values = _values(form)
    body, errors = validate(MilestoneCreate, {"program_id": program_id, **_body(values)})
    if body is not None and not errors:
        try:
            made = milestones.create_milestone(
                db, viewer.actor, **body.model_dump(exclude_unset=False)
            )
            done(db)
            return RedirectResponse(f"/milestones/{made.id}?done=added", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, set(FIELDS))
    return _list(request, db, viewer, program_id, values=values, errors=errors, status_code=422)


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    milestone_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    link_values: dict[str, str] | None = None,
    link_errors: Errors | None = None,
    delete_error: str = "",
    flash: str = "",
    status_code: int = 200,
) -> Response:
    view = milestone_page(db, viewer.actor, milestone_id)
    m = view.milestone
    stored = {
        "name": m.name,
        "key": m.key,
        "target_date": m.target_date.isoformat() if m.target_date else "",
        "description": m.description,
    }
    context = {
        "view": view,
        "program": view.program,
        "values": values or stored,
        "errors": errors or {},
        "link_values": link_values or {"other": "", "type": "FS", "lag": "0"},
        "link_errors": link_errors or {},
        "types": [t.value for t in DependencyType],
        "delete_error": delete_error,
        "flash": flash,
    }
    return render(request, "milestones/page.html", context, status_code=status_code)


@router.get("/milestones/{milestone_id}", name="milestone")
def milestone_show(
    request: Request,
    milestone_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
) -> Response:
    """A milestone: its forecast against its target, the work feeding it, what waits on it."""
    return _page(request, db, viewer, milestone_id, flash=DONE.get(done_ or "", ""))


@router.post("/milestones/{milestone_id}", name="milestone-update")
def milestone_update(
    request: Request, milestone_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the milestone's form (managers; checked against the version it was read at)."""
    milestones.get_milestone(db, viewer.actor, milestone_id, needed=Role.MANAGER)
    values = _values(form)
    body, errors = validate(MilestoneUpdate, {**_body(values), "key": values["key"] or None})
    status_code = 422
    if body is not None and not errors:
        updates = body.model_dump(exclude_unset=True)
        if updates.get("key") is None:
            updates.pop("key", None)
        try:
            milestones.update_milestone(
                db, viewer.actor, milestone_id, updates, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/milestones/{milestone_id}?done=saved", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, set(FIELDS))
            status_code = refusal_status(exc)
    return _page(
        request, db, viewer, milestone_id, values=values, errors=errors, status_code=status_code
    )


@router.post("/milestones/{milestone_id}/links", name="milestone-link")
def milestone_link(
    request: Request, milestone_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Make the milestone wait on a task or another milestone, by key (managers)."""
    milestone = milestones.get_milestone(db, viewer.actor, milestone_id, needed=Role.MANAGER)
    values = {name: field_value(form, name) for name in LINK_FIELDS}
    body, errors = validate(
        DependencyUpdate, {"type": values["type"] or "FS", "lag": values["lag"] or "0"}
    )
    if body is not None and not errors:
        try:
            other = find_activity(db, milestone.program_id, values["other"], field="other")
            dependencies.create_dependency(
                db,
                viewer.actor,
                predecessor=other,
                successor=EndRef("milestone", milestone_id),
                dependency_type=body.type or DependencyType.FS,
                lag=body.lag or 0,
            )
            done(db)
            return RedirectResponse(f"/milestones/{milestone_id}?done=linked", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, set(LINK_FIELDS))
    return _page(
        request,
        db,
        viewer,
        milestone_id,
        link_values=values,
        link_errors=errors,
        status_code=409 if "cycle" in str(errors) else 422,
    )


@router.post("/milestones/{milestone_id}/links/{dependency_id}/delete", name="milestone-unlink")
def milestone_unlink(
    request: Request,
    milestone_id: PathId,
    dependency_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    _form: CheckedForm,
) -> Response:
    """Remove one of the milestone's links (managers)."""
    milestones.get_milestone(db, viewer.actor, milestone_id, needed=Role.MANAGER)
    touching = {d.id for d in dependencies.dependencies_touching_milestone(db, milestone_id)}
    if dependency_id not in touching:
        raise NotFound(f"dependency {dependency_id} is not one of this milestone's")
    dependencies.delete_dependency(db, viewer.actor, dependency_id)
    done(db)
    return RedirectResponse(f"/milestones/{milestone_id}?done=unlinked", status_code=303)


@router.post("/milestones/{milestone_id}/delete", name="milestone-delete")
def milestone_delete(
    request: Request, milestone_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete the milestone, with its links when the box says so (managers)."""
    milestone = milestones.get_milestone(db, viewer.actor, milestone_id, needed=Role.MANAGER)
    program_id, key = milestone.program_id, milestone.key
    try:
        milestones.delete_milestone(
            db,
            viewer.actor,
            milestone_id,
            cascade=field_value(form, "with_links") == "1",
            expected_version=version_of(form),
        )
        done(db)
    except (Conflict, StaleVersion) as exc:
        db.rollback()
        message = humanize(exc.message) + "."
        if getattr(exc, "code", "") == "milestone_has_dependencies":
            message = f"{key} still has links: tick “also remove its links” to delete it with them."
        return _page(request, db, viewer, milestone_id, delete_error=message, status_code=409)
    return RedirectResponse(f"/programs/{program_id}/milestones?deleted={key}", status_code=303)
