"""Baselines: named snapshots of a program's plan, to measure the live plan against."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from podium.models.base import Base, UTCDateTime, Versioned, utcnow


class Baseline(Versioned, Base):
    """A snapshot of every task's and milestone's dates, duration and planned cost.

    At most one baseline of a program is the current one: the one variance,
    earned value and "slipped against plan" are measured against by default.
    """

    __tablename__ = "baselines"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(320), default="")
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    finish: Mapped[date | None] = mapped_column(Date, nullable=True)

    items: Mapped[list[BaselineItem]] = relationship(
        back_populates="baseline", cascade="all, delete-orphan", passive_deletes=True
    )


class BaselineItem(Base):
    """One task or program milestone as it stood when the baseline was taken.

    ``record_id`` is kept without a foreign key: a task deleted since is what
    "scope removed" means.
    """

    __tablename__ = "baseline_items"
    __table_args__ = (UniqueConstraint("baseline_id", "kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    baseline_id: Mapped[int] = mapped_column(
        ForeignKey("baselines.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # task | milestone
    record_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    project_key: Mapped[str | None] = mapped_column(String(20), nullable=True)
    is_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    finish: Mapped[date | None] = mapped_column(Date, nullable=True)
    duration: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    target: Mapped[date | None] = mapped_column(Date, nullable=True)

    baseline: Mapped[Baseline] = relationship(back_populates="items")
