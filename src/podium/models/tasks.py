"""Tasks (a WBS inside a project), program milestones and dependencies."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from podium.models.base import Base, Versioned
from podium.models.programs import Project
from podium.models.schedule import ScheduledDates


def _enum(e: type[enum.Enum]) -> Enum:
    return Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class ConstraintType(enum.StrEnum):
    """Date constraints (Microsoft Project's names)."""

    ASAP = "asap"  # as soon as possible (no constraint)
    SNET = "snet"  # start no earlier than
    MSO = "mso"  # must start on
    FNLT = "fnlt"  # finish no later than
    SNLT = "snlt"  # start no later than
    FNET = "fnet"  # finish no earlier than
    MFO = "mfo"  # must finish on


class DependencyType(enum.StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class Task(ScheduledDates, Versioned, Base):
    """A unit of work in a project. A task with children is a summary task.

    ``duration`` and lags are in working days of the task's calendar; ``wbs``
    (like ``1.2.3``) is computed from the position among siblings.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("program_id", "key"),
        CheckConstraint("duration >= 0", name="duration_non_negative"),
        CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="percent_complete_range"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True, index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    wbs: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    duration: Mapped[int] = mapped_column(Integer, default=1)
    is_milestone: Mapped[bool] = mapped_column(default=False)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendars.id", ondelete="SET NULL"), nullable=True
    )
    constraint_type: Mapped[ConstraintType] = mapped_column(
        _enum(ConstraintType), default=ConstraintType.ASAP
    )
    constraint_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    actual_finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    percent_complete: Mapped[float] = mapped_column(Float, default=0.0)
    estimate_optimistic: Mapped[float | None] = mapped_column(Float, nullable=True)
    estimate_most_likely: Mapped[float | None] = mapped_column(Float, nullable=True)
    estimate_pessimistic: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the duration when the three-point estimate was last entered (set on flush): when the
    # duration changes later, the forecast rescales the estimate to the new duration
    estimate_basis: Mapped[int | None] = mapped_column(Integer, nullable=True)
    budget: Mapped[float] = mapped_column(
        Float, default=0.0, server_default="0", doc="planned cost (budget at completion)"
    )
    actual_cost: Mapped[float] = mapped_column(
        Float, default=0.0, server_default="0", doc="cost incurred so far (cumulative)"
    )
    effort_driven: Mapped[bool] = mapped_column(
        default=False,
        server_default=false(),
        doc="the duration follows from the assignments' work (hours) and units",
    )
    leveled_start: Mapped[date | None] = mapped_column(
        Date, nullable=True, doc="set by leveling: the task starts no earlier than this day"
    )

    project: Mapped[Project] = relationship()


class Milestone(ScheduledDates, Versioned, Base):
    """A program-level milestone, reached when its predecessor tasks (in any projects) are done."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None] = mapped_column(Date, nullable=True)


def _one_link_per_pair() -> list[Index]:
    """At most one dependency between the same two ends (one partial unique index per
    kind of pair, since NULLs never collide in a plain unique constraint)."""
    indexes = []
    for pred in ("task", "milestone"):
        for succ in ("task", "milestone"):
            columns = (f"predecessor_{pred}_id", f"successor_{succ}_id")
            where = text(" AND ".join(f"{c} IS NOT NULL" for c in columns))
            indexes.append(
                Index(
                    f"uq_dependencies_{pred}_{succ}",
                    *columns,
                    unique=True,
                    sqlite_where=where,
                    postgresql_where=where,
                )
            )
    return indexes


class Dependency(Versioned, Base):
    """``predecessor`` → ``successor``; each end is a task or a program milestone.

    Exactly one of ``*_task_id`` / ``*_milestone_id`` is set on each end.
    """

    __tablename__ = "dependencies"
    __table_args__ = (
        CheckConstraint(
            "(predecessor_task_id IS NULL) <> (predecessor_milestone_id IS NULL)",
            name="one_predecessor",
        ),
        CheckConstraint(
            "(successor_task_id IS NULL) <> (successor_milestone_id IS NULL)",
            name="one_successor",
        ),
        *_one_link_per_pair(),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    predecessor_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True, index=True
    )
    predecessor_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), nullable=True, index=True
    )
    successor_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True, index=True
    )
    successor_milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), nullable=True, index=True
    )
    type: Mapped[DependencyType] = mapped_column(_enum(DependencyType), default=DependencyType.FS)
    lag: Mapped[int] = mapped_column(Integer, default=0)
