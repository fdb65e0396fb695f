"""Programs, their members and their projects."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
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

from podium.models.base import Base, Versioned


class Role(enum.StrEnum):
    """A member's role in one program, from least to most powerful."""

    VIEWER = "viewer"
    MEMBER = "member"
    MANAGER = "manager"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class ProgramStatus(enum.StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class Program(Versioned, Base):
    """A group of interdependent projects delivering one strategic outcome.

    The goal statement is structured: outcome, measure (with unit), baseline
    value, target value and target date.
    """

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProgramStatus] = mapped_column(
        Enum(
            ProgramStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ProgramStatus.ACTIVE,
    )
    start_date: Mapped[date] = mapped_column(Date)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendars.id", ondelete="SET NULL"), nullable=True
    )
    goal_outcome: Mapped[str] = mapped_column(Text, default="")
    goal_measure: Mapped[str] = mapped_column(String(200), default="")
    goal_unit: Mapped[str] = mapped_column(String(50), default="")
    goal_baseline_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    goal_target_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    goal_target_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # the ISO 4217 code its amounts are in (upper case); none: amounts print bare
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    # computed by the scheduler
    scheduled_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    scheduled_finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    # a new random value each time the schedule is stored: lets a process reuse
    # what it loaded last time only while nothing has changed since
    schedule_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # the health rules as tuned for this program (null: the defaults)
    health_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # set on the hidden copy a what-if scenario edits: the live program it is a copy of.
    # No foreign key (SQLite cannot add one to this table in place); deleting a live
    # program deletes its copies (services.programs.delete_program)
    scenario_of_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="program", cascade="all, delete-orphan", passive_deletes=True
    )
    projects: Mapped[list[Project]] = relationship(
        back_populates="program",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Project.position",
    )


class Membership(Versioned, Base):
    """A user's role in a program."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )

    program: Mapped[Program] = relationship(back_populates="memberships")


class Project(Versioned, Base):
    """One project of a program; its tasks form a WBS."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendars.id", ondelete="SET NULL"), nullable=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    next_task_number: Mapped[int] = mapped_column(Integer, default=1)
    # computed by the scheduler
    scheduled_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    scheduled_finish: Mapped[date | None] = mapped_column(Date, nullable=True)

    program: Mapped[Program] = relationship(back_populates="projects")
