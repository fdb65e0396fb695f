"""History: the audit log of a program, a project or a task — who, when, old → new."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.services import pages_history
from podium.services.pages_history import HistoryPage
from podium.web.programs import Pager
from podium.web.session import CurrentViewer
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def _render(request: Request, view: HistoryPage, page: int) -> Response:
    return render(
        request,
        "history/page.html",
        {
            "view": view,
            "program": view.program,
            "pager": Pager(number=page, size=PAGE_SIZE, total=view.total),
            "path": request.url.path,
        },
    )


@router.get("/programs/{program_id}/history", name="program_history")
def program_history(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, page: PageNumber = 1
) -> Response:
    """Every change in the program, newest first."""
    view = pages_history.program_history(
        db, viewer.actor, program_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return _render(request, view, page)


@router.get("/projects/{project_id}/history", name="project_history")
def project_history(
    request: Request, project_id: PathId, db: Db, viewer: CurrentViewer, page: PageNumber = 1
) -> Response:
    """Changes to one project and its tasks."""
    view = pages_history.project_history(
        db, viewer.actor, project_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return _render(request, view, page)


@router.get("/tasks/{task_id}/history", name="task_history")
def task_history(
    request: Request, task_id: PathId, db: Db, viewer: CurrentViewer, page: PageNumber = 1
) -> Response:
    """Changes to one task and its links."""
    view = pages_history.task_history(
        db, viewer.actor, task_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return _render(request, view, page)
