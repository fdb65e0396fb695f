"""A program's projects, and one project's WBS with inline editing for managers.

Every change posts a small form (CSRF token, the task's version) and, for
HTMX, answers with the whole WBS table: one edit can move many dates, and the
table must show them all. Without JavaScript the same forms post and redirect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.projects import ProjectCreate
from podium.api.schemas import PathId
from podium.api.tasks import TaskCreate
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.services import projects, tasks
from podium.services.pages_projects import ProjectWbs, program_projects, project_wbs
from podium.web.form_errors import Errors, errors_of, validate
from podium.web.programs import Pager
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import (
    blank_errors,
    changed_meanwhile,
    checkbox,
    done,
    field_value,
    task_updates,
    version_of,
)
from podium.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

WBS_PAGE = 200  # rows of the WBS at a time (a 2,000-task project was 5.6 MB in one page)
ADD_FIELDS = ("name", "duration", "parent_id", "is_milestone", "key")
ROW_FIELDS = ("name", "duration")
MOVES = ("up", "down", "indent", "outdent")


@dataclass
class TableState:
    """What the WBS table shows besides the tasks: a row being edited, a delete to confirm…"""

    editing: int | None = None
    deleting: int | None = None
    conflict: str = ""
    conflict_links: list[str] = field(default_factory=list)
    errors: Errors = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    add_errors: Errors = field(default_factory=dict)
    add_values: dict[str, Any] = field(default_factory=dict)
    flash: str = ""
    flash_error: str = ""
    highlight: int | None = None
    add_again: bool = False  # keep the keyboard in the add form (after adding, or its errors)
    focus_row: int | None = None  # back on this row's edit button (after a cancel)
    page: int = 1  # of the WBS, unless a row above is on another
    # the version a refused row's form was read at, by task: drawn again, it keeps it, so
    # that sending it again after someone else's save is refused, not written over theirs
    read_at: dict[int, int] = field(default_factory=dict)


# --- a program's projects -----------------------------------------------------------


@router.get("/programs/{program_id}/projects", name="program_projects")
def project_list(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    deleted: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The program's projects with their dates and counts; managers add projects."""
    view = program_projects(db, viewer.actor, program_id)
    context = {"view": view, "program": view.program, "errors": {}, "values": {}}
    context["flash"] = f"Project {deleted} deleted, with its tasks." if deleted else ""
    return render(request, "projects/list.html", context)


@router.post("/programs/{program_id}/projects")
def add_project(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """A new project (managers); then on to its (empty) WBS."""
    values = {name: field_value(form, name) for name in ("key", "name", "description")}
    body, errors = validate(ProjectCreate, {"program_id": program_id, **values})
    errors = {**errors, **blank_errors(form, ("name",))}
    if not values["key"]:
        errors["key"] = "Required."
    if body is not None and not errors:
        try:
            project = projects.create_project(db, viewer.actor, **body.model_dump())
            done(db)
            return RedirectResponse(f"/projects/{project.id}", status_code=303)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, ("key", "name", "description"))
    view = program_projects(db, viewer.actor, program_id)
    return render(
        request,
        "projects/list.html",
        {"view": view, "program": view.program, "errors": errors, "values": values, "flash": ""},
        status_code=422,
    )


# --- one project's WBS ----------------------------------------------------------------


def _table(
    request: Request, view: ProjectWbs, state: TableState, *, status_code: int = 200
) -> Response:
    """The WBS: the whole page, or (HTMX) only the table, which every change replaces,
    with the project's span and task count above it; one page of rows at a time, the
    page of the row being edited or just changed."""
    template = "projects/_wbs_swap.html" if is_htmx(request) else "projects/page.html"
    pager = _pager(view, state)
    return render(
        request,
        template,
        {
            "view": view,
            "program": view.program,
            "project": view.project,
            "state": state,
            "pager": pager,
            "rows": view.rows[pager.offset : pager.offset + pager.size],
        },
        status_code=status_code,
    )


def _pager(view: ProjectWbs, state: TableState) -> Pager:
    number = state.page
    for task_id in (state.editing, state.deleting, state.highlight, state.focus_row):
        if task_id is not None and task_id in view.by_id:
            at = next(i for i, row in enumerate(view.rows) if row.task.id == task_id)
            number = at // WBS_PAGE + 1
            break
    pages = max(1, -(-len(view.rows) // WBS_PAGE))
    return Pager(number=min(max(number, 1), pages), size=WBS_PAGE, total=len(view.rows))


def _page(form: FormData) -> int:
    """The WBS page a form was sent from (HTMX sends it with every request of the table)."""
    text = field_value(form, "page")
    return int(text) if text.isdecimal() and 0 < len(text) < 7 else 1


def _changed(
    request: Request, db: Db, viewer: CurrentViewer, project_id: int, state: TableState
) -> Response:
    if not is_htmx(request):
        page = f"?page={state.page}" if state.page > 1 else ""
        return RedirectResponse(f"/projects/{project_id}{page}", status_code=303)
    return _table(request, project_wbs(db, viewer.actor, project_id), state)


def _read_at(form: FormData, task_id: int) -> dict[int, int]:
    """The version a row's refused form was read at (``TableState.read_at``), if it sent one."""
    version = version_of(form)
    return {} if version is None else {task_id: version}


def _row(view: ProjectWbs, task_id: int) -> Any:
    row = view.by_id.get(task_id)
    if row is None:
        raise NotFound(f"task {task_id} is not in project {view.project.key}")
    return row


@router.get("/projects/{project_id}", name="project")
def show_project(
    request: Request,
    project_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    edit: Annotated[int | None, Query(ge=1)] = None,
    delete: Annotated[int | None, Query(ge=1)] = None,
    focus: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The project's WBS with computed dates, a page of rows at a time; ``?edit=`` /
    ``?delete=`` open a row's form (on its page)."""
    view = project_wbs(db, viewer.actor, project_id)
    state = TableState(focus_row=focus, page=page)
    if view.can_edit and edit is not None and edit in view.by_id:
        state.editing = edit
    if view.can_edit and delete is not None and delete in view.by_id:
        state.deleting = delete
    return _table(request, view, state)


@router.post("/projects/{project_id}/tasks")
def add_task(
    request: Request, project_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """A new task at the end of the project, or under a chosen task (managers)."""
    values: dict[str, Any] = {name: field_value(form, name) for name in ADD_FIELDS}
    values["is_milestone"] = checkbox(form, "is_milestone")
    data = {
        "project_id": project_id,
        "name": values["name"],
        "duration": values["duration"] or None,
        "parent_id": values["parent_id"] or None,
        "key": values["key"] or None,
        "is_milestone": values["is_milestone"],
    }
    body, errors = validate(TaskCreate, data)
    errors = {**errors, **blank_errors(form, ("name",))}
    if body is not None and not errors:
        try:
            fields = body.model_dump(exclude={"estimate"}, exclude_none=True)
            task = tasks.create_task(db, viewer.actor, **fields)
            done(db)
            state = TableState(
                page=_page(form), flash=f"Added {task.key}.", highlight=task.id, add_again=True
            )
            return _changed(request, db, viewer, project_id, state)
        except (ValidationFailed, Conflict) as exc:
            db.rollback()
            errors = errors_of(exc, ADD_FIELDS)
    state = TableState(page=_page(form), add_errors=errors, add_values=values, add_again=True)
    return _table(request, project_wbs(db, viewer.actor, project_id), state, status_code=422)


@router.post("/projects/{project_id}/tasks/{task_id}")
def save_row(
    request: Request,
    project_id: PathId,
    task_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Save a row edited in place (name and duration); the table comes back rescheduled."""
    view = project_wbs(db, viewer.actor, project_id)
    row = _row(view, task_id)
    updates, errors = task_updates(form, ROW_FIELDS)
    stale = False  # refused as read before someone else's save
    if not errors:
        try:
            tasks.update_task(db, viewer.actor, task_id, updates, expected_version=version_of(form))
            done(db)
            state = TableState(
                page=_page(form),
                flash=f"Saved {row.task.key}; dates recalculated.",
                highlight=task_id,
            )
            return _changed(request, db, viewer, project_id, state)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            stale = isinstance(exc, StaleVersion)
            errors = errors_of(exc, ROW_FIELDS)
    # drawn again as typed, at the version it was read at: saving it again after someone
    # else's save is refused, not written over theirs
    now = project_wbs(db, viewer.actor, project_id)
    if task_id in now.by_id:
        task = now.by_id[task_id].task
        errors = changed_meanwhile(errors, task, version_of(form), stale=stale, undo="Cancel")
    state = TableState(
        page=_page(form),
        editing=task_id,
        errors=errors,
        values={name: field_value(form, name) for name in ROW_FIELDS},
        read_at=_read_at(form, task_id),
    )
    return _table(request, now, state, status_code=412 if stale else 422)


@router.post("/projects/{project_id}/tasks/{task_id}/move")
def move_row(
    request: Request,
    project_id: PathId,
    task_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Indent, outdent, or move a task up or down among its siblings (managers)."""
    view = project_wbs(db, viewer.actor, project_id)
    row = _row(view, task_id)
    move = field_value(form, "move")
    version = version_of(form)
    task = row.task
    try:
        if move == "indent":
            tasks.indent_task(db, viewer.actor, task_id, expected_version=version)
        elif move == "outdent":
            tasks.outdent_task(db, viewer.actor, task_id, expected_version=version)
        elif move in ("up", "down"):
            if (move == "up" and row.is_first) or (move == "down" and row.is_last):
                edge = "first" if move == "up" else "last"
                raise Conflict(f"task {task.key} is already the {edge} of its level")
            position = task.position - 1 if move == "up" else task.position + 1
            tasks.move_task(
                db,
                viewer.actor,
                task_id,
                parent_id=task.parent_id,
                position=position,
                expected_version=version,
            )
        else:
            raise ValidationFailed(f"move must be one of {', '.join(MOVES)}")
        done(db)
    except (Conflict, ValidationFailed) as exc:  # a parent that cannot be a summary: 422
        db.rollback()
        said = exc.message[:1].upper() + exc.message[1:] + "."
        if isinstance(exc, ValidationFailed):
            said = " ".join(errors_of(exc, ()).values())  # "Parent: task … cannot …."
        state = TableState(page=_page(form), flash_error=said, read_at=_read_at(form, task_id))
        return _table(
            request, project_wbs(db, viewer.actor, project_id), state, status_code=exc.status
        )
    labels = {"up": "Moved {} up", "down": "Moved {} down"}
    labels |= {"indent": "Indented {}", "outdent": "Outdented {}"}
    flash = labels[move].format(task.key) + "."
    return _changed(
        request,
        db,
        viewer,
        project_id,
        TableState(page=_page(form), flash=flash, highlight=task_id),
    )


@router.post("/projects/{project_id}/tasks/{task_id}/delete")
def delete_row(
    request: Request,
    project_id: PathId,
    task_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Delete a task and its sub-tasks; if links rely on them, say which and offer to cascade."""
    view = project_wbs(db, viewer.actor, project_id)
    key = _row(view, task_id).task.key
    cascade = field_value(form, "cascade") == "1"
    try:
        tasks.delete_task(
            db, viewer.actor, task_id, cascade=cascade, expected_version=version_of(form)
        )
        done(db)
    except Conflict as exc:
        db.rollback()
        details = exc.details if isinstance(exc.details, dict) else {}
        links = [
            f"{d.get('predecessor')} → {d.get('successor')}"
            for d in details.get("dependencies", [])
            if isinstance(d, dict)
        ]
        message = exc.message[:1].upper() + exc.message[1:]
        if links:
            message = f"Other work depends on {key} or its sub-tasks through {len(links)} " + (
                "link." if len(links) == 1 else "links."
            )
        state = TableState(
            page=_page(form),
            deleting=task_id,
            conflict=message,
            conflict_links=links,
            read_at=_read_at(form, task_id),
        )
        return _table(request, project_wbs(db, viewer.actor, project_id), state, status_code=409)
    return _changed(
        request, db, viewer, project_id, TableState(page=_page(form), flash=f"Deleted {key}.")
    )
