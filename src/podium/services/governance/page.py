"""What the Governance tab and the retrospective page show, as seen by one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from podium.models import Program, ProgramStatus, Role
from podium.models.governance import ChangeRequest, Decision, Review, ReviewOccurrence, Stakeholder
from podium.services.actor import Actor, require_role
from podium.services.common import today
from podium.services.governance import agenda, change_requests, decisions, reviews, stakeholders
from podium.services.governance.retrospective import (
    LESSON_CATEGORIES,
    get_retrospective,
)
from podium.services.programs import get_program


@dataclass(frozen=True)
class ReviewRow:
    """A review with its next occurrence and the last one held."""

    review: Review
    next_date: date | None
    last: ReviewOccurrence | None
    held: int
    record_date: date | None = None  # the day *Record this meeting* proposes (never later)

    @property
    def skipped(self) -> list[date]:
        """The meetings called off from today on (the page offers to put them back)."""
        now = today()
        return [d for d in map(date.fromisoformat, self.review.skipped_dates or ()) if d >= now]

    @property
    def cadence(self) -> str:
        """The cadence in words: "Every two weeks on Thursday, 14:00 (90 min)"."""
        review = self.review
        weekday = f"{review.first_date:%A}"
        frequency = review.frequency.value
        if frequency == "monthly":
            n = reviews.cadence_of(review).week_of_month
            nth = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[n]
            text = f"Monthly on the {nth} {weekday}"
        else:
            every = {"weekly": "Every week", "biweekly": "Every two weeks"}.get(
                frequency, "Every four weeks"
            )
            text = f"{every} on {weekday}"
        if review.time_of_day:
            text += f", {review.time_of_day}"
        return f"{text} ({review.duration_minutes} min)"


@dataclass(frozen=True)
class ChangeRequestRow:
    request: ChangeRequest
    impact: dict[str, Any]


@dataclass(frozen=True)
class StakeholderRow:
    stakeholder: Stakeholder
    engagement: str
    engagement_label: str


@dataclass(frozen=True)
class GovernancePage:
    program: Program
    role: Role
    reviews: list[ReviewRow]
    shown: ReviewRow | None  # the review whose next agenda is shown
    agenda: dict[str, Any] | None
    decisions: list[Decision]
    change_requests: list[ChangeRequestRow]
    stakeholders: list[StakeholderRow]
    report_names: dict[str, str]

    @property
    def can_decide(self) -> bool:
        return self.role.rank >= Role.MANAGER.rank

    @property
    def can_propose(self) -> bool:
        return self.role.rank >= Role.MEMBER.rank

    @property
    def awaiting(self) -> list[ChangeRequestRow]:
        return [r for r in self.change_requests if r.request.status.value == "proposed"]


def governance_page(
    session: Session, actor: Actor, program_id: int, *, review_id: int | None = None
) -> GovernancePage:
    """Reviews with the chosen one's next agenda (default: the one meeting next), the
    decision log, change requests with their impact, stakeholders."""
    program = get_program(session, actor, program_id)
    role = require_role(session, actor, program_id, Role.VIEWER)
    rows = []
    for review in reviews.list_reviews(session, actor, program_id):
        held = reviews.list_occurrences(session, actor, review.id)
        rows.append(
            ReviewRow(
                review,
                reviews.next_date(session, review),
                held[0] if held else None,
                len(held),
                reviews.date_to_record(session, review),
            )
        )
    upcoming = sorted(
        (r for r in rows if r.next_date is not None),
        key=lambda r: (r.next_date or date.max, r.review.name),
    )
    shown = next((r for r in rows if r.review.id == review_id), None) or (
        upcoming[0] if upcoming else None
    )
    built = (
        agenda.build_agenda(session, actor, shown.review, occurrence_date=shown.next_date)
        if shown is not None and shown.next_date is not None
        else None
    )
    logged, _ = decisions.list_decisions(session, actor, program_id)
    requests, _ = change_requests.list_change_requests(session, actor, program_id)
    return GovernancePage(
        program=program,
        role=role,
        reviews=rows,
        shown=shown,
        agenda=built,
        decisions=logged,
        change_requests=[
            ChangeRequestRow(cr, change_requests.compute_impact(session, actor, cr))
            for cr in requests
        ],
        stakeholders=[
            StakeholderRow(s, stakeholders.quadrant(s), stakeholders.quadrant_label(s))
            for s in stakeholders.list_stakeholders(session, actor, program_id)
        ],
        report_names=stakeholders.REPORTS,
    )


@dataclass(frozen=True)
class RetrospectivePage:
    """The retrospective shown (kept at the last close, or a draft) and who may do what."""

    program: Program
    role: Role
    data: dict[str, Any]
    lesson_categories: dict[str, str]

    @property
    def closed(self) -> bool:
        """Whether the program is closed now (a kept retrospective may outlive a reopen)."""
        return self.program.status == ProgramStatus.CLOSED

    @property
    def can_close(self) -> bool:
        return self.role.rank >= Role.OWNER.rank and not self.closed

    @property
    def can_reopen(self) -> bool:
        return self.role.rank >= Role.OWNER.rank and self.closed

    @property
    def can_add_lessons(self) -> bool:
        return self.role.rank >= Role.MEMBER.rank

    @property
    def can_remove_lessons(self) -> bool:
        """Managers remove any lesson; a member only those they recorded."""
        return self.role.rank >= Role.MANAGER.rank


def retrospective_page(
    session: Session, actor: Actor, program_id: int, *, draft: bool = False
) -> RetrospectivePage:
    """The retrospective page: the one kept at the last close, or a draft (``draft``, or
    never closed)."""
    program = get_program(session, actor, program_id)
    role = require_role(session, actor, program_id, Role.VIEWER)
    data = get_retrospective(session, actor, program_id, draft=draft)
    return RetrospectivePage(program, role, data, LESSON_CATEGORIES)
