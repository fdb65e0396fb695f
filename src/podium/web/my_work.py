"""My work: the tasks assigned to the signed-in person, and their progress reported in place.

The list is :func:`podium.services.my_work.work_of` on today's date. Each row has
a small progress form (started, percent done, finished) that saves through
:func:`podium.services.tasks.update_task` — the same rules and the same stale
check (the row's version) as the task page. With HTMX the list is drawn again
whole — a task that starts or finishes moves to its group and the counts follow —
with the saved row saying so, or a refused row its errors and what was typed;
without scripts the page is posted and shown again.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.services import my_work, tasks
from podium.services.common import today
from podium.services.my_work import STATE_LABELS, Work, WorkItem
from podium.web.form_errors import Errors, errors_of
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value, task_updates, version_of
from podium.web.templating import input_number, is_htmx, render

router = APIRouter(include_in_schema=False)

PROGRESS_FIELDS = ("actual_start", "percent_complete", "actual_finish")


def _work(db: Db, viewer: Viewer) -> Work:
    return my_work.work_of(db, viewer.actor, on=today())


def _item(work: Work, task_id: int) -> WorkItem:
    found = next((i for i in work.items if i.task_id == task_id), None)
    if found is None:
        raise NotFound(f"task {task_id} is not in your work")
    return found


def _shown(item: WorkItem, field: str) -> str:
    """A progress field as the row drew it (what the form sends back untouched)."""
    if field == "percent_complete":
        return input_number(item.percent_complete)
    day = item.actual_start if field == "actual_start" else item.actual_finish
    return day.isoformat() if day is not None else ""


def _page(
    request: Request,
    work: Work,
    *,
    whole: bool = True,
    saved: str = "",
    saved_id: int | None = None,
    saved_row: str = "",
    left: str = "",
    row_errors: dict[int, Errors] | None = None,
    row_values: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    """The page, or (``whole=False``) the list alone — counts and groups — for HTMX to
    swap in after a row is saved."""
    context = {
        "work": work,
        "labels": STATE_LABELS,
        "saved": saved,
        "saved_id": saved_id,
        "saved_row": saved_row,
        "left": left,
        "row_errors": row_errors or {},
        "row_values": row_values or {},
    }
    template = "my_work/page.html" if whole else "my_work/_list.html"
    return render(request, template, context, status_code=status_code)


@router.get("/my-work", name="my-work")
def my_work_page(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    saved: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    """The signed-in person's tasks: late, in progress, starting soon, later, just finished."""
    return _page(request, _work(db, viewer), saved=saved or "")


@router.post("/my-work/tasks/{task_id}", name="my-work-progress")
def report_progress(
    request: Request, task_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Save one row's progress (checked against the version the row was drawn at)."""
    item = _item(_work(db, viewer), task_id)
    # only what the person changed in the row: a finish given with the percentage left
    # as it was means done (the service then sets 100 %)
    changed = [f for f in PROGRESS_FIELDS if f in form and field_value(form, f) != _shown(item, f)]
    updates, errors = task_updates(form, changed)
    if not errors:
        try:
            if updates:
                tasks.update_task(
                    db, viewer.actor, task_id, updates, expected_version=version_of(form)
                )
                done(db)
            work = _work(db, viewer)
            if not is_htmx(request):
                return RedirectResponse(f"/my-work?saved={item.key}#work-{task_id}", 303)
            # the whole list: the task may have moved to another group, and the counts
            if any(i.task_id == task_id for i in work.items):
                return _page(
                    request,
                    work,
                    whole=False,
                    saved_id=task_id,
                    saved_row="Saved" if updates else "Nothing changed",
                )
            # finished more than the list's two weeks ago
            left = f"Saved {item.key}: it finished over two weeks ago, so it leaves this list."
            return _page(request, work, whole=False, left=left)
        except (ValidationFailed, Conflict, StaleVersion) as exc:
            db.rollback()
            errors = errors_of(exc, set(PROGRESS_FIELDS))
    # the row stays at the version it was read at: saving it again must be refused again,
    # not write the typed values over what someone else saved meanwhile
    values = {name: field_value(form, name) for name in (*PROGRESS_FIELDS, "version")}
    return _page(
        request,
        _work(db, viewer),
        whole=not is_htmx(request),
        row_errors={task_id: errors},
        row_values={task_id: values},
        status_code=422,
    )
