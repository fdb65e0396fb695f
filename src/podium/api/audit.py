"""The audit log: the whole system's (admins), and the filters every audit list takes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from podium.api.deps import CurrentActor, Db, Page, Paging
from podium.api.schemas import ERROR_RESPONSES, IdQuery, IsoDate, Out, PageOut
from podium.models import AuditEntry
from podium.services import audit
from podium.services.audit import AuditFilter

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)


class AuditOut(Out):
    id: int
    at: datetime
    user_id: int | None
    user_email: str
    program_id: int | None
    entity_type: str
    entity_id: int
    entity_label: str
    action: str
    changes: dict[str, Any]


def audit_filter(
    entity_type: Annotated[
        str | None,
        Query(
            max_length=40,
            description="one of: " + ", ".join(audit.KNOWN_ENTITY_TYPES) + " (else 422)",
        ),
    ] = None,
    entity_id: IdQuery = None,
    user_id: Annotated[IdQuery, Query(description="who made the change")] = None,
    user_email: Annotated[
        str | None, Query(max_length=320, description="who made the change, by email")
    ] = None,
    since: Annotated[IsoDate | None, Query(description="from this day on (UTC)")] = None,
    until: Annotated[IsoDate | None, Query(description="up to this day, counted (UTC)")] = None,
) -> AuditFilter:
    """The filters of an audit list (a program's, or the whole system's)."""
    return AuditFilter(
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        user_email=user_email,
        since=since,
        until=until,
    )


Filters = Annotated[AuditFilter, Depends(audit_filter)]


def page_of(items: list[AuditEntry], total: int, page: Paging) -> PageOut[AuditOut]:
    """One page of entries as the API answers them."""
    return PageOut(
        items=[AuditOut.model_validate(e) for e in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "",
    response_model=PageOut[AuditOut],
    summary="Every change in the system, newest first (admins)",
    description="Every program's changes (deleted programs' too) and those outside any "
    "program: users, calendars, resources, API tokens, personal calendar feeds.",
)
def list_audit(
    db: Db,
    actor: CurrentActor,
    page: Page,
    wanted: Filters,
    program_id: Annotated[IdQuery, Query(description="one program's, live or deleted")] = None,
) -> PageOut[AuditOut]:
    items, total = audit.list_all_entries(
        db, actor, replace(wanted, program_id=program_id), limit=page.limit, offset=page.offset
    )
    return page_of(items, total, page)
