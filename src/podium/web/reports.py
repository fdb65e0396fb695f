"""Reports: the status report now (a draft), issued reports kept unchanged, issuing one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.models import Program, Role
from podium.services import reports
from podium.services.actor import role_in
from podium.services.date_window import in_window, window_message
from podium.services.performance import default_status_date
from podium.services.programs import get_program
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import done, field_value
from podium.web.templating import render

router = APIRouter(include_in_schema=False)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


def _report_date(program: Program, text: str | None) -> tuple[date | None, str]:
    """The report's date as typed (blank: the program's status date), or why not."""
    if not text or not text.strip():
        return None, ""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None, "Enter a date (YYYY-MM-DD)."  # as every form says it
    if not in_window(day):
        return None, _sentence(window_message(day))
    refusal = reports.report_date_refusal(program, day)  # a day still to come
    if refusal is not None:
        return None, _sentence(refusal)
    return day, ""


def _page(
    request: Request,
    db: Session,
    viewer: Viewer,
    program_id: int,
    *,
    typed: str = "",
    as_of: date | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    program = get_program(db, viewer.actor, program_id)
    role = role_in(db, viewer.actor, program_id)
    issued = reports.list_reports(db, viewer.actor, program_id)
    return render(
        request,
        "reports/list.html",
        {
            "program": program,
            "issued": issued,
            "can_issue": role is not None and role.rank >= Role.MANAGER.rank,
            # the date the report reads: the one asked for, else the program's status date
            "as_of": as_of,
            "report_day": as_of or default_status_date(program),
            "typed": typed,
            "date_error": error,
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id}/reports", name="reports")
def reports_page(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    date: Annotated[str | None, Query(description="the report's status date")] = None,
) -> Response:
    """The report history of a program, with the draft of the report on a date (the
    program's status date unless another is chosen)."""
    as_of, error = _report_date(get_program(db, viewer.actor, program_id), date)
    return _page(
        request,
        db,
        viewer,
        program_id,
        typed=date or "",
        as_of=as_of,
        error=error,
        status_code=422 if error else 200,
    )


@router.post("/programs/{program_id}/reports")
def issue(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Issue the report on the date shown and keep it unchanged (managers)."""
    typed = field_value(form, "date")
    program = get_program(db, viewer.actor, program_id, needed=Role.MANAGER)
    as_of, error = _report_date(program, typed)
    if error:
        return _page(request, db, viewer, program_id, typed=typed, error=error, status_code=422)
    issued = reports.issue_report(db, viewer.actor, program_id, as_of=as_of)
    issued_id = issued.id
    done(db)
    return RedirectResponse(f"/programs/{program_id}/reports#report-{issued_id}", status_code=303)
