"""The Governance tab (reviews and the next agenda, decision log, change requests with their
impact, stakeholders) and the retrospective page.

Managers approve or reject change requests and log decisions, members propose
agenda topics and record lessons, owners close the program — with small
CSRF-checked forms that post and redirect back (no JavaScript needed). A
refusal (a change that no longer applies, a missing reason) is shown in place,
next to the record it is about.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.projects import PathId
from podium.errors import Conflict, NotFound, PodiumError, StaleVersion, ValidationFailed
from podium.services.governance import change_requests, decisions, retrospective, reviews
from podium.services.governance.page import governance_page, retrospective_page
from podium.web.governance_choices import SAVED, FormState, form_context
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import checkbox, done, field_value, humanize, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

ReviewParam = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
REFUSALS = (Conflict, ValidationFailed, StaleVersion)


def _message(exc: PodiumError) -> str:
    return humanize(exc.message).rstrip(".") + "."


def _governance(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    review_id: int | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    forms: dict[str, FormState] | None = None,
    edit_review: int | None = None,
    edit_stakeholder: int | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    view = governance_page(db, viewer.actor, program_id, review_id=review_id)
    context: dict[str, Any] = {
        "view": view,
        "program": view.program,
        "errors": errors or {},
        "values": values or {},
        "flash": flash,
        **form_context(
            db,
            viewer,
            view,
            forms=forms or {},
            edit_review=edit_review,
            edit_stakeholder=edit_stakeholder,
        ),
    }
    return render(request, "governance/page.html", context, status_code=status_code)


def _back(program_id: int, anchor: str, review_id: int | None = None) -> Response:
    query = f"?review={review_id}" if review_id else ""
    return RedirectResponse(f"/programs/{program_id}/governance{query}#{anchor}", status_code=303)


@router.get("/programs/{program_id}/governance", name="governance")
def governance(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    review: ReviewParam = None,
    edit_review: ReviewParam = None,
    edit_stakeholder: ReviewParam = None,
    saved: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Reviews with the next agenda, the decision log, change requests, stakeholders.

    ``edit_review`` / ``edit_stakeholder`` open that record in its form (managers).
    """
    return _governance(
        request,
        db,
        viewer,
        program_id,
        review_id=review,
        edit_review=edit_review,
        edit_stakeholder=edit_stakeholder,
        flash=SAVED.get(saved or "", ""),
    )


@router.post("/programs/{program_id}/governance/change-requests/{cr_id}/{verdict}")
def decide(
    request: Request,
    program_id: PathId,
    cr_id: PathId,
    verdict: str,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Approve (apply) or reject a change request (managers), or withdraw it (managers and
    whoever raised it)."""
    cr = change_requests.get_change_request(db, viewer.actor, cr_id)
    if cr.program_id != program_id or verdict not in ("approve", "reject", "withdraw"):
        raise NotFound(f"no change request {cr_id} to {verdict} in this program")
    rationale = field_value(form, "rationale")
    key = f"cr-{cr_id}"
    try:
        if verdict == "approve":
            change_requests.approve_change_request(
                db,
                viewer.actor,
                cr_id,
                rationale=rationale,
                rebaseline=checkbox(form, "rebaseline"),
                expected_version=version_of(form),
            )
        elif verdict == "withdraw":
            change_requests.withdraw_change_request(
                db, viewer.actor, cr_id, expected_version=version_of(form)
            )
        else:
            if not rationale:
                raise ValidationFailed("Give the reason for rejecting it")
            change_requests.reject_change_request(
                db, viewer.actor, cr_id, rationale=rationale, expected_version=version_of(form)
            )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        status = 409 if isinstance(exc, Conflict) else exc.status
        return _governance(
            request,
            db,
            viewer,
            program_id,
            errors={key: _message(exc)},
            values={f"{key}-rationale": rationale},
            status_code=status,
        )
    return _back(program_id, key)


@router.post("/programs/{program_id}/governance/decisions")
def log_decision(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Log a decision (managers)."""
    values = {name: field_value(form, name) for name in ("title", "rationale", "decided_by")}
    if not values["title"]:
        return _governance(
            request,
            db,
            viewer,
            program_id,
            errors={"decision": "Say what was decided."},
            values=values,
            status_code=422,
        )
    decision = decisions.record_decision(db, viewer.actor, program_id=program_id, **values)
    decision_id = decision.id
    done(db)
    return _back(program_id, f"decision-{decision_id}")


@router.post("/programs/{program_id}/governance/reviews/{review_id}/topics")
def propose_topic(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Propose a topic for a review's next occurrence (members)."""
    review = reviews.get_review(db, viewer.actor, review_id)
    title = field_value(form, "title")
    if review.program_id != program_id or not title:
        return _governance(
            request,
            db,
            viewer,
            program_id,
            review_id=review_id,
            errors={"topic": "Name the topic to discuss."},
            status_code=422,
        )
    reviews.propose_item(db, viewer.actor, review_id, title=title, notes=field_value(form, "notes"))
    done(db)
    return _back(program_id, "agenda", review_id)


# --- the retrospective --------------------------------------------------------------------


def _retrospective(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = retrospective_page(db, viewer.actor, program_id)
    return render(
        request,
        "governance/retrospective.html",
        {"view": view, "program": view.program, "r": view.data, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/programs/{program_id}/retrospective", name="retrospective")
def retrospective_view(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer
) -> Response:
    """The retrospective: a draft until the program is closed, then as kept at close."""
    return _retrospective(request, db, viewer, program_id)


@router.post("/programs/{program_id}/retrospective/lessons")
def add_lesson(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Record a lesson learned (members)."""
    text = field_value(form, "text")
    if not text:
        return _retrospective(
            request, db, viewer, program_id, errors={"lesson": "Write the lesson."}, status_code=422
        )
    category = field_value(form, "category") or "improve"
    retrospective.add_lesson(db, viewer.actor, program_id, text=text, category=category)
    done(db)
    return RedirectResponse(f"/programs/{program_id}/retrospective#lessons", status_code=303)


@router.post("/programs/{program_id}/close")
def close(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Close the program and keep its retrospective (owners)."""
    raw = field_value(form, "outcome_value")
    try:
        value = float(raw) if raw else None
    except ValueError:
        return _retrospective(
            request,
            db,
            viewer,
            program_id,
            errors={"close": "The outcome achieved must be a number."},
            status_code=422,
        )
    try:
        retrospective.close_program(
            db,
            viewer.actor,
            program_id,
            outcome_value=value,
            outcome_summary=field_value(form, "outcome_summary"),
        )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        return _retrospective(
            request, db, viewer, program_id, errors={"close": _message(exc)}, status_code=exc.status
        )
    return RedirectResponse(f"/programs/{program_id}/retrospective", status_code=303)


@router.post("/programs/{program_id}/reopen")
def reopen(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Reopen a closed program so its plan can change again (owners)."""
    try:
        retrospective.reopen_program(db, viewer.actor, program_id)
        done(db)
    except REFUSALS as exc:
        db.rollback()
        return _retrospective(
            request, db, viewer, program_id, errors={"close": _message(exc)}, status_code=exc.status
        )
    return RedirectResponse(f"/programs/{program_id}/retrospective", status_code=303)
