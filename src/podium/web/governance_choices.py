"""What the Governance tab's forms show: the values a form starts from (a record being
edited, or what was sent back with its errors) and the choices its fields offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from podium.models import Review, Stakeholder
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
    "meeting_removed": "Meeting removed; the topics it took return to the next agenda.",
    "decision": "Decision saved.",
    "decision_deleted": "Decision deleted; the history keeps a record of it.",
    "topic_removed": "Topic taken off the agenda.",
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
            "held_on": shown.next_date.isoformat() if shown and shown.next_date else "",
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
    return context
