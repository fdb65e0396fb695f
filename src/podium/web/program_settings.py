"""A program's settings and the form for a new program.

Anyone signed in may start a program (they become its owner, as in the API); a
program's owners change its settings: key, name, description, start, default
calendar, status date, whether it is active or on hold, its currency, and its goal (outcome,
measure, unit, baseline and target values, target date). Others read them. The
forms are checked with the API's own input schemas (``ProgramCreate``,
``ProgramUpdate``), so the page refuses what the API refuses, with the message
beside its field. Deleting a program takes its key typed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.programs import ProgramCreate, ProgramUpdate
from podium.api.schemas import PathId
from podium.currency import COMMON
from podium.errors import Conflict, StaleVersion, ValidationFailed
from podium.models import Calendar, Program, ProgramStatus, Role
from podium.services import calendars, programs, projects
from podium.services.actor import role_in
from podium.services.scheduling.views import (
    PREVIEWED_SETTINGS,
    ImpactView,
    analyze_settings_impact,
)
from podium.web.form_errors import GENERAL, Errors, errors_of, humanize, refusal_status, validate
from podium.web.impact import ProjectMoves
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, version_of
from podium.web.templating import format_date, input_number, is_htmx, render

router = APIRouter(include_in_schema=False)

FIELDS = (
    "key",
    "name",
    "description",
    "start_date",
    "calendar_id",
    "status_date",
    "status",
    "currency",
)
GOAL_FIELDS = ("outcome", "measure", "unit", "baseline_value", "target_value", "target_date")
# blank in the form: none (the others are text, or required)
OPTIONAL = {"calendar_id", "status_date", "goal_baseline_value", "goal_target_value"}
OPTIONAL |= {"goal_target_date", "currency"}
STATUSES = [(ProgramStatus.ACTIVE.value, "Active"), (ProgramStatus.ON_HOLD.value, "On hold")]
DONE_MESSAGES = {
    "created": "Program created: add its projects under Projects & tasks, and the people "
    "who work on it under Members.",
    "saved": "Saved: the program is rescheduled on its new settings.",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return input_number(value)
    return str(getattr(value, "value", value))


def _values_of(program: Program | None) -> dict[str, str]:
    if program is None:
        return {"status": ProgramStatus.ACTIVE.value}
    values = {name: _text(getattr(program, name)) for name in FIELDS}
    values |= {f"goal_{name}": _text(getattr(program, f"goal_{name}")) for name in GOAL_FIELDS}
    return values


def _form_values(form: FormData) -> dict[str, str]:
    names = [*FIELDS, *(f"goal_{name}" for name in GOAL_FIELDS)]
    return {name: field_value(form, name) for name in names}


def _body(values: dict[str, str]) -> dict[str, Any]:
    """The API's input from the form: blank optional fields are none."""

    def value(name: str) -> str | None:
        text = values[name]
        return None if text == "" and name in OPTIONAL else text

    body: dict[str, Any] = {name: value(name) for name in FIELDS}
    body["goal"] = {name: value(f"goal_{name}") for name in GOAL_FIELDS}
    return body


def _calendar_options(db: Db, viewer: Viewer) -> list[tuple[str, str]]:
    found, _total = calendars.list_calendars(db, viewer.actor, limit=500)
    return [("", "Mon–Fri, no holidays")] + [(str(c.id), c.name) for c in found]


@dataclass(frozen=True, slots=True)
class SettingsQuestion:
    """What the owner asked: the program with a new start and/or status date."""

    sentence: str
    detail: str = ""
    no_moves: str = "Nothing moves with these dates: every task keeps its dates."


@dataclass(frozen=True, slots=True)
class Preview:
    """The preview under the settings form: an answer, or why there is none."""

    question: SettingsQuestion | None = None
    view: ImpactView | None = None
    by_project: list[ProjectMoves] | None = None
    note: str = ""


def _day(value: date | None) -> str:
    return format_date(value) if value is not None else "none"


def _calendar(db: Db, calendar_id: int | None) -> str:
    found = db.get(Calendar, calendar_id) if calendar_id is not None else None
    return f"“{found.name}”" if found is not None else "the built-in Monday–Friday"


def _sentence(db: Db, program: Program, settings: dict[str, Any]) -> str:
    parts = []
    if "start_date" in settings:
        parts.append(
            f"the program starts on {_day(settings['start_date'])} "
            f"instead of {_day(program.start_date)}"
        )
    if "status_date" in settings:
        new, old = settings["status_date"], program.status_date
        if new is None:
            parts.append(f"the status date ({_day(old)}) is cleared")
        else:
            parts.append(f"the status date moves from {_day(old)} to {_day(new)}")
    if "calendar_id" in settings:
        parts.append(
            f"the program works to {_calendar(db, settings['calendar_id'])} "
            f"instead of {_calendar(db, program.calendar_id)}"
        )
    return "If " + " and ".join(parts)


def _preview(db: Db, viewer: Viewer, program: Program, body: ProgramUpdate) -> Preview:
    """What the form's start, status date and default calendar would move (nothing saved)."""
    settings = {
        name: getattr(body, name)
        for name in PREVIEWED_SETTINGS
        if getattr(body, name) != getattr(program, name)
        and not (name == "start_date" and getattr(body, name) is None)
    }
    if not settings:
        return Preview(
            note="The start, the status date and the calendar are as saved, so nothing "
            "moves; the other settings do not move the schedule."
        )
    view = analyze_settings_impact(db, viewer.actor, program.id, settings)
    found, _total = projects.list_projects(db, viewer.actor, program_id=program.id, limit=1000)
    names = {project.key: project.name for project, _count in found}
    by_project = [
        ProjectMoves(key, names.get(key, ""), moves)
        for key, moves in sorted(view.by_project.items())
    ]
    return Preview(SettingsQuestion(_sentence(db, program, settings)), view, by_project)


def _shown() -> set[str]:
    return {*FIELDS, *(f"goal_{name}" for name in GOAL_FIELDS)}


def _form(
    request: Request,
    db: Db,
    viewer: Viewer,
    *,
    program: Program | None,
    values: dict[str, str],
    errors: Errors | None = None,
    flash: str = "",
    delete_error: str = "",
    preview: Preview | None = None,
    status_code: int = 200,
) -> Response:
    role = role_in(db, viewer.actor, program.id) if program is not None else None
    editable = program is None or (
        role is not None
        and role.rank >= Role.OWNER.rank
        and program.scenario_of_id is None
        and program.status != ProgramStatus.CLOSED
    )
    statuses = list(STATUSES)
    if program is not None and program.status == ProgramStatus.CLOSED:
        statuses.append((ProgramStatus.CLOSED.value, "Closed"))
    context = {
        "program": program,
        "values": values,
        "errors": errors or {},
        "editable": editable,
        "role": role,
        "calendars": _calendar_options(db, viewer),
        "statuses": statuses,
        "currencies": COMMON,
        "flash": flash,
        "delete_error": delete_error,
        "preview": preview,
    }
    template = "program_settings/new.html" if program is None else "program_settings/page.html"
    return render(request, template, context, status_code=status_code)


@router.get("/programs/new", name="program-new")
def new_program(request: Request, db: Db, viewer: CurrentViewer) -> Response:
    """The form for a new program (anyone signed in; they become its owner)."""
    return _form(request, db, viewer, program=None, values=_values_of(None))


@router.post("/programs", name="program-create")
def create_program(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Start a program; back to the form with the errors beside their fields."""
    values = _form_values(form)
    body, errors = validate(ProgramCreate, _body(values))
    if body is not None and not errors:
        fields = body.model_dump(exclude={"goal"})
        fields |= {f"goal_{k}": v for k, v in body.goal.model_dump().items()}
        try:
            program = programs.create_program(db, viewer.actor, **fields)
            done(db)
            return RedirectResponse(f"/programs/{program.id}/settings?done=created", 303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, _shown())
    return _form(request, db, viewer, program=None, values=values, errors=errors, status_code=422)


@router.get("/programs/{program_id}/settings", name="program-settings")
def program_settings(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    done_: Annotated[str | None, Query(alias="done", max_length=20)] = None,
) -> Response:
    """The program's settings: a form for its owners, to read for everyone else in it."""
    program = programs.get_program(db, viewer.actor, program_id)
    flash = DONE_MESSAGES.get(done_ or "", "")
    return _form(request, db, viewer, program=program, values=_values_of(program), flash=flash)


@router.post("/programs/{program_id}/settings", name="program-settings-save")
def save_program_settings(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save the settings (owners; checked against the version the form was read at)."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    values = _form_values(form)
    body, errors = validate(ProgramUpdate, _body(values))
    status_code = 422
    if body is not None and not errors:
        fields = body.model_dump(exclude={"goal"})
        if body.goal is not None:
            fields |= {f"goal_{k}": v for k, v in body.goal.model_dump().items()}
        for required in ("key", "name", "start_date", "status"):
            if fields.get(required) is None:
                fields.pop(required, None)
        try:
            programs.update_program(
                db, viewer.actor, program_id, fields, expected_version=version_of(form)
            )
            done(db)
            return RedirectResponse(f"/programs/{program_id}/settings?done=saved", 303)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, _shown())
            status_code = refusal_status(exc)
    db.refresh(program)
    return _form(
        request, db, viewer, program=program, values=values, errors=errors, status_code=status_code
    )


@router.post("/programs/{program_id}/settings/preview", name="program-settings-preview")
def preview_program_settings(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """What the form's new start or status date would move, before it is saved (owners;
    nothing is written). HTMX gets the preview alone; a plain post, the page with it."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    values = _form_values(form)
    body, errors = validate(ProgramUpdate, _body(values))
    preview = None
    if body is not None and not errors:
        try:
            preview = _preview(db, viewer, program, body)
        except (ValidationFailed, Conflict) as exc:
            errors = errors_of(exc, _shown())
    db.rollback()  # nothing to keep: the analysis ran on a copy of the plan
    if errors:
        problems = (
            message if name == GENERAL else f"{humanize(name)}: {message}"
            for name, message in errors.items()
        )
        preview = Preview(note=" ".join(["Correct the form first.", *problems]))
    if is_htmx(request):
        context = {"preview": preview, "program": program}
        return render(request, "program_settings/_preview.html", context)
    db.refresh(program)
    return _form(
        request,
        db,
        viewer,
        program=program,
        values=values,
        errors=errors,
        preview=preview,
        status_code=422 if errors else 200,
    )


@router.post("/programs/{program_id}/delete", name="program-delete")
def delete_program(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Delete the program and everything in it (owners), once its key is typed again."""
    program = programs.get_program(db, viewer.actor, program_id, needed=Role.OWNER)
    typed = field_value(form, "confirm_key")
    problem = ""
    if typed != program.key:
        problem = f"Type the program's key, {program.key}, to delete it."
    else:
        try:
            programs.delete_program(db, viewer.actor, program_id, expected_version=version_of(form))
            done(db)
            return RedirectResponse("/", status_code=303)
        except (Conflict, StaleVersion) as exc:
            db.rollback()
            db.refresh(program)
            problem = humanize(exc.message) + "."
    return _form(
        request,
        db,
        viewer,
        program=program,
        values=_values_of(program),
        delete_error=problem,
        status_code=422,
    )
