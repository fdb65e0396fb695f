"""Reports: the status report now (a draft), issued reports kept unchanged, issuing one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.schemas import PathId
from podium.models import Role
from podium.services import reports
from podium.services.actor import role_in
from podium.services.programs import get_program
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done
from podium.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/programs/{program_id}/reports", name="reports")
def reports_page(request: Request, program_id: PathId, db: Db, viewer: CurrentViewer) -> Response:
    """The report history of a program, with the draft of today's report."""
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
        },
    )


@router.post("/programs/{program_id}/reports")
def issue(program_id: PathId, db: Db, viewer: CurrentViewer, _form: CheckedForm) -> Response:
    """Issue today's report and keep it unchanged (managers)."""
    issued = reports.issue_report(db, viewer.actor, program_id)
    issued_id = issued.id
    done(db)
    return RedirectResponse(f"/programs/{program_id}/reports#report-{issued_id}", status_code=303)
