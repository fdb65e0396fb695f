"""The Governance tab (reviews and the next agenda, decision log, change requests with their
impact, stakeholders) and the retrospective page.

Managers approve or reject change requests and log decisions, members propose
agenda topics and record lessons, owners close the program — with small
CSRF-checked forms that post and redirect back (no JavaScript needed). A
refusal (a change that no longer applies, a missing reason) is shown in place,
next to the record it is about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.deps import Db
from podium.api.governance import DecisionCreate, ProposedItemCreate
from podium.api.retrospective import MAX_OUTCOME
from podium.api.schemas import PathId
from podium.currency import figure, share
from podium.errors import Conflict, NotFound, PodiumError, StaleVersion, ValidationFailed
from podium.interop.retrospective_render import finish_label
from podium.models.governance import Decision, Review, ReviewOccurrence
from podium.services import benefits, milestones, risks
from podium.services.common import today
from podium.services.governance import change_requests, decisions, retrospective, reviews
from podium.services.governance.agenda import RISK_TAGS
from podium.services.governance.page import GovernancePage, governance_page, retrospective_page
from podium.web.form_errors import humanize, ungrouped, validate
from podium.web.governance_choices import SAVED, FormState, form_context
from podium.web.session import CheckedForm, CurrentViewer, Viewer
from podium.web.tasks import checkbox, done, field_value, version_of
from podium.web.templating import render

router = APIRouter(include_in_schema=False)

ReviewParam = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
REFUSALS = (Conflict, ValidationFailed, StaleVersion)
DECISION_INPUTS = ("decided_by", "decided_on", "occurrence_id")


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
    decided: dict[str, FormState] | None = None,
    edit_review: int | None = None,
    edit_stakeholder: int | None = None,
    edit_decision: int | None = None,
    edit_cr: int | None = None,
    flash: str = "",
    status_code: int = 200,
) -> Response:
    view = governance_page(db, viewer.actor, program_id, review_id=review_id)
    held = _meetings(db, viewer, view)
    editing = next((d for d in view.decisions if d.id == edit_decision), None)
    shown = view.shown
    context: dict[str, Any] = {
        "view": view,
        "program": view.program,
        "errors": errors or {},
        "values": values or {},
        "flash": flash,
        "meetings": held,
        "risk_tags": RISK_TAGS,
        "decided": decided or {},
        "forms_sent": forms or {},
        "decision_editing": editing,
        "decision_defaults": decision_values(editing)
        if editing
        # no date: the service dates it the meeting's day when one is chosen, else today
        else {"decided_on": "", "decided_by": viewer.name},
        # the open topics this person proposed: they may take them off again
        "my_topics": {
            item.id
            for item in reviews.open_items(db, shown.review.id)
            if item.proposed_by_user_id == viewer.user_id
        }
        if shown and view.can_propose
        else set(),
        "link_choices": _link_choices(db, viewer, view, editing) if view.can_decide else [],
        **form_context(
            db,
            viewer,
            view,
            forms=forms or {},
            edit_review=edit_review,
            edit_stakeholder=edit_stakeholder,
            edit_cr=edit_cr,
        ),
    }
    return render(request, "governance/page.html", context, status_code=status_code)


@dataclass(frozen=True)
class Meeting:
    """A review occurrence held, with the decisions logged in it."""

    occurrence: ReviewOccurrence
    review_name: str
    attendees: list[str] = field(default_factory=list)  # the review's, for the minutes form
    decisions: list[Decision] = field(default_factory=list)


def _meetings(db: Db, viewer: Viewer, view: GovernancePage) -> list[Meeting]:
    """Every occurrence of the program's reviews, newest first, with its decisions."""
    held = [
        Meeting(o, row.review.name, [a.name for a in row.review.attendees])
        for row in view.reviews
        for o in reviews.list_occurrences(db, viewer.actor, row.review.id)
    ]
    held.sort(key=lambda m: (m.occurrence.held_on, m.occurrence.id), reverse=True)
    by_id = {m.occurrence.id: m for m in held}
    for d in view.decisions:
        if d.occurrence_id in by_id:
            by_id[d.occurrence_id].decisions.append(d)
    return held


def _link_choices(
    db: Db, viewer: Viewer, view: GovernancePage, editing: Decision | None = None
) -> list[tuple[str, list[Any]]]:
    """Records a decision can be about, by kind: ``(group, [(value, label)])``; a decision
    being corrected keeps the links the lists do not offer (a task, a dependency) under
    *Linked now*, so saving it does not drop them."""
    actor, program_id = viewer.actor, view.program.id
    register, _ = risks.list_risks(
        db, actor, program_id=program_id, risk_filter=risks.RiskFilter(live_only=True), limit=500
    )
    marks, _ = milestones.list_milestones(db, actor, program_id=program_id, limit=500)
    groups = [
        ("Risks", [(f"risk:{r.id}", f"{r.key} {r.title}") for r in register]),
        ("Milestones", [(f"milestone:{m.id}", f"{m.key} {m.name}") for m in marks]),
        (
            "Change requests",
            [
                (f"change_request:{row.request.id}", f"CR-{row.request.number} {row.request.title}")
                for row in view.change_requests
            ],
        ),
        (
            "Benefits",
            [
                (f"benefit:{v.benefit.id}", v.benefit.name)
                for v in benefits.list_benefits(db, actor, program_id)
            ],
        ),
        (
            "Stakeholders",
            [
                (f"stakeholder:{row.stakeholder.id}", row.stakeholder.name)
                for row in view.stakeholders
            ],
        ),
    ]
    offered = {value for _, options in groups for value, _ in options}
    kept = [
        (value, link["label"])
        for link in (editing.links if editing else [])
        if (value := f"{link['type']}:{link['id']}") not in offered
    ]
    return [(group, options) for group, options in [("Linked now", kept), *groups] if options]


def decision_values(decision: Decision) -> dict[str, Any]:
    """A logged decision's fields as its form shows them."""
    return {
        "title": decision.title,
        "rationale": decision.rationale,
        "decided_by": decision.decided_by,
        "decided_on": decision.decided_on.isoformat(),
        "occurrence_id": str(decision.occurrence_id or ""),
        "links": [f"{link['type']}:{link['id']}" for link in decision.links],
        "version": str(decision.version),
    }


@dataclass
class DecisionIn:
    """Who decided, when, in which meeting and about what, as read from a form."""

    values: dict[str, Any]
    errors: dict[str, str]
    decided_by: str = ""
    decided_on: date | None = None
    occurrence_id: int | None = None
    links: list[dict[str, Any]] = field(default_factory=list)


def _read_decision(form: FormData) -> DecisionIn:
    """The decision fields of a form; a value that cannot be what it says is an error on its
    field (never dropped)."""
    values: dict[str, Any] = {name: field_value(form, name) for name in DECISION_INPUTS}
    values["links"] = [v for v in form.getlist("links") if isinstance(v, str) and v]
    read = DecisionIn(values, {}, decided_by=values["decided_by"])
    if len(read.decided_by) > 300:
        read.errors["decided_by"] = "At most 300 characters."
    raw = values["decided_on"]
    try:
        read.decided_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        read.errors["decided_on"] = "Give the date as YYYY-MM-DD."
    if read.decided_on is not None and read.decided_on > today():
        read.errors["decided_on"] = "That day has not come yet: log a decision once taken."
    raw = values["occurrence_id"]
    if raw and (not raw.isdecimal() or not 0 < int(raw) <= 2**31 - 1):
        read.errors["occurrence_id"] = "Choose a review meeting from the list."
    elif raw:
        read.occurrence_id = int(raw)
    for value in values["links"]:
        kind, _, record_id = value.partition(":")
        if kind not in decisions.LINK_TYPES or not record_id.isdecimal():
            read.errors["links"] = "Choose the records from the list."
            break
        read.links.append({"type": kind, "id": int(record_id)})
    return read


def decision_text_errors(values: dict[str, str]) -> dict[str, str]:
    """What was decided and why, checked with the API's own schema."""
    _body, errors = validate(
        DecisionCreate, {"title": values["title"], "rationale": values["rationale"]}
    )
    if not values["title"]:
        errors["title"] = "Say what was decided."
    return {name: message for name, message in errors.items() if name in ("title", "rationale")}


def _field_errors(exc: PodiumError, fields: tuple[str, ...]) -> dict[str, str]:
    """A refusal's problems on the form's fields (``links.0.id`` is on ``links``)."""
    details = exc.details if isinstance(exc.details, list) else []
    out: dict[str, str] = {}
    for problem in details:
        name = str(problem.get("field", "")).split(".")[0] if isinstance(problem, dict) else ""
        if name in fields:
            message = "Choose a review meeting from the list." if name == "occurrence_id" else ""
            out[name] = message or humanize(str(problem.get("message", ""))).rstrip(".") + "."
    return out


def review_in(db: Db, viewer: Viewer, program_id: int, review_id: int) -> Review:
    """A review of this program (a review of another is not found through it)."""
    review = reviews.get_review(db, viewer.actor, review_id)
    if review.program_id != program_id:
        raise NotFound(f"review {review_id} not found in this program")
    return review


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
    edit_decision: ReviewParam = None,
    edit_cr: ReviewParam = None,
    saved: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Reviews with the next agenda, the decision log, change requests, stakeholders.

    ``edit_review`` / ``edit_stakeholder`` / ``edit_decision`` / ``edit_cr`` open that
    record in its form (managers; a change request also whoever raised it).
    """
    return _governance(
        request,
        db,
        viewer,
        program_id,
        review_id=review,
        edit_review=edit_review,
        edit_stakeholder=edit_stakeholder,
        edit_decision=edit_decision,
        edit_cr=edit_cr,
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
    """Approve (apply) or reject a change request (managers) — in which review meeting, on
    which day and by whom —, or withdraw it (managers and whoever raised it)."""
    cr = change_requests.get_change_request(db, viewer.actor, cr_id)
    if cr.program_id != program_id or verdict not in ("approve", "reject", "withdraw"):
        raise NotFound(f"no change request {cr_id} to {verdict} in this program")
    rationale = field_value(form, "rationale")
    key = f"cr-{cr_id}"
    read = _read_decision(form) if verdict != "withdraw" else DecisionIn({}, {})
    decision: dict[str, Any] = {
        "decided_by": read.decided_by,
        "decided_on": read.decided_on,
        "occurrence_id": read.occurrence_id,
    }
    try:
        if read.errors:
            raise ValidationFailed("Check the decision's details below")
        if verdict == "approve":
            change_requests.approve_change_request(
                db,
                viewer.actor,
                cr_id,
                rationale=rationale,
                rebaseline=checkbox(form, "rebaseline"),
                expected_version=version_of(form),
                **decision,
            )
        elif verdict == "withdraw":
            change_requests.withdraw_change_request(
                db, viewer.actor, cr_id, expected_version=version_of(form)
            )
        else:
            if not rationale:
                raise ValidationFailed("Give the reason for rejecting it")
            change_requests.reject_change_request(
                db,
                viewer.actor,
                cr_id,
                rationale=rationale,
                expected_version=version_of(form),
                **decision,
            )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        status = 409 if isinstance(exc, Conflict) else exc.status
        fields = read.errors or _field_errors(exc, DECISION_INPUTS)
        if verdict == "reject" and not rationale:  # the field to fill is the one focused
            fields = {**fields, "rationale": _message(exc)}
        return _governance(
            request,
            db,
            viewer,
            program_id,
            errors={key: _message(exc)},
            values={f"{key}-rationale": rationale},
            decided={key: FormState(errors=fields, values=read.values)},
            status_code=status,
        )
    return _back(program_id, key)


@router.post("/programs/{program_id}/governance/decisions")
def log_decision(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Log a decision (managers): what, why, by whom, when, in which review meeting, about
    which records."""
    values = {name: field_value(form, name) for name in ("title", "rationale")}
    read = _read_decision(form)
    errors = {**read.errors, **decision_text_errors(values)}
    try:
        if errors:
            raise ValidationFailed("Check the highlighted fields")
        decision = decisions.record_decision(
            db,
            viewer.actor,
            program_id=program_id,
            title=values["title"],
            rationale=values["rationale"],
            decided_by=read.decided_by,
            decided_on=read.decided_on,
            occurrence_id=read.occurrence_id,
            links=read.links,
        )
        decision_id = decision.id
        done(db)
    except REFUSALS as exc:
        db.rollback()
        errors = errors or _field_errors(exc, (*DECISION_INPUTS, "links"))
        return _governance(
            request,
            db,
            viewer,
            program_id,
            decided={
                "decision": FormState(
                    errors={"_form": _message(exc), **errors}, values={**values, **read.values}
                )
            },
            status_code=exc.status,
        )
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
    review_in(db, viewer, program_id, review_id)
    title = field_value(form, "title")
    notes = field_value(form, "notes")
    _body, errors = validate(ProposedItemCreate, {"title": title, "notes": notes})
    if errors:
        return _governance(
            request,
            db,
            viewer,
            program_id,
            review_id=review_id,
            errors={
                "topic": next(iter(errors.values())) if title else "Name the topic to discuss."
            },
            status_code=422,
        )
    reviews.propose_item(db, viewer.actor, review_id, title=title, notes=notes)
    done(db)
    return _back(program_id, "agenda", review_id)


# --- the retrospective --------------------------------------------------------------------


def _retrospective(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    *,
    draft: bool = False,
    errors: dict[str, str] | None = None,
    closing: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The page; ``closing``: what the close form sent (kept when it is refused, or shown
    for confirmation with ``confirm``)."""
    view = retrospective_page(db, viewer.actor, program_id, draft=draft)
    return render(
        request,
        "governance/retrospective.html",
        {
            "view": view,
            "program": view.program,
            "r": view.data,
            "draft": draft,
            "errors": errors or {},
            "closing": closing or {},
            "figure": figure,
            "share": share,
            "finish_label": finish_label,
        },
        status_code=status_code,
    )


@router.get("/programs/{program_id}/retrospective", name="retrospective")
def retrospective_view(
    request: Request,
    program_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    draft: Annotated[bool, Query()] = False,
) -> Response:
    """The retrospective: a draft until the program is first closed, then the one kept at
    its last close (``draft``: a draft from the live plan all the same)."""
    return _retrospective(request, db, viewer, program_id, draft=draft)


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
    """Close the program and keep its retrospective (owners), once confirmed: the first
    post asks, showing what closing does; the second (``confirmed``) closes, unless the
    program changed since the page was read (its ``version``)."""
    closing = {
        "outcome_value": field_value(form, "outcome_value"),
        "outcome_summary": field_value(form, "outcome_summary"),
        "version": field_value(form, "version"),
    }
    raw = closing["outcome_value"]
    try:
        value = float(ungrouped(raw)) if raw else None  # "1,050" as the pages show it
    except ValueError:
        value = math.nan
    if value is not None and not (math.isfinite(value) and abs(value) <= MAX_OUTCOME):
        wrong = "must be a number" if math.isnan(value) else "is out of range (at most ±1e15)"
        return _retrospective(
            request,
            db,
            viewer,
            program_id,
            errors={"close": f"The outcome achieved {wrong}."},
            closing=closing,
            status_code=422,
        )
    try:
        if field_value(form, "confirmed") != "1":  # ask first: closing freezes the plan
            retrospective.closable_program(db, viewer.actor, program_id)
            asked = {**closing, "confirm": "1"}
            return _retrospective(request, db, viewer, program_id, closing=asked)
        retrospective.close_program(
            db,
            viewer.actor,
            program_id,
            outcome_value=value,
            outcome_summary=closing["outcome_summary"],
            expected_version=version_of(form),
        )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        if isinstance(exc, StaleVersion):  # read before someone else changed the program
            closing = {**closing, "version": ""}  # the form takes the version now shown
        return _retrospective(
            request,
            db,
            viewer,
            program_id,
            errors={"close": _message(exc)},
            closing=closing,
            status_code=exc.status,
        )
    return RedirectResponse(f"/programs/{program_id}/retrospective", status_code=303)


@router.post("/programs/{program_id}/reopen")
def reopen(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Reopen a closed program so its plan can change again (owners)."""
    try:
        retrospective.reopen_program(
            db, viewer.actor, program_id, expected_version=version_of(form)
        )
        done(db)
    except REFUSALS as exc:
        db.rollback()
        return _retrospective(
            request, db, viewer, program_id, errors={"close": _message(exc)}, status_code=exc.status
        )
    return RedirectResponse(f"/programs/{program_id}/retrospective", status_code=303)
