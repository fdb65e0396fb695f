"""Governance: reviews and their occurrences, decisions, change requests, stakeholders,
and the close-out of a program (its retrospective and lessons learned)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from podium.models.base import Base, Timestamped, UTCDateTime, Versioned, utcnow


def _enum(e: type[enum.Enum]) -> Enum:
    return Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class ReviewFrequency(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


class ChangeRequestStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Review(Versioned, Base):
    """A recurring governance review of a program (a weekly dependency check, a steering
    committee…): its cadence, its attendees and the agenda sections it covers."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[ReviewFrequency] = mapped_column(_enum(ReviewFrequency))
    first_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    time_of_day: Mapped[str] = mapped_column(String(5), default="")  # "09:30", local time
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    location: Mapped[str] = mapped_column(String(300), default="")
    # the agenda sections this review covers (see services.governance.agenda.SECTIONS)
    sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    # cadence dates called off ("2027-03-30"…, in order): no longer occurrences
    skipped_dates: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    attendees: Mapped[list[ReviewAttendee]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReviewAttendee.position",
    )


class ReviewAttendee(Base):
    """Someone expected at a review; ``user_id`` when they have a Podium account."""

    __tablename__ = "review_attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    role: Mapped[str] = mapped_column(String(100), default="")  # chair, secretary, member…
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    review: Mapped[Review] = relationship(back_populates="attendees")


class ReviewOccurrence(Versioned, Base):
    """One meeting of a review, as held: its date, who came, its minutes, and the agenda as
    it was built for it (kept unchanged, so what the meeting looked at can be read back)."""

    __tablename__ = "review_occurrences"
    __table_args__ = (UniqueConstraint("review_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    # the agenda covered what happened after this moment (the previous occurrence)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attendees_present: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(320), default="")


class AgendaItem(Timestamped, Base):
    """A topic someone proposed for a review; it joins the occurrence it was discussed at."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_occurrences.id", ondelete="SET NULL"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(320), default="")
    proposed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class Decision(Versioned, Base):
    """An entry of the decision log: what was decided, why, by whom, when, in which review,
    and the records it is about (``links``: ``[{"type", "id", "label"}]``)."""

    __tablename__ = "decisions"
    # a number is given once (DecisionNumbering), and the database refuses it twice
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # D-1, D-2 … per program
    title: Mapped[str] = mapped_column(String(300))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(300))
    decided_on: Mapped[date] = mapped_column(Date)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_occurrences.id", ondelete="SET NULL"), nullable=True, index=True
    )
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(320), default="")

    occurrence: Mapped[ReviewOccurrence | None] = relationship()


class DecisionNumbering(Base):
    """The last decision number a program gave (``D-n``): the next is one more, so a
    number is never given again, not even after the newest decision is deleted."""

    __tablename__ = "decision_numbering"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class ChangeRequest(Versioned, Base):
    """A proposed change to the plan, in the impact analysis's terms (``changes``), with
    budget changes to tasks and a scope note; approved (applied) or rejected with a decision."""

    __tablename__ = "change_requests"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # CR-1, CR-2 … per program
    title: Mapped[str] = mapped_column(String(300))
    rationale: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(320))
    requested_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[ChangeRequestStatus] = mapped_column(
        _enum(ChangeRequestStatus), default=ChangeRequestStatus.PROPOSED, index=True
    )
    # the same shape as POST /programs/{id}/impact's "changes"
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"task_id", "budget"}]: the task's planned cost becomes "budget"
    budget_changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    scope_change: Mapped[str] = mapped_column(Text, default="")
    rebaseline: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decisions.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(320), default="")
    # the impact as computed when decided (the live plan moves on afterwards)
    impact_at_decision: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    baseline_id: Mapped[int | None] = mapped_column(
        ForeignKey("baselines.id", ondelete="SET NULL"), nullable=True
    )
    # a what-if scenario of the program: approving the request applies it
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True
    )

    decision: Mapped[Decision | None] = relationship()


class Stakeholder(Versioned, Base):
    """Someone with a stake in the program: role, influence and interest (1–5), and the
    reports they receive."""

    __tablename__ = "stakeholders"
    __table_args__ = (
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_range"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="interest_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    influence: Mapped[int] = mapped_column(Integer, default=3)
    interest: Mapped[int] = mapped_column(Integer, default=3)
    reports: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ProgramCloseout(Base):
    """How a program was closed: when, by whom, the outcome achieved, and the retrospective's
    numbers as they stood at close (kept unchanged)."""

    __tablename__ = "program_closeouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(320), default="")
    closed_on: Mapped[date] = mapped_column(Date)
    outcome_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome_summary: Mapped[str] = mapped_column(Text, default="")
    retrospective: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Lesson(Timestamped, Base):
    """A lesson learned, recorded as text (during the program or at close)."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(20), default="improve")  # went_well | improve
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(320), default="")
