"""The audit log of the whole system (admins): every change in every program, deleted
ones too, and those outside any program (users, calendars, resources, tokens), with the
rows the history pages show, narrowed by program, kind, person and days."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from podium.api.deps import Db
from podium.errors import Forbidden, ValidationFailed
from podium.services import pages_history
from podium.services.audit import KNOWN_ENTITY_TYPES, MAX_ID, AuditFilter
from podium.web.form_errors import Errors, errors_of
from podium.web.history import PAGE_SIZE, PageNumber
from podium.web.programs import Pager
from podium.web.session import CurrentViewer
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

FIELDS = ("program", "entity_type", "user", "since", "until")
Typed = Annotated[str | None, Query(max_length=320)]


def _day(text: str, errors: Errors, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = "Enter a date (YYYY-MM-DD)."  # as every form says it
        return None


def _program(text: str, errors: Errors) -> int | None:
    if not text:
        return None
    if not text.isdecimal() or not 0 < int(text) <= MAX_ID:
        errors["program"] = "Choose a program from the list."
        return None
    return int(text)


@router.get("/audit", name="audit_log")
def audit_log(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program: Typed = None,
    entity_type: Typed = None,
    user: Typed = None,
    since: Typed = None,
    until: Typed = None,
    page: PageNumber = 1,
) -> Response:
    """Every change recorded, newest first, 50 to a page (admins)."""
    if not viewer.is_admin:
        raise Forbidden("only an admin can read the whole audit log")
    typed = {
        name: (value or "").strip()
        for name, value in zip(FIELDS, (program, entity_type, user, since, until), strict=True)
    }
    errors: Errors = {}
    if typed["entity_type"] and typed["entity_type"] not in KNOWN_ENTITY_TYPES:
        errors["entity_type"] = "Choose a kind from the list."  # the list is beside it
    wanted = AuditFilter(
        program_id=_program(typed["program"], errors),
        entity_type=typed["entity_type"] or None,
        user_email=typed["user"] or None,
        since=_day(typed["since"], errors, "since"),
        until=_day(typed["until"], errors, "until"),
    )
    offset = (page - 1) * PAGE_SIZE
    view = None
    if not errors:
        try:
            view = pages_history.audit_log(db, viewer.actor, wanted, limit=PAGE_SIZE, offset=offset)
        except ValidationFailed as exc:
            errors = errors_of(exc, FIELDS)
    if view is None:  # the form again, with what to correct beside each field
        view = pages_history.audit_log(db, viewer.actor, AuditFilter(), limit=0, offset=0)
    query = urlencode({name: value for name, value in typed.items() if value})
    return render(
        request,
        "audit/page.html",
        {
            "view": view,
            "typed": typed,
            "errors": errors,
            "pager": Pager(number=page, size=PAGE_SIZE, total=view.total),
            "query": query,
        },
        status_code=422 if errors else 200,
    )
