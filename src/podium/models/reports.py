"""Issued status reports, kept unchanged: the history of what executives were told."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from podium.models.base import Base, UTCDateTime, utcnow


class IssuedReport(Base):
    """A status report as issued: its numbers (``data``) and its Markdown, HTML and PDF."""

    __tablename__ = "issued_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(320), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    markdown: Mapped[str] = deferred(mapped_column(Text))
    html: Mapped[str] = deferred(mapped_column(Text))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
