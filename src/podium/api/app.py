"""The REST API application under /api/v1 (the web pages are added by :mod:`podium.app`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from podium import __version__
from podium.api import programs, users
from podium.api.errors import error_response, install_error_handlers
from podium.api.schemas import ROUTE_ERRORS
from podium.body_limit import BodyLimit
from podium.config import Settings, get_settings
from podium.db import check_database_current, make_engine, session_factory
from podium.middleware import DefaultHeaders, Gate

API_PREFIX = "/api/v1"

DESCRIPTION = """\
Podium's REST API. Authenticate with a personal API token
(`podium token create EMAIL --name NAME`, or `POST /api/v1/tokens`):
`Authorization: Bearer pod_…`.

Every error is `{"error": {"code", "message", "details"}}`. Records carry a
`version`; send it back as `If-Match: "<version>"` on updates and deletes to be
told (HTTP 412) when someone else changed the record first.
"""


def api_router() -> APIRouter:
    """Every API area, mounted under /api/v1."""
    from podium.api import (
        assignments,
        audit,
        baselines,
        benefits,
        calendars,
        change_requests,
        dependencies,
        forecasts,
        governance,
        health,
        imports,
        integrations,
        leveling,
        milestones,
        my_work,
        projects,
        reports,
        resources,
        retrospective,
        risks,
        scenarios,
        schedule,
        search,
        tasks,
    )

    router = APIRouter(prefix=API_PREFIX)
    for area in (
        users,
        my_work,
        programs,
        audit,
        schedule,
        baselines,
        forecasts,
        health,
        reports,
        risks,
        benefits,
        governance,
        change_requests,
        retrospective,
        projects,
        tasks,
        milestones,
        dependencies,
        calendars,
        resources,
        assignments,
        leveling,
        scenarios,
        integrations,
        imports,
        search,
    ):
        router.include_router(area.router)
    return router


def _reads_if_match(operation: dict[str, Any]) -> bool:
    return any(
        p["in"] == "header" and p["name"].lower() == "if-match"
        for p in operation.get("parameters", [])
    )


def document_route_errors(document: dict[str, Any]) -> None:
    """Add to each operation of the OpenAPI document the errors only some routes answer:
    412 where it reads ``If-Match`` (the ``expected_version`` dependency's header), 413
    where it takes a request body (every body is bounded, uploads more tightly)."""
    error_body = {"$ref": "#/components/schemas/ErrorOut"}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            answers = {
                412: _reads_if_match(operation),
                413: "requestBody" in operation,
            }
            responses = operation.setdefault("responses", {})
            for status, applies in answers.items():
                if applies:
                    responses[str(status)] = {
                        "description": ROUTE_ERRORS[status],
                        "content": {"application/json": {"schema": error_body}},
                    }
            operation["responses"] = dict(sorted(responses.items()))


def nul_fields(request: Request) -> list[str]:
    """The query's parameters whose name or value holds a NUL character."""
    return [k for k, v in request.query_params.multi_items() if "\x00" in k or "\x00" in v]


def has_nul(request: Request) -> bool:
    return "%00" in request.url.query and bool(nul_fields(request))


def create_api_app(
    settings: Settings | None = None, *, engine: Engine | None = None, check_schema: bool = True
) -> FastAPI:
    """Build the app; refuses to start on a database whose schema is behind."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url, echo=settings.echo_sql)
    if check_schema:
        check_database_current(engine)
    app = FastAPI(
        title="Podium",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    schema_of_routes = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_route_errors(schema_of_routes())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)  # bodies sent in chunks

    async def limit_body_size(request: Request) -> Response | None:
        length = request.headers.get("content-length")
        if length and length.isdecimal() and int(length) > settings.max_upload_bytes:
            return error_response(
                413,
                "payload_too_large",
                f"the request body is larger than {settings.max_upload_bytes} bytes",
            )
        return None

    async def refuse_nul_in_query(request: Request) -> Response | None:
        # as in bodies: PostgreSQL cannot take NUL, and SQLite's LIKE stops at it ("a%00b"
        # would match whatever holds "a")
        if request.url.path.startswith("/api/") and has_nul(request):
            return error_response(
                422,
                "validation_failed",
                "invalid fields: the query must not contain NUL characters",
                [
                    {"field": k, "message": "must not contain NUL characters"}
                    for k in nul_fields(request)
                ],
            )
        return None

    # each added wraps those before it: a NUL in the query is refused first; every
    # answer from within is read as the type it says (a JSON string is never run as HTML)
    app.add_middleware(Gate, check=limit_body_size)
    app.add_middleware(DefaultHeaders, headers={"X-Content-Type-Options": "nosniff"})
    app.add_middleware(Gate, check=refuse_nul_in_query)

    app.include_router(api_router())
    from podium.api.integrations import public_router

    app.include_router(public_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    return app
