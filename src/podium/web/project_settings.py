"""A project's settings: key, name, description, start, calendar and manager; deleting it.

Managers and owners of the program change them; everyone else in it reads them.
The form is checked with the API's own schema (``ProjectUpdate``), so the page
refuses what the API refuses, beside the field. A new start or calendar
reschedules the program. Deleting a project takes its tasks and every dependency
touching them, so it asks for the key typed again and says what goes with it, naming
the links to other projects and program milestones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.projects import ProjectUpdate
from podium.api.schemas import PathId
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.models import Project, Role
from podium.services import calendars, programs, projects
from podium.services.actor import role_in
from podium.web.form_errors import Errors, errors_of, humanize, refusal_status, validate
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

FIELDS = ("key", "name", "description", "start_date", "calendar_id", "manager_id")
OPTIONAL = {"start_date", "calendar_id", "manager_id"}  # blank: none


def _values_of(project: Project) -> dict[str, str]:
    return {
        name: "" if getattr(project, name) is None else str(getattr(project, name))
        for name in FIELDS
    }


def _form_values(form: FormData) -> dict[str, str]:
    return {name: field_value(form, name) for name in FIELDS}


def _body(values: dict[str, str]) -> dict[str, Any]:
    return {
        name: (None if name in OPTIONAL and not value else value) for name, value in values.items()
    }


def _page(
    request: Request,
    db: Db,
    viewer: Viewer,
    project: Project,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    flash: str = "",
    delete_error: str = "",
    status_code: int = 200,
) -> Response:
    program = programs.get_program(db, viewer.actor, project.program_id)
    role = role_in(db, viewer.actor, program.id)
    editable = role is not None and role.rank >= Role.MANAGER.rank and not program.scenario_of_id
    found, _total = calendars.list_calendars(db, viewer.actor, limit=500)
    footprint = projects.footprint(db, viewer.actor, project.id)
    members = programs.list_members(db, viewer.actor, program.id)
    context = {
        "project": project,
        "program": program,
        "values": values or _values_of(project),
        "errors": errors or {},
        "editable": editable,
        "calendars": [("", "The program's calendar")] + [(str(c.id), c.name) for c in found],
        # who may plan the program (and whoever manages the project now, to keep it)
        "managers": [("", "Nobody named")]
        + [
            (str(u.id), f"{u.name or u.email} ({u.email})")
            for m, u in members
            if m.role.rank >= Role.MANAGER.rank or u.id == project.manager_id
        ],
        "footprint": footprint,
        "footprint_links": _ids(footprint.outside_links),
        "flash": flash,
        "delete_error": delete_error,
    }
    return render(request, "projects/settings.html", context, status_code=status_code)


@router.get("/projects/{project_id}/settings", name="project-settings")
def project_settings(
    request: Request,
    project_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> Response:
    """The project's settings: a form for managers, to read for everyone else."""
    project = projects.get_project(db, viewer.actor, project_id)
    flash = "Saved. The program is rescheduled." if saved else ""
    return _page(request, db, viewer, project, flash=flash)


@router.post("/projects/{project_id}/settings", name="project-settings-save")
def save_project_settings(
    request: Request, project_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the settings (managers; checked against the version the form was read at)."""
    project = projects.get_project(db, viewer.actor, project_id, needed=Role.MANAGER)
    values = _form_values(form)
    body, errors = validate(ProjectUpdate, _body(values))
    status_code = 422
    if body is not None and not errors:
        updates = body.model_dump(exclude_unset=True)
        for required in ("key", "name"):
            if updates.get(required) is None:
                updates.pop(required, None)
        try:
            projects.update_project(
                db, viewer.actor, project_id, updates, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/projects/{project_id}/settings?saved=1", status_code=303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, set(FIELDS))
            status_code = refusal_status(exc)
    db.refresh(project)
    return _page(
        request, db, viewer, project, values=values, errors=errors, status_code=status_code
    )


@router.post("/projects/{project_id}/delete", name="project-delete")
def delete_project(
    request: Request, project_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete the project with its tasks and their links (managers), once its key is
    typed again: the links to work outside it go too, as long as they are the ones the
    page named (``links``: their ids)."""
    project = projects.get_project(db, viewer.actor, project_id, needed=Role.MANAGER)
    program_id, key = project.program_id, project.key
    problem, status_code = "", 422
    outside = projects.footprint(db, viewer.actor, project_id).outside_links
    if field_value(form, "confirm_key") != key:
        problem = f"Type the project's key, {key}, to delete it."
    elif field_value(form, "links") != _ids(outside):
        problem = (
            f"The links between {key} and work outside it changed since this page was read: "
            "check the ones named above and confirm again."
        )
        status_code = 409
    else:
        try:
            projects.delete_project(
                db, viewer.actor, project_id, cascade=True, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(
                f"/programs/{program_id}/projects?deleted={key}", status_code=303
            )
        except (Conflict, StaleVersion) as exc:
            db.rollback()
            db.refresh(project)
            problem = humanize(exc.message) + "."
    return _page(request, db, viewer, project, delete_error=problem, status_code=status_code)


def _ids(links: Sequence[projects.OutsideLink]) -> str:
    """The links' ids as the delete form carries them: ``"12,15"``."""
    return ",".join(str(link.id) for link in links)
