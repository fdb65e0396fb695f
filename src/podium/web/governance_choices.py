"""What the Governance tab's forms show: the values a form starts from (a record being
edited, or what was sent back with its errors) and the choices its fields offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from podium.models import ChangeRequest, ChangeRequestStatus, Review, Stakeholder
from podium.models.scenarios import ScenarioStatus
from podium.services import dependencies, scenarios, tasks
from podium.services.governance.agenda import SECTIONS
from podium.services.governance.page import GovernancePage
from podium.web.session import Viewer

Errors = dict[str, str]
FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("four_weekly", "Every four weeks"),
    ("monthly", "Monthly, on the first date's nth weekday (e.g. second Tuesday)"),
]
INFLUENCE = [(n, f"{n}") for n in range(1, 6)]
SAVED = {
    "review": "Review saved.",
    "meeting": "Meeting recorded; its agenda is kept with it.",
    "cr": "Change request raised; its impact is computed below.",
    "stakeholder": "Stakeholder saved.",
    "removed": "Stakeholder removed.",
    "review_deleted": "Review deleted with its meetings; their decisions stay in the log.",
    "minutes": "Minutes saved.",
    "meeting_skipped": "Meeting called off: the next one is on the agenda now.",
    "meeting_restored": "Meeting put back.",
    "meeting_removed": "Meeting removed; the topics it took return to the next agenda.",
    "decision": "Decision saved.",
    "decision_deleted": "Decision deleted; the history keeps a record of it.",
    "topic_removed": "Topic taken off the agenda.",
    "cr_saved": "Change request saved; its impact is computed again below.",
}
CHOICES_LIMIT = 5000


@dataclass
class FormState:
    """A form sent back: what was typed and what was wrong with it."""

    errors: Errors = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def attendees_text(review: Review) -> str:
    """The attendees one a line, as the form's text area takes them: ``who, role``."""
    lines = []
    for a in review.attendees:
        who = a.email or a.name
        lines.append(f"{who}, {a.role}" if a.role else who)
    return "\n".join(lines)


def review_values(review: Review) -> dict[str, Any]:
    return {
        "name": review.name,
        "purpose": review.purpose,
        "frequency": review.frequency.value,
        "first_date": review.first_date.isoformat(),
        "until_date": review.until_date.isoformat() if review.until_date else "",
        "time_of_day": review.time_of_day,
        "duration_minutes": str(review.duration_minutes),
        "location": review.location,
        "attendees": attendees_text(review),
        "sections": list(review.sections or SECTIONS),
        "version": review.version,
    }


def stakeholder_values(stakeholder: Stakeholder) -> dict[str, Any]:
    return {
        "name": stakeholder.name,
        "role": stakeholder.role,
        "organization": stakeholder.organization,
        "email": stakeholder.email,
        "influence": str(stakeholder.influence),
        "interest": str(stakeholder.interest),
        "reports": list(stakeholder.reports),
        "notes": stakeholder.notes,
        "version": stakeholder.version,
    }


# a change the change request form shows: its kind, and the form fields it fills
FORM_CHANGES = {
    "slip": ("slip_task", "slip_days"),
    "set_duration": ("duration_task", "duration_days"),
}


def cr_values(
    cr: ChangeRequest, task_ids: set[int], dependency_ids: set[int]
) -> tuple[dict[str, Any], bool]:
    """A proposed change request's fields as the form shows them, and whether the form
    can show its plan changes exactly: at most one of each kind, on open tasks, a link
    finish to start without lag between two tasks. When it cannot, the form edits the
    words only and the changes stay as proposed."""
    values: dict[str, Any] = {
        "title": cr.title,
        "rationale": cr.rationale,
        "scope_change": cr.scope_change,
        "rebaseline": cr.rebaseline,
        "version": cr.version,
    }
    seen: set[str] = set()
    fits = len(cr.budget_changes) <= 1
    for change in cr.changes:
        kind = str(change.get("type"))
        fits = fits and kind not in seen
        seen.add(kind)
        if kind in FORM_CHANGES and change.get("task_id") in task_ids:
            task, days = FORM_CHANGES[kind]
            values[task], values[days] = str(change["task_id"]), str(change.get("days", ""))
        elif kind == "add_dependency" and _plain_link(change, task_ids):
            values["link_predecessor"] = str(change["predecessor"]["id"])
            values["link_successor"] = str(change["successor"]["id"])
        elif kind == "remove_dependency" and change.get("dependency_id") in dependency_ids:
            values["unlink"] = str(change["dependency_id"])
        else:
            fits = False
    for budget in cr.budget_changes:
        fits = fits and budget.get("task_id") in task_ids
        amount = float(budget["budget"])
        values["budget_task"] = str(budget["task_id"])
        values["budget"] = str(int(amount)) if amount.is_integer() else str(amount)
    return values, fits


def _plain_link(change: dict[str, Any], task_ids: set[int]) -> bool:
    ends = (change.get("predecessor") or {}, change.get("successor") or {})
    return (
        all(end.get("type") == "task" and end.get("id") in task_ids for end in ends)
        and change.get("dependency_type", "FS") == "FS"
        and not change.get("lag")
    )


def _plan_choices(db: Session, viewer: Viewer, program_id: int) -> dict[str, Any]:
    """Tasks that a change can touch, dependencies to remove, active scenarios."""
    views, _ = tasks.list_tasks(db, viewer.actor, program_id=program_id, limit=CHOICES_LIMIT)
    open_tasks = [
        (v.task.id, f"{v.task.key} · {v.task.name}")
        for v in views
        if not v.is_summary and v.task.actual_finish is None
    ]
    links, _ = dependencies.list_dependencies(
        db, viewer.actor, program_id=program_id, limit=CHOICES_LIMIT
    )
    dependency_choices = [
        (d.dependency.id, f"{d.predecessor.key} → {d.successor.key} ({d.dependency.type.value})")
        for d in links
    ]
    active, _ = scenarios.list_scenarios(db, viewer.actor, program_id, status=ScenarioStatus.ACTIVE)
    return {
        "task_choices": open_tasks,
        "dependency_choices": dependency_choices,
        "scenario_choices": [(s.id, f"S-{s.number} {s.name}") for s in active],
    }


def form_context(
    db: Session,
    viewer: Viewer,
    view: GovernancePage,
    *,
    forms: dict[str, FormState],
    edit_review: int | None,
    edit_stakeholder: int | None,
    edit_cr: int | None = None,
) -> dict[str, Any]:
    """The forms' state and choices for the Governance tab."""
    editing_review = next((r.review for r in view.reviews if r.review.id == edit_review), None)
    editing_stakeholder = next(
        (s.stakeholder for s in view.stakeholders if s.stakeholder.id == edit_stakeholder), None
    )
    review_form = forms.get("review") or FormState(
        values=review_values(editing_review)
        if editing_review
        else {"frequency": "weekly", "duration_minutes": "60", "sections": list(SECTIONS)}
    )
    stakeholder_form = forms.get("stakeholder") or FormState(
        values=stakeholder_values(editing_stakeholder)
        if editing_stakeholder
        else {"influence": "3", "interest": "3", "reports": []}
    )
    shown = view.shown
    meeting_form = forms.get("meeting") or FormState(
        values={
            "held_on": shown.record_date.isoformat() if shown and shown.record_date else "",
            "present": [a.name for a in shown.review.attendees] if shown else [],
        }
    )
    context: dict[str, Any] = {
        "review_form": review_form,
        "review_editing": editing_review,
        "stakeholder_form": stakeholder_form,
        "stakeholder_editing": editing_stakeholder,
        "meeting_form": meeting_form,
        "cr_form": forms.get("cr") or FormState(),
        "frequencies": FREQUENCIES,
        "section_names": SECTIONS,
        "scores": INFLUENCE,
    }
    if view.can_propose:
        context.update(_plan_choices(db, viewer, view.program.id))
        context.update(_cr_editing(view, viewer, context, forms, edit_cr))
    return context


def may_edit_request(view: GovernancePage, viewer: Viewer, cr: ChangeRequest) -> bool:
    """A proposed request is changed by whoever raised it, or a manager."""
    return cr.status == ChangeRequestStatus.PROPOSED and (
        view.can_decide or cr.requested_by_user_id == viewer.user_id
    )


def _cr_editing(
    view: GovernancePage,
    viewer: Viewer,
    context: dict[str, Any],
    forms: dict[str, FormState],
    edit_cr: int | None,
) -> dict[str, Any]:
    """The change request the form is opened on, if any, and whether its plan changes
    fit the form."""
    cr = next(
        (
            row.request
            for row in view.change_requests
            if row.request.id == edit_cr and may_edit_request(view, viewer, row.request)
        ),
        None,
    )
    if cr is None:
        return {"cr_editing": None, "cr_fits": True}
    task_ids = {task_id for task_id, _ in context["task_choices"]}
    dependency_ids = {dependency_id for dependency_id, _ in context["dependency_choices"]}
    values, fits = cr_values(cr, task_ids, dependency_ids)
    return {
        "cr_editing": cr,
        "cr_fits": fits,
        "cr_form": forms.get("cr") or FormState(values=values),
    }
