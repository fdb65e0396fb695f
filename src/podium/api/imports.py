"""Import a plan file of any supported format as a new program; export a program as a file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from podium.api.deps import CurrentActor, Db, commit
from podium.api.schemas import ERROR_RESPONSES, PathId
from podium.errors import PayloadTooLarge
from podium.interop.imported import MAX_IMPORT_BYTES
from podium.services.exports import export_program
from podium.services.import_columns import inspect_file, parse_mapping
from podium.services.imports import import_file

router = APIRouter(tags=["imports"], responses=ERROR_RESPONSES)


async def read_upload(
    upload: UploadFile, *, limit: int = MAX_IMPORT_BYTES, what: str = "an import"
) -> bytes:
    """The uploaded bytes; refused (413) past ``limit`` without reading further."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"{what} reads at most {limit} bytes")
    return data


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    summary="Import a plan file as a new program (nothing written when it has problems)",
)
async def create_import(
    db: Db,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="MSPDI XML, XER, CSV or podium-plan JSON")],
    format: Annotated[
        Literal["mspdi", "xer", "csv", "podium-plan"] | None,
        Form(description="the file's format (default: detected from its content)"),
    ] = None,
    key: Annotated[str | None, Form(max_length=20)] = None,
    name: Annotated[str | None, Form(max_length=200)] = None,
    mapping: Annotated[
        str | None,
        Form(
            description="CSV only: a JSON object of field → column header, e.g. "
            '{"name": "Activity Title", "duration": "Length"} (default: the suggested '
            "mapping of POST /imports/inspect)"
        ),
    ] = None,
) -> dict[str, Any]:
    """Returns the new program's id, what was imported and the date comparison report:
    per task, the file's start and finish beside Podium's, the difference in working
    days and its reason. A file with problems is refused (422) with each problem's
    location; nothing is written."""
    chosen = parse_mapping(mapping) if mapping is not None else None
    data = await read_upload(file)
    # reading, checking and writing a large file takes seconds: off the event loop, so
    # that the other requests are answered meanwhile
    report = await run_in_threadpool(
        import_file,
        db,
        actor,
        data,
        filename=file.filename or "",
        format=format,
        key=key,
        name=name,
        mapping=chosen,
    )
    commit(db)
    return report.as_dict()


@router.post(
    "/imports/inspect",
    summary="What a file holds before it is imported: its format and, for a CSV, its columns",
)
async def inspect_import(
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="MSPDI XML, XER, CSV or podium-plan JSON")],
    format: Annotated[
        Literal["mspdi", "xer", "csv", "podium-plan"] | None,
        Form(description="the file's format (default: detected from its content)"),
    ] = None,
) -> dict[str, Any]:
    """Writes nothing. Returns the format and, for a CSV, what a column-mapping step
    needs: the file's ``columns``, the suggested ``mapping`` (field → column), the
    ``fields`` a column can fill (``name``, ``label``, ``required``, ``hint``) and the
    first ``rows`` as written; for other formats these are null."""
    data = await read_upload(file)
    found = await run_in_threadpool(inspect_file, data, filename=file.filename or "", format=format)
    return found.as_dict()


@router.get(
    "/programs/{program_id}/export",
    summary="Export a program as a file (plan format JSON, Microsoft Project XML or CSV)",
    response_class=Response,
)
def export(
    program_id: PathId,
    db: Db,
    actor: CurrentActor,
    format: Literal["json", "mspdi", "csv"] = "json",
) -> Response:
    exported = export_program(db, actor, program_id, format=format)
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
