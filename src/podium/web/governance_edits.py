"""Corrections on the Governance tab and the retrospective: correct or delete a logged
decision, delete a review, correct the minutes of a meeting held or remove it, take a
proposed topic off the agenda, remove a lesson.

Each form posts with its CSRF token and the version it was read at (a record changed
since is refused, not overwritten) and redirects back; a refusal is shown beside the
record it is about. The rules are the services' own, as through the API: managers
correct and delete; a member may take off a topic they proposed or a lesson they
recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from podium.api.change_requests import ChangeRequestUpdate
from podium.api.deps import Db
from podium.api.governance import OccurrenceUpdate
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, PodiumError, StaleVersion, ValidationFailed
from podium.models.governance import Decision
from podium.services.governance import change_requests, decisions, retrospective, reviews
from podium.web.form_errors import validate
from podium.web.governance import (
    DECISION_INPUTS,
    _field_errors,
    _governance,
    _message,
    _read_decision,
    decision_text_errors,
    review_in,
)
from podium.web.governance_choices import FormState
from podium.web.governance_forms import (
    CR_FIELDS,
    _budget_changes,
    _changes,
    _cr_errors,
    cr_field,
)
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import checkbox, done, field_value, version_of

router = APIRouter(include_in_schema=False)

REFUSALS = (Conflict, ValidationFailed, StaleVersion)


def _back(program_id: int, saved: str, anchor: str) -> Response:
    return RedirectResponse(
        f"/programs/{program_id}/governance?saved={saved}#{anchor}", status_code=303
    )


def _stale(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    exc: PodiumError,
    form: str,
    **shown: int,
) -> Response:
    """The tab again, the refusal on top of ``form`` (most often: the record changed since
    it was read) and ``shown`` (which record is open) as it was."""
    db.rollback()
    refused = {form: FormState({"_form": _message(exc)})}
    return _governance(
        request,
        db,
        viewer,
        program_id,
        forms=refused,
        decided=refused if form == "decision" else None,
        status_code=exc.status,
        **shown,  # type: ignore[arg-type]
    )


# --- decisions -----------------------------------------------------------------------------


def _decision_in(db: Db, viewer: CurrentViewer, program_id: int, decision_id: int) -> Decision:
    decision = decisions.get_decision(db, viewer.actor, decision_id)
    if decision.program_id != program_id:
        raise NotFound(f"decision {decision_id} not found in this program")
    return decision


@router.post("/programs/{program_id}/governance/decisions/{decision_id}")
def correct_decision(
    request: Request,
    program_id: PathId,
    decision_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Correct a logged decision (managers): what, why, by whom, when, where, about what.

    Moved into another meeting with its date left as it was, it takes the meeting's day."""
    stored = _decision_in(db, viewer, program_id, decision_id)
    values = {name: field_value(form, name) for name in ("title", "rationale", "version")}
    read = _read_decision(form)
    errors = {**read.errors, **decision_text_errors(values)}
    if not read.decided_by:
        errors["decided_by"] = "Say who decided."
    if read.decided_on is None and "decided_on" not in errors:
        errors["decided_on"] = "Give the date as YYYY-MM-DD."
    try:
        if errors:
            raise ValidationFailed("Check the highlighted fields")
        updates: dict[str, Any] = {
            "title": values["title"],
            "rationale": values["rationale"],
            "decided_by": read.decided_by,
            "decided_on": read.decided_on,
            "occurrence_id": read.occurrence_id,
            "links": read.links,
        }
        if read.occurrence_id != stored.occurrence_id and read.decided_on == stored.decided_on:
            del updates["decided_on"]  # dated by the meeting it was moved to
        decisions.update_decision(
            db, viewer.actor, decision_id, updates, expected_version=version_of(form)
        )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        errors = errors or _field_errors(exc, (*DECISION_INPUTS, "links"))
        return _governance(
            request,
            db,
            viewer,
            program_id,
            edit_decision=decision_id,
            decided={
                "decision": FormState(
                    errors={"_form": _message(exc), **errors}, values={**values, **read.values}
                )
            },
            status_code=exc.status,
        )
    return _back(program_id, "decision", f"decision-{decision_id}")


@router.post("/programs/{program_id}/governance/decisions/{decision_id}/delete")
def delete_decision(
    request: Request,
    program_id: PathId,
    decision_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Delete a decision logged by mistake (managers); the audit log keeps it."""
    _decision_in(db, viewer, program_id, decision_id)
    try:
        decisions.delete_decision(db, viewer.actor, decision_id, expected_version=version_of(form))
        done(db)
    except StaleVersion as exc:
        return _stale(request, db, viewer, program_id, exc, "decision", edit_decision=decision_id)
    return _back(program_id, "decision_deleted", "decisions")


# --- change requests -------------------------------------------------------------------------


@router.post("/programs/{program_id}/governance/change-requests/{cr_id}")
def change_request(
    request: Request,
    program_id: PathId,
    cr_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change a proposed request (whoever raised it, or a manager): its words, and its plan
    changes when the form showed them (``changes`` = ``1``); its impact is computed again."""
    cr = change_requests.get_change_request(db, viewer.actor, cr_id)
    if cr.program_id != program_id:
        raise NotFound(f"change request {cr_id} not found in this program")
    values: dict[str, Any] = {n: field_value(form, n) for n in (*CR_FIELDS, "version")}
    values["rebaseline"] = checkbox(form, "rebaseline")
    with_changes = field_value(form, "changes") == "1"
    changes, shown_on, errors = _changes(values) if with_changes else ([], [], {})
    data: dict[str, Any] = {
        "title": values["title"],
        "rationale": values["rationale"],
        "scope_change": values["scope_change"],
        "rebaseline": values["rebaseline"],
    }
    if with_changes:
        data["changes"] = changes
        data["budget_changes"] = _budget_changes(values, errors)
    body, invalid = validate(ChangeRequestUpdate, data)
    for name, message in invalid.items():
        errors.setdefault(cr_field(name, shown_on), message)
    if not values["title"]:
        errors["title"] = "Required."
    status = 422
    if body is not None and not errors:
        try:
            updates = body.model_dump(exclude_unset=True)
            if with_changes:  # as the API stores them
                updates["changes"] = [c.model_dump(exclude_none=True) for c in body.changes or []]
            change_requests.update_change_request(
                db, viewer.actor, cr_id, updates, expected_version=version_of(form)
            )
            done(db)
            return _back(program_id, "cr_saved", f"cr-{cr_id}")
        except REFUSALS as exc:
            db.rollback()
            errors, status = _cr_errors(exc, shown_on), exc.status
    return _governance(
        request,
        db,
        viewer,
        program_id,
        edit_cr=cr_id,
        forms={"cr": FormState(errors, values)},
        status_code=status,
    )


# --- reviews and the meetings held ------------------------------------------------------------


@router.post("/programs/{program_id}/governance/reviews/{review_id}/delete")
def delete_review(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Delete a review with the meetings recorded of it (managers); decisions logged in
    them stay in the log, no longer tied to a meeting."""
    review_in(db, viewer, program_id, review_id)
    try:
        reviews.delete_review(db, viewer.actor, review_id, expected_version=version_of(form))
        done(db)
    except StaleVersion as exc:
        return _stale(request, db, viewer, program_id, exc, "review", edit_review=review_id)
    return _back(program_id, "review_deleted", "reviews")


@router.post("/programs/{program_id}/governance/reviews/{review_id}/skip")
def skip_meeting(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Call off one meeting of a review, or put it back (``restore``) (managers)."""
    review_in(db, viewer, program_id, review_id)
    restore = checkbox(form, "restore")
    try:
        day = date.fromisoformat(field_value(form, "date"))
    except ValueError:
        raise ValidationFailed(
            "the meeting's date is missing or not a date", details={"field": "date"}
        ) from None
    try:
        reviews.skip_date(
            db, viewer.actor, review_id, day, skip=not restore, expected_version=version_of(form)
        )
        done(db)
    except REFUSALS as exc:
        return _stale(request, db, viewer, program_id, exc, "review", edit_review=review_id)
    return _back(program_id, "meeting_restored" if restore else "meeting_skipped", "reviews")


def _meeting_in(db: Db, viewer: CurrentViewer, program_id: int, occurrence_id: int) -> int:
    """The review of a meeting held in this program."""
    occurrence = reviews.get_occurrence(db, viewer.actor, occurrence_id)
    review_in(db, viewer, program_id, occurrence.review_id)
    return occurrence.review_id


def _present(form_present: list[str], guests: str) -> list[str]:
    """Who came: the attendees ticked, then the guests typed (comma or line separated),
    each once."""
    typed = [g.strip() for line in guests.splitlines() for g in line.split(",")]
    return list(dict.fromkeys(p for p in [*form_present, *typed] if p))


@router.post("/programs/{program_id}/governance/meetings/{occurrence_id}")
def correct_meeting(
    request: Request,
    program_id: PathId,
    occurrence_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Correct a meeting's minutes or who was present (managers)."""
    review_id = _meeting_in(db, viewer, program_id, occurrence_id)
    values: dict[str, Any] = {
        "notes": str(form.get("notes") or "").strip(),
        "present": [str(p).strip() for p in form.getlist("present") if str(p).strip()],
        "guests": str(form.get("guests") or "").strip(),
        "version": field_value(form, "version"),
    }
    data = {
        "notes": values["notes"],
        "attendees_present": _present(values["present"], values["guests"]),
    }
    _body, errors = validate(OccurrenceUpdate, data)
    errors = {("present" if k.startswith("attendees") else k): v for k, v in errors.items()}
    status = 422
    if not errors:
        try:
            reviews.update_occurrence(
                db, viewer.actor, occurrence_id, data, expected_version=version_of(form)
            )
            done(db)
            return _back(program_id, "minutes", f"meeting-{occurrence_id}")
        except REFUSALS as exc:
            db.rollback()
            errors, status = {"_form": _message(exc)}, exc.status
    return _governance(
        request,
        db,
        viewer,
        program_id,
        review_id=review_id,
        forms={f"meeting-{occurrence_id}": FormState(errors, values)},
        status_code=status,
    )


@router.post("/programs/{program_id}/governance/meetings/{occurrence_id}/delete")
def delete_meeting(
    request: Request,
    program_id: PathId,
    occurrence_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Remove a meeting recorded by mistake (managers): the topics it took return to the
    next agenda; decisions logged in it stay in the log."""
    review_id = _meeting_in(db, viewer, program_id, occurrence_id)
    try:
        reviews.delete_occurrence(
            db, viewer.actor, occurrence_id, expected_version=version_of(form)
        )
        done(db)
    except StaleVersion as exc:
        meeting = f"meeting-{occurrence_id}"
        return _stale(request, db, viewer, program_id, exc, meeting, review_id=review_id)
    return _back(program_id, "meeting_removed", "meetings")


# --- proposed topics and lessons ------------------------------------------------------------


@router.post("/programs/{program_id}/governance/reviews/{review_id}/topics/{item_id}/delete")
def remove_topic(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    item_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Take a proposed topic off the next agenda (whoever proposed it, or a manager)."""
    review_in(db, viewer, program_id, review_id)
    try:
        reviews.withdraw_item(db, viewer.actor, review_id, item_id)
        done(db)
    except Conflict as exc:
        db.rollback()
        return _governance(
            request,
            db,
            viewer,
            program_id,
            review_id=review_id,
            errors={"topic": _message(exc)},
            status_code=exc.status,
        )
    return RedirectResponse(
        f"/programs/{program_id}/governance?review={review_id}&saved=topic_removed#agenda",
        status_code=303,
    )


@router.post("/programs/{program_id}/retrospective/lessons/{lesson_id}/delete")
def remove_lesson(
    request: Request,
    program_id: PathId,
    lesson_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Remove a lesson (whoever recorded it, or a manager)."""
    if lesson_id not in {
        lesson.id for lesson in retrospective.list_lessons(db, viewer.actor, program_id)
    }:
        raise NotFound(f"lesson {lesson_id} not found in this program")
    retrospective.delete_lesson(db, viewer.actor, lesson_id)
    done(db)
    return RedirectResponse(f"/programs/{program_id}/retrospective#lessons", status_code=303)
