"""Executive status reports: a draft on any date, issued reports kept unchanged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from podium.api.deps import CurrentActor, Db, Page, commit, paged
from podium.api.schemas import ERROR_RESPONSES, IsoDate, PageOut, PathId, Strict
from podium.models import IssuedReport
from podium.services import reports

router = APIRouter(tags=["reports"], responses=ERROR_RESPONSES)

Format = Literal["html", "md", "pdf"]
MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


class ReportOut(BaseModel):
    id: int
    program_id: int
    title: str
    as_of: date
    status: str = Field(description="the program's health as issued: red, amber, green or no_plan")
    issued_at: datetime
    issued_by: str
    links: dict[str, str]


def _out(r: IssuedReport) -> ReportOut:
    return ReportOut(
        id=r.id,
        program_id=r.program_id,
        title=r.title,
        as_of=r.as_of,
        status=r.status,
        issued_at=r.issued_at,
        issued_by=r.issued_by,
        links={
            fmt: f"/api/v1/reports/{r.id}/content?format={fmt}" for fmt in ("html", "md", "pdf")
        },
    )


# a report opened in the browser straight from the API (the session cookie signs it in)
# is a page like the web's: no script, no framing, not kept in caches
HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "same-origin",
}


def _content(body: bytes, fmt: Format, name: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if fmt == "html":
        headers.update(HTML_HEADERS)
    else:
        headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return Response(content=body, media_type=MEDIA[fmt], headers=headers)


@router.get(
    "/programs/{program_id}/report",
    summary="The status report now (a draft: not kept), as HTML, Markdown or PDF",
    response_class=Response,
)
def draft(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    format: Annotated[Format, Query()] = "html",
    as_of: Annotated[
        IsoDate | None,
        Query(
            alias="date",
            description="status date (default: the program's); not after today, nor after "
            "the program's status date when that is later",
        ),
    ] = None,
) -> Response:
    data = reports.draft_report(db, actor, program_id, as_of=as_of)
    return _content(
        reports.render(data, format), format, f"{data['program']['key']}-{data['as_of']}"
    )


class IssueIn(Strict):
    as_of: date | None = Field(
        default=None,
        alias="date",
        description="status date (default: the program's); not after today, nor after the "
        "program's status date when that is later",
    )


@router.post(
    "/programs/{program_id}/reports",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a status report and keep it unchanged (manager)",
)
def issue(
    program_id: PathId, db: Db, actor: CurrentActor, body: IssueIn | None = None
) -> ReportOut:
    report = reports.issue_report(db, actor, program_id, as_of=body.as_of if body else None)
    commit(db)
    return _out(report)


@router.get(
    "/programs/{program_id}/reports",
    response_model=PageOut[ReportOut],
    summary="Issued reports, newest first",
)
def list_reports(program_id: PathId, db: Db, actor: CurrentActor, page: Page) -> PageOut[ReportOut]:
    return paged(reports.list_reports(db, actor, program_id), page, _out)


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: PathId, db: Db, actor: CurrentActor) -> ReportOut:
    return _out(reports.get_report(db, actor, report_id))


@router.get(
    "/reports/{report_id}/content",
    summary="An issued report exactly as issued: HTML, Markdown or PDF",
    response_class=Response,
)
def content(
    report_id: PathId, db: Db, actor: CurrentActor, format: Annotated[Format, Query()] = "html"
) -> Response:
    report = reports.get_report(db, actor, report_id)
    return _content(
        reports.stored_content(report, format), format, f"report-{report.id}-{report.as_of}"
    )
