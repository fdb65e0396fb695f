"""Health over time: one snapshot of a program's colours per day, so a trend can be drawn."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from podium.models.base import Base, UTCDateTime, utcnow


class HealthSnapshot(Base):
    """The program's status and its projects' on one day, with the program's reasons."""

    __tablename__ = "health_snapshots"
    __table_args__ = (UniqueConstraint("program_id", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    projects: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    spi: Mapped[float | None] = mapped_column(nullable=True)
    cpi: Mapped[float | None] = mapped_column(nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
