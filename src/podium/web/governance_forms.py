"""The Governance tab's forms: set up and edit a review, record a meeting (its agenda is
kept with it), raise a change request, add, edit and remove stakeholders.

Each form is checked with the API's own input schema (a value the API refuses is
refused here with the same rule), posts with its CSRF token and the version it
was read at, and redirects back; a refusal is shown beside the field it is about.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from podium.api.change_requests import ChangeRequestCreate
from podium.api.deps import Db
from podium.api.governance import ReviewCreate, StakeholderCreate
from podium.api.schemas import PathId
from podium.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from podium.services.governance import change_requests, reviews, stakeholders
from podium.services.governance.reviews import AttendeeIn
from podium.web.form_errors import GENERAL, errors_of, validate
from podium.web.governance import _governance, review_in
from podium.web.governance_choices import Errors, FormState
from podium.web.session import CheckedForm, CurrentViewer
from podium.web.tasks import checkbox, done, field_value, version_of

router = APIRouter(include_in_schema=False)

REFUSALS = (Conflict, ValidationFailed, StaleVersion)
REVIEW_FIELDS = (
    "name",
    "purpose",
    "frequency",
    "first_date",
    "until_date",
    "time_of_day",
    "duration_minutes",
    "location",
    "attendees",
)
STAKEHOLDER_FIELDS = ("name", "role", "organization", "email", "influence", "interest", "notes")
# the change request form: one change of each kind, each optional
CR_FIELDS = (
    "title",
    "rationale",
    "slip_task",
    "slip_days",
    "duration_task",
    "duration_days",
    "link_predecessor",
    "link_successor",
    "unlink",
    "budget_task",
    "budget",
    "scope_change",
    "scenario_id",
)
# the field a change's working days are typed in, by the field its task is chosen in
DAYS_FIELDS = {"slip_task": "slip_days", "duration_task": "duration_days"}
CHANGE_PART = re.compile(r"(budget_changes|changes)[._](\d+)(?:[._](\w+))?")


def _back(program_id: int, saved: str, anchor: str, **query: int) -> Response:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return RedirectResponse(
        f"/programs/{program_id}/governance?saved={saved}{extra}#{anchor}", status_code=303
    )


def _grouped(errors: Errors, groups: dict[str, str]) -> Errors:
    """Errors of list items (``attendees_2_email``) on the field that holds the list."""
    out: Errors = {}
    for name, message in errors.items():
        target = next((f for prefix, f in groups.items() if name.startswith(prefix)), name)
        out.setdefault(target, message)
    return out


# --- reviews ---------------------------------------------------------------------------


def _attendees(text: str) -> list[dict[str, str]]:
    """``who, role`` one a line; ``who`` is a name or an email."""
    people = []
    for line in text.splitlines():
        who, _, role = line.partition(",")
        who, role = who.strip(), role.strip()
        if not who:
            continue
        people.append({"email": who, "role": role} if "@" in who else {"name": who, "role": role})
    return people


def _review_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any], Errors]:
    """(what was typed, the API body, errors) of the review form."""
    values: dict[str, Any] = {n: field_value(form, n) for n in REVIEW_FIELDS}
    values["attendees"] = str(form.get("attendees") or "").strip()
    values["sections"] = [str(s) for s in form.getlist("sections")]
    data: dict[str, Any] = {
        **values,
        "until_date": values["until_date"] or None,
        "duration_minutes": values["duration_minutes"] or "60",
        "first_date": values["first_date"] or None,
        "attendees": _attendees(values["attendees"]),
    }
    _body, errors = validate(ReviewCreate, data)
    errors = _grouped(errors, {"attendees_": "attendees", "sections_": "sections"})
    if not values["name"]:
        errors["name"] = "Required."
    if not values["first_date"]:
        errors["first_date"] = "Required."
    if not values["sections"]:
        errors["sections"] = "Choose at least one section."
    return values, data, errors


def _review_refused(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    state: FormState,
    review_id: int | None,
) -> Response:
    return _governance(
        request,
        db,
        viewer,
        program_id,
        forms={"review": state},
        edit_review=review_id,
        status_code=422,
    )


@router.post("/programs/{program_id}/governance/reviews")
def create_review(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Set up a review on a cadence (managers)."""
    values, data, errors = _review_form(form)
    if not errors:
        body = ReviewCreate.model_validate(data)
        fields = body.model_dump(exclude={"attendees"})
        try:
            review = reviews.create_review(
                db,
                viewer.actor,
                program_id=program_id,
                attendees=[AttendeeIn(**a.model_dump()) for a in body.attendees],
                **fields,
            )
            review_id = review.id
            done(db)
            return _back(program_id, "review", "reviews", review=review_id)
        except REFUSALS as exc:
            db.rollback()
            errors = errors_of(exc, REVIEW_FIELDS)
    return _review_refused(
        request, db, viewer, program_id, FormState(errors, values), review_id=None
    )


@router.post("/programs/{program_id}/governance/reviews/{review_id}")
def update_review(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change a review's cadence, details, attendees or agenda sections (managers)."""
    review_in(db, viewer, program_id, review_id)
    values, data, errors = _review_form(form)
    values["version"] = field_value(form, "version")
    if not errors:
        body = ReviewCreate.model_validate(data)
        try:
            reviews.update_review(
                db,
                viewer.actor,
                review_id,
                body.model_dump(exclude={"attendees"}),
                attendees=[AttendeeIn(**a.model_dump()) for a in body.attendees],
                expected_version=version_of(form),
            )
            done(db)
            return _back(program_id, "review", "reviews", review=review_id)
        except REFUSALS as exc:
            db.rollback()
            errors = errors_of(exc, REVIEW_FIELDS)
    return _review_refused(
        request, db, viewer, program_id, FormState(errors, values), review_id=review_id
    )


@router.post("/programs/{program_id}/governance/reviews/{review_id}/occurrences")
def record_meeting(
    request: Request,
    program_id: PathId,
    review_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Record that the review met (managers): the agenda built now is kept with it."""
    review_in(db, viewer, program_id, review_id)
    values: dict[str, Any] = {
        "held_on": field_value(form, "held_on"),
        "notes": str(form.get("notes") or "").strip(),
        "present": [str(p) for p in form.getlist("present")],
    }
    errors: Errors = {}
    held_on: date | None = None
    try:
        held_on = date.fromisoformat(values["held_on"]) if values["held_on"] else None
    except ValueError:
        errors["held_on"] = "Enter a date (YYYY-MM-DD)."
    if not errors:
        try:
            reviews.record_occurrence(
                db,
                viewer.actor,
                review_id,
                held_on=held_on,
                attendees_present=values["present"],
                notes=values["notes"],
            )
            done(db)
            return _back(program_id, "meeting", "reviews", review=review_id)
        except REFUSALS as exc:
            db.rollback()
            errors = errors_of(exc, ("held_on", "notes"))
    return _governance(
        request,
        db,
        viewer,
        program_id,
        review_id=review_id,
        forms={"meeting": FormState(errors, values)},
        status_code=422,
    )


# --- change requests ---------------------------------------------------------------------


def _whole(values: dict[str, Any], name: str, errors: Errors) -> int | None:
    raw = values[name]
    try:
        return int(raw)
    except ValueError:
        errors[name] = "Enter a whole number of working days."
        return None


def _changes(values: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str], Errors]:
    """The plan changes the form describes, the form field each one is shown on, errors."""
    errors: Errors = {}
    changes: list[dict[str, Any]] = []
    shown_on: list[str] = []
    for kind, task, days in (
        ("slip", "slip_task", "slip_days"),
        ("set_duration", "duration_task", "duration_days"),
    ):
        if values[task] and not values[days]:
            errors[days] = "Give the number of working days."
        elif values[days] and not values[task]:
            errors[task] = "Choose the task."
        elif values[task]:
            n = _whole(values, days, errors)
            if n is not None and values[task].isdecimal():
                changes.append({"type": kind, "task_id": int(values[task]), "days": n})
                shown_on.append(task)
    before, after = values["link_predecessor"], values["link_successor"]
    if bool(before) != bool(after):
        errors["link_successor" if before else "link_predecessor"] = "Choose both tasks."
    elif before.isdecimal() and after.isdecimal():
        changes.append(
            {
                "type": "add_dependency",
                "predecessor": {"type": "task", "id": int(before)},
                "successor": {"type": "task", "id": int(after)},
            }
        )
        shown_on.append("link_predecessor")
    if values["unlink"].isdecimal():
        changes.append({"type": "remove_dependency", "dependency_id": int(values["unlink"])})
        shown_on.append("unlink")
    return changes, shown_on, errors


def _budget_changes(values: dict[str, Any], errors: Errors) -> list[dict[str, Any]]:
    if values["budget_task"] and not values["budget"]:
        errors["budget"] = "Give the task's new budget."
    elif values["budget"] and not values["budget_task"]:
        errors["budget_task"] = "Choose the task."
    elif values["budget_task"].isdecimal():
        try:
            amount = float(values["budget"].replace(",", ""))
        except ValueError:
            errors["budget"] = "Enter an amount."
        else:
            return [{"task_id": int(values["budget_task"]), "budget": amount}]
    return []


def cr_field(name: str, shown_on: list[str]) -> str:
    """The form field a problem is shown beside: ``changes.1.days`` (a service's) or
    ``changes_1_days`` (the schema's) on the second change's days, any other part of a
    change on its task; ``budget_changes.0.budget`` on the budget."""
    found = CHANGE_PART.match(name)
    if found is None:
        return name if name in CR_FIELDS else GENERAL
    kind, index, part = found[1], int(found[2]), found[3] or ""
    if kind == "budget_changes":
        return "budget" if part == "budget" else "budget_task"
    if index >= len(shown_on):
        return GENERAL
    field = shown_on[index]
    return DAYS_FIELDS.get(field, field) if part == "days" else field


def _cr_errors(exc: ValidationFailed | Conflict | StaleVersion, shown_on: list[str]) -> Errors:
    """A refusal's messages on the form fields: ``changes.1.days`` on the second change's."""
    details = exc.details if isinstance(exc.details, list) else []
    errors: Errors = {}
    for item in details:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "")).rstrip(".") + "."
        target = cr_field(str(item.get("field", "")), shown_on)
        errors.setdefault(target, message[:1].upper() + message[1:])
    return errors or errors_of(exc, CR_FIELDS)


@router.post("/programs/{program_id}/governance/change-requests")
def raise_change_request(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Raise a change request (members); its impact is computed on the page."""
    values: dict[str, Any] = {n: field_value(form, n) for n in CR_FIELDS}
    values["rebaseline"] = checkbox(form, "rebaseline")
    changes, shown_on, errors = _changes(values)
    budgets = _budget_changes(values, errors)
    scenario = int(values["scenario_id"]) if values["scenario_id"].isdecimal() else None
    data = {
        "title": values["title"],
        "rationale": values["rationale"],
        "changes": changes,
        "budget_changes": budgets,
        "scope_change": values["scope_change"],
        "rebaseline": values["rebaseline"],
        "scenario_id": scenario,
    }
    body, invalid = validate(ChangeRequestCreate, data)
    for name, message in invalid.items():
        errors.setdefault(cr_field(name, shown_on), message)
    if not values["title"]:
        errors["title"] = "Required."
    if body is not None and not errors:
        try:
            fields = body.model_dump(exclude_none=True)  # as the API stores them
            fields["changes"] = [c.model_dump(exclude_none=True) for c in body.changes]
            change_requests.create_change_request(db, viewer.actor, program_id=program_id, **fields)
            done(db)
            return _back(program_id, "cr", "change-requests")
        except REFUSALS as exc:
            db.rollback()
            errors = _cr_errors(exc, shown_on)
    return _governance(
        request,
        db,
        viewer,
        program_id,
        forms={"cr": FormState(errors, values)},
        status_code=422,
    )


# --- stakeholders ----------------------------------------------------------------------


def _stakeholder_form(form: FormData) -> tuple[dict[str, Any], StakeholderCreate | None, Errors]:
    values: dict[str, Any] = {n: field_value(form, n) for n in STAKEHOLDER_FIELDS}
    values["reports"] = [str(r) for r in form.getlist("reports")]
    body, errors = validate(
        StakeholderCreate,
        {**values, "influence": values["influence"] or "3", "interest": values["interest"] or "3"},
    )
    errors = _grouped(errors, {"reports_": "reports"})
    if not values["name"]:
        errors["name"] = "Required."
    return values, body, errors


def _stakeholder_refused(
    request: Request,
    db: Db,
    viewer: CurrentViewer,
    program_id: int,
    state: FormState,
    stakeholder_id: int | None,
) -> Response:
    return _governance(
        request,
        db,
        viewer,
        program_id,
        forms={"stakeholder": state},
        edit_stakeholder=stakeholder_id,
        status_code=422,
    )


@router.post("/programs/{program_id}/governance/stakeholders")
def add_stakeholder(
    request: Request, program_id: PathId, db: Db, viewer: CurrentViewer, form: CheckedForm
) -> Response:
    """Add a stakeholder (managers)."""
    values, body, errors = _stakeholder_form(form)
    if body is not None and not errors:
        try:
            fields = body.model_dump()
            name = fields.pop("name")
            stakeholders.add_stakeholder(
                db, viewer.actor, program_id=program_id, name=name, **fields
            )
            done(db)
            return _back(program_id, "stakeholder", "stakeholders")
        except REFUSALS as exc:
            db.rollback()
            errors = errors_of(exc, (*STAKEHOLDER_FIELDS, "reports"))
    return _stakeholder_refused(
        request, db, viewer, program_id, FormState(errors, values), stakeholder_id=None
    )


def _stakeholder_in(db: Db, viewer: CurrentViewer, program_id: int, stakeholder_id: int) -> None:
    if stakeholders.get_stakeholder(db, viewer.actor, stakeholder_id).program_id != program_id:
        raise NotFound(f"stakeholder {stakeholder_id} not found in this program")


@router.post("/programs/{program_id}/governance/stakeholders/{stakeholder_id}")
def update_stakeholder(
    request: Request,
    program_id: PathId,
    stakeholder_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Change a stakeholder (managers)."""
    _stakeholder_in(db, viewer, program_id, stakeholder_id)
    values, body, errors = _stakeholder_form(form)
    values["version"] = field_value(form, "version")
    if body is not None and not errors:
        try:
            stakeholders.update_stakeholder(
                db,
                viewer.actor,
                stakeholder_id,
                body.model_dump(),
                expected_version=version_of(form),
            )
            done(db)
            return _back(program_id, "stakeholder", "stakeholders")
        except REFUSALS as exc:
            db.rollback()
            errors = errors_of(exc, (*STAKEHOLDER_FIELDS, "reports"))
    return _stakeholder_refused(
        request, db, viewer, program_id, FormState(errors, values), stakeholder_id=stakeholder_id
    )


@router.post("/programs/{program_id}/governance/stakeholders/{stakeholder_id}/delete")
def remove_stakeholder(
    request: Request,
    program_id: PathId,
    stakeholder_id: PathId,
    db: Db,
    viewer: CurrentViewer,
    form: CheckedForm,
) -> Response:
    """Remove a stakeholder (managers)."""
    _stakeholder_in(db, viewer, program_id, stakeholder_id)
    try:
        stakeholders.remove_stakeholder(
            db, viewer.actor, stakeholder_id, expected_version=version_of(form)
        )
        done(db)
    except StaleVersion as exc:
        db.rollback()
        return _stakeholder_refused(
            request,
            db,
            viewer,
            program_id,
            FormState(errors_of(exc, ())),
            stakeholder_id=stakeholder_id,
        )
    return _back(program_id, "removed", "stakeholders")
