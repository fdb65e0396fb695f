"""The risk and issue register: risks at task, project or program level, their mitigation
actions, their score over time, their escalations, and each program's escalation rules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from podium.models.base import Base, UTCDateTime, Versioned, utcnow
from podium.models.programs import Project
from podium.models.tasks import Task
from podium.models.users import User

risk_projects = Table(
    "risk_projects",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)

risk_tasks = Table(
    "risk_tasks",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Risk(Versioned, Base):
    """A risk (or, once ``status`` is ``realized``, an issue) raised at one level.

    ``level`` is where it was raised (task, project, program); ``escalation``
    is where the program's rules put it now (``none``, ``program``,
    ``steering``), kept up to date on every change. Probability and impact are
    rated 1-5; ``score`` is their product, stored so the register sorts and
    filters by it.
    """

    __tablename__ = "risks"
    __table_args__ = (
        UniqueConstraint("program_id", "number"),
        CheckConstraint("probability BETWEEN 1 AND 5", name="probability_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    # working days the linked tasks slip if it happens (Monte Carlo forecasts); None: not modelled
    schedule_impact_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[int] = mapped_column(Integer, index=True)
    level: Mapped[str] = mapped_column(String(10), default="project")
    response: Mapped[str] = mapped_column(String(10), default="mitigate")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    escalation: Mapped[str] = mapped_column(String(10), default="none")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    realized_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(320), default="")

    owner: Mapped[User | None] = relationship()
    projects: Mapped[list[Project]] = relationship(
        secondary=risk_projects, order_by="Project.position"
    )
    tasks: Mapped[list[Task]] = relationship(secondary=risk_tasks, order_by="Task.key")
    actions: Mapped[list[RiskAction]] = relationship(
        back_populates="risk",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RiskAction.id",
    )

    @property
    def key(self) -> str:
        """``R7``: the risk's number in its program."""
        return f"R{self.number}"

    @property
    def name(self) -> str:
        """How the audit log and messages name it: ``R7 Vendor API delays``."""
        return f"{self.key} {self.title}"

    @property
    def effective_level(self) -> str:
        """Where the risk is handled: its level, or the program once escalated."""
        return "program" if self.escalation != "none" else self.level


class RiskAction(Versioned, Base):
    """A mitigation action: what will be done, by whom, by when, and whether it is done."""

    __tablename__ = "risk_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    risk: Mapped[Risk] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()

    @property
    def name(self) -> str:
        return self.title


class RiskHistory(Base):
    """The risk's ratings and status after each change that touched them (the score over time)."""

    __tablename__ = "risk_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    changed_by: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(String(500), default="")


class RiskEscalation(Base):
    """One move of a risk between levels under the rules: who (whose change), when, why."""

    __tablename__ = "risk_escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    from_escalation: Mapped[str] = mapped_column(String(10))
    to_escalation: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(320), default="")


class RiskRules(Versioned, Base):
    """A program's escalation rules (no row: the defaults)."""

    __tablename__ = "risk_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), unique=True
    )
    program_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cross_project: Mapped[bool] = mapped_column(Boolean, default=True)
    steering_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
