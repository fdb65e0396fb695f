"""Benefits: the KPIs a program exists to move, the projects that contribute, and
their measurements over time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
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

benefit_projects = Table(
    "benefit_projects",
    Base.metadata,
    Column("benefit_id", ForeignKey("benefits.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
)


class Benefit(Versioned, Base):
    """A KPI: from ``baseline_value`` on ``baseline_date`` to ``target_value`` by
    ``target_date``; ``direction`` says whether up or down is good.

    At most one benefit of a program ``is_goal``: the main KPI its goal
    statement is measured by.
    """

    __tablename__ = "benefits"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(50), default="")
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_date: Mapped[date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(String(4))
    is_goal: Mapped[bool] = mapped_column(Boolean, default=False)

    projects: Mapped[list[Project]] = relationship(
        secondary=benefit_projects, order_by="Project.position"
    )
    measurements: Mapped[list[BenefitMeasurement]] = relationship(
        back_populates="benefit",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BenefitMeasurement.measured_on",
    )


class BenefitMeasurement(Base):
    """One reading of a KPI on a day, with where it came from."""

    __tablename__ = "benefit_measurements"
    __table_args__ = (UniqueConstraint("benefit_id", "measured_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    benefit_id: Mapped[int] = mapped_column(
        ForeignKey("benefits.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(320), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    benefit: Mapped[Benefit] = relationship(back_populates="measurements")
