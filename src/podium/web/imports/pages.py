"""The "Import a plan" page: upload a file of any supported format, see the date comparison.

A CSV takes one more step: its bytes are kept on the server (:mod:`.uploads`) and
the person chooses which column holds each of Podium's fields, with the first rows
of the file beside the choice; other formats import at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.errors import NotFound, PayloadTooLarge, PodiumError
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.services.import_columns import MAPPING_FIELDS, inspect_file
from podium.services.import_readers import FORMAT_NAMES, detect_format
from podium.services.import_report import ImportReport
from podium.services.imports import import_file
from podium.web.imports.uploads import PendingUpload, UploadStore
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import done
from podium.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("format", "key", "name")
MAP_PREFIX = "map-"
uploads = UploadStore()


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


def _result(request: Request, report: ImportReport) -> Response:
    return render(
        request,
        "imports/result.html",
        {"report": report, "format_name": FORMAT_NAMES.get(report.format, report.format)},
        status_code=201,
    )


def _problems(exc: PodiumError) -> list[dict[str, Any]]:
    return exc.details if isinstance(exc.details, list) else []


@router.get("/import", name="import")
def import_page(request: Request, viewer: CurrentViewer) -> Response:
    """The upload form."""
    return _form(request)


@router.post("/import")
async def upload(request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm) -> Response:
    """Import the uploaded file as a new program; on any problem, list them (nothing
    written). A CSV is kept instead, and its column-mapping step shown."""
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _form(request, values, refusal="Choose a file to import.", status_code=422)
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(data) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes")
        if (values["format"] or detect_format(data, upload.filename)) == "csv":
            return await run_in_threadpool(
                _keep_csv, request, viewer.user_id, data, upload.filename, values
            )
        report = await run_in_threadpool(  # off the event loop: other requests go on
            import_file,
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
        return _form(
            request, values, refusal=exc.message, problems=_problems(exc), status_code=exc.status
        )
    done(db)
    return _result(request, report)


def _keep_csv(
    request: Request, user_id: int, data: bytes, filename: str, values: dict[str, str]
) -> Response:
    if not inspect_file(data, format="csv").columns:
        problem = {"location": "line 1", "message": "the file is empty: a header line is needed"}
        return _form(
            request,
            values,
            refusal="cannot import this CSV: it has no header line",
            problems=[problem],
            status_code=422,
        )
    token = uploads.keep(user_id, data, filename=filename, form=values)
    return RedirectResponse(f"/import/csv/{token}", status_code=303)


def _mapping_step(
    request: Request,
    kept: PendingUpload,
    *,
    mapping: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    refusal: str = "",
    problems: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    found = inspect_file(uploads.data(kept), format="csv")
    columns = found.columns or []
    return render(
        request,
        "imports/mapping.html",
        {
            "upload": kept,
            "columns": columns,
            "rows": found.rows or [],
            "fields": MAPPING_FIELDS,
            "mapping": found.mapping if mapping is None else mapping,
            "options": [("", "— not in the file —"), *((c, c) for c in columns if c)],
            "values": values if values is not None else kept.form,
            "errors": {},
            "prefix": MAP_PREFIX,
            "refusal": refusal,
            "problems": problems or [],
        },
        status_code=status_code,
    )


def _gone(request: Request, exc: NotFound) -> Response:
    return _form(request, refusal=exc.message, status_code=exc.status)


@router.get("/import/csv/{token}")
def mapping_page(request: Request, viewer: CurrentViewer, token: str) -> Response:
    """The CSV's column-mapping step: a column for each field, pre-chosen by header name."""
    try:
        kept = uploads.find(token, viewer.user_id)
        return _mapping_step(request, kept)
    except NotFound as exc:
        return _gone(request, exc)


def _chosen(form: FormData) -> dict[str, str]:
    chosen = {f.name: str(form.get(MAP_PREFIX + f.name) or "") for f in MAPPING_FIELDS}
    return {field: column for field, column in chosen.items() if column}


@router.post("/import/csv/{token}")
def import_csv(
    request: Request, db: Db, viewer: CurrentViewer, form: CheckedForm, token: str
) -> Response:
    """Import the kept CSV with the chosen columns; on problems, show them on the same
    step with the choice kept (nothing written); once imported the upload is removed."""
    values = {k: str(form.get(k) or "").strip() for k in ("key", "name")}
    mapping = _chosen(form)
    try:
        kept = uploads.find(token, viewer.user_id)
        data = uploads.data(kept)
    except NotFound as exc:
        return _gone(request, exc)
    try:
        report = import_file(
            db,
            viewer.actor,
            data,
            filename=kept.filename,
            format="csv",
            key=values["key"] or None,
            name=values["name"] or None,
            mapping=mapping,
        )
    except PodiumError as exc:
        db.rollback()
        return _mapping_step(
            request,
            kept,
            mapping=mapping,
            values=values,
            refusal=exc.message,
            problems=_problems(exc),
            status_code=exc.status,
        )
    done(db)
    uploads.discard(token)
    return _result(request, report)
