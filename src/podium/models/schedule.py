"""Computed schedule results and the conflict alerts they raise.

The scheduled dates on tasks and milestones (``early_start`` …) are written only
by the rescheduling service, never by users, and do not bump record versions.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, UTCDateTime, utcnow


class ScheduledDates:
    """Columns the scheduler fills on every task and program milestone."""

    early_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    early_finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    late_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    late_finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    total_float: Mapped[int | None] = mapped_column(Integer, nullable=True)
    free_float: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_critical: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # how many times the scheduler has moved the early dates: with ``version`` it gives a
    # calendar event's SEQUENCE, which must grow when the dates change (RFC 5545)
    dates_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # when the scheduler last moved them (as ``dates_revision`` counts): with
    # ``updated_at`` it gives the event's LAST-MODIFIED, which moves when SEQUENCE grows
    dates_moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


SCHEDULED_FIELDS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
)


class AlertKind(enum.StrEnum):
    """What an alert is about (stored as its value in a plain string column, so a new
    kind needs no migration)."""

    DEADLINE_MISSED = "deadline_missed"
    MILESTONE_TARGET_MISSED = "milestone_target_missed"
    STARTED_SUCCESSOR_PUSHED = "started_successor_pushed"
    CONSTRAINT_VIOLATED = "constraint_violated"
    ACTUAL_AFTER_STATUS_DATE = "actual_after_status_date"
    PAST_BASELINE = "past_baseline"
    OVER_ALLOCATION = "over_allocation"
    RISK_ESCALATED = "risk_escalated"
    BENEFIT_OFF_TRACK = "benefit_off_track"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Alert(Base):
    """A schedule conflict, from the moment it is detected until it disappears.

    ``fingerprint`` identifies the conflict (kind + the record it is about) so a
    conflict that persists across reschedules stays one alert; when it goes away
    ``resolved_at`` is set, and the history is kept.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AlertKind] = mapped_column(
        Enum(
            AlertKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
        )
    )
    severity: Mapped[Severity] = mapped_column(
        Enum(Severity, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    fingerprint: Mapped[str] = mapped_column(String(200), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    message: Mapped[str] = mapped_column(Text, default="")
    cross_project: Mapped[bool] = mapped_column(Boolean, default=False)
    chain: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    projects: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    triggered_by: Mapped[str] = mapped_column(String(320), default="")
    first_detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
