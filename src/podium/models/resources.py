"""Shared resources (people, teams, equipment) and their assignments to tasks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, UTCDateTime, Versioned, utcnow


class ResourceKind(enum.StrEnum):
    PERSON = "person"
    TEAM = "team"
    EQUIPMENT = "equipment"


class Resource(Versioned, Base):
    """A person, team or piece of equipment, shared by every program that assigns it.

    ``capacity`` is in units per working day (1.0 = one full-time person, 3.0 =
    a team of three); ``hours_per_day`` turns units into hours of work and
    ``cost_rate`` is the cost of one hour. ``calendar_id`` is the resource's own
    working calendar (``None``: it works whenever its tasks do) and
    ``time_off`` its absences, a list of ``{"start", "finish", "note"}`` (ISO
    dates, both days off). The scheduler runs a task with resources only on the
    days its own calendar and all its resources' calendars have in common.
    ``user_id`` links a person to the account they sign in with.
    """

    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("hours_per_day > 0 AND hours_per_day <= 24", name="hours_per_day_range"),
        CheckConstraint("cost_rate >= 0", name="cost_rate_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(
        Enum(
            ResourceKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ResourceKind.PERSON,
    )
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[float] = mapped_column(Float, default=1.0)
    hours_per_day: Mapped[float] = mapped_column(Float, default=8.0)
    cost_rate: Mapped[float] = mapped_column(Float, default=0.0)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendars.id", ondelete="SET NULL"), nullable=True
    )
    time_off: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class Assignment(Versioned, Base):
    """``units`` of a resource on a task for each of the task's working days.

    ``work_hours`` is the work *given* on the assignment, or ``None`` when none
    was: its part of the task's work. On an effort-driven task the work given on
    all its assignments sets the duration; on a duration-driven task it is kept
    for when the task becomes effort-driven. The work *planned* is not stored: it
    follows from the duration (working days x units x the resource's hours per
    day). Taking the assignment off its task passes its work given to the
    assignments still on it.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_id", "resource_id"),
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("work_hours IS NULL OR work_hours >= 0", name="work_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    units: Mapped[float] = mapped_column(Float, default=1.0)
    work_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str] = mapped_column(String(500), default="")


class LevelingPreview(Base):
    """A leveling preview kept so that applying it stores exactly what was shown.

    ``schedule_token`` is the plan's token when it was computed: the preview can be
    applied only while the plan has not changed since. ``outcome`` is what the preview
    showed (moves, milestones, figures; dates as ISO strings) and ``holds`` the task
    id → leveled start (ISO) that applying stores. A program keeps its latest few.
    """

    __tablename__ = "leveling_previews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    schedule_token: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    holds: Mapped[dict[str, str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
