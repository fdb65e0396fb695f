"""One handler per error kind, all answering ``{"error": {code, message, details}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from podium.errors import PodiumError, TooManyAttempts

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale_version",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details}},
        status_code=status,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[-1] if loc else "")


async def _podium_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PodiumError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(
            400,
            "malformed_json",
            "the request body is not valid JSON",
            [
                {
                    "field": "body",
                    "message": str(e.get("ctx", {}).get("error") or e.get("msg", "")),
                    "position": next((p for p in e.get("loc", ())[1:] if isinstance(p, int)), None),
                }
                for e in errors
            ],
        )
    details = [
        {
            "field": _field_name(tuple(e.get("loc", ()))),
            "message": str(e.get("msg", "")).removeprefix("Value error, "),
            "type": e.get("type"),
        }
        for e in errors
    ]
    fields = ", ".join(d["field"] for d in details)
    return error_response(422, "validation_failed", f"invalid fields: {fields}", details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    return error_response(
        exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None)
    )


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("integrity error reached the handler: %s", exc)
    return error_response(409, "conflict", "the change conflicts with existing data")


async def _data_error(_request: Request, exc: Exception) -> JSONResponse:
    log.info("value refused by the database: %s", exc)
    return error_response(
        422,
        "invalid_value",
        "a value is out of the range the database can store (for example an id that is too large)",
    )


async def _stale_error(_request: Request, _exc: Exception) -> JSONResponse:
    return error_response(
        412, "stale_version", "the record was changed by someone else; reload and retry"
    )


# SQLite refuses these as "operational" errors, but the request's value is what is wrong
TOO_LONG = ("like or glob pattern too complex", "string or blob too big")
BUSY = ("database is locked", "could not serialize", "deadlock detected", "lock timeout")


async def _operational_error(_request: Request, exc: Exception) -> JSONResponse:
    """The database could not do the work now (another writer holds SQLite's lock, a
    lock wait ran out, the server went away): 503, to be tried again; nothing was kept."""
    text = str(exc).lower()
    if any(sign in text for sign in TOO_LONG):
        log.info("value refused by the database: %s", exc)
        return error_response(
            422, "invalid_value", "a value is too long for the database to search or store"
        )
    if any(sign in text for sign in BUSY):
        log.warning("database busy: %s", exc)
        return error_response(
            503,
            "database_busy",
            "the database is busy with other work; nothing was changed: try again in a moment",
            headers={"Retry-After": "2"},
        )
    log.error("database unavailable: %s", exc)
    return error_response(
        503,
        "database_unavailable",
        "the database cannot be reached now; nothing was changed: try again later",
        headers={"Retry-After": "10"},
    )


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    """A fault of Podium's own: still the JSON body (the server's log holds the trace)."""
    log.error("unexpected error: %r", exc)
    return error_response(
        500,
        "internal_error",
        "Podium met an unexpected error and did not complete the request; "
        "the server's log holds the details",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error kind to the JSON error body."""
    app.add_exception_handler(PodiumError, _podium_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(Exception, _unexpected_error)
