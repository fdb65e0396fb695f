"""The "Import a plan" page: upload a file of any supported format, see the date comparison."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from podium.api.deps import Db
from podium.errors import PayloadTooLarge, PodiumError
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.services.imports import FORMAT_NAMES, import_file
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done
from podium.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("format", "key", "name")


def _form(
    request: Request,
    values: dict[str, str] | None = None,
    *,
    refusal: str = "",
    problems: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "imports/new.html",
        {
            "values": values or {},
            "errors": {},
            "refusal": refusal,
            "problems": problems or [],
            "formats": [("", "Detect from the file"), *FORMAT_NAMES.items()],
            "limit_mb": MAX_IMPORT_BYTES // (1024 * 1024),
        },
        status_code=status_code,
    )


@router.get("/import", name="import")
def import_page(request: Request, viewer: CurrentViewer) -> Response:
    """The upload form."""
    return _form(request)


@router.post("/import")
async def upload(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Import the uploaded file as a new program; on any problem, list them (nothing written)."""
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _form(request, values, refusal="Choose a file to import.", status_code=422)
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes")
        report = import_file(
            db,
            viewer.actor,
            data,
            filename=upload.filename,
            format=values["format"] or None,
            key=values["key"] or None,
            name=values["name"] or None,
        )
    except PodiumError as exc:
        db.rollback()
        problems = exc.details if isinstance(exc.details, list) else []
        return _form(
            request, values, refusal=exc.message, problems=problems, status_code=exc.status
        )
    done(db)
    return render(
        request,
        "imports/result.html",
        {"report": report, "format_name": FORMAT_NAMES.get(report.format, report.format)},
        status_code=201,
    )
